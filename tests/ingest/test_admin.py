from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Candidate, Document

PAGE = "某某街道党工委书记王建国介绍,街道有18个小区,收集居民意见60余条。\n\n居民代表说,议事会管用。"


def test_pasting_a_page_creates_sources_and_a_review_queue_with_highlighted_evidence(admin_client):
    url = reverse("admin:cases_candidate_ingest")
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"text": PAGE, "outlet": "人民日报"})
    assert response.status_code == 302
    document = Document.objects.get()
    assert Candidate.objects.filter(source__document=document).exists()
    queue = admin_client.get(response["Location"])
    assert queue.status_code == 200
    assert "<mark>18个小区</mark>" in queue.content.decode()
    again = admin_client.post(url, {"text": PAGE}, follow=True)
    assert "nothing new" in again.content.decode()
    assert Document.objects.count() == 1


def test_bad_input_in_the_form_shows_the_error_and_saves_nothing(admin_client):
    response = admin_client.post(reverse("admin:cases_candidate_ingest"), {"text": "no chinese here"})
    assert response.status_code == 200
    assert "no Chinese text" in response.content.decode()
    assert not Document.objects.exists()


def test_the_review_queue_query_count_does_not_grow_with_candidates(admin_client):
    url = reverse("admin:cases_candidate_ingest")
    admin_client.post(url, {"text": PAGE})
    changelist = reverse("admin:cases_candidate_changelist")
    with CaptureQueriesContext(connection) as small:
        admin_client.get(changelist)
    admin_client.post(url, {"text": "\n\n".join(PAGE.replace("18", str(n)) for n in range(20, 32))})
    assert Candidate.objects.count() > 10
    with CaptureQueriesContext(connection) as large:
        admin_client.get(changelist)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_an_editor_can_ingest_and_review_without_being_superuser(db, client):
    from cases.services.roles import EDITOR_GROUP
    from tests.editorial import make_user

    client.force_login(make_user("ingest-editor", EDITOR_GROUP))
    url = reverse("admin:cases_candidate_ingest")
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": PAGE, "outlet": "人民日报"})
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    candidate = Candidate.objects.first()
    assert client.get(reverse("admin:cases_candidate_change", args=[candidate.pk])).status_code == 200


def test_the_migrated_editor_group_may_work_the_review_queue(db):
    from django.contrib.auth.models import Group

    from cases.services.roles import EDITOR_GROUP

    # No editorial_groups_sync() here: this is the group exactly as the migrations left it.
    granted = set(Group.objects.get(name=EDITOR_GROUP).permissions.values_list("codename", flat=True))
    assert {"add_candidate", "change_candidate", "view_candidate"} <= granted


def test_starting_a_draft_case_twice_reuses_the_open_draft(admin_client):
    from cases.models import Case, FactType, Status
    from tests.factories import chengdu_tree

    chengdu_tree()
    page = "成都市青羊区少城街道党工委书记王建国介绍,街道有18个小区。"
    admin_client.post(reverse("admin:cases_candidate_ingest"), {"text": page})
    places = Candidate.objects.filter(fact_type=FactType.LOCALITY)
    assert places.exists()
    changelist = reverse("admin:cases_candidate_changelist")
    admin_client.post(changelist, {"action": "accept_selected", "_selected_action": [c.pk for c in places]})
    selected = {"action": "start_draft_case", "_selected_action": [Candidate.objects.first().pk]}
    first = admin_client.post(changelist, selected, follow=True)
    assert "started from" in first.content.decode()
    second = admin_client.post(changelist, selected, follow=True)
    assert "already open" in second.content.decode()
    assert Case.objects.filter(status=Status.DRAFT).count() == 1


def test_opening_the_ingest_form_starts_loading_the_extractor_and_posting_does_not(admin_client, monkeypatch):
    from cases.extraction import warmup

    loads = []
    monkeypatch.setattr(warmup, "_started", [])
    monkeypatch.setattr(warmup, "_load", lambda: loads.append("loaded"))
    url = reverse("admin:cases_candidate_ingest")
    admin_client.post(url, {"text": "no chinese here"})
    assert not warmup._started
    assert admin_client.get(url).status_code == 200
    (thread,) = warmup._started
    thread.join()
    admin_client.get(url)
    assert loads == ["loaded"]  # once per process


def test_the_preload_before_forking_fills_every_table_a_first_search_or_extraction_reads(seeded):
    from cases.extraction import gazetteer, warmup
    from cases.search import jieba_tables, text

    warmup.preload()
    tables = [jieba_tables.default_tokenizer().FREQ, text.tokenizer().FREQ, gazetteer.get_gazetteer().villages.table]
    assert all(table._filled >= set(table._rows) for table in tables if hasattr(table, "_filled"))


def test_the_ner_tables_load_without_onnxruntime_which_a_fork_would_inherit():
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import sys, django; django.setup(); from cases.extraction import ner; ner.tables(); "
        "print('onnxruntime' in sys.modules, 'numpy' in sys.modules)"
    )
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "governance.settings"}
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False False"
