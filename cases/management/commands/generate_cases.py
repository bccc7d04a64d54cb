"""``generate_cases --count N --seed S``: realistic synthetic cases for benchmarks and demos.

Each case sits in a real place drawn from the gazetteer (a township, sometimes a county or a new
community beneath a township), has themes from the vocabulary, one to three organisations with
roles, an initiative, metrics and a source, and Chinese titles and summaries built from templates.
Rows are written with ``bulk_create`` in batches, so no history records or search-index updates
are made (run ``reindex`` afterwards if search should see them). Public ids start with
``gen-<seed>-``; ``--clear`` removes an earlier run with the same seed first.
"""

from __future__ import annotations

import datetime
import random
import time
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from cases.models import (
    Case,
    CaseOrganisation,
    DatePrecision,
    Indicator,
    Initiative,
    InitiativeKind,
    InitiativeParticipant,
    Level,
    Locality,
    Metric,
    Organisation,
    OrganisationKind,
    PeriodKind,
    Qualifier,
    Source,
    SourceKind,
    Status,
    Theme,
)
from cases.models.places import PLACEHOLDER_NAMES
from cases.models.sources import content_hash

BATCH = 5000
ORG_TEMPLATES = [
    ("{place}党委", OrganisationKind.PARTY_COMMITTEE),
    ("{place}党支部", OrganisationKind.PARTY_BRANCH),
    ("{place}居民委员会", OrganisationKind.RESIDENTS_COMMITTEE),
    ("{place}村民委员会", OrganisationKind.VILLAGERS_COMMITTEE),
    ("{place}业主委员会", OrganisationKind.OWNERS_COMMITTEE),
    ("{surname}家物业服务有限公司", OrganisationKind.PROPERTY_FIRM),
    ("{place}社会工作服务中心", OrganisationKind.SOCIAL_ORGANISATION),
    ("{place}综合执法队", OrganisationKind.GOVERNMENT),
]
ROLES = ["牵头 lead", "成员 member", "合作 partner", "实施 implementer"]
INITIATIVES = [
    ("红色物业联盟", InitiativeKind.ALLIANCE),
    ("党建共同体", InitiativeKind.ALLIANCE),
    ("网格化服务机制", InitiativeKind.MECHANISM),
    ("居民议事会", InitiativeKind.MECHANISM),
    ("邻里互助项目", InitiativeKind.PROGRAMME),
    ("便民服务站", InitiativeKind.FACILITY),
    ("环境整治专项行动", InitiativeKind.CAMPAIGN),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
SUMMARY_SENTENCES = [
    "{place}以党建引领基层治理，推动{initiative}落地见效。",
    "近年来，{place}聚焦居民急难愁盼，整合辖区资源，{theme}工作取得明显成效。",
    "通过{initiative}，{org}与物业企业、业委会协同发力，化解矛盾纠纷{n}件。",
    "{place}建立健全议事协商机制，累计收集居民意见建议{n}条。",
    "截至目前，{place}已覆盖{n}个小区，服务居民群众{m}人次。",
]


def place_name(place: Locality) -> str:
    return place.name if place.name not in PLACEHOLDER_NAMES else place.full_name


class Command(BaseCommand):
    help = "Generate N realistic synthetic cases (with organisations, metrics, themes) for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, required=True, help="how many cases to make")
        parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same data)")
        parser.add_argument("--draft-share", type=float, default=0.1, help="share of cases left as drafts")
        parser.add_argument("--clear", action="store_true", help="delete cases an earlier run with this seed made")

    def handle(self, *args, count: int, seed: int, draft_share: float, clear: bool, **options) -> None:
        if count < 1:
            raise CommandError("--count must be at least 1")
        if not 0 <= draft_share <= 1:
            raise CommandError("--draft-share must be between 0 and 1")
        prefix = f"gen-{seed}-"
        started = time.perf_counter()
        with transaction.atomic():
            existing = Case.objects.filter(public_id__startswith=prefix)
            if existing.exists():
                if not clear:
                    raise CommandError(f"cases with ids {prefix}… exist; pass --clear or another --seed")
                self.clear(prefix)
            totals = self.generate(count=count, seed=seed, draft_share=draft_share, prefix=prefix)
        # Planner statistics for the new rows, as after any bulk load (load_seeds does the same).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        seconds = time.perf_counter() - started
        summary = ", ".join(f"{n:,} {name}" for name, n in totals.items())
        self.stdout.write(self.style.SUCCESS(f"Generated {summary} in {seconds:.1f} s."))

    def clear(self, prefix: str) -> None:
        cases = Case.objects.filter(public_id__startswith=prefix)
        org_ids = list(CaseOrganisation.objects.filter(case__in=cases).values_list("organisation_id", flat=True))
        initiative_ids = list(
            Case.initiatives.through.objects.filter(case__in=cases).values_list("initiative_id", flat=True)
        )
        source_ids = list(Case.sources.through.objects.filter(case__in=cases).values_list("source_id", flat=True))
        cases.delete()
        InitiativeParticipant.objects.filter(initiative_id__in=initiative_ids).delete()
        Initiative.objects.filter(pk__in=initiative_ids).delete()
        Organisation.objects.filter(pk__in=org_ids).delete()
        Source.objects.filter(pk__in=source_ids).delete()

    def generate(self, *, count: int, seed: int, draft_share: float, prefix: str) -> dict[str, int]:
        rng = random.Random(seed)
        townships = list(Locality.objects.filter(level=Level.TOWNSHIP).only("pk", "name", "path", "full_name"))
        counties = list(Locality.objects.filter(level=Level.COUNTY).only("pk", "name", "path", "full_name"))
        themes = list(Theme.objects.all())
        indicators = list(Indicator.objects.all())
        if not townships or not themes or not indicators:
            raise CommandError("load the gazetteer and vocabularies first: python manage.py load_seeds")
        now = timezone.now()
        totals = dict.fromkeys(["cases", "organisations", "initiatives", "sources", "metrics"], 0)
        for start in range(0, count, BATCH):
            size = min(BATCH, count - start)
            self.make_batch(rng, start, size, prefix, townships, counties, themes, indicators, draft_share, now, totals)
            self.stdout.write(f"  {start + size:,}/{count:,} cases")
        return totals

    def make_batch(self, rng, start, size, prefix, townships, counties, themes, indicators, draft_share, now, totals):
        places = [rng.choice(counties) if rng.random() < 0.15 else rng.choice(townships) for _ in range(size)]
        cases: list[Case] = []
        for offset, place in enumerate(places):
            theme_pick = rng.sample(themes, k=rng.randint(1, 3))
            year = rng.randint(2012, 2023)
            initiative_name, _ = rng.choice(INITIATIVES)
            published = rng.random() >= draft_share
            name = place_name(place)
            summary = "".join(
                sentence.format(
                    place=name,
                    initiative=initiative_name,
                    theme=theme_pick[0].name_zh,
                    org=f"{name}党委",
                    n=rng.randint(3, 200),
                    m=rng.randint(100, 50000),
                )
                for sentence in rng.sample(SUMMARY_SENTENCES, k=3)
            )
            case = Case(
                public_id=f"{prefix}{start + offset:07d}",
                title_zh=f"{place.full_name}：{initiative_name}助力{theme_pick[0].name_zh}",
                title_en=f"{theme_pick[0].name_en} in {place.full_name} (synthetic)",
                summary_zh=summary,
                status=Status.PUBLISHED if published else Status.DRAFT,
                published_at=now if published else None,
                primary_locality_id=place.pk,
                period_start_date=datetime.date(year, 1, 1),
                period_start_precision=DatePrecision.YEAR,
                period_text=f"{year}年以来",
            )
            case._themes = theme_pick  # carried to the link rows below
            cases.append(case)
        Case.objects.bulk_create(cases, batch_size=1000)
        # SQLite and PostgreSQL both return primary keys from bulk_create.
        theme_links = [
            Case.themes.through(case_id=case.pk, theme_id=theme.pk) for case in cases for theme in case._themes
        ]
        Case.themes.through.objects.bulk_create(theme_links, batch_size=5000)

        organisations: list[Organisation] = []
        owners: list[tuple[int, str]] = []
        for case, place in zip(cases, places, strict=True):
            for template, kind in rng.sample(ORG_TEMPLATES, k=rng.randint(1, 3)):
                name = template.format(place=place_name(place), surname=rng.choice(SURNAMES))
                organisations.append(Organisation(name=name, kind=kind, locality_id=place.pk))
                owners.append((case.pk, rng.choice(ROLES)))
        Organisation.objects.bulk_create(organisations, batch_size=5000)
        CaseOrganisation.objects.bulk_create(
            [
                CaseOrganisation(case_id=case_id, organisation_id=org.pk, role=role)
                for org, (case_id, role) in zip(organisations, owners, strict=True)
            ],
            batch_size=5000,
        )

        initiatives = []
        for place in places:
            name, kind = rng.choice(INITIATIVES)
            initiatives.append(Initiative(name=f"{place_name(place)}{name}", kind=kind))
        Initiative.objects.bulk_create(initiatives, batch_size=5000)
        Initiative.localities.through.objects.bulk_create(
            [
                Initiative.localities.through(initiative_id=i.pk, locality_id=p.pk)
                for i, p in zip(initiatives, places, strict=True)
            ],
            batch_size=5000,
        )
        Case.initiatives.through.objects.bulk_create(
            [
                Case.initiatives.through(case_id=c.pk, initiative_id=i.pk)
                for c, i in zip(cases, initiatives, strict=True)
            ],
            batch_size=5000,
        )
        first_org = {}
        for org, (case_id, _) in zip(organisations, owners, strict=True):
            first_org.setdefault(case_id, org.pk)
        InitiativeParticipant.objects.bulk_create(
            [
                InitiativeParticipant(initiative_id=i.pk, organisation_id=first_org[c.pk], role="lead")
                for c, i in zip(cases, initiatives, strict=True)
            ],
            batch_size=5000,
        )

        sources = []
        for case in cases:
            # The public id keeps every text, and so its content hash, unique.
            text = f"{case.title_zh}\n{case.summary_zh}\n（{case.public_id}）"
            sources.append(
                Source(
                    outlet=rng.choice(["人民日报", "光明日报", "经济日报", "法治日报"]),
                    headline=case.title_zh[:300],
                    kind=SourceKind.REPORT,
                    publication_date=case.period_start_date.replace(month=rng.randint(1, 12), day=rng.randint(1, 28)),
                    publication_precision=DatePrecision.DAY,
                    text=text,
                    # Source.save() computes the hash; bulk_create skips save().
                    content_hash=content_hash(text),
                )
            )
        Source.objects.bulk_create(sources, batch_size=2000)
        Case.sources.through.objects.bulk_create(
            [Case.sources.through(case_id=c.pk, source_id=s.pk) for c, s in zip(cases, sources, strict=True)],
            batch_size=5000,
        )

        metrics = []
        for case, place in zip(cases, places, strict=True):
            for indicator in rng.sample(indicators, k=rng.randint(0, 4)):
                value = Decimal(rng.randint(1, 500))
                ranged = rng.random() < 0.1
                metrics.append(
                    Metric(
                        indicator_id=indicator.pk,
                        value=value,
                        value_upper=value + rng.randint(1, 20) if ranged else None,
                        unit=indicator.unit,
                        qualifier=rng.choice(
                            [Qualifier.EXACT, Qualifier.EXACT, Qualifier.MORE_THAN, Qualifier.APPROXIMATELY]
                        ),
                        period_kind=PeriodKind.AS_OF,
                        period_start_date=case.period_start_date,
                        period_start_precision=DatePrecision.YEAR,
                        case_id=case.pk,
                        locality_id=place.pk if rng.random() < 0.3 else None,
                    )
                )
        Metric.objects.bulk_create(metrics, batch_size=5000)

        totals["cases"] += len(cases)
        totals["organisations"] += len(organisations)
        totals["initiatives"] += len(initiatives)
        totals["sources"] += len(sources)
        totals["metrics"] += len(metrics)
