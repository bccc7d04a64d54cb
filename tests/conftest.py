"""Shared fixtures.

Every test runs with the cheap MD5 password hasher (PBKDF2 costs seconds a hash on a busy
machine) and over plain HTTP (production settings redirect to HTTPS and mark cookies secure;
the test client speaks HTTP). Both are set here once for the whole run.

The editorial users (``editor``, ``reviewer``, ``superuser``, ``staff``) and ``story``, a small
draft case with a source and evidence, are here for every folder (helpers in ``tests/editorial.py``).

``seeded`` holds the seed data set (a fixture gazetteer, vocabularies, curated page) and ``world``
the API tests' small world for one test module: built once per test process and restored from a
copy for each later module (``tests/snapshots.py``), and removed when the module ends; each test
runs in a transaction within it. Modules that use them must not use ``transactional_db``, and no
module uses both.

The fixture gazetteer is all of ``divisions.csv`` (provinces to townships, 44,703 places) plus
the villages and communities of a few townships (``tests/fixtures/gazetteer/villages.csv``), not
the 620,573 of ``villages.csv.xz``: it is read and checked once per run (``fixture_gazetteer``)
and inserted per module with one statement per level. ``tests/seeds/test_full_gazetteer.py``
loads the full files once, on PostgreSQL; the browser tests run on SQLite only (``BROWSER_ENGINE``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test.utils import override_settings
from xdist.scheduler import LoadFileScheduling

from cases.services.roles import EDITOR_GROUP, REVIEWER_GROUP
from seeds.gazetteer_loader import GAZETTEER_CSV, Division, read_divisions
from seeds.loader import LoadSummary, load_all
from tests.api.world import World, build_world
from tests.editorial import Story, make_story, make_user
from tests.snapshots import Builder, Snapshots

TEST_SETTINGS = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "SECURE_SSL_REDIRECT": False,
    "SESSION_COOKIE_SECURE": False,
    "CSRF_COOKIE_SECURE": False,
}


# The browser tests' modules, by name: the test scheduler sees test ids, not marks.
BROWSER_MODULE_PREFIX = "test_e2e_"

# The browser tests run on one engine, as the full gazetteer's load runs on the other: what they add
# to the rest of the suite is the browser's side of the pages (scripts, widgets, navigation), the
# same whatever the database; every view they reach is also tested through the test client on both
# engines. On PostgreSQL they took 120 s of a 673 s suite's worker time.
BROWSER_ENGINE = "sqlite"


def _runs_long(item: pytest.Item) -> bool:
    return item.get_closest_marker("browser") is not None or item.get_closest_marker("slow") is not None


def _is_browser_module(path: str) -> bool:
    return Path(path).name.startswith(BROWSER_MODULE_PREFIX)


class _OneProcessForTheBrowsers(LoadFileScheduling):
    """``--dist loadfile``, but the browser modules are one unit, run in one test process.

    Two Chromiums side by side on two cores took twice as long each and a fifth more CPU in all
    (the four modules: 144 s side by side, 67 s one after the other while the other process ran
    the rest of the suite).
    """

    def _split_scope(self, nodeid: str) -> str:
        path = super()._split_scope(nodeid)
        return "browser tests" if _is_browser_module(path) else path


def pytest_xdist_make_scheduler(config: pytest.Config, log) -> LoadFileScheduling | None:
    if config.getoption("dist") == "loadfile":
        return _OneProcessForTheBrowsers(config, log)
    return None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser and full-data tests first, the rest in their order.

    ``make test`` hands whole modules to its test processes in collection order
    (``--no-loadscope-reorder``): taken first, the longest cannot be left running alone at the
    end while the other processes have nothing to do (pytest-xdist's own order, most tests first,
    put these one-test modules last).

    A test on a snapshot (``seeded``, ``world``) runs in a transaction like any ``db`` test, even
    when it asks for its users by name (``request.getfixturevalue``): pytest-django creates the
    test database only when a collected test says it needs one, and run alone such a test would
    otherwise build the snapshot into the development database.

    The browser tests are skipped on any engine but ``BROWSER_ENGINE``.
    """
    from django.db import connection

    elsewhere = pytest.mark.skip(reason=f"browser tests run on {BROWSER_ENGINE} only (tests/conftest.py)")
    for item in items:
        if "snapshots" in item.fixturenames and item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db)
        if (item.get_closest_marker("browser") is not None) != _is_browser_module(item.nodeid.split("::")[0]):
            raise pytest.UsageError(
                f"{item.nodeid}: browser tests, and only they, live in modules named {BROWSER_MODULE_PREFIX}*"
            )
        if item.get_closest_marker("browser") is not None and connection.vendor != BROWSER_ENGINE:
            item.add_marker(elsewhere)
    items.sort(key=lambda item: not _runs_long(item))


@pytest.fixture(scope="session", autouse=True)
def _test_settings(tmp_path_factory):
    from django.conf import settings

    # The throttle's file cache in a directory of this run's own (two suites may run at once on
    # one machine); whole-table CSV exports unthrottled except where a test sets the rate.
    caches = {
        **settings.CACHES,
        "throttle": {**settings.CACHES["throttle"], "LOCATION": str(tmp_path_factory.mktemp("throttle"))},
    }
    with override_settings(**TEST_SETTINGS, CACHES=caches, API_ANON_EXPORT_RATE=None):
        yield


FIXTURE_VILLAGES = Path(__file__).resolve().parent / "fixtures" / "gazetteer" / "villages.csv"
FIXTURE_GAZETTEER = (GAZETTEER_CSV, FIXTURE_VILLAGES)


@pytest.fixture(scope="session")
def fixture_gazetteer() -> list[Division]:
    """The test gazetteer's rows, read and checked once per run."""
    return read_divisions(FIXTURE_GAZETTEER)


@pytest.fixture(scope="session", autouse=True)
def gazetteer_cache(tmp_path_factory):
    """Village tables of the test databases go to a directory of this run, not var/."""
    from django.conf import settings

    settings.GAZETTEER_CACHE_DIR = tmp_path_factory.mktemp("gazetteer-cache")


@pytest.fixture(scope="session")
def snapshots(django_db_setup, django_db_blocker) -> Snapshots:
    """Copies of this process's test database (``tests/snapshots.py``)."""
    with django_db_blocker.unblock():
        kept = Snapshots()
        yield kept
        kept.drop()


@pytest.fixture(scope="session")
def seed_data(fixture_gazetteer) -> Builder:
    """The seed data set's snapshot label and builder (``seeded``; the search tests build on it)."""
    return "seeded", lambda: load_all(gazetteer_divisions=fixture_gazetteer, progress=False)


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    wanted = {"transactional_db", "live_server"} & set(item.fixturenames)
    return bool(wanted or (marker is not None and marker.kwargs.get("transaction")))


_RESTORE_AFTER = pytest.StashKey[tuple[Snapshots, object]]()


@pytest.fixture(autouse=True)
def _migrated_state_after_transactional_tests(request):
    """A transactional test (the browser tests, backups) ends by flushing every table, the groups
    and permissions the migrations made too: the database goes back to its migrated copy after it
    (``pytest_runtest_teardown``, once the flush has run)."""
    if _is_transactional(request.node):
        request.node.stash[_RESTORE_AFTER] = (
            request.getfixturevalue("snapshots"),
            request.getfixturevalue("django_db_blocker"),
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    result = yield
    restore = item.stash.get(_RESTORE_AFTER, None)
    if restore is not None and nextitem is not None:  # at the end the session's copies are gone
        snapshots, blocker = restore
        with blocker.unblock():
            snapshots.reset()
    return result


@pytest.fixture(scope="module")
def seeded(snapshots, django_db_blocker, seed_data) -> LoadSummary:
    with django_db_blocker.unblock():
        yield snapshots.module_data(*seed_data)
        snapshots.reset()


@pytest.fixture(scope="module")
def world(snapshots, django_db_blocker) -> World:
    """The API and site tests' small world (``tests/api/world.py``), built once per process."""
    with django_db_blocker.unblock():
        yield snapshots.module_data("world", build_world)
        snapshots.reset()


# The editorial tests' users and story (tests/editorial.py), for admin, services and ingest tests alike.
@pytest.fixture
def editor(db) -> User:
    return make_user("editor", EDITOR_GROUP)


@pytest.fixture
def reviewer(db) -> User:
    return make_user("reviewer", REVIEWER_GROUP)


@pytest.fixture
def superuser(db) -> User:
    return make_user("boss", superuser=True)


@pytest.fixture
def staff(db) -> User:
    """Staff with no group: may log in to the admin and do nothing."""
    return make_user("staff")


@pytest.fixture
def story(db) -> Story:
    return make_story()
