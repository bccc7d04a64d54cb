"""CSV exports: BOM, headers in field order, formula escaping, streamed."""

from __future__ import annotations

import csv
import io

import pytest
from django.http import StreamingHttpResponse

from cases.api.renderers import cell
from cases.api.serializers import MetricSerializer
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
