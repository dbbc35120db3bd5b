"""Synthesise many articles from the example corpus, for benchmarks of ingest and merge.

usage: python bench/synth.py --count 10000 --out DIR [--seed 7]

Each generated *development* takes one example article as its template and
gets its own town names (towns of the template replaced by other towns of the
knowledge base), its own facilities (a crossing by another crossing, an oil
field by another field), its own persons (the invented names listed in
examples/expected.yaml replaced by generated ones), its own figures and a
publication date between 2019 and 2025.  One to four outlets report it, each
within three days, each with its own variation: a different outlet, some
phrases swapped for synonyms, a background paragraph dropped, two middle
paragraphs swapped.  A few reports are exact copies (the same text from a
second source) or near copies (another outlet's header and footer around the
same text), so duplicate detection has work to do.

The output is deterministic for a given seed; files use the front-matter text
format of examples/corpus.  ``OUT.developments.tsv`` beside the folder records,
for each file, the development it reports (the ground truth for stories).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "corpus"
TOWN_FEATURES = frozenset({"town", "village", "city", "neighbourhood"})
FIRST_NAMES = ("أحمد", "محمد", "خالد", "عمر", "علي", "حسين", "ياسر", "مازن", "فراس", "سامر", "وائل", "جاسم",
               "عبد الله", "حمزة", "مهند", "زياد", "باسل", "رامي", "عدي", "نايف")
LAST_NAMES = ("الحسن", "العبيد", "الخلف", "الدندل", "المشرف", "الشواخ", "العكلة", "الحمادة", "الجاسر", "السطام",
              "الفياض", "النجرس", "الرجا", "الكردي", "البكير", "الحويش", "العيسى", "الهلال", "الصالح", "المحيميد")
OUTLETS = ("Deir ez-Zor 24", "SY24", "Enab Baladi", "Syrian Observatory", "Ein al-Furat", "Furat Post",
           "North Press", "Sada al-Sharqiya", "Diyaruna", "Al-Etihad Media", "Jesr Press", "Euphrates Post",
           "Syria TV", "Orient News", "Levant 24", "Baladi News", "Al-Khabour", "Nahr Media", "Horrya Press",
           "Eastern Voice", "Al-Badia Network", "Raqqa Post", "Hasakah Today", "Anbar Now")
SYNONYMS = (("وقال", "وأفاد"), ("مصادر محلية", "مصادر أهلية"), ("وأضاف", "وتابع"), ("مدينة", "بلدة"),
            ("أمس", "البارحة"), ("عناصر", "مسلحين"), ("وذكر", "وأوضح"), ("الميليشيات", "المليشيات"),
            ("في حين", "بينما"), ("ريف", "أرياف"))
_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)
_NUMBER = re.compile(r"(?<!\w)([1-9]\d?)(?!\w)")


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    meta: dict[str, str]
    paragraphs: list[str]
    towns: list[str]
    persons: list[str]
    facilities: dict[str, str]  # facility name in the template → its feature


def _towns() -> list[str]:
    from rasad.kb import load_kb

    kb = load_kb()
    names = {e.name_ar for e in kb.entities.values()
             if e.type == "place" and e.feature in TOWN_FEATURES and e.country in ("SY", "IQ") and e.name_ar}
    return sorted(n for n in names if 3 <= len(n) <= 14)


def _facilities() -> dict[str, list[str]]:
    """Facility names of the knowledge base by feature (crossing, base, oil_field, …)."""
    from rasad.kb import load_kb

    out: dict[str, set[str]] = {}
    for e in load_kb().entities.values():
        if e.type == "facility" and e.feature and e.name_ar:
            out.setdefault(e.feature, set()).add(e.name_ar)
    return {k: sorted(v) for k, v in out.items() if len(v) > 1}


def load_templates(towns: set[str], facilities: dict[str, list[str]]) -> list[Template]:
    expected = yaml.safe_load((ROOT / "examples" / "expected.yaml").read_text(encoding="utf-8"))["files"]
    by_file = {f["file"]: f for f in expected}
    out = []
    for path in sorted(EXAMPLES.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        match = _FRONT.match(raw)
        assert match, path
        meta = {k: str(v) for k, v in (yaml.safe_load(match.group(1)) or {}).items()}
        info = by_file.get(path.name, {})
        places = [e["ar"] for e in info.get("entities", []) if e["type"] == "place" and e["ar"] in towns]
        persons = [e["ar"] for e in info.get("new_names", []) if e["type"] == "person"]
        feature_of = {name: feature for feature, names in facilities.items() for name in names}
        used = {e["ar"]: feature_of[e["ar"]] for e in info.get("entities", [])
                if e["type"] == "facility" and e["ar"] in feature_of}
        paragraphs = [p.strip() for p in raw[match.end():].split("\n\n") if p.strip()]
        out.append(Template(path.name, meta, paragraphs, places, persons, used))
    return out


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def develop(template: Template, rng: random.Random, towns: list[str],
            facilities: dict[str, list[str]]) -> dict[str, str]:
    """The replacements that make one development out of a template: towns, facilities, persons."""
    mapping = {t: rng.choice(towns) for t in template.towns}
    mapping.update({f: rng.choice(facilities[feature]) for f, feature in template.facilities.items()})
    mapping.update({p: _person(rng) for p in template.persons})
    return mapping


def _apply(text: str, mapping: dict[str, str], numbers: dict[str, str]) -> str:
    for old in sorted(mapping, key=len, reverse=True):
        text = text.replace(old, mapping[old])
    return _NUMBER.sub(lambda m: numbers.get(m.group(1), m.group(1)), text)


def report(template: Template, mapping: dict[str, str], numbers: dict[str, str], rng: random.Random) -> list[str]:
    """One outlet's paragraphs: synonyms, one background paragraph dropped, two middle ones swapped."""
    paragraphs = [_apply(p, mapping, numbers) for p in template.paragraphs]
    long = [i for i, p in enumerate(paragraphs) if len(p) > 120]
    if len(long) > 3 and rng.random() < 0.5:
        del paragraphs[rng.choice(long[2:])]
        long = [i for i, p in enumerate(paragraphs) if len(p) > 120]
    if len(long) > 3 and rng.random() < 0.5:
        i = rng.choice(long[1:-1])
        j = long[long.index(i) + 1]
        paragraphs[i], paragraphs[j] = paragraphs[j], paragraphs[i]
    text = "\n\n".join(paragraphs)
    for a, b in SYNONYMS:
        if rng.random() < 0.4:
            text = re.sub(rf"(?<!\w){a}(?!\w)", b, text)
    return text.split("\n\n")


def render(meta: dict[str, str], title: str, paragraphs: list[str]) -> str:
    title_line = title.replace('"', "'")
    head = (f"---\noutlet: {meta['outlet']}\npublished: {meta['published']}\ntitle: \"{title_line}\"\n"
            f"url: \"\"\nlanguage: ar\n---\n")
    return head + "\n\n".join(paragraphs) + "\n"


def truth_file(out: Path) -> Path:
    """Where the ground truth of a generated folder lives (beside it, so ingesting the folder skips it)."""
    return out.parent / f"{out.name}.developments.tsv"


def generate(count: int, out: Path, seed: int = 7, *, per_day: float | None = None) -> int:
    """Write ``count`` articles; ``per_day``: spread them over count / per_day days (an archive that
    grows with time) instead of seven years whatever the count."""
    span = max(1, round(count / per_day)) if per_day else 7 * 365
    rng = random.Random(seed)
    towns = _towns()
    facilities = _facilities()
    templates = load_templates(set(towns), facilities)
    out.mkdir(parents=True, exist_ok=True)
    start = dt.date(2019, 1, 1)
    rows = ["file\tdevelopment\tkind"]
    written = 0
    development = 0
    while written < count:
        template = rng.choice(templates)
        mapping = develop(template, rng, towns, facilities)
        numbers = {str(n): str(max(1, n + rng.randint(-2, 3))) for n in range(1, 100)}
        day = start + dt.timedelta(days=rng.randrange(span))
        title = _apply(template.meta.get("title", ""), mapping, numbers)
        outlets = rng.sample(OUTLETS, rng.choices((1, 2, 3, 4), weights=(55, 25, 15, 5))[0])
        previous = ""
        for outlet in outlets:
            if written >= count:
                break
            meta = {"outlet": outlet, "published": (day + dt.timedelta(days=rng.randint(0, 3))).isoformat()}
            kind = "report"
            roll = rng.random()
            if previous and roll < 0.04:
                body, kind = previous, "exact-copy"
            elif previous and roll < 0.1:
                body, kind = f"{outlet} - متابعات\n\n{previous}\n\nالمصدر: وكالات", "near-copy"
            else:
                body = "\n\n".join(report(template, mapping, numbers, rng))
            name = f"{written:05d}_{template.name[:2]}_d{development:05d}.txt"
            (out / name).write_text(render(meta, title, body.split("\n\n")), encoding="utf-8")
            rows.append(f"{name}\t{development}\t{kind}")
            previous = body
            written += 1
        development += 1
    truth_file(out).write_text("\n".join(rows) + "\n", encoding="utf-8")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--per-day", type=float, default=None, help="articles per day (default: over 7 years)")
    args = parser.parse_args()
    n = generate(args.count, args.out, args.seed, per_day=args.per_day)
    print(f"wrote {n} articles to {args.out}")


if __name__ == "__main__":
    main()
