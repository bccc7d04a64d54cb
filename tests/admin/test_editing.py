"""Editing in the admin: conflicts between two editors, and evidence and metrics validated like the loader."""

from __future__ import annotations

from django.urls import reverse

from cases.models import Case, Evidence, Metric
from tests import factories
from tests.admin.helpers import changeform_data


def test_the_second_of_two_concurrent_saves_gets_a_conflict_not_an_overwrite(client, editor, reviewer, story):
    url = reverse("admin:cases_case_change", args=[story.case.pk])
    client.force_login(editor)
    first = changeform_data(client.get(url))
    client.force_login(reviewer)
    second = changeform_data(client.get(url))

    first["title_zh"] = "编辑甲的标题"
    client.force_login(editor)
    assert client.post(url, first).status_code == 302

    second["title_zh"] = "编辑乙的标题"
    client.force_login(reviewer)
    response = client.post(url, second)
    assert response.status_code == 200
    assert "Conflict" in response.content.decode() and "editor" in response.content.decode()
    stored = Case.objects.get(pk=story.case.pk)
    assert stored.title_zh == "编辑甲的标题"
    assert stored.revision == story.case.revision + 1


def test_a_status_move_makes_an_open_form_stale(client, editor, story):
    from cases.models import Status
    from cases.services.workflow import case_transition

    url = reverse("admin:cases_case_change", args=[story.case.pk])
    client.force_login(editor)
    data = changeform_data(client.get(url))
    case_transition(case=story.case, to_status=Status.IN_REVIEW, user=editor)
    data["title_zh"] = "过期表单"
    response = client.post(url, data)
    assert "Conflict" in response.content.decode()
    assert Case.objects.get(pk=story.case.pk).title_zh != "过期表单"


def _evidence_post(client, story, quote: str, occurrence: int = 1):
    return client.post(
        reverse("admin:cases_evidence_add"),
        {"source": story.source.pk, "quote": quote, "occurrence": occurrence, "claim": "", "case": story.case.pk},
    )


def test_evidence_whose_quote_is_not_in_the_source_is_refused_on_the_quote_field(client, editor, story):
    client.force_login(editor)
    before = Evidence.objects.count()
    response = _evidence_post(client, story, "不存在的引文")
    errors = response.context["adminform"].form.errors
    assert "does not occur in source" in errors["quote"][0]
    assert Evidence.objects.count() == before


def test_evidence_offsets_are_looked_up_from_the_quote_and_occurrence(client, editor, story):
    client.force_login(editor)
    assert _evidence_post(client, story, "小区").status_code == 302
    created = Evidence.objects.latest("pk")
    assert story.source.text[created.start : created.end] == "小区"
    response = _evidence_post(client, story, "小区", occurrence=2)
    assert "2 times" in response.context["adminform"].form.errors["quote"][0]


def test_a_metric_range_out_of_order_is_refused_on_the_upper_value(client, editor, story):
    client.force_login(editor)
    indicator = factories.indicator()
    response = client.post(
        reverse("admin:cases_metric_add"),
        {
            "indicator": indicator.pk,
            "value": "8",
            "value_upper": "6",
            "qualifier": "exact",
            "period_kind": "unknown",
            "period_start_precision": "unknown",
            "period_end_precision": "unknown",
            "case": story.case.pk,
        },
    )
    assert "below the value" in response.context["adminform"].form.errors["value_upper"][0]
    unknown = client.post(reverse("admin:cases_metric_add"), {"indicator": 999999, "value": "1"})
    assert "indicator" in unknown.context["adminform"].form.errors
    assert not Metric.objects.filter(case=story.case).exists()


def test_an_old_version_can_be_restored_from_history(client, editor, story):
    url = reverse("admin:cases_case_change", args=[story.case.pk])
    client.force_login(editor)
    original_title = story.case.title_zh
    data = changeform_data(client.get(url))
    data["title_zh"] = "改错了的标题"
    client.post(url, data)

    old = story.case.history.filter(title_zh=original_title).first()
    revert_url = reverse("admin:cases_case_simple_history", args=[story.case.pk, old.history_id])
    revert = changeform_data(client.get(revert_url))
    assert revert["title_zh"] == original_title
    assert client.post(revert_url, revert).status_code == 302
    restored = Case.objects.get(pk=story.case.pk)
    assert restored.title_zh == original_title
    assert restored.revision == story.case.revision + 2  # the edit and the revert
    assert restored.history.first().history_user == editor


def test_an_editor_cannot_attach_evidence_to_a_public_case_from_the_evidence_page(client, editor, db):
    from cases.models import Status
    from tests.editorial import make_story

    public = make_story(Status.PUBLISHED)
    client.force_login(editor)
    before = Evidence.objects.count()
    assert _evidence_post(client, public, "小区").status_code == 403
    assert Evidence.objects.count() == before


def test_a_quote_copied_with_full_width_punctuation_is_stored_as_the_source_prints_it(client, editor, story):
    text = story.source.text
    comma = next(i for i, char in enumerate(text) if char in ",，" and 4 <= i < len(text) - 6)
    printed = text[comma - 4 : comma + 6]
    typed = printed.replace(",", "，") if "," in printed else printed.replace("，", ",")
    typed = typed[:3] + " " + typed[3:]  # and a stray space, as a copy from the web gives
    client.force_login(editor)
    response = _evidence_post(client, story, typed)
    assert response.status_code == 302, response.context["adminform"].form.errors
    evidence = Evidence.objects.latest("pk")
    assert evidence.quote == printed == text[evidence.start : evidence.end]
    page = client.get(response.url).content.decode()
    assert "as the source prints it" in page and "punctuation" in page and "whitespace" in page
    assert "the quote is empty" not in page


def test_a_whitespace_quote_is_empty_and_a_missing_one_says_what_was_tried(db):
    import pytest
    from django.core.exceptions import ValidationError

    source = factories.source(text="长城社区有18个小区,引进了13家物业公司。")
    assert source.locate("18个小区，引进") == (5, 13)
    with pytest.raises(ValidationError, match="the quote is empty"):
        source.locate("  ")
    with pytest.raises(ValidationError, match="even ignoring"):
        source.locate("19个小区")


def test_a_metric_count_reads_5_not_5_0000_in_its_form(client, editor, story):
    metric = Metric.objects.filter(case=story.case).first() or Metric.objects.first()
    if metric is None:
        from cases.models import Indicator

        metric = Metric.objects.create(
            indicator=Indicator.objects.create(code="c", name_zh="个数"), value=5, case=story.case
        )
    Metric.objects.filter(pk=metric.pk).update(value=5)
    client.force_login(editor)
    page = client.get(reverse("admin:cases_metric_change", args=[metric.pk])).content.decode()
    assert 'name="value" value="5"' in page and "5.0000" not in page
