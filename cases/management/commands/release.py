"""``python manage.py release VERSION``: write an immutable, versioned data release."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from cases.site.releases import ReleaseError, release_build


class Command(BaseCommand):
    help = (
        "Write data release VERSION: a Frictionless Data Package (one CSV per public resource, with the "
        "API's columns; datapackage.json; README codebook; CITATION.cff; licence) zipped, with its SHA-256, "
        "under var/releases/VERSION/. A version that exists is refused: releases never change."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("version", help="e.g. 1.0 or 2026.12")
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="the site's public address, used in the API URLs of the rows and in the citation",
        )

    def handle(self, *args, version: str, base_url: str, **options) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise CommandError(f"--base-url must start with http:// or https://, not {base_url!r}")
        try:
            release = release_build(version=version, base_url=base_url)
        except ReleaseError as error:
            raise CommandError(str(error)) from None
        counts = ", ".join(f"{count:,} {name}" for name, count in release.counts.items())
        self.stdout.write(f"release {release.version}: {release.path} ({release.size:,} bytes)")
        self.stdout.write(f"sha256 {release.sha256}")
        self.stdout.write(f"wrote {counts}.")
