"""Reviewing the candidates the extractor proposed, and the draft case they are attached to.

``candidate_accept`` turns one candidate into real records (merging with existing localities,
organisations and people by code, name and alias) plus an evidence quote, through the acceptor its
fact type's entry in ``cases.extraction.facts`` names (the ``accept_*`` functions here); ``candidate_reject``
records the editor's no; ``case_start_draft`` opens a draft case that accepted facts are attached
to. Everything that reaches a case goes through ``editing.case_attach`` / ``case_create``, which
refuse a case the user may no longer change. Receiving the page is ``cases.services.ingest``'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from cases.models import (
    Candidate,
    CandidateStatus,
    Case,
    Evidence,
    FactType,
    Indicator,
    Level,
    Locality,
    Metric,
    Organisation,
    Person,
    Position,
    Source,
    SourceCredit,
    Status,
    Theme,
)
from cases.search.registry import deferred
from cases.services.drafts import dateline_end, draft_public_id, event_period, lead_span
from cases.services.editing import case_attach, case_create, check_editable


@dataclass
class Acceptance:
    """What accepting one candidate made: the candidate's links to its records (``locality=…``), what
    reaches the case (``case_attach`` keywords), and whether the case's period follows its dates."""

    links: dict = field(default_factory=dict)
    attach: dict = field(default_factory=dict)
    period: bool = False


def _evidence(candidate: Candidate, **subject) -> Evidence:
    evidence = Evidence(
        source=candidate.source,
        start=candidate.start,
        end=candidate.end,
        quote=candidate.source.text[candidate.start : candidate.end],
        claim=candidate.get_fact_type_display()[:300],
        **subject,
    )
    evidence.full_clean()
    evidence.save()
    return evidence


def _locality_from_key(key: str | None, source: Source) -> Locality | None:
    """A locality named by a candidate key: a code, or ``parent/…/name`` for a new place accepted earlier."""
    if not key:
        return None
    if key.isdigit():
        return Locality.objects.filter(code=key).first()
    accepted = Candidate.objects.filter(
        source=source, fact_type=FactType.LOCALITY, key=key, locality__isnull=False
    ).first()
    if accepted is not None:
        return accepted.locality
    parent_key, _, name = key.rpartition("/")
    parent = _locality_from_key(parent_key, source)
    if parent is None:
        return None
    return Locality.objects.filter(parent=parent).filter(Q(name=name) | Q(aliases__name=name)).first()


def accept_locality(candidate: Candidate, case: Case | None) -> Acceptance:
    locality = _locality_of(candidate)
    _evidence(candidate, locality=locality)
    return Acceptance(links={"locality": locality}, attach={"localities": [locality]})


def _locality_of(candidate: Candidate) -> Locality:
    """The place a candidate names: its code's, one already under the parent, or a new one there."""
    payload = candidate.payload
    if payload.get("code"):
        locality = Locality.objects.filter(code=payload["code"]).first()
        if locality is None:
            raise ValidationError({"payload": f"no locality with code {payload['code']}"})
        return locality
    name = (payload.get("name") or "").strip()
    if not name:
        raise ValidationError({"payload": "a new locality needs a name"})
    parent = None
    if payload.get("parent_code"):
        parent = Locality.objects.filter(code=payload["parent_code"]).first()
    elif payload.get("parent_id"):
        parent = Locality.objects.filter(pk=payload["parent_id"]).first()
    elif payload.get("parent_key"):
        parent = _locality_from_key(payload["parent_key"], candidate.source)
    if parent is None:
        raise ValidationError(
            {
                "payload": f"the parent of {name} ({payload.get('parent_name', 'unknown')}) is not in the "
                "database yet; accept the parent first or set parent_code"
            }
        )
    existing = Locality.objects.filter(parent=parent).filter(Q(name=name) | Q(aliases__name=name)).first()
    if existing is None:
        # Another spelling of the same place: 长城社区 for 长城社区居民委员会.
        existing = Locality.objects.filter(parent=parent, name__startswith=name).first()
    if existing is not None:
        return existing
    level = payload.get("level") or Level.COMMUNITY
    locality = Locality(name=name, level=level, parent=parent)
    locality.full_clean()
    locality.save()
    return locality


def _match_organisation(names: list[str]) -> Organisation | None:
    for name in names:
        found = Organisation.objects.filter(name=name).first()
        if found is not None:
            return found
    for organisation in Organisation.objects.filter(name__in=names) | Organisation.objects.filter(
        aliases__isnull=False
    ).exclude(aliases=[]):
        if set(organisation.all_names()) & set(names):
            return organisation
    return None


def accept_organisation(candidate: Candidate, case: Case | None) -> Acceptance:
    organisation = _organisation_of(candidate)
    _evidence(candidate, organisation=organisation)
    return Acceptance(links={"organisation": organisation}, attach={"organisations": [organisation]})


def _organisation_of(candidate: Candidate) -> Organisation:
    """The body a candidate names (an existing one by name or alias, else a new one); an agency's credit."""
    payload = candidate.payload
    names = [n for n in [payload.get("name"), *payload.get("names", [])] if n]
    if not names:
        raise ValidationError({"payload": "an organisation needs a name"})
    organisation = _match_organisation(names)
    if organisation is None:
        locality = _locality_from_key(payload.get("locality_key"), candidate.source)
        parent = _match_organisation([payload["parent_name"]]) if payload.get("parent_name") else None
        organisation = Organisation(
            name=names[0][:200],
            aliases=[n for n in dict.fromkeys(names[1:]) if n != names[0]],
            kind=payload.get("kind") or "other",
            locality=locality,
            parent=parent,
        )
        organisation.full_clean()
        organisation.save()
    if payload.get("credit_role") == "agency":
        SourceCredit.objects.get_or_create(
            source=candidate.source,
            role="agency",
            organisation=organisation,
            defaults={"as_printed": payload.get("as_printed", organisation.name)[:100]},
        )
    return organisation


def accept_person(candidate: Candidate, case: Case | None) -> Acceptance:
    person = _person_of(candidate)
    _evidence(candidate, person=person)
    # A byline is a credit of the source (made by ``_person_of``), not a person of the case.
    return Acceptance(links={"person": person}, attach={} if _is_byline(candidate) else {"people": [person]})


def _person_of(candidate: Candidate) -> Person:
    """The person a candidate names (the one of that name, if only one), with posts and byline credit."""
    payload = candidate.payload
    name = (payload.get("name") or "").strip()
    if not name:
        raise ValidationError({"payload": "a person needs a name"})
    people = list(Person.objects.filter(name=name)[:2])
    person = people[0] if len(people) == 1 else None
    if person is None:
        person = Person(name=name)
        person.full_clean()
        person.save()
    for position in payload.get("positions", []):
        organisation = _match_organisation([position["organisation"]]) if position.get("organisation") else None
        Position.objects.get_or_create(person=person, organisation=organisation, title=position["title"][:100])
    if payload.get("credit_role") in {"reporter", "author", "photographer"}:
        SourceCredit.objects.get_or_create(
            source=candidate.source,
            role=payload["credit_role"],
            person=person,
            defaults={"as_printed": payload.get("as_printed", name)[:100]},
        )
    return person


def accept_metric(candidate: Candidate, case: Case | None) -> Acceptance:
    # The metric belongs to the case (or its place) itself: nothing more to attach.
    metric = _metric_of(candidate, case)
    _evidence(candidate, metric=metric)
    return Acceptance(links={"metric": metric})


def accept_theme(candidate: Candidate, case: Case | None) -> Acceptance:
    theme = Theme.objects.filter(code=candidate.payload.get("code")).first()
    if theme is None:
        raise ValidationError({"payload": f"unknown theme {candidate.payload.get('code')!r}"})
    return Acceptance(links={"theme": theme}, attach={"themes": [theme]})


def accept_date(candidate: Candidate, case: Case | None) -> Acceptance:
    # Nothing to create: the case's period is recomputed from its accepted dates.
    return Acceptance(period=True)


def _metric_of(candidate: Candidate, case: Case | None) -> Metric:
    """A new metric of the case or of the place the candidate names; it needs its indicator."""
    payload = candidate.payload
    code = payload.get("indicator")
    indicator = Indicator.objects.filter(code=code).first() if code else None
    if indicator is None:
        raise ValidationError({"payload": f"choose an indicator for this metric (unknown: {code!r})"})
    locality = _locality_from_key(payload.get("locality_key"), candidate.source)
    if case is None and locality is None:
        raise ValidationError(
            {"payload": "a metric needs a case or a locality: start a draft case or accept the place"}
        )
    metric = Metric(
        indicator=indicator,
        value=Decimal(str(payload["value"])),
        value_upper=Decimal(str(payload["value_upper"])) if payload.get("value_upper") else None,
        unit=(payload.get("unit") or "")[:20],
        counted=(payload.get("counted") or "")[:100],
        qualifier=payload.get("qualifier") or "exact",
        case=case,
        locality=locality,
    )
    metric.full_clean()
    metric.save()
    return metric


def source_draft_case(source: Source) -> Case | None:
    """The newest draft case citing ``source`` (the one ``case_start_draft`` opened), if any."""
    return Case.objects.filter(sources=source, status=Status.DRAFT).order_by("-pk").first()


def _is_byline(candidate: Candidate) -> bool:
    """A reporter, author or photographer: a credit of the source, not a person of the case."""
    return candidate.fact_type == FactType.PERSON and bool(candidate.payload.get("credit_role"))


def _event_dates(source: Source, candidates) -> list[tuple[str, str, str]]:
    """The dates of accepted date candidates, leaving out the paper's own date in the dateline."""
    dateline = dateline_end(source.text)
    return [
        (c.payload.get("date") or "", c.payload.get("precision") or "", c.payload.get("text") or c.quote)
        for c in candidates
        if c.fact_type == FactType.DATE and c.start >= dateline
    ]


def _case_period(source: Source) -> dict:
    accepted = Candidate.objects.filter(source=source, fact_type=FactType.DATE, status=CandidateStatus.ACCEPTED)
    return event_period(_event_dates(source, accepted))


@transaction.atomic
def candidate_accept(
    *, candidate: Candidate, user=None, case: Case | None = None, payload: dict | None = None
) -> Candidate:
    """Create or link the records a candidate proposes, with its evidence, in one transaction.

    ``payload`` replaces the proposed payload (the editor's corrections). With ``case`` the fact is
    also attached to that case; without, to the source's draft case if one was started
    (``source_draft_case``); with neither, dates and themes are accepted and wait for the draft
    (``case_start_draft`` applies them). What reaches a case goes through ``editing.case_attach``,
    which refuses a case the user may no longer change. A decided candidate raises ``ValidationError``.
    """
    candidate = Candidate.objects.select_for_update().select_related("source").get(pk=candidate.pk)
    if not candidate.is_open:
        raise ValidationError(f"candidate {candidate.pk} was already {candidate.get_status_display()}")
    if payload is not None:
        candidate.payload = payload
    case = case or candidate.case or source_draft_case(candidate.source)
    if case is not None:
        check_editable(case=case, user=user)
    from cases.extraction.facts import fact_kind  # the whole extractor: imported when first needed

    try:
        kind = fact_kind(candidate.fact_type)
    except KeyError as error:
        raise ValidationError(error.args[0]) from None
    accepted: Acceptance = import_string(kind.accept)(candidate, case)
    for name, value in accepted.links.items():
        setattr(candidate, name, value)
    candidate.case = case
    candidate.status = CandidateStatus.ACCEPTED
    candidate.reviewed_by = user if getattr(user, "pk", None) else None
    candidate.reviewed_at = timezone.now()
    candidate.save()
    if case is not None:
        # After the save: the period is read from the accepted date candidates, this one included.
        fields = _case_period(candidate.source) if accepted.period else None
        case_attach(case=case, user=user, fields=fields, **accepted.attach)
    return candidate


def _acceptance_order(candidates) -> list[Candidate]:
    """In the fact-type table's order (later facts find their places), organisations after the parent they name."""
    from cases.extraction.facts import FACT_TYPES

    order = list(FACT_TYPES)
    # An organisation after the parent it names, when both are selected (支部 after its 联盟).
    by_name = {
        name: c
        for c in candidates
        if c.fact_type == FactType.ORGANISATION
        for name in [c.payload.get("name"), *c.payload.get("names", [])]
        if name
    }

    def depth(candidate: Candidate, seen: frozenset = frozenset()) -> int:
        parent = by_name.get(candidate.payload.get("parent_name") or "")
        if candidate.fact_type != FactType.ORGANISATION or parent is None or parent.pk in seen:
            return 0
        return 1 + depth(parent, seen | {candidate.pk})

    return sorted(candidates, key=lambda c: (order.index(c.fact_type), depth(c), c.start))


@transaction.atomic
@deferred()
def candidates_accept(*, candidates, user=None, case: Case | None = None) -> int:
    """Accept many in one transaction, in ``_acceptance_order``; all or nothing.

    The search index is refreshed once, at the end (``deferred``): acceptance by acceptance, the
    case's document was rebuilt after every fact attached to it, seven tenths of the time.
    """
    items = _acceptance_order(candidates)
    for candidate in items:
        candidate_accept(candidate=candidate, user=user, case=case)
    return len(items)


@dataclass
class AcceptReport:
    accepted: list[Candidate] = field(default_factory=list)
    refused: list[tuple[Candidate, str]] = field(default_factory=list)


@deferred(after_error=True)
def candidates_accept_each(*, candidates, user=None, case: Case | None = None) -> AcceptReport:
    """Accept each candidate that can be accepted, in ``_acceptance_order``; say why for the others.

    "Select all → accept" on a page's queue: a metric still waiting for its indicator must not
    hold back the forty facts that are fine. Each acceptance is its own transaction (savepoint);
    the search index is refreshed once, after the last (``deferred``, as in ``candidates_accept``),
    and after an unexpected error too, for the acceptances that committed before it.
    """
    report = AcceptReport()
    for candidate in _acceptance_order(candidates):
        try:
            report.accepted.append(candidate_accept(candidate=candidate, user=user, case=case))
        except ValidationError as error:
            report.refused.append((candidate, "; ".join(error.messages)))
    return report


@transaction.atomic
def candidate_reject(*, candidates, user=None) -> int:
    """Mark open candidates as rejected; decided ones are left as they are."""
    count = 0
    for candidate in candidates:
        if candidate.is_open:
            candidate.status = CandidateStatus.REJECTED
            candidate.reviewed_by = user if getattr(user, "pk", None) else None
            candidate.reviewed_at = timezone.now()
            candidate.save(update_fields=["status", "reviewed_by", "reviewed_at"])
            count += 1
    return count


class NoPlaceYet(ValidationError):
    """A draft case needs a primary place and none of the source's places is accepted."""


@transaction.atomic
@deferred()
def case_start_draft(*, source: Source, user=None) -> Case:
    """A draft case for ``source``, with what was accepted from it so far.

    Its primary locality is the most specific accepted place; its public id a readable slug of that
    place and the headline's subject; its title the headline; its period spans the accepted dates
    of events (``drafts.event_period``). Bylines stay credits of the source. Raises ``NoPlaceYet``
    when no place is accepted. The search index is refreshed once, at the end (``deferred``).
    """
    accepted = (
        Candidate.objects.filter(source=source, fact_type=FactType.LOCALITY, locality__isnull=False)
        .select_related("locality")
        .order_by("start")
    )
    localities = list(dict.fromkeys(c.locality for c in accepted))
    if not localities:
        proposed = source.candidates.open().filter(fact_type=FactType.LOCALITY).count()
        raise NoPlaceYet(
            f"no place of 《{source.headline}》 is accepted yet: accept or correct one of its {proposed} proposed "
            "places, then start the draft case again"
        )
    order = list(Level)
    primary = max(localities, key=lambda loc: order.index(loc.level))
    others = [loc for loc in localities if loc.pk != primary.pk]
    fields = {
        "public_id": draft_public_id(headline=source.headline, primary=primary, places=others),
        "title_zh": source.headline[:300],
        "primary_locality": primary,
        **_case_period(source),
    }
    case = case_create(user=user, fields=fields)
    earlier = list(
        Candidate.objects.filter(source=source, status=CandidateStatus.ACCEPTED, case__isnull=True).select_related(
            "organisation", "person", "metric", "theme"
        )
    )
    for candidate in earlier:
        if candidate.metric_id and candidate.metric.case_id is None:
            candidate.metric.case = case
            candidate.metric.save()
    case_attach(
        case=case,
        user=user,
        sources=[source],
        localities=others,
        organisations=[c.organisation for c in earlier if c.organisation_id],
        people=[c.person for c in earlier if c.person_id and not _is_byline(c)],
        themes=[c.theme for c in earlier if c.theme_id],
    )
    Candidate.objects.filter(pk__in=[c.pk for c in earlier]).update(case=case)
    lead = lead_span(source.text)
    if lead is not None:
        # Publishing needs a quote supporting the case itself: the lead, which the editor may replace.
        evidence = Evidence(
            source=source,
            start=lead[0],
            end=lead[1],
            quote=source.text[lead[0] : lead[1]],
            claim="导语 lead",
            case=case,
        )
        evidence.full_clean()
        evidence.save()
    return Case.objects.get(pk=case.pk)
