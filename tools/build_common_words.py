"""Build the list of common Arabic words that are never names, from ANERcorp.

usage: python tools/build_common_words.py [--anercorp DIR] [--output FILE]

A word form (normalised, with its clitics) that ANERcorp's train split tags
``O`` at least ``MIN_COUNT`` times and as part of an entity at most
``MAX_ENTITY_SHARE`` of the time is a common word.  The matcher rejects an
alias hit whose whole word is one of them (``صور`` "pictures" is not the
sub-district Sur; ``ورقة`` "a paper" is not و + Raqqa).  Source: ANERcorp, CAMeL
Lab split (Benajiba & Rosso 2007; CC BY-SA 4.0); only word forms and no text
are kept.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rasad.text.normalize import normalize_text  # noqa: E402

MIN_COUNT = 3
MAX_ENTITY_SHARE = 0.1
MIN_LETTERS = 3


def count_tags(path: Path) -> tuple[Counter[str], Counter[str]]:
    outside: Counter[str] = Counter()
    inside: Counter[str] = Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.rsplit(" ", 1)
        if len(parts) != 2:
            continue
        word = normalize_text(parts[0])
        if len(word) < MIN_LETTERS or not word.isalpha():
            continue
        (outside if parts[1] == "O" else inside)[word] += 1
    return outside, inside


def common_words(outside: Counter[str], inside: Counter[str]) -> list[str]:
    return sorted(
        w for w, n in outside.items() if n >= MIN_COUNT and inside[w] <= MAX_ENTITY_SHARE * (n + inside[w])
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--anercorp", type=Path, default=ROOT.parent / "shared" / "datasets" / "anercorp-camel")
    parser.add_argument("--output", type=Path, default=ROOT / "src" / "rasad" / "kb" / "data" / "common_words.txt")
    args = parser.parse_args()
    outside, inside = count_tags(args.anercorp / "ANERCorp_CamelLab_train.txt")
    words = common_words(outside, inside)
    header = (
        "# Common Arabic word forms (normalised) that are not names: tagged O in ANERcorp's train split\n"
        f"# at least {MIN_COUNT} times and inside an entity at most {MAX_ENTITY_SHARE:.0%} of the time.\n"
        "# Built by tools/build_common_words.py from ANERcorp (CAMeL Lab split; Benajiba & Rosso 2007;\n"
        "# CC BY-SA 4.0). Word forms only.\n"
    )
    args.output.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{args.output}: {len(words)} words")


if __name__ == "__main__":
    main()
