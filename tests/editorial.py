"""The people and the small story the editorial tests share: the four kinds of user and a case with a
source and evidence. Their fixtures (``editor``, ``reviewer``, ``superuser``, ``staff``, ``story``)
are in the root ``conftest.py``."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, User

from cases.models import Case, Evidence, Source, Status
from cases.search.index import deferred
from cases.services.roles import EDITOR_GROUP, REVIEWER_GROUP, editorial_groups_sync
from tests import factories


def make_user(username: str, *groups: str, superuser: bool = False) -> User:
    # The migrations create the groups; only a database a transactional test flushed lacks them.
    # (Syncing anyway cost 31 ms a user.)
    if Group.objects.filter(name__in=(EDITOR_GROUP, REVIEWER_GROUP)).count() < 2:
        editorial_groups_sync()
    if superuser:
        return User.objects.create_superuser(username=username, password="pw-" + username)
    user = User.objects.create_user(username=username, password="pw-" + username, is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=groups))
    return user


@dataclass
class Story:
    case: Case
    source: Source
    evidence: Evidence


def make_story(status: str = Status.DRAFT, *, with_evidence: bool = True) -> Story:
    # One refresh of the search index at the end, as after any bulk write.
    with deferred():
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
