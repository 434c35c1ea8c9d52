"""Reads behind the Open311 endpoints: the jurisdiction, its services, and public cases as
Open311 service requests.

Only public cases appear, and only their public face, chosen as the public case page chooses it
(insieme.cases.citizen.views.case_public): reference, service, status, dates, address, a position
rounded as the page shows it, the public copies of the description, the address and the notes
(personal data masked when they were written, `insieme.cases.redact`), and the first public
photo. Never the submitter, the contact details or private answers.

`request_rows` is the one query of a page of `GET requests`; the benchmark's bare view runs the
same function, so the two differ only in what this module adds on top.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from insieme.cases.access import PUBLIC_TEXT_KINDS
from insieme.cases.models import OPEN_STATUSES, Attachment, Case, CaseEvent
from insieme.cases.redact import localise
from insieme.catalog import i18n
from insieme.catalog.models import LIST_DATATYPES, Attribute, Datatype, Service
from insieme.core.models import Administration
from insieme.open311.errors import NotFound, Open311Error
from insieme.open311.parsing import format_datetime

DEFAULT_WINDOW = dt.timedelta(days=90)
MAX_PAGE_SIZE = 1000  # the spec's "first 1000"
PUBLIC_POSITION_DECIMALS = 3  # as precise as the public case page and the map show it
NOTE_KINDS = (CaseEvent.Kind.STATUS, CaseEvent.Kind.PUBLIC_REPLY)
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
# Answers that can carry free text (and so personal data) never leave through Open311.
PUBLIC_ANSWER_DATATYPES = LIST_DATATYPES | {Datatype.NUMBER, Datatype.DATETIME}


@functools.lru_cache(maxsize=64)
def zone(name: str) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


# --- jurisdiction and services ----------------------------------------------------------------


def serving_administrations() -> QuerySet[Administration]:
    """Administrations with at least one published service: those Open311 serves."""
    return Administration.objects.filter(services__status=Service.Status.PUBLISHED).distinct()


def get_jurisdiction(slug: str | None) -> Administration:
    """The administration named by `jurisdiction_id`; without one, the only administration
    served, if there is just one."""
    slug = (slug or "").strip()
    if slug:
        admin = Administration.objects.filter(slug=slug).first()
        if admin is None:
            raise NotFound(_("jurisdiction_id %(id)s was not found.") % {"id": slug})
        return admin
    served = list(serving_administrations()[:2])
    if len(served) != 1:
        raise Open311Error(_("jurisdiction_id is required: give the administration's slug."))
    return served[0]


def published_services(admin: Administration) -> QuerySet[Service]:
    return Service.objects.filter(administration=admin, status=Service.Status.PUBLISHED)


def listed_services(admin: Administration) -> list[Service]:
    """The request types an Open311 client may file: published, offered on the API channel."""
    services = (
        published_services(admin)
        .annotate(n_attributes=Count("attributes"))
        .order_by("group", "name", "code")
    )
    # channels is a JSON list: filtered here, the same on SQLite and PostgreSQL.
    return [s for s in services if "api" in (s.channels or [])]


def get_service(admin: Administration, code: str) -> Service:
    service = (
        published_services(admin)
        .select_related("administration")
        .prefetch_related("attributes")
        .filter(code=code)
        .first()
    )
    if service is None:
        raise NotFound(_("service_code %(code)s was not found.") % {"code": code})
    return service


def service_dict(service: Service) -> dict:
    """A service in the active language (the `locale` parameter or Accept-Language), its
    source text where it has no translation."""
    texts = service.i18n
    return {
        "service_code": service.code,
        "service_name": str(texts.name),
        "description": str(texts.description) or None,
        "metadata": bool(getattr(service, "n_attributes", 0)),
        "type": service.service_type,
        "keywords": str(texts.keywords) or None,
        "group": str(texts.group) or None,
    }


def attribute_dict(attribute) -> dict:
    listed = attribute.datatype in LIST_DATATYPES
    texts = attribute.i18n
    return {
        "variable": attribute.variable,
        "code": attribute.code,
        "datatype": attribute.datatype,
        "required": attribute.required,
        "datatype_description": str(texts.help_text) or None,
        "order": attribute.order,
        "description": str(texts.label),
        "values": [{"key": o["key"], "name": str(o["name"])} for o in i18n.options(attribute)]
        if listed
        else [],
    }


def service_definition(service: Service) -> dict:
    attributes = sorted(service.attributes.all(), key=lambda a: (a.order, a.code))
    return {"service_code": service.code, "attributes": [attribute_dict(a) for a in attributes]}


# --- service requests -------------------------------------------------------------------------


@dataclass
class RequestFilter:
    """What a `GET requests` asks for, parsed (see views.parse_request_filter)."""

    jurisdiction: str
    ids: list[str] = field(default_factory=list)
    service_codes: list[str] = field(default_factory=list)
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    statuses: set[str] = field(default_factory=set)
    updated_after: dt.datetime | None = None
    updated_before: dt.datetime | None = None
    page: int = 1
    page_size: int = MAX_PAGE_SIZE


ROW_FIELDS = (
    "id",
    "reference",
    "status",
    "public_description",
    "public_address",
    "lat",
    "lon",
    "submitted_at",
    "updated_at",
    "resolve_due_at",
    "service_id",
    "service_code",
    "department_name",
    "admin_slug",
    "admin_name",
    "admin_brand",
    "admin_timezone",
    "status_notes",
    "media_id",
)


ATTRIBUTE_COLUMNS = (
    "service_id",
    "code",
    "datatype",
    "label",
    "values",
    "translations",
    "order",
    "variable",
)


def _latest_note():
    return Subquery(
        CaseEvent.objects.filter(case_id=OuterRef("pk"), is_public=True, kind__in=NOTE_KINDS)
        .exclude(public_text="")
        .order_by("-created_at", "-id")
        .values("public_text")[:1]
    )


def _first_public_image():
    return Subquery(
        Attachment.objects.filter(
            case_id=OuterRef("pk"), is_public=True, content_type__in=IMAGE_TYPES
        )
        .order_by("created_at", "id")
        .values("id")[:1]
    )


def _window(flt: RequestFilter, now: dt.datetime) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The requested_datetime range: the spec's 90 days by default, counted from whichever
    end was given. Filtering on updated_* alone drops the default, for clients that sync."""
    start, end = flt.start, flt.end
    if start is None and end is None:
        if flt.updated_after or flt.updated_before:
            return None, None
        return now - DEFAULT_WINDOW, None
    if start is None:
        start = end - DEFAULT_WINDOW
    return start, end


def request_queryset(flt: RequestFilter, now: dt.datetime) -> QuerySet:
    """Public cases of the jurisdiction matching `flt`, newest first, as value rows."""
    if flt.ids:
        # (administration, reference) is unique and indexed: a lookup whatever the size.
        qs = Case.objects.filter(administration__slug=flt.jurisdiction, reference__in=flt.ids)
    else:
        # The administration's cases newest first, read backwards along the index on
        # (administration, submitted_at): a page costs a walk of about its own length, whatever
        # the number of cases. (Hiding the administration from the planner, to make it walk the
        # index on submitted_at alone, made PostgreSQL scan and sort the whole table at a
        # million cases: 345 ms a page against 3.5 ms.)
        jurisdiction = Administration.objects.filter(slug=flt.jurisdiction).values("pk")[:1]
        qs = Case.objects.filter(administration_id=Subquery(jurisdiction))
        if flt.service_codes:
            qs = qs.filter(service__code__in=flt.service_codes)
        start, end = _window(flt, now)
        if start is not None:
            qs = qs.filter(submitted_at__gte=start)
        if end is not None:
            qs = qs.filter(submitted_at__lte=end)
        if flt.statuses == {"open"}:
            qs = qs.filter(status__in=sorted(OPEN_STATUSES))
        elif flt.statuses == {"closed"}:
            qs = qs.exclude(status__in=sorted(OPEN_STATUSES))
        if flt.updated_after is not None:
            qs = qs.filter(updated_at__gte=flt.updated_after)
        if flt.updated_before is not None:
            qs = qs.filter(updated_at__lte=flt.updated_before)
    return (
        qs.filter(is_public=True)
        .annotate(
            service_code=F("service__code"),
            department_name=F("department__name"),
            admin_slug=F("administration__slug"),
            admin_name=F("administration__name"),
            admin_brand=F("administration__brand_name"),
            admin_timezone=F("administration__timezone"),
            status_notes=_latest_note(),
            media_id=_first_public_image(),
        )
        .order_by("-submitted_at", "-id")
        .values(*ROW_FIELDS)
    )


def request_rows(flt: RequestFilter, now: dt.datetime) -> list[dict]:
    """One page of rows: the one query of `GET requests`."""
    offset = (flt.page - 1) * flt.page_size
    return list(request_queryset(flt, now)[offset : offset + flt.page_size])


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, PUBLIC_POSITION_DECIMALS)


class RequestRenderer:
    """Rows to Open311 request dicts. Built once per response: it keeps the URL prefix of the
    attachments and the time zones, so a page of rows costs no `reverse` and no zone lookup, and
    the names of the page's services in the active language, read in one query (a page of a
    thousand rows names a few dozen services: their translations are not decoded per row)."""

    def __init__(self, base_url: str, rows: list[dict]):
        # reverse() with placeholders once; each row fills them in.
        self._media = base_url + reverse("case_attachment", args=["SLUG", "REFERENCE", 0]).replace(
            "SLUG", "{slug}"
        ).replace("REFERENCE", "{reference}").replace("/0/", "/{pk}/")
        services = Service.objects.filter(pk__in={row["service_id"] for row in rows}).only(
            "name", "language", "translations"
        )
        self._service_names = {service.pk: str(service.i18n.name) for service in services}

    def media_url(self, row: dict) -> str | None:
        if row["media_id"] is None:
            return None
        return self._media.format(
            slug=row["admin_slug"], reference=row["reference"], pk=row["media_id"]
        )

    def request(self, row: dict) -> dict:
        tz = zone(row["admin_timezone"])
        return {
            "service_request_id": row["reference"],
            "status": "open" if row["status"] in OPEN_STATUSES else "closed",
            "status_notes": localise(row["status_notes"]) or None,
            "service_name": self._service_names.get(row["service_id"], ""),
            "service_code": row["service_code"],
            "description": localise(row["public_description"]) or None,
            "agency_responsible": row["department_name"] or row["admin_brand"] or row["admin_name"],
            "service_notice": None,
            "requested_datetime": format_datetime(row["submitted_at"], tz),
            "updated_datetime": format_datetime(row["updated_at"], tz),
            "expected_datetime": format_datetime(row["resolve_due_at"], tz),
            "address": localise(row["public_address"]) or None,
            "address_id": None,
            "zipcode": None,
            "lat": _rounded(row["lat"]),
            "long": _rounded(row["lon"]),
            "media_url": self.media_url(row),
        }


# --- extensions=true --------------------------------------------------------------------------


def extended_attributes(rows: list[dict]) -> dict[int, dict]:
    """{case id: extended_attributes} for a page: the channel, the answers that carry no free
    text, and the public notes. Two queries for the whole page."""
    ids = [row["id"] for row in rows]
    cases = Case.objects.filter(pk__in=ids).values("id", "channel", "answers", "service_id")
    service_ids = {c["service_id"] for c in cases}
    attributes: dict[int, list] = {}
    # With their service's language (in the same query): labels are given in the locale asked for.
    for attribute in (
        Attribute.objects.filter(service_id__in=service_ids)
        .select_related("service")
        .only("service__language", *ATTRIBUTE_COLUMNS)
        .order_by("order", "code")
    ):
        attributes.setdefault(attribute.service_id, []).append(attribute)
    notes: dict[int, list] = {i: [] for i in ids}
    events = (
        CaseEvent.objects.filter(case_id__in=ids, is_public=True)
        .exclude(
            kind__in=[
                CaseEvent.Kind.INTERNAL_NOTE,
                CaseEvent.Kind.INFO_PROVIDED,
                CaseEvent.Kind.RATED,
            ]
        )
        .order_by("created_at", "id")
        .values("case_id", "kind", "to_status", "public_text", "created_at")
    )
    tz_by_case = {row["id"]: zone(row["admin_timezone"]) for row in rows}
    for event in events:
        notes[event["case_id"]].append(_note(event, tz_by_case[event["case_id"]]))
    result = {}
    for case in cases:
        answers = case["answers"] or {}
        result[case["id"]] = {
            "channel": case["channel"],
            "attributes": [
                _answer(a, answers[a.code])
                for a in attributes.get(case["service_id"], [])
                if a.code in answers and a.datatype in PUBLIC_ANSWER_DATATYPES
            ],
            "notes": notes[case["id"]],
        }
    return result


def _answer(attribute, value) -> dict:
    answer = {"code": attribute.code, "description": str(attribute.i18n.label)}
    if attribute.datatype in LIST_DATATYPES:
        names = {o["key"]: str(o["name"]) for o in i18n.options(attribute)}
        keys = value if isinstance(value, list) else [value]
        answer["values"] = [{"key": str(k), "name": names.get(str(k), str(k))} for k in keys]
    else:
        answer["value"] = str(value)
    return answer


def _note(event: dict, tz: dt.tzinfo) -> dict:
    return {
        "datetime": format_datetime(event["created_at"], tz),
        "type": event["kind"],
        "status": event["to_status"] or None,
        "description": (localise(event["public_text"]) or None)
        if event["kind"] in PUBLIC_TEXT_KINDS
        else None,
    }
