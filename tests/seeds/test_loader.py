"""The seed loader: idempotent, transactional, and loud about bad input."""

from __future__ import annotations

import csv
import lzma
import textwrap
from pathlib import Path

import pytest
import yaml

from cases.models import (
    Case,
    Evidence,
    Indicator,
    Initiative,
    Level,
    Locality,
    Metric,
    Organisation,
    Person,
    Position,
    Source,
    Theme,
)
from seeds.gazetteer_loader import GAZETTEER_CSV
from seeds.loader import CORPUS_DIR, SeedError, load_all
from seeds.models import SeedRecord

PAGE = "长城社区有18个小区，引进了13家物业公司。\n\n社区党委书记代蕊婷坦言，以6—8个村为共建单元。\n"
TINY_GAZETTEER = textwrap.dedent(
    """\
    code,name,level,parent_code,aliases
    51,四川省,province,,四川
    5101,成都市,prefecture,51,成都
    510105,青羊区,county,5101,青羊
    510105005,少城街道,township,510105,
    """
)


VILLAGE = TINY_GAZETTEER + "510105005007,长城社区,community,510105005,长城社区居民委员会|长城\n"


def tiny_corpus(tmp_path: Path, **changes) -> Path:
    """A minimal valid corpus file; ``changes`` replace whole sections."""
    (tmp_path / "page.txt").write_text(PAGE, encoding="utf-8")
    data = {
        "document": {"file": "page.txt", "title": "测试版面"},
        "sources": [
            {"key": "report", "kind": "report", "outlet": "人民日报", "headline": "测试",
             "excerpt": {"from": "长城社区", "to": "共建单元。"}}
        ],
        "localities": [
            {"key": "changcheng", "name": "长城社区", "level": "community", "parent": "510105005",
             "evidence": [{"source": "report", "quote": "长城社区"}]}
        ],
        "organisations": [
            {"key": "committee", "name": "长城社区党委", "kind": "party_committee", "locality": "changcheng",
             "evidence": [{"source": "report", "quote": "社区党委书记"}]}
        ],
        "people": [{"key": "dai", "name": "代蕊婷"}],
        "positions": [
            {"person": "dai", "organisation": "committee", "title": "社区党委书记",
             "evidence": [{"source": "report", "quote": "社区党委书记代蕊婷"}]}
        ],
        "initiatives": [],
        "cases": [
            {"public_id": "tiny-case", "status": "published", "title_zh": "测试案例", "primary_locality": "changcheng",
             "themes": [], "sources": ["report"], "evidence": [{"source": "report", "quote": "引进了13家物业公司"}]}
        ],
        "metrics": [
            {"key": "compounds", "indicator": indicator_codes()[0], "value": 18, "unit": "个",
             "case": "tiny-case", "evidence": [{"source": "report", "quote": "18个小区"}]}
        ],
    }  # fmt: skip
    data.update(changes)
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def indicator_codes() -> list[str]:
    return [item["code"] for item in yaml.safe_load((CORPUS_DIR.parent / "vocabulary" / "indicators.yaml").read_text())]


@pytest.fixture
def tiny_gazetteer(tmp_path: Path) -> Path:
    path = tmp_path / "divisions.csv"
    path.write_text(TINY_GAZETTEER, encoding="utf-8")
    return path


def snapshot() -> dict[str, int]:
    models = [Locality, Organisation, Person, Position, Initiative, Metric, Source, Case, Evidence, Theme, Indicator]
    return {model.__name__: model.objects.count() for model in models}


def test_tiny_corpus_loads_every_record_with_evidence(db, tmp_path, tiny_gazetteer):
    summary = load_all(gazetteer=tiny_gazetteer, corpus=[tiny_corpus(tmp_path)], progress=False)
    assert summary.changed
    case = Case.objects.get(public_id="tiny-case")
    assert case.primary_locality.full_name == "四川省成都市青羊区少城街道长城社区"
    assert case.published_at is not None
    position = Position.objects.get(title="社区党委书记")
    (evidence,) = position.evidence.all()
    assert evidence.source.text[evidence.start : evidence.end] == "社区党委书记代蕊婷"


def test_second_load_changes_nothing_and_says_so(db, tmp_path, tiny_gazetteer):
    corpus = tiny_corpus(tmp_path)
    load_all(gazetteer=tiny_gazetteer, corpus=[corpus], progress=False)
    before = snapshot()
    evidence_ids = set(Evidence.objects.values_list("pk", flat=True))
    summary = load_all(gazetteer=tiny_gazetteer, corpus=[corpus], progress=False)
    assert not summary.changed
    assert summary.line().endswith("nothing changed.")
    assert snapshot() == before
    assert set(Evidence.objects.values_list("pk", flat=True)) == evidence_ids


def test_an_edited_record_is_updated_in_place(db, tmp_path, tiny_gazetteer):
    load_all(gazetteer=tiny_gazetteer, corpus=[tiny_corpus(tmp_path)], progress=False)
    org_id = Organisation.objects.get(name="长城社区党委").pk
    people = [{"key": "dai", "name": "代蕊婷", "name_en": "Dai Ruiting"}]
    load_all(gazetteer=tiny_gazetteer, corpus=[tiny_corpus(tmp_path, people=people)], progress=False)
    assert Person.objects.get(name="代蕊婷").name_en == "Dai Ruiting"
    assert Organisation.objects.get(name="长城社区党委").pk == org_id
    assert Person.objects.count() == 1


def test_intertitles_name_bases_and_predecessors_load(db, tmp_path, tiny_gazetteer):
    sources = yaml.safe_load(tiny_corpus(tmp_path).read_text())["sources"]
    sources[0]["intertitles"] = ["社区党委书记代蕊婷坦言"]
    organisations = [
        {"key": "committee", "name": "长城社区党委", "kind": "party_committee", "name_basis": "completed",
         "predecessor": "old-committee"},
        {"key": "old-committee", "name": "长城居委会党支部", "kind": "party_branch", "name_basis": "inferred"},
    ]  # fmt: skip
    corpus = tiny_corpus(tmp_path, sources=sources, organisations=organisations)
    load_all(gazetteer=tiny_gazetteer, corpus=[corpus], progress=False)
    committee = Organisation.objects.get(name="长城社区党委")
    assert committee.name_basis == "completed"
    assert committee.predecessor.name == "长城居委会党支部"
    assert committee.predecessor.name_basis == "inferred"
    source = Source.objects.get()
    assert [source.text[start:end] for start, end, _ in source.intertitle_spans()] == ["社区党委书记代蕊婷坦言"]
    summary = load_all(gazetteer=tiny_gazetteer, corpus=[corpus], progress=False)
    assert not summary.changed


def broken(tmp_path: Path, case: str) -> Path:
    """Corpus files each broken in one way (the bad-input list of the foundation issue)."""
    good = yaml.safe_load(tiny_corpus(tmp_path).read_text())
    if case == "unknown parent":
        good["localities"][0]["parent"] = "510105999"
    elif case == "unknown parent key":
        good["localities"][0]["parent"] = "nowhere"
    elif case == "malformed code":
        good["localities"][0]["code"] = "51010500500x"
    elif case == "duplicate code":
        good["localities"][0]["code"] = "510105005"
    elif case == "quote not in source":
        good["metrics"][0]["evidence"][0]["quote"] = "19个小区"
    elif case == "range upper below lower":
        good["metrics"][0]["value_upper"] = 6
    elif case == "unknown indicator":
        good["metrics"][0]["indicator"] = "no_such_indicator"
    elif case == "unknown theme":
        good["cases"][0]["themes"] = ["no_such_theme"]
    elif case == "unknown kind":
        good["organisations"][0]["kind"] = "secret_society"
    elif case == "unknown field":
        good["people"][0]["nickname"] = "小代"
    elif case == "bad date":
        good["organisations"][0]["founded"] = {"date": "2018-13"}
    elif case == "intertitle not in text":
        good["sources"][0]["intertitles"] = ["物业建起党组织"]
    elif case == "unknown name basis":
        good["organisations"][0]["name_basis"] = "guessed"
    elif case == "own predecessor":
        good["organisations"][0]["predecessor"] = "committee"
    elif case == "unknown predecessor":
        good["organisations"][0]["predecessor"] = "nobody"
    path = tmp_path / f"{case.replace(' ', '_')}.yaml"
    path.write_text(yaml.safe_dump(good, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("case", "record", "field", "words"),
    [
        ("unknown parent", "localities[0]", "parent", "unknown locality code 510105999"),
        ("unknown parent key", "localities[0]", "parent", "unknown locality key 'nowhere'"),
        ("malformed code", "localities[0]", "code", "digits"),
        ("duplicate code", "localities[0]", "code", ""),
        ("quote not in source", "metrics[0] (key=compounds).evidence[0]", "quote", "does not occur"),
        ("range upper below lower", "metrics[0] (key=compounds)", "value_upper", "below"),
        ("unknown indicator", "metrics[0] (key=compounds)", "indicator", "unknown indicator"),
        ("unknown theme", "cases[0] (public_id=tiny-case)", "themes", "unknown theme"),
        ("unknown kind", "organisations[0] (key=committee)", "kind", "secret_society"),
        ("unknown field", "people[0] (key=dai)", "", "nickname"),
        ("bad date", "organisations[0] (key=committee)", "founded", "2018-13"),
        ("intertitle not in text", "sources[0] (key=report)", "intertitles", "'物业建起党组织' does not occur"),
        ("unknown name basis", "organisations[0] (key=committee)", "name_basis", "'guessed' is not one of"),
        ("own predecessor", "organisations[0] (key=committee)", "predecessor", "its own predecessor"),
        ("unknown predecessor", "organisations[0] (key=committee)", "predecessor", "unknown organisation key"),
    ],
)
def test_bad_input_names_the_record_and_field_and_loads_nothing(
    db, tmp_path, tiny_gazetteer, case, record, field, words
):
    before = snapshot()
    path = broken(tmp_path, case)
    with pytest.raises(SeedError) as caught:
        load_all(gazetteer=tiny_gazetteer, corpus=[path], progress=False)
    error = caught.value
    assert error.file == str(path)
    assert error.record.startswith(record.split(" (")[0])
    assert error.record == record or record.endswith("]")
    assert error.field == field
    assert words in str(error)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("code,name\n51,四川省\n", "header must be"),
        (TINY_GAZETTEER + "510105005,重复街道,township,510105,\n", "duplicate code 510105005"),
        (TINY_GAZETTEER + "5101050,坏代码,township,510105,\n", "malformed township code"),
        (TINY_GAZETTEER + "520102001,孤儿街道,township,520102,\n", "unknown parent '520102'"),
        (TINY_GAZETTEER + "510106,金牛区,county,5102,\n", "unknown parent '5102'"),
        (VILLAGE + "510105005007,长城社区,community,510105005,\n", "line 7, field 'code': duplicate code 510105005007"),
        (TINY_GAZETTEER + "51010500500,短码社区,community,510105005,\n", "malformed community code '51010500500'"),
        (TINY_GAZETTEER + "510105005007,级别不符,township,510105,\n", "a township code has 9 digits"),
        (TINY_GAZETTEER + "510105006001,无街道社区,community,510105006,\n", "line 6, field 'parent_code': unknown"),
        (TINY_GAZETTEER + "510105005001,隔级社区,community,510105,\n", "is not its 9-digit prefix"),
        (TINY_GAZETTEER + "510105005001,,community,510105005,\n", "empty name for 510105005001"),
    ],
)
def test_a_broken_gazetteer_names_the_line_and_loads_nothing(db, tmp_path, content, words):
    path = tmp_path / "divisions.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SeedError) as caught:
        load_all(gazetteer=path, corpus=[], progress=False)
    assert words in str(caught.value)
    assert Locality.objects.count() == 0


def test_a_load_limited_to_a_province_checks_its_rows_and_skips_the_others_unread(db, tmp_path):
    path = tmp_path / "divisions.csv"
    path.write_text(
        TINY_GAZETTEER + "52,贵州省,province,,\n5201,坏代码市,prefecture,99,\n510105005001,,community,510105005,\n",
        encoding="utf-8",
    )
    # The whole file is checked: the 贵州 row is refused.
    with pytest.raises(SeedError, match="line 7, field 'parent_code'"):
        load_all(gazetteer=path, corpus=[], progress=False)
    # Limited to 5101, the 贵州 rows are not read; a bad row inside the limit is refused by its line.
    with pytest.raises(SeedError, match="line 8, field 'name': empty name for 510105005001"):
        load_all(gazetteer=path, corpus=[], limit_codes_prefixes=["5101"], progress=False)
    path.write_text(TINY_GAZETTEER + "52,贵州省,province,,\n5201,坏代码市,prefecture,99,\n", encoding="utf-8")
    load_all(gazetteer=path, corpus=[], limit_codes_prefixes=["5101"], progress=False)
    loaded = set(Locality.objects.exclude(code=None).values_list("code", flat=True))
    assert loaded == {"51", "5101", "510105", "510105005"}


def test_a_broken_village_file_loads_nothing_of_either_file(db, tmp_path):
    good = tmp_path / "divisions.csv"
    good.write_text(TINY_GAZETTEER, encoding="utf-8")
    villages = tmp_path / "villages.csv.xz"
    villages.write_bytes(lzma.compress(b"code,name,level,parent_code,aliases\n510105005007,x,community,510105009,\n"))
    with pytest.raises(SeedError, match=r"villages\.csv\.xz, line 2, field 'parent_code': unknown parent '510105009'"):
        load_all(gazetteer=[good, villages], corpus=[], progress=False)
    villages.write_bytes(b"not xz at all")
    with pytest.raises(SeedError, match="not a valid xz file"):
        load_all(gazetteer=[good, villages], corpus=[], progress=False)
    assert Locality.objects.count() == 0


def test_villages_load_from_xz_with_committee_name_and_short_form(db, tmp_path):
    good = tmp_path / "divisions.csv"
    good.write_text(TINY_GAZETTEER, encoding="utf-8")
    villages = tmp_path / "villages.csv.xz"
    villages.write_bytes(lzma.compress(VILLAGE.split("\n", 1)[0].encode() + b"\n" + VILLAGE.splitlines()[-1].encode()))
    first = load_all(gazetteer=[good, villages], corpus=[], progress=False)
    assert first.gazetteer.per_level["community"] == 1
    community = Locality.objects.get(code="510105005007")
    assert community.full_name == "四川省成都市青羊区少城街道长城社区"
    assert community.path == community.parent.path + "510105005007/"
    assert sorted(community.aliases.values_list("name", flat=True)) == ["长城", "长城社区居民委员会"]
    again = load_all(gazetteer=[good, villages], corpus=[], progress=False)
    assert not again.changed and again.gazetteer.skipped
    assert "nothing changed" in again.line()
    checked = load_all(gazetteer=[good, villages], corpus=[], progress=False, full_check=True)
    assert not checked.changed and not checked.gazetteer.skipped


def test_a_curated_place_that_disagrees_with_the_gazetteer_is_an_error_naming_it(db, tmp_path):
    path = tmp_path / "divisions.csv"
    path.write_text(VILLAGE, encoding="utf-8")
    data = yaml.safe_load(tiny_corpus(tmp_path).read_text())
    data["localities"][0].update(code="510105005007", name="长城村")
    corpus = tmp_path / "disagrees.yaml"
    corpus.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SeedError) as caught:
        load_all(gazetteer=path, corpus=[corpus], progress=False)
    assert caught.value.record.startswith("localities[0]") and caught.value.field == "code"
    assert "code 510105005007 is 长城社区 (community, under 510105005), the record says 长城村" in str(caught.value)
    assert Locality.objects.count() == 0


def test_a_curated_place_with_the_gazetteer_code_becomes_that_row(db, tmp_path):
    path = tmp_path / "divisions.csv"
    path.write_text(VILLAGE, encoding="utf-8")
    data = yaml.safe_load(tiny_corpus(tmp_path).read_text())
    data["localities"][0]["code"] = "510105005007"
    corpus = tmp_path / "agrees.yaml"
    corpus.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load_all(gazetteer=path, corpus=[corpus], progress=False)
    assert Locality.objects.filter(name="长城社区").count() == 1
    assert Case.objects.get(public_id="tiny-case").primary_locality.code == "510105005007"


def test_invalid_yaml_is_reported_with_the_file_name(db, tmp_path, tiny_gazetteer):
    path = tmp_path / "bad.yaml"
    path.write_text("sources: [unclosed\n", encoding="utf-8")
    with pytest.raises(SeedError, match=r"bad\.yaml: invalid YAML"):
        load_all(gazetteer=tiny_gazetteer, corpus=[path], progress=False)


def gazetteer_counts() -> dict[str, int]:
    with GAZETTEER_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["level"]] = counts.get(row["level"], 0) + 1
    return counts


class TestFullSeedLoad:
    """The real seed data: whole gazetteer, vocabularies and the curated page."""

    def test_gazetteer_is_complete_per_level(self, seeded, db):
        for level, count in gazetteer_counts().items():
            assert Locality.objects.filter(level=level, code__isnull=False).count() == count
        assert gazetteer_counts()["township"] == 41352

    @pytest.mark.parametrize(
        ("code", "full_name"),
        [
            ("510105005", "四川省成都市青羊区少城街道"),
            ("370323102", "山东省淄博市沂源县鲁村镇"),
            ("450225", "广西壮族自治区柳州市融水苗族自治县"),
            ("120101", "天津市和平区"),
        ],
    )
    def test_known_codes_have_their_full_names(self, seeded, db, code, full_name):
        assert Locality.objects.get(code=code).full_name == full_name

    def test_aliases_resolve_short_names(self, seeded, db):
        assert Locality.objects.named("成都").get().code == "5101"
        assert Locality.objects.named("沂源").get().code == "370323"
        assert Locality.objects.named("广西").get().code == "45"

    def test_every_evidence_quote_is_found_in_its_source(self, seeded, db):
        evidence = list(Evidence.objects.select_related("source"))
        assert evidence
        for item in evidence:
            assert item.source.text[item.start : item.end] == item.quote

    def test_every_curated_fact_has_evidence(self, seeded, db):
        for model in (Organisation, Position, Initiative, Metric, Case):
            missing = model.objects.filter(evidence__isnull=True)
            assert not missing.exists(), f"{model.__name__} without evidence: {list(missing)[:5]}"

    def test_curated_page_counts_match_the_corpus_file(self, seeded, db):
        for path in sorted(CORPUS_DIR.glob("*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            assert Source.objects.filter(document__sha256__isnull=False).count() >= len(data["sources"])
            expected = {
                Organisation: len(data["organisations"]),
                Person: len(data["people"]),
                Position: len(data["positions"]),
                Initiative: len(data["initiatives"]),
                Metric: len(data["metrics"]),
                Case: len(data["cases"]),
                Locality: len(data["localities"]),
            }
            for model, count in expected.items():
                loaded = (
                    model.objects.count()
                    if model is not Locality
                    else SeedRecord.objects.filter(corpus=path.name, kind="cases.locality").distinct().count()
                )
                assert loaded == count, model.__name__
            # The curated communities are the gazetteer's rows, not copies beside them.
            for place in data["localities"]:
                twins = Locality.objects.filter(name=place["name"], level=place["level"], parent__code=place["parent"])
                if place.get("code"):
                    assert twins.get().code == place["code"]
            assert Locality.objects.filter(level=Level.COMMUNITY, code__isnull=True).count() == 0

    def test_the_page_is_split_into_its_six_pieces(self, seeded, db):
        kinds = sorted(Source.objects.values_list("kind", flat=True))
        assert kinds == ["commentary", "photo_caption", "photo_caption", "report", "report", "report"]
        assert Source.objects.filter(is_truncated=True).count() == 1

    def test_the_page_keeps_its_intertitles_predecessor_and_name_bases(self, seeded, db):
        report = Source.objects.get(headline="改善社区治理 优化社区服务")
        assert report.intertitles == [
            "物业建起党组织,大事小情有看落",
            "党组织联建,居民参与治理",
            "凝聚力量,抗疫更有信心",
        ]
        community = Organisation.objects.get(name="沂源乡村振兴党建共同体")
        assert community.predecessor.name == "鲁村镇联村党委"
        assert Organisation.objects.get(name="淳安县纪委监委").name_basis == "inferred"
        assert Organisation.objects.get(name="汇厦少城琴台府小区党支部").name_basis == "completed"
        assert Organisation.objects.get(name="长城社区党委").name_basis == "printed"
        # Every organisation said to be printed is printed on the page.
        page = report.document.text
        for name in Organisation.objects.filter(name_basis="printed").values_list("name", flat=True):
            assert name in page, name

    def test_a_second_full_load_changes_nothing(self, seeded, db, fixture_gazetteer):
        summary = load_all(gazetteer_divisions=fixture_gazetteer, progress=False)
        assert not summary.changed, summary.line()
