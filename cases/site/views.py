"""The public pages. Each reads its data through the research API's views (``cases.site.api``) or
the published-only querysets (``cases.models.visibility``); nothing here decides visibility.

A list page takes exactly its API resource's parameters: ``/cases/?region=51&q=物业`` is
``/api/v1/cases/?region=51&q=物业`` as a page, and both answer a bad parameter with the same message.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cases.api.filters import CaseFilter
from cases.api.stats import StatsView
from cases.models import Case, Evidence, Initiative, Level, Locality, Metric, Organisation, Source
from cases.search.registry import TYPES
from cases.site import api, charts, citing, releases
from cases.site.conditional import site_page
from cases.site.places import child_counts, country, place_key, public_place, region_param

PAGE_PARAMETERS = ("page", "page_size", "cursor")
SEARCH_DETAIL_ROUTES = {object_type: entry.site_route for object_type, entry in TYPES.items()}


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, f"site/{template}", context, status=status)


def _error(request: HttpRequest, result: api.ApiResult, title: str) -> HttpResponse:
    return _render(request, "error.html", {"title": title, "message": result.message()}, status=result.status)


def _with(params: QueryDict, **changes: str | None) -> str:
    """The query string of ``params`` with ``changes`` (None removes a parameter) and paging reset."""
    query = params.copy()
    for name in PAGE_PARAMETERS:
        query.pop(name, None)
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def _paging(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Previous/next links of an API page, as links to this page."""

    def local(url: str | None) -> str | None:
        if not url:
            return None
        return "?" + url.split("?", 1)[1] if "?" in url else request.path

    return {"previous": local(data.get("previous")), "next": local(data.get("next"))}


def _format_redirect(request: HttpRequest) -> HttpResponse | None:
    # ?format=csv on a page means the data: the API answers it.
    if "format" in request.GET:
        return HttpResponseRedirect(api.api_url(request.path, request.GET))
    return None


def _latest_cases(request: HttpRequest, **params) -> list[dict[str, Any]]:
    result = api.call(request, "/cases/", {"ordering": "-published_at", "page_size": 10, **params})
    return result.data.get("results", []) if result.ok else []


@require_safe
@site_page
def home(request: HttpRequest) -> HttpResponse:
    root = country()
    provinces = child_counts(root) if root is not None else []
    published = Case.objects.published()
    counts = {
        "cases": published.count(),
        "organisations": Organisation.objects.public().count(),
        "initiatives": Initiative.objects.public().count(),
        "sources": Source.objects.public().count(),
        "metrics": Metric.objects.public().count(),
    }
    return _render(
        request,
        "home.html",
        {
            "provinces": provinces,
            "themes": [theme for theme in StatsView.by_theme(published.values("pk")) if theme["count"]],
            "latest": _latest_cases(request),
            "counts": counts,
            "release": releases.latest(),
        },
    )


def _without(params: QueryDict, name: str):
    """The published cases the list's other filters match: a facet link replaces ``name``'s value."""
    query = params.copy()
    query.pop(name, None)
    return CaseFilter(query, queryset=Case.objects.published()).qs


def _case_facets(request: HttpRequest) -> dict[str, Any]:
    """Facets of a case list: region (one level below the region asked, or provinces) and theme.

    Without ``q`` they count the list's own filtered cases; with ``q`` the search's
    facets over the matching cases (narrowed by region and theme only, as ``/search/`` is).
    """
    params = request.GET
    if params.get("q"):
        wanted = {"q": params["q"], "type": "case"}
        for name in ("region", "theme"):
            if params.get(name):
                wanted[name] = params[name]
        found = api.call(request, "/search/", wanted)
        if not found.ok:
            return {}
        facets = found.data["facets"]
        regions = facets["prefecture"] if params.get("region") else facets["province"]
        return {
            "regions": [{"code": r["value"], "label": r["label"], "count": r["count"]} for r in regions],
            "themes": [{"code": t["value"], "label": t["label"], "count": t["count"]} for t in facets["theme"]],
            "cover": found.data["facets_cover"],
        }
    # The list's own filters (the API's FilterSet), grouped as /api/v1/stats/ groups them.
    filterset = CaseFilter(params, queryset=Case.objects.published())
    if not filterset.is_valid():
        return {}
    cases = filterset.qs
    # Counted as the list counts (primary or further place beneath): a facet's count is the
    # length of the list it links to.
    place = filterset.form.cleaned_data.get("region") or country()
    regions = [
        {"code": region_param(child.place), "label": child.place.full_name, "count": child.count}
        for child in (child_counts(place, cases) if place is not None else [])
    ]
    return {
        "regions": regions,
        "themes": [
            {"code": t["code"], "label": f"{t['name_zh']} {t['name_en']}", "count": t["count"]}
            for t in StatsView.by_theme(_without(params, "theme").values("pk"))
        ],
        "cover": None,
    }


@require_safe
@site_page
def case_list(request: HttpRequest) -> HttpResponse:
    if redirect := _format_redirect(request):
        return redirect
    result = api.call(request, "/cases/")
    if not result.ok:
        return _error(request, result, _("Cases"))
    facets = _case_facets(request)
    return _render(
        request,
        "case_list.html",
        {
            "data": result.data,
            "paging": _paging(request, result.data),
            "facets": facets,
            "region_links": [(f, _with(request.GET, region=f["code"])) for f in facets.get("regions", [])],
            "theme_links": [(f, _with(request.GET, theme=f["code"])) for f in facets.get("themes", [])],
            "q": request.GET.get("q", ""),
            "filters": [
                (name, value, _with(request.GET, **{name: None}))
                for name, value in request.GET.items()
                if name not in PAGE_PARAMETERS
            ],
            "json_url": api.api_url("/cases/", request.GET),
            "csv_url": api.api_url("/cases/", _csv(request.GET)),
        },
    )


def _csv(params: QueryDict) -> QueryDict:
    query = params.copy()
    for name in PAGE_PARAMETERS:
        query.pop(name, None)
    query["format"] = "csv"
    return query


@require_safe
@site_page
def search(request: HttpRequest) -> HttpResponse:
    if redirect := _format_redirect(request):
        return redirect
    result = api.call(request, "/search/")
    if not result.ok:
        return _error(request, result, _("Search"))
    data = result.data
    for row in data["results"]:
        route = SEARCH_DETAIL_ROUTES.get(row["type"])
        row["page"] = reverse(route, args=[row["id"]]) if route and row["id"] is not None else None
    facets = data["facets"]
    q = request.GET.get("q", "")
    return _render(
        request,
        "search.html",
        {
            "data": data,
            "q": q,
            "paging": _paging(request, data),
            "type_links": [(f, _with(request.GET, type=f["value"])) for f in facets["type"]],
            "region_links": [
                (f, _with(request.GET, region=f["value"]))
                for f in facets["prefecture" if request.GET.get("region") else "province"]
            ],
            "theme_links": [(f, _with(request.GET, theme=f["value"])) for f in facets["theme"]],
            "filters": [
                (name, value, _with(request.GET, **{name: None}))
                for name, value in request.GET.items()
                if name not in (*PAGE_PARAMETERS, "q")
            ],
            "json_url": api.api_url("/search/", request.GET),
            "csv_url": api.api_url("/cases/", _csv(QueryDict(mutable=True) | {"q": q})) if q.strip() else None,
        },
    )


def _public_sources(ids: set[int]):
    if not ids:
        return Source.objects.none()
    return Source.objects.public().filter(pk__in=ids).prefetch_related("credits__person", "credits__organisation")


def _metric_evidence(metrics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The quotes behind the case's (public) metrics, from public sources, shaped as the case's evidence."""
    labels = {m["id"]: f"{m['indicator_name_zh']} {m['value']}{m['unit'] or ''}" for m in metrics}
    if not labels:
        return []
    rows = (
        Evidence.objects.filter(metric_id__in=list(labels), source__in=Source.objects.public())
        .select_related("source")
        .order_by("source", "start")
    )
    return [
        {
            "quote": row.quote,
            "claim": row.claim or labels[row.metric_id],
            "start": row.start,
            "end": row.end,
            "source": {"id": row.source_id, "outlet": row.source.outlet, "headline": row.source.headline},
        }
        for row in rows
    ]


def _evidence_in_context(
    evidence: list[dict[str, Any]], texts: dict[int, str], width: int = 60
) -> list[dict[str, Any]]:
    rows = []
    for item in evidence:
        text = texts.get(item["source"]["id"], "")
        start, end = item["start"], item["end"]
        if text[start:end] != item["quote"]:
            before, after = "", ""
        else:
            before = ("…" if start > width else "") + text[max(0, start - width) : start]
            after = text[end : end + width] + ("…" if end + width < len(text) else "")
        rows.append({**item, "before": before, "after": after})
    return rows


@require_safe
@site_page
def case_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    if redirect := _format_redirect(request):
        return redirect
    result = api.call(request, f"/cases/{public_id}/", {})
    if not result.ok:
        return _error(request, result, _("Case"))
    data = result.data
    case = Case.objects.published().select_related("primary_locality").get(public_id=data["public_id"])
    evidence = data["evidence"] + _metric_evidence(data["metrics"])
    cited = {source["id"] for source in data["sources"]} | {item["source"]["id"] for item in evidence}
    sources = list(_public_sources(cited))
    texts = {source.pk: source.text for source in sources}
    source_citations = citing.source_citations(sources)
    for source in data["sources"]:
        source["citations"] = source_citations.get(source["id"], [])
    place = case.primary_locality
    return _render(
        request,
        "case.html",
        {
            "case": data,
            "place_path": [(p, place_key(p)) for p in [*place.ancestors(), place] if p.level != Level.COUNTRY],
            "further_places": [
                (p, place_key(p))
                for p in Locality.objects.public()
                .filter(pk__in=[loc["id"] for loc in data["localities"]])
                .order_by("path")
            ],
            "evidence": _evidence_in_context(evidence, texts),
            "citations": citing.case_citations(case, url=request.build_absolute_uri(request.path)),
            "json_url": api.api_url(f"/cases/{public_id}/"),
            "csv_url": api.api_url(f"/cases/{public_id}/", {"format": "csv"}),
            "metrics_csv_url": api.api_url("/metrics/", {"case": public_id, "format": "csv"}),
        },
    )


@require_safe
@site_page
def place_detail(request: HttpRequest, key: str) -> HttpResponse:
    place = public_place(key)
    region = region_param(place)
    children = child_counts(place)
    params = request.GET.copy()
    params["region"] = region
    cases = api.call(request, "/cases/", params)
    if not cases.ok:
        return _error(request, cases, place.full_name or place.name)
    organisations = api.call(request, "/organisations/", {"region": region, "page_size": 20})
    metrics = api.call(request, "/metrics/", {"region": region, "page_size": 20})
    return _render(
        request,
        "place.html",
        {
            "place": place,
            "place_path": [(p, place_key(p)) for p in place.ancestors() if p.level != Level.COUNTRY],
            "children": children,
            "total": cases.data["count"],
            "cases": cases.data,
            "paging": _paging(request, cases.data),
            "organisations": organisations.data if organisations.ok else None,
            "metrics": metrics.data if metrics.ok else None,
            "region": region,
            "json_url": api.api_url("/cases/", {"region": region}),
            "csv_url": api.api_url("/cases/", {"region": region, "format": "csv"}),
            "metrics_csv_url": api.api_url("/metrics/", {"region": region, "format": "csv"}),
        },
    )


def _id_or_404(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise Http404("no such record")
    return int(value)


@require_safe
@site_page
def organisation_detail(request: HttpRequest, pk: str) -> HttpResponse:
    result = api.call(request, f"/organisations/{_id_or_404(pk)}/", {})
    if not result.ok:
        return _error(request, result, _("Organisation"))
    data = result.data
    metrics = api.call(request, "/metrics/", {"organisation": data["id"], "page_size": 20})
    place = Locality.objects.public().filter(pk=(data.get("locality") or {}).get("id")).first()
    return _render(
        request,
        "organisation.html",
        {
            "organisation": data,
            "place": place,
            "place_key": place_key(place) if place else None,
            "metrics": metrics.data if metrics.ok else None,
            "json_url": api.api_url(f"/organisations/{data['id']}/"),
        },
    )


@require_safe
@site_page
def initiative_detail(request: HttpRequest, pk: str) -> HttpResponse:
    result = api.call(request, f"/initiatives/{_id_or_404(pk)}/", {})
    if not result.ok:
        return _error(request, result, _("Initiative"))
    return _render(
        request,
        "initiative.html",
        {"initiative": result.data, "json_url": api.api_url(f"/initiatives/{result.data['id']}/")},
    )


@require_safe
@site_page
def source_detail(request: HttpRequest, pk: str) -> HttpResponse:
    result = api.call(request, f"/sources/{_id_or_404(pk)}/", {})
    if not result.ok:
        return _error(request, result, _("Source"))
    source = _public_sources({result.data["id"]}).get()
    return _render(
        request,
        "source.html",
        {
            "source": result.data,
            "citations": citing.source_citations([source])[source.pk],
            "json_url": api.api_url(f"/sources/{result.data['id']}/"),
            "metrics_csv_url": api.api_url("/metrics/", {"source": result.data["id"], "format": "csv"}),
        },
    )


@require_safe
@site_page
def statistics(request: HttpRequest) -> HttpResponse:
    if redirect := _format_redirect(request):
        return redirect
    result = api.call(request, "/stats/")
    if not result.ok:
        return _error(request, result, _("Statistics"))
    data = result.data
    regions = [r for r in data["cases"]["by_region"] if r["code"]]
    years = [y for y in data["cases"]["by_year"] if y["year"] is not None]
    indicators = data["metrics"]["by_indicator"]
    return _render(
        request,
        "statistics.html",
        {
            "data": data,
            "regions_chart": charts.bars([(r["full_name"] or r["code"], r["count"]) for r in regions]),
            "years_chart": charts.columns([(str(y["year"]), y["count"]) for y in years]),
            "indicators_chart": charts.bars([(i["indicator"], i["count"]) for i in indicators]),
            "json_url": api.api_url("/stats/", request.GET),
        },
    )


@require_safe
@site_page
def release_list(request: HttpRequest) -> HttpResponse:
    return _render(request, "releases.html", {"releases": releases.all_releases()})


@require_safe
def release_download(request: HttpRequest, version: str, filename: str) -> FileResponse:
    release = releases.find(version)
    if release is None or filename not in {release.filename, f"{release.filename}.sha256"}:
        raise Http404("no such release file")
    path = release.path.with_name(filename)
    content_type = "application/zip" if filename.endswith(".zip") else "text/plain; charset=utf-8"
    return FileResponse(path.open("rb"), as_attachment=True, filename=filename, content_type=content_type)


def set_language(request: HttpRequest, code: str) -> HttpResponse:
    """Remember the reader's language (a cookie) and go back to the page they were on."""
    from django.conf import settings

    if code not in dict(settings.LANGUAGES):
        raise Http404("no such language")
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite="Lax")
    return response
