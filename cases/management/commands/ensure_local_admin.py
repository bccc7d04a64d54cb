"""Create a local superuser ``admin`` with a random password, once."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from cases.services.roles import editorial_groups_sync

USERNAME = "admin"


class Command(BaseCommand):
    help = (
        "Create the local superuser 'admin' with a random password printed once, unless a superuser "
        "exists. Also makes sure the Editor and Reviewer groups exist."
    )

    def handle(self, *args, **options) -> None:
        """Print the new account's password, or say a superuser exists (printing nothing secret)."""
        editorial_groups_sync()
        User = get_user_model()
        existing = User.objects.filter(is_superuser=True).order_by("pk").first()
        if existing is not None:
            self.stdout.write(
                f"A superuser exists ({existing.get_username()}); nothing created. "
                "Forgot the password? Run: python manage.py changepassword " + existing.get_username()
            )
            return
        if User.objects.filter(username=USERNAME).exists():
            self.stderr.write(
                f"A non-superuser account named {USERNAME!r} exists; not touching it. "
                "Create a superuser with: python manage.py createsuperuser"
            )
            return
        password = secrets.token_urlsafe(18)
        User.objects.create_superuser(username=USERNAME, email="", password=password)
        self.stdout.write(self.style.SUCCESS("Created the local superuser — this password is shown only once:"))
        self.stdout.write(f"  username: {USERNAME}\n  password: {password}")
        self.stdout.write("Log in at http://127.0.0.1:8000/admin/")
