"""The optional Hugging Face backend, on a tiny randomly initialised BERT that the test builds and saves."""

from __future__ import annotations

from pathlib import Path

import pytest

from rasad.ner.hf import canonical_label
from rasad.ner.model import NerError, load_ner

LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC"]
WORDS = ["قال", "الرئيس", "في", "دمشق", "بغداد", "سمير", "حداد", "."]


def test_label_names() -> None:
    assert canonical_label("B-PER") == "B-PERS"
    assert canonical_label("I-LOC") == "I-LOC"
    assert canonical_label("O") == "O"
    assert canonical_label("LABEL_3") == "O"


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch = pytest.importorskip("torch", reason="the ml extra (torch) is not installed")
    transformers = pytest.importorskip("transformers", reason="the ml extra (transformers) is not installed")
    folder = tmp_path_factory.mktemp("tiny-bert")
    vocab = folder / "vocab.txt"
    letters = sorted({ch for w in WORDS for ch in w})
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS, *letters,
                                *(f"##{ch}" for ch in letters)]) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizerFast(vocab_file=str(vocab), do_lower_case=False)
    config = transformers.BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=64, num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)), label2id={label: i for i, label in enumerate(LABELS)},
    )
    torch.manual_seed(0)
    model = transformers.BertForTokenClassification(config)
    model.save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))
    return folder


def test_local_model_tags_every_word(tiny_model: Path) -> None:
    tagger = load_ner(str(tiny_model))
    assert tagger.name == f"hf:{tiny_model.name}"
    words = ["قال", "الرئيس", "سمير", "حداد", "في", "دمشق", "."]
    tagged = tagger.tag(words)
    assert len(tagged.tags) == len(tagged.confidence) == len(words)
    allowed = {"O", *(f"{p}-{t}" for p in "BI" for t in ("PERS", "LOC", "ORG", "MISC"))}
    assert set(tagged.tags) <= allowed
    assert all(0.0 < p <= 1.0 for p in tagged.confidence)
    for prev, tag in zip(("O", *tagged.tags), tagged.tags, strict=False):
        assert not tag.startswith("I-") or prev[2:] == tag[2:]
    long = tagger.tag(["دمشق"] * 300)  # longer than one window: tagged in windows of whole words
    assert len(long.tags) == 300
    assert tagger.tag([]).tags == ()


def test_local_model_in_the_ner_stage(tiny_model: Path) -> None:
    from rasad.kb import load_kb
    from rasad.model import RawDoc
    from rasad.ner.integrate import ner_stage
    from rasad.pipeline import DEFAULT_STAGES, Pipeline

    stages = [s for s in DEFAULT_STAGES if s.name != "ner"]
    raw = RawDoc(source="t.txt", file="t.txt", text="قال الرئيس سمير حداد في دمشق.\n")
    article = Pipeline.build([*stages, ner_stage(str(tiny_model))]).process(raw, load_kb())
    for m in article.mentions:
        assert article.text[m.start : m.end] == m.text


def test_not_a_model_folder(tmp_path: Path) -> None:
    pytest.importorskip("transformers", reason="the ml extra (transformers) is not installed")
    pytest.importorskip("torch", reason="the ml extra (torch) is not installed")
    with pytest.raises(NerError, match="not a Hugging Face model folder"):
        load_ner(str(tmp_path))
