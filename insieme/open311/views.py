"""Open311 GeoReport v2 endpoints under /open311/v2/.

Every view answers in the format its path suffix names, errors included (the spec's `errors`
list, never an HTML page): 404 for an unknown jurisdiction, service, request or token, 403 for a
missing, wrong, revoked or out-of-scope api_key, 400 for anything else invalid. Filing goes
through insieme.cases.filing.actions.submit_case, like every other channel.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import secrets

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    ValidationError,
)
from django.core.validators import URLValidator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from insieme.cases import lifecycle
from insieme.cases.filing import actions as filing_actions
from insieme.cases.models import Case
from insieme.catalog import i18n
from insieme.catalog.models import Datatype, ServiceType
from insieme.core.actions import authenticate_api_key
from insieme.core.models import Administration
from insieme.core.safe_input import control_message, find_control
from insieme.core.tasks import enqueue
from insieme.core.throttle import Rate, SlidingWindow, client_address
from insieme.core.uploads import clean_uploads
from insieme.open311 import formats, queries
from insieme.open311.errors import Forbidden, NotFound, Open311Error, validation_messages
from insieme.open311.models import RequestToken
from insieme.open311.parsing import (
    attribute_values,
    parse_bool,
    parse_datetime,
    parse_float,
    parse_int,
    parse_list,
)

logger = logging.getLogger(__name__)

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-28T00:00:00+00:00"  # when this endpoint's behaviour last changed
WRITE_SCOPE = "open311:write"
MAX_DESCRIPTION = lifecycle.MAX_DESCRIPTION
STATUSES = {"open", "closed"}


# --- plumbing ----------------------------------------------------------------------------------


def open311(*methods: str):
    """Wrap a view taking (request, fmt, ...): check the format and the method, and turn every
    expected failure into the spec's error response in that format."""

    def decorate(view):
        @csrf_exempt  # authenticated by api_key, never by a cookie
        @functools.wraps(view)
        def wrapper(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
            fmt = fmt.lower()
            if not formats.is_format(fmt):
                return formats.error_response(
                    formats.JSON, 400, [_("Unknown format: use .json or .xml.")]
                )
            if request.method not in methods:
                return formats.error_response(
                    fmt, 400, [_("Method %(m)s is not allowed here.") % {"m": request.method}]
                )
            try:
                _refuse_control_characters(request)
                wait = _over_limit(request)
                if wait:
                    response = formats.error_response(
                        fmt,
                        429,
                        [_("Too many requests: try again in %(s)d seconds.") % {"s": wait}],
                    )
                    response["Retry-After"] = str(wait)
                    return response
                with translation.override(_locale(request)):
                    return view(request, fmt, **kwargs)
            except Open311Error as exc:
                return formats.error_response(fmt, exc.status, exc.descriptions)
            except Http404:
                return formats.error_response(fmt, 404, [_("Not found.")])
            except PermissionDenied:
                return formats.error_response(fmt, 403, [_("Not allowed.")])
            except ValidationError as exc:
                return formats.error_response(fmt, 400, validation_messages(exc))
            except RequestDataTooBig:
                return formats.error_response(fmt, 413, [_("The request is too large.")])
            except (MultiPartParserError, TooManyFieldsSent, SuspiciousOperation, UnicodeError):
                return formats.error_response(fmt, 400, [_("The request body cannot be read.")])

        return wrapper

    return decorate


def _over_limit(request: HttpRequest) -> int:
    """Count this request; the seconds to wait when its caller is over the limit, else 0.

    Requests with a valid api_key count per key (OPEN311_RATE_KEY), all others per address
    (OPEN311_RATE_ADDRESS), in the store every web process shares. A made-up key counts per
    address, so inventing keys gains nothing."""
    raw = _param(request, "api_key").strip()
    key = authenticate_api_key(raw) if raw else None
    if key is not None:
        window, ident, rate = "open311-key", str(key.pk), settings.OPEN311_RATE_KEY
    else:
        window, ident, rate = (
            "open311-address",
            client_address(request),
            settings.OPEN311_RATE_ADDRESS,
        )
    decision = SlidingWindow(window).acquire(ident, Rate.parse(rate))
    return 0 if decision.allowed else decision.retry_after


def _locale(request: HttpRequest) -> str:
    """The language of names and descriptions: the `locale` parameter ("en", "it_IT", "it-IT"),
    else the request's language (Accept-Language). Open311Error for a language not offered."""
    asked = request.GET.get("locale", "").strip()
    if not asked:
        return translation.get_language()
    code = asked.replace("_", "-").lower().split("-")[0]
    if code not in i18n.languages():
        raise Open311Error(
            _("Unknown locale %(l)s: use one of %(all)s.")
            % {"l": asked[:20], "all": ", ".join(i18n.languages())}
        )
    return code


# Parameters whose text may run over several lines (tabs and line breaks allowed).
MULTILINE_PARAMS = {"description"}


def _refuse_control_characters(request: HttpRequest) -> None:
    """Open311Error naming the first parameter of the body that holds a control character (the
    query string is checked for every request by insieme.core.safe_input)."""
    if request.method != "POST":
        return
    for name, values in request.POST.lists():
        multiline = name in MULTILINE_PARAMS or name.startswith("attribute[")
        for value in [name, *values]:
            char = find_control(value, multiline=multiline and value is not name)
            if char is not None:
                raise Open311Error(f"{name[:60]}: {control_message(char)}")


def _param(request: HttpRequest, name: str) -> str:
    """A parameter from the body (POST) or, failing that, the query string."""
    if request.method == "POST" and name in request.POST:
        return request.POST.get(name, "")
    return request.GET.get(name, "")


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


# --- discovery and services --------------------------------------------------------------------


@open311("GET", "HEAD")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311_root"))
    payload = {
        "changeset": CHANGESET,
        "contact": _(
            "Each administration answers for its own service requests; ask it through its "
            "public catalogue of services."
        ),
        "key_service": _(
            "API keys are issued by an administration's staff (Staff → API keys) with the "
            "scope open311:write; reading needs no key."
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return formats.render(fmt, payload, root="discovery")


@open311("GET", "HEAD")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    admin = queries.get_jurisdiction(request.GET.get("jurisdiction_id"))
    payload = [queries.service_dict(s) for s in queries.listed_services(admin)]
    return formats.render(fmt, payload, root="services")


@open311("GET", "HEAD")
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    admin = queries.get_jurisdiction(request.GET.get("jurisdiction_id"))
    service = queries.get_service(admin, code)
    return formats.render(fmt, queries.service_definition(service), root="service_definition")


# --- reading requests --------------------------------------------------------------------------


def parse_request_filter(params, slug: str, tz) -> queries.RequestFilter:
    """The filters of `GET requests` from the query string (naive datetimes in `tz`);
    Open311Error on a bad value."""

    def moment(name):
        value = params.get(name, "").strip()
        # Compared in UTC: PostgreSQL refuses the offsets past ±15:59 that ISO text may carry.
        return parse_datetime(value, name, tz).astimezone(dt.UTC) if value else None

    flt = queries.RequestFilter(jurisdiction=slug)
    flt.ids = parse_list(params.get("service_request_id", ""), "service_request_id")
    flt.service_codes = parse_list(params.get("service_code", ""), "service_code")
    flt.start, flt.end = moment("start_date"), moment("end_date")
    if flt.start and flt.end and flt.start > flt.end:
        raise Open311Error(_("start_date must not be after end_date."))
    flt.updated_after, flt.updated_before = moment("updated_after"), moment("updated_before")
    statuses = {s.lower() for s in parse_list(params.get("status", ""), "status")}
    if statuses - STATUSES:
        raise Open311Error(_("status must be open, closed, or both separated by a comma."))
    flt.statuses = statuses
    if params.get("page", "").strip():
        flt.page = parse_int(params["page"], "page", 1, 1_000_000)
    if params.get("page_size", "").strip():
        flt.page_size = parse_int(params["page_size"], "page_size", 1, queries.MAX_PAGE_SIZE)
    return flt


DATE_PARAMS = ("start_date", "end_date", "updated_after", "updated_before")


def _list_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    slug = params.get("jurisdiction_id", "").strip()
    # With a slug the page's query joins the administration, so it is loaded only when needed:
    # for the time zone of naive dates, and to tell an empty page from an unknown jurisdiction.
    # The common read is then two queries: the page, and its services' names.
    admin = None
    if not slug or any(params.get(n, "").strip() for n in DATE_PARAMS):
        admin = queries.get_jurisdiction(slug)
        slug = admin.slug
    tz = queries.zone(admin.timezone if admin else settings.TIME_ZONE)
    flt = parse_request_filter(params, slug, tz)
    if flt.service_codes and not flt.ids:
        _check_service_codes(slug, flt.service_codes)
    rows = queries.request_rows(flt, timezone.now())
    if not rows and admin is None:
        queries.get_jurisdiction(slug)  # 404 when it does not exist
    return _render_requests(request, fmt, rows, parse_bool(params.get("extensions")))


def _check_service_codes(slug: str, codes: list[str]) -> None:
    admin = queries.get_jurisdiction(slug)
    known = set(queries.published_services(admin).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise NotFound(_("service_code %(code)s was not found.") % {"code": ", ".join(unknown)})


def _render_requests(request, fmt: str, rows: list[dict], extensions: bool) -> HttpResponse:
    renderer = queries.RequestRenderer(_base_url(request), rows)
    payload = [renderer.request(row) for row in rows]
    if extensions and rows:
        extended = queries.extended_attributes(rows)
        for row, item in zip(rows, payload, strict=True):
            item["extended_attributes"] = extended.get(row["id"], {})
    return formats.render(fmt, payload, root="service_requests")


@open311("GET", "HEAD")
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    admin = queries.get_jurisdiction(request.GET.get("jurisdiction_id"))
    flt = queries.RequestFilter(jurisdiction=admin.slug, ids=[request_id], page_size=1)
    rows = queries.request_rows(flt, timezone.now())
    if not rows:
        raise NotFound(_("service_request_id %(id)s was not found.") % {"id": request_id})
    return _render_requests(request, fmt, rows, parse_bool(request.GET.get("extensions")))


# --- filing requests ---------------------------------------------------------------------------


@open311("GET", "HEAD", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create_request(request, fmt)
    return _list_requests(request, fmt)


def _authenticate(request: HttpRequest):
    raw = _param(request, "api_key").strip()
    if not raw:
        raise Forbidden(_("api_key is required to submit a request."))
    key = authenticate_api_key(raw)
    if key is None:
        raise Forbidden(_("api_key is not valid or has been revoked."))
    if WRITE_SCOPE not in (key.scopes or []):
        raise Forbidden(_("This api_key may not submit requests (scope open311:write)."))
    return key


def _create_request(request: HttpRequest, fmt: str) -> HttpResponse:
    slug = _param(request, "jurisdiction_id").strip()
    admin = queries.get_jurisdiction(slug) if slug else None
    key = _authenticate(request)
    if admin is None:
        # Without jurisdiction_id the key's own administration is the only one it may file in.
        admin = key.administration
    if key.administration_id != admin.pk:
        raise Forbidden(_("This api_key belongs to another jurisdiction."))
    code = _param(request, "service_code").strip()
    if not code:
        raise Open311Error(_("service_code is required."))
    service = queries.get_service(admin, code)
    if not service.anonymous_allowed:
        raise Open311Error(
            _("This service needs a signed-in citizen: file it on the web site instead.")
        )
    filing = filing_arguments(request, service)
    if service.service_type == ServiceType.BATCH:
        token = _accept_batch(service, key, filing, request.FILES.get("media"))
        payload = [{"token": token.token, "service_notice": None, "account_id": None}]
        return formats.render(fmt, payload, root="service_requests")
    case, _created = filing_actions.submit_case(
        None,
        filing_actions.Filing(
            service,
            channel="api",
            attachments=request.FILES.getlist("media"),
            idempotency_key=_idempotency_key(request, key),
            via=key,
            **filing,
        ),
    )
    payload = [
        {
            "service_request_id": case.reference,
            "service_notice": _service_notice(request, admin, case),
            "account_id": None,
        }
    ]
    return formats.render(fmt, payload, root="service_requests")


def _service_notice(request: HttpRequest, admin: Administration, case: Case) -> str:
    url = request.build_absolute_uri(reverse("case_public", args=[admin.slug, case.reference]))
    return _("Request %(ref)s received; follow it at %(url)s") % {
        "ref": case.reference,
        "url": url,
    }


def _idempotency_key(request: HttpRequest, key) -> str:
    """The client's Idempotency-Key, scoped to its api_key so no other client can reach it."""
    value = request.headers.get("Idempotency-Key", "").strip()
    return f"open311:{key.prefix}:{value}"[:80] if value else ""


def filing_arguments(request: HttpRequest, service) -> dict:
    """submit_case's keyword arguments from an Open311 POST (body, else query string)."""
    lat, lon = _location(request)
    address = _param(request, "address_string").strip() or _param(request, "address_id").strip()
    description = _param(request, "description")
    media_url = _param(request, "media_url").strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError as exc:
            raise Open311Error(_("media_url must be an http or https address.")) from exc
        # Kept where staff read it; there is no other place for a link to outside media.
        description = f"{description.strip()}\n\n{media_url}".strip()
    if len(description.replace("\r\n", "\n").strip()) > MAX_DESCRIPTION:
        raise Open311Error(
            _("description must be at most %(n)d characters.") % {"n": MAX_DESCRIPTION}
        )
    name = " ".join(
        p
        for p in (_param(request, "first_name").strip(), _param(request, "last_name").strip())
        if p
    )
    return {
        "answers": _answers(request, service),
        "description": description,
        "lat": lat,
        "lon": lon,
        "address": address,
        "contact_name": name,
        "contact_email": _param(request, "email").strip(),
        "contact_phone": _param(request, "phone").strip(),
        "language": _language(request, service.administration),
    }


def _location(request: HttpRequest) -> tuple[float | None, float | None]:
    raw_lat = _param(request, "lat").strip()
    raw_lon = (_param(request, "long") or _param(request, "lon")).strip()
    if not raw_lat and not raw_lon:
        return None, None
    if not raw_lat or not raw_lon:
        raise Open311Error(_("Give both lat and long, or neither."))
    return parse_float(raw_lat, "lat", -90, 90), parse_float(raw_lon, "long", -180, 180)


def _all_params(request: HttpRequest) -> dict[str, list[str]]:
    merged = dict(request.GET.lists())
    merged.update(request.POST.lists())
    return merged


def _answers(request: HttpRequest, service) -> dict:
    """Answers by question code from `attribute[CODE]` / `attribute[CODE][]`, shaped as the
    service's form expects them; codes the form does not know are ignored."""
    given = attribute_values(_all_params(request).items())
    tz = queries.zone(service.administration.timezone)
    answers: dict = {}
    for attribute in service.attributes.all():
        values = given.get(attribute.code)
        if not values or not attribute.variable:
            continue
        name = f"attribute[{attribute.code}]"
        if attribute.datatype == Datatype.MULTIVALUELIST:
            answers[attribute.code] = values
        elif len(values) > 1:
            raise Open311Error(_("%(name)s takes one value.") % {"name": name})
        elif attribute.datatype == Datatype.DATETIME:
            answers[attribute.code] = parse_datetime(values[0], name, tz).isoformat()
        elif attribute.datatype == Datatype.NUMBER and "." not in values[0]:
            # A decimal comma whatever the request's language (the form reads it by locale).
            answers[attribute.code] = values[0].replace(",", ".", 1)
        else:
            answers[attribute.code] = values[0]
    return answers


def _language(request: HttpRequest, admin: Administration) -> str:
    """The language of the filer's e-mails: the one the client asked for, else the
    administration's."""
    if request.headers.get("Accept-Language"):
        return translation.get_language_from_request(request)
    return admin.locale


def _accept_batch(service, key, filing: dict, media) -> RequestToken:
    """Check what can be checked now, keep the request, and file it in the background."""
    filing_actions.validate_answers(service, filing["answers"])
    cleaned = clean_uploads([media]) if media else []
    with transaction.atomic():
        token = RequestToken.objects.create(
            token=secrets.token_hex(16),
            administration=service.administration,
            service=service,
            api_key=key,
            params=filing,
            created_at=timezone.now(),
        )
        if cleaned:
            token.media.save(cleaned[0].content.name, cleaned[0].content, save=True)
        from insieme.open311.tasks import file_batch_request

        enqueue(file_batch_request, token.pk)
    return token


# --- tokens ------------------------------------------------------------------------------------


@open311("GET", "HEAD")
def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    admin = queries.get_jurisdiction(request.GET.get("jurisdiction_id"))
    row = (
        RequestToken.objects.filter(token=token, administration=admin)
        .select_related("case")
        .first()
    )
    if row is None:
        raise NotFound(_("token %(token)s was not found.") % {"token": token})
    if row.errors:
        raise Open311Error(
            *[_("The request was not filed: %(why)s") % {"why": e} for e in row.errors]
        )
    reference = row.case.reference if row.case_id else None
    payload = [{"service_request_id": reference, "token": row.token}]
    return formats.render(fmt, payload, root="service_requests")


# --- anything else under the base --------------------------------------------------------------


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    fmt = path.rsplit(".", 1)[-1].lower() if "." in path else formats.JSON
    return formats.error_response(fmt, 404, [_("There is no such Open311 resource.")])


@csrf_exempt
def root(request: HttpRequest) -> HttpResponse:
    """The base URL itself: point at the discovery document."""
    return not_found(request, "")
