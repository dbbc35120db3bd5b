"""Features of the CRF: clitics, gazetteer marks, training tables built fold by fold."""

from __future__ import annotations

from pathlib import Path

from rasad.extract.lexicon import load_lexicon
from rasad.kb import load_kb
from rasad.ner.conll import LabelledSentence
from rasad.ner.crf import (
    DOC_MODEL_FILE,
    MODEL_FILE,
    TABLES_FILE,
    CrfParams,
    StackSpec,
    base_tables,
    held_out_first_pass,
    open_crf,
    train_first_pass,
    train_second_pass,
)
from rasad.ner.document import DocMemory, doc_features, windowed_doc_features
from rasad.ner.features import (
    FeatureTables,
    Featurizer,
    base_form,
    case_shape,
    clitic_variants,
    cue_table,
    make_gazetteer,
    shape,
    template,
)
from rasad.ner.lists import load_lists, read_list, world_place_names
from rasad.ner.model import data_dir
from rasad.ner.train import count_tables, cross_fold_features, folds, tables_from_json, tables_to_json, train_tables


def test_word_forms() -> None:
    assert base_form("والصادرات") == "صادرات"
    assert base_form("للحرس") == "حرس"
    assert base_form("بالبوكمال") == "بوكمال"
    assert base_form("بغداد") == "بغداد"
    variants = clitic_variants("وللحرس", load_lexicon())
    assert "الحرس" in variants and "وللحرس" in variants
    assert shape("بغداد") == "ar" and shape("cnn") == "latin" and shape("2007") == "digit" and shape("«") == "punct"
    assert case_shape("CNN") == "XX" and case_shape("Apple") == "Xx" and case_shape("بغداد") == ""
    assert template("كاتب") == "CاCC"


def test_cues_from_the_lexicon() -> None:
    cues = cue_table(load_lexicon())
    assert "place-town" in cues["قريه"]
    assert "group" in cues["ميليشيا"]
    assert "so-called" in cues["المدعو"]


def _sentence(text: str, tags: str) -> LabelledSentence:
    return LabelledSentence(tuple(text.split()), tuple(tags.split()))


def test_gazetteer_marks_and_context() -> None:
    tables = FeatureTables(
        cues=cue_table(load_lexicon()),
        kb=make_gazetteer({"دير الزور": ["place"]}),
        train=train_tables([_sentence("قال سمير حداد", "O B-PERS I-PERS")]),
    )
    feats = Featurizer(tables).sentence(["وصل", "إلى", "بدير", "الزور", "سمير"])
    assert "kb=B-place" in feats[2] and "kb=I-place" in feats[3]
    assert "+1kb=B-place" in feats[1]
    assert "d=B-PERS" in feats[4] and "d=unseen" in feats[0]
    assert "BOS" in feats[0] and "EOS" in feats[4]
    assert Featurizer(tables).sentence(["وصل", "إلى"]) == Featurizer(tables).sentence(["وصل", "إلى"])


def test_tables_round_trip_and_folds() -> None:
    sentences = [_sentence("زار سمير حداد بيروت", "O B-PERS I-PERS B-LOC"), _sentence("في بيروت", "O B-LOC")]
    counts = count_tables(sentences)
    assert counts.words["بيروت"]["B-LOC"] == 2
    tables = train_tables(sentences)
    assert tables.names.entries["سمير حداد"] == ("PERS",)
    assert tables_from_json(tables_to_json(tables)) == tables
    assert folds(10, 3) == [range(0, 3), range(3, 6), range(6, 10)]
    feats = cross_fold_features(sentences, base=base_tables(load_kb(), data_dir()), k=2)
    # The first sentence's features come from the second sentence only: حداد is unseen there.
    assert "d=unseen" in feats[0][2] and "d=B-LOC" in feats[0][3]


def test_word_lists_feed_gazetteer_marks(tmp_path: Path) -> None:
    lists = load_lists(data_dir())
    assert "given" in lists.entries["محمد"] and "country" in lists.entries["المانيا"]
    tables = FeatureTables(cues={}, kb=make_gazetteer({}), train=train_tables([]), lists=lists)
    feats = Featurizer(tables).sentence(["زار", "ميشيل", "ألمانيا"])
    assert "lx=B-given" in feats[1] and "lx=B-country" in feats[2] and "+1lx=B-country" in feats[1]
    (tmp_path / "l.txt").write_text("# comment\nألمانيا\n\n", encoding="utf-8")
    assert read_list(tmp_path / "l.txt") == ["المانيا"]
    cities = [{"alternatenames": ["Berlin", "برلين", "بيان", "برلين", "ab", "پاریس"]}, {"alternatenames": None}]
    assert world_place_names(cities, stop=frozenset({"بيان"})) == ["برلين"]


def test_document_features_see_other_sentences_only() -> None:
    memory = DocMemory()
    memory.update(["قال", "بان", "كي", "مون"], ["O", "B-PERS", "I-PERS", "I-PERS"], 1)
    feats = doc_features(["وقال", "بان", "كي", "مون", "امس"], ["O", "O", "O", "O", "O"], memory)
    assert "dn=B-PERS" in feats[1] and "dn=I-PERS" in feats[3] and "dw=PERS" in feats[1]
    assert "dp=PERS" in feats[2] and feats[4] == ["p1=O"]
    norms = [["زار", "بيروت"], ["في", "بيروت"], ["امس"]]
    first = [["O", "B-LOC"], ["O", "O"], ["O"]]
    whole = windowed_doc_features(norms, first, window=None)
    assert "dw=LOC" in whole[1][1] and "dw=LOC" not in whole[0][1]
    near = windowed_doc_features(norms, first, window=0)
    assert "dw=LOC" not in near[1][1]


def test_document_pass_trains_and_tags(tmp_path: Path) -> None:
    sentences = [_sentence("زار سمير حداد بيروت", "O B-PERS I-PERS B-LOC"),
                 _sentence("وصل حداد إلى بيروت", "O B-PERS O B-LOC"),
                 _sentence("قال سمير إن بيروت هادئة", "O B-PERS O B-LOC O")] * 2
    base = base_tables(load_kb(), data_dir())
    params = CrfParams(max_iterations=20)
    xseqs = train_first_pass(sentences, base=base, folds=2, params=params, out=tmp_path)
    (tmp_path / "held").mkdir()
    first = held_out_first_pass(sentences, base=base, spec=StackSpec(blocks=2, folds=2), params=params,
                                workdir=tmp_path / "held")
    assert len(first) == len(sentences) and all(len(f) == len(s.tokens) for f, s in zip(first, sentences, strict=True))
    train_second_pass(sentences, xseqs, first=first, window=8, topics=base.topics, params=params, out=tmp_path)
    tagger = open_crf(tmp_path / MODEL_FILE, tmp_path / TABLES_FILE, kb=load_kb(), lists_dir=data_dir(),
                      doc_model_path=tmp_path / DOC_MODEL_FILE)
    tagged = tagger.tag_document([["زار", "حداد", "بيروت"], [], ["في", "بيروت"]], window=None)
    assert [len(t.tags) for t in tagged] == [3, 0, 2]
    assert all(0.0 <= p <= 1.0 for t in tagged for p in t.confidence)
