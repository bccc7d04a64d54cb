"""The admin on the real seed data: the curated page, the whole gazetteer, the drill-down."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Case, Evidence, Locality

pytestmark = pytest.mark.usefixtures("seeded")


def test_every_seed_case_page_renders_with_its_quotes_highlighted(client, superuser):
    client.force_login(superuser)
    checked = 0
    for case in Case.objects.all():
        page = client.get(reverse("admin:cases_case_change", args=[case.pk]))
        assert page.status_code == 200, case.public_id
        html = page.content.decode()
        for quote in Evidence.objects.filter(case=case).values_list("quote", flat=True)[:3]:
            assert f"<mark>{quote}</mark>" in html.replace("&quot;", '"').replace("&#x27;", "'")
            checked += 1
    assert checked >= Case.objects.count()


def test_the_region_filter_drills_from_province_to_township(client, superuser):
    client.force_login(superuser)
    url = reverse("admin:cases_case_changelist")
    shaocheng = Locality.objects.get(code="510105005")
    expected_ids = set(Case.objects.in_region(shaocheng).values_list("public_id", flat=True))
    assert "chengdu-changcheng-red-property-alliance" in expected_ids

    path = [a for a in shaocheng.ancestors() if a.level != "country"] + [shaocheng]
    page = client.get(url)
    for step, locality in enumerate(path):
        offered = {label for value, label in page.context["cl"].filter_specs[1].lookup_choices}
        assert any(locality.name in label for label in offered), f"step {step}: {locality.name} not offered"
        page = client.get(url, {"region": locality.pk})
        shown = {case.public_id for case in page.context["cl"].result_list}
        assert shown == set(Case.objects.in_region(locality).values_list("public_id", flat=True))
    assert shown == expected_ids


def test_locality_pickers_search_the_gazetteer_without_listing_it(client, superuser):
    client.force_login(superuser)
    page = client.get(reverse("admin:cases_case_change", args=[Case.objects.first().pk]))
    assert page.content.decode().count("<option") < 100  # ~45k localities exist
    found = client.get(
        reverse("admin:autocomplete"),
        {"term": "少城街道", "app_label": "cases", "model_name": "case", "field_name": "primary_locality"},
    ).json()["results"]
    assert any("510105005" in item["text"] for item in found)
