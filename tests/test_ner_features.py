"""Features of the CRF: clitics, gazetteer marks, training tables built fold by fold."""

from __future__ import annotations

from rasad.extract.lexicon import load_lexicon
from rasad.kb import load_kb
from rasad.ner.conll import LabelledSentence
from rasad.ner.crf import base_tables
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
    feats = cross_fold_features(sentences, base=base_tables(load_kb()), k=2)
    # The first sentence's features come from the second sentence only: حداد is unseen there.
    assert "d=unseen" in feats[0][2] and "d=B-LOC" in feats[0][3]
