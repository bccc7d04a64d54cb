"""Citations of a source and of a case, in the styles researchers paste into papers.

One home for every citation the project prints (admin, API, public site):

- ``gbt7714``: GB/T 7714-2015, the Chinese standard. A newspaper article is ``[N]``, read online
  ``[N/OL]`` with its access date and URL; a case, an entry of this database, is ``[DB/OL]``.
- ``apa``: APA 7th edition, plain text (no italics).
- ``bibtex``: a biblatex-friendly BibTeX entry (``date``/``urldate`` plus ``year``/``month``).
- ``csl``: a CSL-JSON item (a dict), what Zotero, pandoc and citeproc read.

``source_citation(source, style)`` and ``case_citation(case, style)`` return a string, or a dict for
``csl``. Unknown dates are left out (GB/T, BibTeX, CSL) or ``n.d.`` (APA, which asks for it).
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Any

from django.conf import settings

from cases.models.dates import DatePrecision

if TYPE_CHECKING:
    from cases.models import Case, Source

CITATION_STYLES = ("gbt7714", "apa", "bibtex", "csl")
CITATION_STYLE_LABELS = {
    "gbt7714": "GB/T 7714-2015",
    "apa": "APA 7",
    "bibtex": "BibTeX",
    "csl": "CSL-JSON",
}

# The roles whose holders wrote the text; photographers and picture agencies are credited on the
# page but are not authors of the article.
AUTHOR_ROLES = ("reporter", "author")
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def database_title() -> str:
    return getattr(settings, "CITATION_DATABASE_TITLE", "中国社区治理案例库")


def site_url() -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/")


def case_url(case: Case) -> str:
    """The case's stable address: the API record, under SITE_URL when that is set."""
    return f"{site_url()}/api/v1/cases/{case.public_id}/"


# --- pieces ----------------------------------------------------------------------------------------


def source_authors(source: Source) -> list[str]:
    """Names of the people (or organisations) credited as writing the source, in byline order."""
    names = []
    for credit in source.credits.all():
        if credit.role not in AUTHOR_ROLES:
            continue
        holder = credit.person or credit.organisation
        name = holder.name if holder else credit.as_printed
        if name and name not in names:
            names.append(name)
    return names


def page_number(page: str) -> str:
    """版次 as a bare number where it is one (``第5版``, ``05`` → ``5``), else as written."""
    page = (page or "").strip()
    match = re.fullmatch(r"第?\s*0*(\d+)\s*版?", page)
    return match.group(1) if match else page


def _iso(value: datetime.date | None, precision: str) -> str:
    if value is None or precision == DatePrecision.UNKNOWN:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{value.year}"
    if precision == DatePrecision.MONTH:
        return f"{value.year}-{value.month:02d}"
    return value.isoformat()


def _date_parts(value: datetime.date | None, precision: str) -> list[int]:
    if value is None or precision == DatePrecision.UNKNOWN:
        return []
    parts = [value.year]
    if precision in (DatePrecision.MONTH, DatePrecision.DAY):
        parts.append(value.month)
    if precision == DatePrecision.DAY:
        parts.append(value.day)
    return parts


def _apa_date(value: datetime.date | None, precision: str) -> str:
    parts = _date_parts(value, precision)
    if not parts:
        return "n.d."
    text = str(parts[0])
    if len(parts) > 1:
        text += f", {MONTHS[parts[1] - 1]}"
    if len(parts) > 2:
        text += f" {parts[2]}"
    return text


def _gbt_authors(names: list[str]) -> str:
    # GB/T 7714-2015 §8.1.2: up to three names, then "等".
    return ", ".join(names[:3]) + (", 等" if len(names) > 3 else "")


def _apa_authors(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + ", & " + names[-1]


def _bibtex_escape(value: str) -> str:
    # Braces are left alone: names are wrapped in them on purpose (one literal name, not "Last, First").
    return re.sub(r"([\\&%$#_])", r"\\\1", value)


def _bibtex(kind: str, key: str, fields: list[tuple[str, str]]) -> str:
    lines = [f"@{kind}{{{key},"]
    lines += [f"  {name} = {{{_bibtex_escape(value)}}}," for name, value in fields if value]
    lines.append("}")
    return "\n".join(lines)


def _end(text: str) -> str:
    return text if text.endswith((".", "。", "?", "？", "!", "！")) else text + "."


def _check(style: str) -> None:
    if style not in CITATION_STYLES:
        raise ValueError(f"unknown citation style {style!r}; one of {', '.join(CITATION_STYLES)}")


# --- a source --------------------------------------------------------------------------------------


def source_citation(source: Source, style: str) -> str | dict[str, Any]:
    """The source (a newspaper piece, usually) cited in ``style``; ``csl`` gives a dict."""
    _check(style)
    authors = source_authors(source)
    title = source.headline + (f"——{source.subheadline}" if source.subheadline else "")
    date = _iso(source.publication_date, source.publication_precision)
    page = page_number(source.page)
    accessed = getattr(source, "accessed_date", None)
    url = source.url

    if style == "gbt7714":
        # 主要责任者. 题名[N/OL]. 报纸名, 出版日期(版次)[引用日期]. 获取和访问路径.
        kind = "N/OL" if url else "N"
        text = f"{_gbt_authors(authors)}. " if authors else ""
        text += f"{title}[{kind}]."
        where = ", ".join(part for part in (source.outlet, date) if part)
        if where:
            text += f" {where}"
            if page:
                text += f"({page})"
        elif page:
            text += f" ({page})"
        if url and accessed:
            text += f"[{accessed.isoformat()}]"
        text = _end(text)
        if url:
            text += f" {url}."
        return text

    if style == "apa":
        date_text = _apa_date(source.publication_date, source.publication_precision)
        lead = f"{_apa_authors(authors)}. ({date_text})." if authors else None
        parts = [lead, _end(title)] if lead else [_end(title), f"({date_text})."]
        if source.outlet:
            parts.append(_end(f"{source.outlet}" + (f", {page}" if page else "")))
        if url:
            parts.append(url)
        return " ".join(parts)

    if style == "bibtex":
        parts = _date_parts(source.publication_date, source.publication_precision)
        return _bibtex(
            "article",
            f"source{source.pk}",
            [
                ("author", " and ".join(f"{{{name}}}" for name in authors)),
                ("title", title),
                ("journaltitle", source.outlet),
                ("journal", source.outlet),
                ("date", date),
                ("year", str(parts[0]) if parts else ""),
                ("month", str(parts[1]) if len(parts) > 1 else ""),
                ("pages", page),
                ("url", url),
                ("urldate", accessed.isoformat() if url and accessed else ""),
                ("langid", "chinese"),
            ],
        )

    item: dict[str, Any] = {
        "id": f"source-{source.pk}",
        "type": "article-newspaper",
        "title": title,
        "language": "zh-CN",
    }
    if authors:
        item["author"] = [{"literal": name} for name in authors]
    if source.outlet:
        item["container-title"] = source.outlet
    parts = _date_parts(source.publication_date, source.publication_precision)
    if parts:
        item["issued"] = {"date-parts": [parts]}
    elif source.publication_text:
        item["issued"] = {"literal": source.publication_text}
    if page:
        item["page"] = page
    if url:
        item["URL"] = url
    if accessed:
        item["accessed"] = {"date-parts": [[accessed.year, accessed.month, accessed.day]]}
    return item


# --- a case ----------------------------------------------------------------------------------------


def case_citation(
    case: Case, style: str, *, url: str | None = None, accessed: datetime.date | None = None
) -> str | dict[str, Any]:
    """The case, an entry of this database, cited in ``style``; ``csl`` gives a dict.

    ``url`` defaults to the case's API record (``case_url``); ``accessed`` to today.
    """
    _check(style)
    url = case_url(case) if url is None else url
    accessed = accessed or datetime.date.today()
    database = database_title()
    title = case.title_zh or case.public_id
    updated = case.published_at or case.updated_at
    updated_date = updated.date() if updated else None

    if style == "gbt7714":
        # 题名[DB/OL]. 出版者, 出版年(更新日期)[引用日期]. 获取和访问路径.
        text = f"{database}. {title}[DB/OL]."
        if updated_date:
            text += f" ({updated_date.isoformat()})"
        text += f"[{accessed.isoformat()}]."
        if url:
            text += f" {url}."
        return text

    if style == "apa":
        year = str(updated_date.year) if updated_date else "n.d."
        text = f"{database}. ({year}). {_end(title)} [Data set entry {case.public_id}]."
        text += f" Retrieved {MONTHS[accessed.month - 1]} {accessed.day}, {accessed.year}"
        return text + (f", from {url}" if url else ".")

    if style == "bibtex":
        return _bibtex(
            "misc",
            case.public_id,
            [
                ("title", title),
                ("organization", database),
                ("howpublished", database),
                ("number", case.public_id),
                ("date", updated_date.isoformat() if updated_date else ""),
                ("year", str(updated_date.year) if updated_date else ""),
                ("url", url),
                ("urldate", accessed.isoformat()),
                ("langid", "chinese"),
            ],
        )

    item: dict[str, Any] = {
        "id": case.public_id,
        "type": "dataset",
        "title": title,
        "publisher": database,
        "number": case.public_id,
        "language": "zh-CN",
        "accessed": {"date-parts": [[accessed.year, accessed.month, accessed.day]]},
    }
    if updated_date:
        item["issued"] = {"date-parts": [[updated_date.year, updated_date.month, updated_date.day]]}
    if url:
        item["URL"] = url
    return item
