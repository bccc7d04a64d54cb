"""Login protection and the local admin account."""

from __future__ import annotations

from io import StringIO

from django.contrib.auth.models import User
from django.core.management import call_command


def test_repeated_wrong_passwords_lock_the_account_even_against_the_right_one(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/admin/login/?next=/admin/", {"username": "editor", "password": "guess"})
    assert response.status_code == 429
    locked = client.post("/admin/login/?next=/admin/", {"username": "editor", "password": "pw-editor"})
    assert locked.status_code == 429
    assert client.get("/admin/").status_code == 302  # still not logged in


def test_the_right_password_logs_in_through_the_login_form(client, editor):
    response = client.post("/admin/login/?next=/admin/", {"username": "editor", "password": "pw-editor"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_ensure_local_admin_creates_one_superuser_and_prints_its_password_once(db):
    out = StringIO()
    call_command("ensure_local_admin", stdout=out)
    password = out.getvalue().split("password: ")[1].split()[0]
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)

    again = StringIO()
    call_command("ensure_local_admin", stdout=again)
    assert "exists" in again.getvalue() and password not in again.getvalue()
    assert User.objects.filter(is_superuser=True).count() == 1
