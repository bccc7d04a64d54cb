"""Data releases: a valid Frictionless Data Package of what the API publishes, immutable, listed on the site."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from cases.site.releases import RESOURCES, find, latest, release_build

frictionless = pytest.importorskip("frictionless")


@pytest.fixture
def release(world, db):
    return release_build(version="1.0", base_url="https://cases.example.org")


def extract(release, tmp_path):
    with zipfile.ZipFile(release.path) as bundle:
        bundle.extractall(tmp_path / "out")
    return tmp_path / "out" / f"governance-cases-{release.version}"


def test_the_package_is_valid_frictionless_data(release, tmp_path):
    root = extract(release, tmp_path)
    report = frictionless.validate(str(root / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])[:10]
    names = sorted(path.name for path in root.iterdir())
    assert names == ["CITATION.cff", "LICENSE.md", "README.md", "data", "datapackage.json"]


def test_each_csv_has_the_api_csv_columns_and_rows(release, tmp_path, client):
    root = extract(release, tmp_path)
    for resource in RESOURCES:
        api = client.get(f"/api/v1{resource.path}", {"format": "csv"})
        api_text = b"".join(api.streaming_content).decode("utf-8").removeprefix("\ufeff")
        text = (root / "data" / f"{resource.name}.csv").read_text(encoding="utf-8")
        assert not text.startswith("\ufeff")
        file_rows = list(csv.reader(io.StringIO(text)))
        api_rows = list(csv.reader(io.StringIO(api_text)))
        assert file_rows[0] == api_rows[0], resource.name
        assert len(file_rows) == len(api_rows) == release.counts[resource.name] + 1, resource.name


def test_the_package_declares_keys_and_documents_every_column(release, tmp_path):
    root = extract(release, tmp_path)
    package = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    readme = (root / "README.md").read_text(encoding="utf-8")
    by_name = {resource["name"]: resource for resource in package["resources"]}
    assert by_name["cases"]["schema"]["primaryKey"] == ["public_id"]
    assert {"fields": ["case"], "reference": {"resource": "cases", "fields": ["public_id"]}} in by_name["metrics"][
        "schema"
    ]["foreignKeys"]
    for resource in package["resources"]:
        for field in resource["schema"]["fields"]:
            assert f"| `{field['name']}` |" in readme, (resource["name"], field["name"])
    assert "Missing values (NA policy)" in readme
    assert "cff-version: 1.2.0" in (root / "CITATION.cff").read_text(encoding="utf-8")
    assert package["licenses"][0]["name"] in (root / "LICENSE.md").read_text(encoding="utf-8")


def test_the_release_holds_no_draft(release, tmp_path):
    root = extract(release, tmp_path)
    for path in (root / "data").iterdir():
        assert "NEVERSEEN" not in path.read_text(encoding="utf-8"), path.name


def test_the_checksum_is_the_zip_s_sha256(release):
    assert release.sha256 == hashlib.sha256(release.path.read_bytes()).hexdigest()
    assert release.path.with_name(release.filename + ".sha256").read_text().split()[0] == release.sha256
    assert find("1.0") == release == latest()


def test_a_second_run_of_a_version_is_refused_and_changes_nothing(release):
    before = release.path.read_bytes()
    with pytest.raises(CommandError, match="releases are immutable"):
        call_command("release", "1.0")
    assert release.path.read_bytes() == before


@pytest.mark.parametrize("version", ["", "../x", "v1", "1.0/2", "1..0"])
def test_a_malformed_version_is_refused(world, db, version):
    with pytest.raises(CommandError, match="is not a version"):
        call_command("release", version)
    assert latest() is None


def test_the_site_lists_releases_and_serves_the_latest(release, client):
    newer = release_build(version="1.1")
    home = client.get("/").content.decode()
    assert f'href="/releases/1.1/{newer.filename}"' in home
    page = client.get("/releases/").content.decode()
    assert release.sha256 in page and newer.sha256 in page and newer.citation in page
    download = client.get(f"/releases/1.1/{newer.filename}")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == newer.sha256
    assert client.get("/releases/1.1/../../settings.py").status_code == 404
    assert client.get("/releases/9.9/governance-cases-9.9.zip").status_code == 404
