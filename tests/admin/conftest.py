"""Fixtures for the admin tests: the four kinds of user and a small case with a source and evidence."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group, User

from cases.models import Case, Evidence, Source, Status
from cases.services.roles import EDITOR_GROUP, REVIEWER_GROUP, editorial_groups_sync
from tests import factories


def make_user(username: str, *groups: str, superuser: bool = False) -> User:
    editorial_groups_sync()
    if superuser:
        return User.objects.create_superuser(username=username, password="pw-" + username)
    user = User.objects.create_user(username=username, password="pw-" + username, is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=groups))
    return user


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


@dataclass
class Story:
    case: Case
    source: Source
    evidence: Evidence


def make_story(status: str = Status.DRAFT, *, with_evidence: bool = True) -> Story:
    tree = factories.chengdu_tree() if not Case.objects.exists() else None
    place = tree["changcheng"] if tree else Case.objects.first().primary_locality
    n = Source.objects.count()
    source = factories.source(text=f"长城社区有18个小区，引进了13家物业公司。成立了红色物业联盟。（{n}）")
    case = factories.case(primary_locality=place, status=status)
    case.sources.add(source)
    evidence = None
    if with_evidence:
        start = source.text.index("红色物业联盟")
        evidence = Evidence.objects.create(
            source=source, quote="红色物业联盟", start=start, end=start + 6, case=case, claim="联盟"
        )
    return Story(case=case, source=source, evidence=evidence)


@pytest.fixture
def story(db) -> Story:
    return make_story()
