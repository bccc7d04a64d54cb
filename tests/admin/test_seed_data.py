"""The admin on the real seed data: the curated page, the whole gazetteer, the drill-down."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Case, Evidence, Locality
from tests.admin.helpers import admin_problems

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


def test_the_region_filter_drills_from_province_to_community_and_compound(client, superuser):
    client.force_login(superuser)
    url = reverse("admin:cases_case_changelist")
    compound = Locality.objects.get(name="汇厦少城琴台府小区")
    assert compound.parent.code == "510105005007"  # 长城社区, the gazetteer's row
    expected_ids = set(Case.objects.in_region(compound).values_list("public_id", flat=True))

    path = [a for a in compound.ancestors() if a.level != "country"] + [compound]
    assert [p.level for p in path][-3:] == ["township", "community", "compound"]
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


@pytest.mark.parametrize(
    ("term", "code"),
    [
        ("长城社", "510105005007"),
        ("东于架", "371403108256"),
        ("3714031082", "371403108256"),
        ("郎家社区居委", "510106040007"),
    ],
)
def test_locality_autocomplete_finds_villages_by_name_short_form_committee_name_or_code(client, superuser, term, code):
    client.force_login(superuser)
    found = client.get(
        reverse("admin:autocomplete"),
        {"term": term, "app_label": "cases", "model_name": "case", "field_name": "primary_locality"},
    ).json()["results"]
    assert any(code in item["text"] for item in found), found


# In Chinese only: a None, a "Deleted user" or a padded number shows the same in either language
# (the pattern matches both translations), and only a Chinese page can show an English label.
# Each crawl is some 200 pages, 12-17 s of the suite.
@pytest.mark.parametrize(
    ("who", "language"),
    [
        ("superuser", "zh-hans"),
        # An editor sees the public cases read-only: the values Django formats itself.
        ("editor", "zh-hans"),
    ],
)
def test_admin_change_pages_of_the_seed_data_show_no_none_padding_or_untranslated_labels(
    client, request, who, language
):
    client.force_login(request.getfixturevalue(who))
    problems = admin_problems(client, language)
    assert not problems, "\n".join(problems)
