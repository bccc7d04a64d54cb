"""CSV exports: BOM, headers in field order, formula escaping, streamed."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse

from cases.api.filters import MetricFilter
from cases.api.prefetch import metrics_queryset
from cases.api.renderers import cell, csv_columns, csv_lines
from cases.api.serializers import MetricSerializer
from cases.models import DatePrecision, Evidence, Initiative, PeriodKind, Qualifier, SourceCredit
from tests import factories


def read_csv(response) -> tuple[str, list[list[str]]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert isinstance(response, StreamingHttpResponse), "CSV must stream, not build the whole body"
    text = b"".join(response.streaming_content).decode("utf-8")
    return text, list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.mark.parametrize(
    "endpoint", ["cases", "localities", "organisations", "people", "initiatives", "metrics", "sources", "themes"]
)
def test_every_list_endpoint_exports_csv_with_a_bom_and_one_row_per_object(world, client, endpoint):
    text, table = read_csv(client.get(f"/api/v1/{endpoint}/", {"format": "csv"}))
    assert text.startswith("\ufeff")
    count = client.get(f"/api/v1/{endpoint}/", {"page_size": 200}).json()["count"]
    assert len(table) == count + 1


def test_metrics_csv_is_tidy_with_headers_in_field_order(world, client):
    _, table = read_csv(client.get("/api/v1/metrics/", {"format": "csv", "indicator": "compounds"}))
    assert table[0] == list(MetricSerializer.Meta.fields)
    header = table[0]
    by_id = {row[header.index("id")]: dict(zip(header, row, strict=True)) for row in table[1:]}
    first = world.metrics[0]
    row = by_id[str(first.pk)]
    assert row["value"] == "18"
    assert row["locality_code"] == ""  # 长城社区 has no code in the test world
    assert row["locality_full_name"] == "四川省成都市青羊区少城街道长城社区"
    assert row["case"] == world.cases["changcheng"].public_id
    assert row["source_headline"] == world.sources["report"].headline
    assert "本报记者 代蕊婷" in row["citation"]
    ranged = by_id[str(world.metrics[2].pk)]
    assert (ranged["value"], ranged["value_upper"]) == ("6", "8")


def test_csv_nested_objects_become_dotted_columns_and_lists_are_joined(world, client):
    _, table = read_csv(client.get("/api/v1/cases/", {"format": "csv", "region": "510105005"}))
    header = table[0]
    assert "primary_locality.code" in header
    rows = [dict(zip(header, row, strict=True)) for row in table[1:]]
    shaocheng = next(r for r in rows if r["public_id"] == world.cases["shaocheng"].public_id)
    assert shaocheng["themes"] == "education | property"


def test_formula_leading_text_is_escaped(world, client):
    place = world.places["qingyang"]
    org = factories.organisation(name='=HYPERLINK("http://x")', locality=place)
    case = factories.case(primary_locality=place)
    case.organisations.add(org, through_defaults={"role": "+lead"})
    _, table = read_csv(client.get("/api/v1/organisations/", {"format": "csv", "case": case.public_id}))
    assert table[1][table[0].index("name")] == '\'=HYPERLINK("http://x")'


@pytest.mark.parametrize(
    ("value", "expected"), [("-1+1", "'-1+1"), ("@SUM", "'@SUM"), ("正常", "正常"), (-5, "-5"), (None, "")]
)
def test_cell_escapes_only_text(value, expected):
    assert cell(value) == expected


@pytest.fixture
def odd_metrics(world):
    """Metrics that exercise every column: no case, no code, values that print oddly, formula-leading
    text, several quotes from sources that sort differently by outlet than by id, a draft's source."""
    places, cases = world.places, world.cases
    indicator = world.indicators["compounds"]
    dated = factories.source(
        outlet="人民日报", publication_date=datetime.date(2021, 5, 4), publication_precision=DatePrecision.DAY
    )
    cases["chengdu"].sources.add(dated)
    first_by_outlet = factories.source(outlet="Aa日报", headline="-减负", publication_text="今年2月")
    cases["chengdu"].sources.add(first_by_outlet)
    reporter = factories.person(name="测试记者")
    for order, printed in ((2, "摄影 乙"), (1, "=记者 甲")):
        SourceCredit.objects.create(
            source=first_by_outlet, role="reporter", person=reporter, as_printed=printed, order=order
        )
    draft_source = world.draft.sources.get()
    odd = [
        factories.metric(
            indicator_obj=indicator,
            value=Decimal(100),
            organisation=world.organisations["committee"],
            locality=places["qingyang"],
            unit="-",
            counted="=1+1",
            qualifier=Qualifier.APPROXIMATELY,
            period_kind=PeriodKind.SINCE,
            period_start_date=datetime.date(2019, 2, 3),
            period_start_precision=DatePrecision.DAY,
            period_end_date=datetime.date(2020, 1, 1),
            period_end_precision=DatePrecision.YEAR,
            period_text="@2019年以来",
        ),
        factories.metric(
            indicator_obj=indicator,
            value=Decimal("-2.5"),
            initiative=Initiative.objects.get(name="红色物业联盟"),
            locality=places["changcheng"],
        ),
        factories.metric(indicator_obj=indicator, value=Decimal("12345678901234.5678"), case=cases["qingyang"]),
        factories.metric(
            indicator_obj=indicator, value=Decimal(0), value_upper=Decimal("0.0001"), case=cases["jinquan"]
        ),
        factories.metric(indicator_obj=world.indicators["firms"], value=Decimal(7), case=cases["compound"]),
    ]
    for source in (dated, first_by_outlet):
        Evidence.objects.create(source=source, start=2, end=4, quote=source.text[2:4], metric=odd[0])
    Evidence.objects.create(source=dated, start=0, end=2, quote=dated.text[:2], metric=odd[0])
    Evidence.objects.create(source=dated, start=0, end=2, quote=dated.text[:2], metric=odd[1])
    Evidence.objects.create(source=draft_source, start=0, end=2, quote=draft_source.text[:2], metric=odd[2])
    return odd


def serializer_csv(params: dict) -> str:
    """The metrics export as the serializer writes it, one model instance per row: the reference."""
    queryset = MetricFilter(params, queryset=metrics_queryset(public_only=True)).qs
    rows = (MetricSerializer(metric).data for metric in queryset)
    return "".join(csv_lines(csv_columns(MetricSerializer()), rows))


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"region": "51"},
        {"region": "510105"},
        {"region": "510106040"},
        {"indicator": "firms"},
        {"ordering": "-value"},
        {"value_min": "1", "qualifier": "exact"},
        {"theme": "property"},
    ],
)
def test_metrics_csv_is_byte_identical_to_the_serializer_output(odd_metrics, client, params):
    text, table = read_csv(client.get("/api/v1/metrics/", {"format": "csv", **params}))
    assert len(table) > 1, "the question should match some metrics"
    if not params:
        assert {str(metric.pk) for metric in odd_metrics} <= {row[0] for row in table[1:]}
    assert text == serializer_csv(params)
