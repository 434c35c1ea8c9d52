"""The CKAN Action API, read subset: /api/action/<name> and /api/3/action/<name> (DESIGN.md §4).

CKAN clients and harvesters (ckanapi, ckanext-harvest, dati.gov.it's portal) read the catalogue
with the actions a CKAN 2.10/2.11 site answers an anonymous caller: `status_show`,
`package_list`, `package_show`, `package_search`, `organization_list`, `organization_show`,
`resource_show` and `help_show`. They read `catalogue.entries()`, as the portal pages and the
DCAT-AP catalogue do, so the three never disagree on what is published, and they describe
administrations, datasets and files only: never a person.

How Insieme maps onto CKAN:

- a *package* is one published dataset of one administration, named "<slug>-<key>"
  (`Entry.name`), with a stable id (a UUID derived from the name);
- its *resources* are the files of its latest version, one per format; their URLs always
  download the latest version, so a resource keeps its id when a new version replaces its
  file, as a CKAN resource does when its upload is replaced;
- an *organization* is an administration (see `organization_list`).

Requests: GET with query parameters, or POST with a JSON object as body (no CSRF token: nothing
here writes). Parameters an action does not know are ignored. Answers use CKAN's envelope,
`{"help": ..., "success": true, "result": ...}`, and its error shapes and statuses: 404 "Not
Found Error", 409 "Validation Error" ({parameter: [messages]}), 403 "Authorization Error" (the
write actions), 400 "Search Query Error" / 409 "Search Error" (a `q`, `fq` or `sort` that
cannot be run); a request refused before any action runs (an unknown action, a body that is
not a JSON object) gets CKAN's bare JSON string, "Bad request - ...". Callers share the
anonymous REST API's rate limit per address (429).

Titles and descriptions are in the request's language (LocaleMiddleware: Accept-Language, the
language cookie), with both languages in `title_translated` / `notes_translated` as
ckanext-fluent gives them; tags are the keywords in the request's language.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import math
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from insieme.core.models import Administration
from insieme.core.safe_input import INT_MAX, json_problem
from insieme.core.throttle import Rate, SlidingWindow, client_address
from insieme.opendata import catalogue, dcat
from insieme.opendata.catalogue import Entry
from insieme.opendata.publish import FORMATS, MEDIA_TYPES, formats_of

# Every id below is a UUID derived from a name in this namespace: the same dataset, file or
# administration has the same id on every request and after every new version.
NAMESPACE = uuid.UUID("1586bc49-b2ea-4f69-9164-ff6c4be29fad")

# The CKAN release whose Action API semantics these answers follow (status_show says so, for
# clients that choose features by version).
CKAN_VERSION = "2.11.0"

# CKAN's own defaults (ckan.search.rows_max, ckan.group_and_organization_list_max and
# ..._all_fields_max, ckan.search.default_package_sort, ckan.default_group_sort).
ROWS_DEFAULT = 10
ROWS_MAX = 1000
ORGANIZATIONS_MAX = 1000
ORGANIZATIONS_ALL_FIELDS_MAX = 25
ORGANIZATION_DATASETS = 10  # organization_show's include_datasets: its first ten, as CKAN
DEFAULT_SORT = "score desc, metadata_modified desc"
DEFAULT_GROUP_SORT = "title asc"

# CKAN's write actions on what this API shows: an anonymous CKAN caller gets "Authorization
# Error" for these, not "Action name not known", and so does a caller here.
WRITE_ACTIONS = frozenset(
    f"{thing}_{verb}"
    for thing in ("package", "resource", "organization", "group", "dataset")
    for verb in ("create", "update", "patch", "delete", "purge")
) | {"package_revise", "package_owner_org_update", "package_resource_reorder"}

TRUE_WORDS = frozenset({"true", "yes", "on", "y", "t", "1"})
FALSE_WORDS = frozenset({"false", "no", "off", "n", "f", "0"})

# An id or name longer than this is nothing we could have issued.
MAX_ID_LENGTH = 200


# --- errors ------------------------------------------------------------------------------------


class ActionError(Exception):
    """An action's refusal, answered in CKAN's envelope with `status` and `error`."""

    status = 400
    kind = ""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def error(self) -> dict[str, Any]:
        return {"__type": self.kind, "message": self.message}


class NotFound(ActionError):
    status = 404
    kind = "Not Found Error"

    def __init__(self) -> None:
        super().__init__(_("Not found"))


class NotAuthorized(ActionError):
    status = 403
    kind = "Authorization Error"

    def __init__(self) -> None:
        super().__init__(_("Access denied: this catalogue can only be read."))


class Invalid(ActionError):
    """CKAN's ValidationError: the messages per parameter, beside "__type"."""

    status = 409
    kind = "Validation Error"

    def __init__(self, fields: dict[str, Any]) -> None:
        super().__init__("")
        self.fields = fields

    def error(self) -> dict[str, Any]:
        return {**self.fields, "__type": self.kind}


class SearchQueryError(ActionError):
    status = 400
    kind = "Search Query Error"

    def __init__(self, reason: str) -> None:
        super().__init__(_("Search Query is invalid: %(reason)s") % {"reason": reason})


class SearchError(ActionError):
    status = 409
    kind = "Search Error"

    def __init__(self, reason: str) -> None:
        super().__init__(_("Search error: %(reason)s") % {"reason": reason})


class BadRequest(Exception):
    """A request refused before any action runs; CKAN answers it with a bare JSON string."""

    def __init__(self, detail: str, status: int = 400) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status


# --- parameters --------------------------------------------------------------------------------

_WHOLE = re.compile(r"[+-]?[0-9]{1,30}")


def _whole(value: Any) -> int | None:
    """`value` as a whole number (a JSON number or its text in base 10), None if it is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        return int(value.strip())
    return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class Params:
    """An action's parameters, read one by one; the errors are collected and raised together
    (`check`), as CKAN's schemas report every bad parameter at once."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.errors: dict[str, list[str]] = {}

    def _fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def check(self) -> None:
        if self.errors:
            raise Invalid(dict(self.errors))

    def text(self, name: str, *, required: bool = False) -> str:
        value = self.data.get(name)
        if _blank(value):
            if required:
                self._fail(name, _("Missing value"))
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self._fail(name, _("Must be a single text value"))
            return ""
        return str(value)

    def natural(self, name: str, default: int | None, maximum: int | None = INT_MAX) -> int | None:
        """A whole number, 0 or more (CKAN's natural_number_validator); beyond `maximum`, an
        error (an offset no database or Solr could take)."""
        value = self.data.get(name)
        if _blank(value):
            return default
        number = _whole(value)
        if number is None:
            self._fail(name, _("Invalid integer"))
        elif number < 0:
            self._fail(name, _("Must be a natural number"))
        elif maximum is not None and number > maximum:
            self._fail(name, _("Must be at most %(n)d") % {"n": maximum})
        else:
            return number
        return default

    def flag(self, name: str, default: bool) -> bool:
        """A boolean as CKAN's asbool reads it (true/false, yes/no, 1/0, ...)."""
        value = self.data.get(name)
        if _blank(value):
            return default
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower() if isinstance(value, str | int) else ""
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        self._fail(name, _("Must be true or false"))
        return default

    def names(self, name: str) -> list[str] | None:
        """A list of names: a JSON list, repeated parameters or one comma-separated text."""
        value = self.data.get(name)
        if _blank(value):
            return None
        if isinstance(value, str):
            value = value.split(",")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self._fail(name, _("Must be a list of names"))
            return None
        return [v.strip() for v in value if v.strip()]


# --- the catalogue as CKAN shows it -----------------------------------------------------------


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def package_id(entry: Entry) -> str:
    return _id("package", entry.name)


def resource_id(entry: Entry, fmt: str) -> str:
    return _id("resource", entry.name, fmt)


def organization_id(administration: Administration) -> str:
    return _id("organization", administration.slug)


def _moment(value: dt.datetime | None) -> str | None:
    """CKAN's form of a time: ISO 8601 in UTC, without an offset."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat()


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _translated(text: Any) -> dict[str, str]:
    """A lazy translation in every language of the site (ckanext-fluent's shape)."""
    found = {}
    for code in _languages():
        with translation.override(code):
            found[code] = str(text)
    return found


@dataclass
class Site:
    """What every dict of one request shares: absolute addresses and per-entry facts read once."""

    request: HttpRequest
    first_published: dict[tuple[int, str], dt.datetime] = field(default_factory=dict)
    counts: dict[int, int] = field(default_factory=dict)

    def url(self, name: str, **kwargs: str) -> str:
        return self.request.build_absolute_uri(reverse(name, kwargs=kwargs or None))

    @classmethod
    def of(cls, request: HttpRequest, found: list[Entry]) -> Site:
        counts: dict[int, int] = {}
        for entry in found:
            counts[entry.administration.pk] = counts.get(entry.administration.pk, 0) + 1
        return cls(request, dcat.first_published(found), counts)


def organization_core(site: Site, admin: Administration) -> dict[str, Any]:
    """The organization's own fields, as a package and organization_list show them."""
    return {
        "id": organization_id(admin),
        "name": admin.slug,
        "title": admin.display_name,
        "type": "organization",
        "description": str(admin.get_kind_display()),
        "image_url": site.url("branding_logo", slug=admin.slug) if admin.logo else "",
        "created": _moment(admin.created_at),
        "is_organization": True,
        "approval_status": "approved",
        "state": "active",
    }


def organization_dict(site: Site, admin: Administration) -> dict[str, Any]:
    found = organization_core(site, admin)
    found.update(
        display_name=admin.display_name,
        image_display_url=found["image_url"],
        package_count=site.counts.get(admin.pk, 0),
        num_followers=0,
    )
    return found


def _tags(entry: Entry) -> list[dict[str, Any]]:
    tags = []
    for keyword in entry.dataset.keywords:
        name = str(keyword)
        tags.append(
            {
                "id": _id("tag", name),
                "name": name,
                "display_name": name,
                "state": "active",
                "vocabulary_id": None,
            }
        )
    return tags


def _formats(entry: Entry) -> list[str]:
    """The formats the latest version has a file in, in the publisher's order."""
    offered = formats_of(entry.dataset)
    return [f for f in FORMATS if f in offered and f in entry.publication.files]


def resource_dict(site: Site, entry: Entry, fmt: str, position: int) -> dict[str, Any]:
    info = entry.publication.files[fmt]
    label = dcat.FORMAT_LABELS[fmt]
    made = _moment(entry.publication.created_at)
    return {
        "id": resource_id(entry, fmt),
        "package_id": package_id(entry),
        "name": f"{entry.dataset.title} ({label})",
        "description": _("The latest version of the dataset, as %(format)s.") % {"format": label},
        "format": label,
        "mimetype": MEDIA_TYPES[fmt],
        "mimetype_inner": None,
        "url": site.url(
            "opendata:download",
            admin_slug=entry.administration.slug,
            key=entry.dataset.key,
            fmt=fmt,
        ),
        "url_type": None,
        "size": info["bytes"],
        "hash": info["sha256"],
        "hash_algorithm": "sha256",
        "created": made,
        "last_modified": made,
        "metadata_modified": made,
        "position": position,
        "resource_type": None,
        "cache_url": None,
        "cache_last_updated": None,
        "datastore_active": False,
        "state": "active",
    }


def _extras(entry: Entry) -> list[dict[str, str]]:
    values = {
        "identifier": dcat.identifier(entry),
        "theme": f"{dcat.THEMES}/{entry.dataset.theme}",
        "frequency": f"{dcat.FREQUENCIES}/{entry.dataset.frequency}",
        "language": entry.administration.locale,
        "rows": str(entry.publication.rows),
    }
    return [{"key": key, "value": value} for key, value in values.items()]


def _modified(entry: Entry) -> dt.datetime:
    """When the dataset's content or its description (licence, state) last changed."""
    return max(entry.publication.created_at, entry.setting.updated_at)


def _created(site: Site, entry: Entry) -> dt.datetime:
    first = site.first_published.get((entry.administration.pk, entry.dataset.key))
    return entry.setting.issued_at or first or entry.publication.created_at


def package_dict(site: Site, entry: Entry) -> dict[str, Any]:
    title, _uri, url = entry.licence
    resources = [resource_dict(site, entry, f, i) for i, f in enumerate(_formats(entry))]
    tags = _tags(entry)
    org = organization_core(site, entry.administration)
    return {
        "id": package_id(entry),
        "name": entry.name,
        "title": str(entry.dataset.title),
        "title_translated": _translated(entry.dataset.title),
        "notes": str(entry.dataset.description),
        "notes_translated": _translated(entry.dataset.description),
        "type": "dataset",
        "state": "active",
        "private": False,
        "isopen": True,
        "version": str(entry.publication.version),
        "url": site.url(
            "opendata:dataset", admin_slug=entry.administration.slug, key=entry.dataset.key
        ),
        "license_id": entry.setting.licence,
        "license_title": title,
        "license_url": url,
        # A public body, never a person: no e-mail, no maintainer, no creating user.
        "author": entry.administration.name,
        "author_email": None,
        "maintainer": None,
        "maintainer_email": None,
        "creator_user_id": None,
        "metadata_created": _moment(_created(site, entry)),
        "metadata_modified": _moment(_modified(entry)),
        "owner_org": org["id"],
        "organization": org,
        "groups": [],
        "tags": tags,
        "num_tags": len(tags),
        "extras": _extras(entry),
        "resources": resources,
        "num_resources": len(resources),
        "relationships_as_subject": [],
        "relationships_as_object": [],
    }


# --- searching ---------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Lower case without accents: "Città" finds "citta" and the other way round."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class Doc:
    """What package_search looks at in one dataset, in both languages."""

    entry: Entry
    id: str
    organization: str
    organization_id: str
    tags: frozenset[str]
    formats: frozenset[str]
    titles: str
    notes: str
    keywords: str
    title: str  # in the request's language, for title_string
    text: str  # everything free text is looked for in
    created: dt.datetime
    modified: dt.datetime

    @property
    def name(self) -> str:
        return self.entry.name


def _doc(site: Site, entry: Entry) -> Doc:
    titles = _translated(entry.dataset.title)
    notes = _translated(entry.dataset.description)
    keywords = [text for k in entry.dataset.keywords for text in _translated(k).values()]
    folded = {
        "titles": _fold(" ".join(titles.values())),
        "notes": _fold(" ".join(notes.values())),
        "keywords": _fold(" ".join(keywords)),
    }
    return Doc(
        entry=entry,
        id=package_id(entry),
        organization=entry.administration.slug,
        organization_id=organization_id(entry.administration),
        tags=frozenset(_fold(k) for k in keywords),
        formats=frozenset(_fold(dcat.FORMAT_LABELS[f]) for f in _formats(entry)),
        **folded,
        title=_fold(str(entry.dataset.title)),
        text=" ".join((_fold(entry.name), *folded.values())),
        created=_created(site, entry),
        modified=_modified(entry),
    )


@dataclass(frozen=True)
class Clause:
    """One `field:value` of a query (a bare word is a "text" clause). `values` are folded;
    `every` says whether all of them must match or any; `span` is a range of times."""

    field: str
    values: tuple[str, ...] = ()
    every: bool = True
    negated: bool = False
    span: tuple[dt.datetime | None, dt.datetime | None, bool, bool] | None = None


_FIELD = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*):(?!/)")
_RANGE = re.compile(r"([\[{])\s*(\S+)\s+TO\s+(\S+)\s*([\]}])")
TIME_FIELDS = ("metadata_modified", "metadata_created")
MAX_CLAUSES = 1024  # Solr's maxBooleanClauses
# Fields CKAN's index holds that this catalogue answers the same way for every dataset.
CONSTANT_FIELDS = {
    "capacity": "public",
    "state": "active",
    "type": "dataset",
    "dataset_type": "dataset",
    "site_id": "*",
}
FIELDS = frozenset(
    {
        "text",
        "name",
        "id",
        "title",
        "notes",
        "organization",
        "owner_org",
        "tags",
        "res_format",
        "license_id",
        "groups",
        *TIME_FIELDS,
        *CONSTANT_FIELDS,
    }
)


def _scan_value(text: str, at: int) -> tuple[str, int]:
    """The raw value starting at `at` (a quoted phrase, a (group), a [range] or a word) and
    where it ends."""
    if at >= len(text) or text[at].isspace():
        return "", at
    closing = {'"': '"', "(": ")", "[": "]}", "{": "]}"}.get(text[at])
    if closing is None:
        end = at
        while end < len(text) and not text[end].isspace():
            end += 1
        return text[at:end], end
    end = at + 1
    while end < len(text) and text[end] not in closing:
        end += 2 if text[end] == "\\" else 1
    if end >= len(text):
        raise SearchError(_("a quote, bracket or parenthesis is not closed"))
    return text[at : end + 1], end + 1


def _unquote(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        raw = raw[1:-1]
    return re.sub(r"\\(.)", r"\1", raw)


def _words(inner: str) -> list[str]:
    """The terms of a (group): quoted phrases kept whole."""
    found, at = [], 0
    while at < len(inner):
        if inner[at].isspace():
            at += 1
            continue
        raw, at = _scan_value(inner, at)
        found.append(raw)
    return found


def _when(raw: str) -> dt.datetime | None:
    if raw == "*":
        return None
    if raw.upper() == "NOW":
        return timezone.now()
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise SearchError(_("%(value)s is not a time") % {"value": raw[:40]}) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _clause(name: str, raw: str, negated: bool) -> Clause:
    if name not in FIELDS:
        raise SearchError(_("unknown field %(field)s") % {"field": name[:40]})
    if not raw:
        raise SearchError(_("%(field)s has no value") % {"field": name})
    if raw[0] in "[{":
        match = _RANGE.fullmatch(raw)
        if name not in TIME_FIELDS or match is None:
            raise SearchError(_("a range of %(field)s cannot be searched") % {"field": name})
        low, high = _when(match.group(2)), _when(match.group(3))
        span = (low, high, match.group(1) == "[", match.group(4) == "]")
        return Clause(name, negated=negated, span=span)
    if name in TIME_FIELDS:
        raise SearchError(_("search %(field)s with a range: [from TO to]") % {"field": name})
    if raw[0] == "(":
        words = _words(raw[1:-1])
        every = "OR" not in words
        values = tuple(_fold(_unquote(w)) for w in words if w not in ("AND", "OR", "&&", "||"))
        if not values:
            raise SearchError(_("%(field)s has no value") % {"field": name})
        return Clause(name, values, every=every, negated=negated)
    return Clause(name, (_fold(_unquote(raw)),), negated=negated)


def parse_query(text: str) -> list[Clause]:
    """The clauses of a Solr-style query as CKAN clients write them: words, "phrases",
    field:value, field:"a phrase", field:(a OR b), time:[from TO to], each required (a "+"
    changes nothing) or excluded with "-" or NOT, joined by spaces or AND. "*:*" matches all.
    SearchError for what this catalogue cannot search (OR between clauses, unknown fields)."""
    clauses: list[Clause] = []
    at, negate_next = 0, False
    while at < len(text):
        if text[at].isspace():
            at += 1
            continue
        sign = text[at] if text[at] in "+-" else ""
        at += len(sign)
        match = _FIELD.match(text, at)
        at = match.end() if match else at
        raw, at = _scan_value(text, at)
        if match is None and not sign and raw in ("AND", "&&", "*:*", "*"):
            continue
        if match is None and not sign and raw == "NOT":
            negate_next = True
            continue
        if match is None and raw in ("OR", "||"):
            raise SearchError(_("OR between clauses is not supported"))
        negated = (sign == "-") != negate_next
        clauses.append(_clause(match.group(1) if match else "text", raw, negated))
        negate_next = False
        if len(clauses) > MAX_CLAUSES:
            raise SearchError(_("more than %(n)d clauses") % {"n": MAX_CLAUSES})
    return clauses


def _like(pattern: str, value: str) -> bool:
    if "*" in pattern or "?" in pattern:
        return fnmatch.fnmatchcase(value, pattern)
    return pattern == value


def _in_span(moment: dt.datetime, span: tuple) -> bool:
    low, high, low_in, high_in = span
    if low is not None and (moment < low or (moment == low and not low_in)):
        return False
    return not (high is not None and (moment > high or (moment == high and not high_in)))


def _value_matches(doc: Doc, name: str, value: str) -> bool:
    if name in CONSTANT_FIELDS:
        return _like(value, CONSTANT_FIELDS[name]) or CONSTANT_FIELDS[name] == "*"
    singles = {
        "name": doc.name,
        "id": doc.id,
        "organization": doc.organization,
        "owner_org": doc.organization_id,
        "license_id": _fold(doc.entry.setting.licence),
    }
    if name in singles:
        return _like(value, singles[name])
    if name == "tags":
        return any(_like(value, tag) for tag in doc.tags)
    if name == "res_format":
        return any(_like(value, fmt) for fmt in doc.formats)
    if name == "groups":
        return False
    haystack = {"title": doc.titles, "notes": doc.notes}.get(name, doc.text)
    return value.strip("*") in haystack


def matches(doc: Doc, clause: Clause) -> bool:
    if clause.span is not None:
        moment = doc.modified if clause.field == "metadata_modified" else doc.created
        found = _in_span(moment, clause.span)
    else:
        results = (_value_matches(doc, clause.field, v) for v in clause.values)
        found = all(results) if clause.every else any(results)
    return found != clause.negated


def score(doc: Doc, clauses: Iterable[Clause]) -> int:
    """How well the free text of `q` fits: its words counted in the title (weighing most),
    the keywords and the description."""
    total = 0
    for clause in clauses:
        if clause.field != "text" or clause.negated:
            continue
        for value in clause.values:
            total += 3 * doc.titles.count(value) + 2 * doc.keywords.count(value)
            total += doc.notes.count(value) + doc.name.count(value)
    return total


SORT_KEYS: dict[str, Callable[[Doc, int], Any]] = {
    "name": lambda doc, _s: doc.name,
    "title_string": lambda doc, _s: doc.title,
    "metadata_modified": lambda doc, _s: doc.modified,
    "metadata_created": lambda doc, _s: doc.created,
    "score": lambda _doc, s: s,
}


def parse_sort(text: str) -> list[tuple[str, bool]]:
    """[(field, descending)] of "field asc|desc, ..."; SearchQueryError for any other."""
    order = []
    for part in text.split(","):
        words = part.split()
        if not words:
            continue
        direction = words[1].lower() if len(words) > 1 else "asc"
        if words[0] not in SORT_KEYS or direction not in ("asc", "desc") or len(words) > 2:
            raise SearchQueryError(_('Invalid "sort" parameter'))
        order.append((words[0], direction == "desc"))
    return order


def search(site: Site, found: list[Entry], q: str, fq: str, sort: str) -> list[Entry]:
    """The entries matching `q` and `fq`, in the order `sort` asks (then by name, so that
    paging through the results with `start` never skips or repeats one)."""
    order = parse_sort(sort)
    asked = parse_query(q)
    clauses = asked + parse_query(fq)
    hits = []
    for entry in found:
        doc = _doc(site, entry)
        if all(matches(doc, clause) for clause in clauses):
            hits.append((doc, score(doc, asked)))
    hits.sort(key=lambda hit: hit[0].name)
    for name, descending in reversed(order):  # stable sorts, the last criterion first
        hits.sort(key=lambda hit, n=name: SORT_KEYS[n](*hit), reverse=descending)
    return [doc.entry for doc, _score in hits]


# --- the actions -------------------------------------------------------------------------------


def status_show(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Return what this site is: its title, address, default language and CKAN version."""
    return {
        "site_title": "Insieme",
        "site_description": _("Anonymised open data of the administrations on this site."),
        "site_url": request.build_absolute_uri("/").rstrip("/"),
        "error_emails_to": None,
        "locale_default": settings.LANGUAGE_CODE,
        "extensions": [],
        "ckan_version": CKAN_VERSION,
    }


def package_list(request: HttpRequest, data: dict[str, Any]) -> list[str]:
    """Return the names of the published datasets, by name.

    limit (int, optional): at most this many (0 or none: all of them).
    offset (int, optional): skip this many first."""
    params = Params(data)
    limit = params.natural("limit", None)
    offset = params.natural("offset", None)
    params.check()
    names = sorted(e.name for e in catalogue.entries())
    names = names[offset or 0 :]
    return names[:limit] if limit else names


def _entry_by_id(value: str) -> Entry:
    """The published dataset of a name or id; NotFound for any other."""
    if len(value) > MAX_ID_LENGTH:
        raise NotFound()
    found = catalogue.by_name(value)
    if found is None:
        found = next((e for e in catalogue.entries() if package_id(e) == value), None)
    if found is None:
        raise NotFound()
    return found


def package_show(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Return one published dataset with its resources.

    id (str): the dataset's name or id."""
    params = Params(data)
    wanted = params.text("id", required=True)
    params.check()
    entry = _entry_by_id(wanted)
    return package_dict(Site.of(request, [entry]), entry)


def package_search(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Search the published datasets.

    q (str): words to find in titles, descriptions and keywords (both languages), and
        field:value clauses as in fq.
    fq (str): filters joined by spaces or AND: organization:<slug>, tags:<keyword>,
        res_format:<CSV|JSON|GeoJSON|Parquet>, name:<name> (* and ? as wildcards), id,
        license_id, title, notes, metadata_modified:[<from> TO <to>] (ISO times or *);
        field:(a OR b) for any of several values, -field:value to exclude.
    sort (str): "name", "title_string", "metadata_modified", "metadata_created" or "score",
        each with asc or desc, comma separated (default "score desc, metadata_modified desc").
    rows (int): at most this many results (default 10, at most 1000).
    start (int): skip this many first results.
    Facets are not computed: facets and search_facets are empty."""
    params = Params(data)
    q = params.text("q")
    fq = params.text("fq")
    sort = params.text("sort") or DEFAULT_SORT
    rows = params.natural("rows", ROWS_DEFAULT, maximum=None)
    start = params.natural("start", 0) or 0
    params.check()
    rows = min(rows if rows is not None else ROWS_DEFAULT, ROWS_MAX)
    found = catalogue.entries()
    site = Site.of(request, found)
    hits = search(site, found, q, fq, sort)
    return {
        "count": len(hits),
        "results": [package_dict(site, e) for e in hits[start : start + rows]],
        "sort": sort,
        "facets": {},
        "search_facets": {},
    }


def resource_show(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Return one file of a published dataset.

    id (str): the resource's id."""
    params = Params(data)
    wanted = params.text("id", required=True)
    params.check()
    found = catalogue.entries()
    for entry in found:
        for position, fmt in enumerate(_formats(entry)):
            if resource_id(entry, fmt) == wanted:
                return resource_dict(Site.of(request, [entry]), entry, fmt, position)
    raise NotFound()


def _organizations_sorted(site: Site, admins: list[Administration], sort: str) -> list:
    words = sort.split()
    name = {"packages": "package_count"}.get(words[0], words[0]) if words else "title"
    direction = words[1].lower() if len(words) > 1 else "asc"
    keys: dict[str, Callable[[Administration], Any]] = {
        "name": lambda a: a.slug,
        "title": lambda a: _fold(a.display_name),
        "package_count": lambda a: site.counts.get(a.pk, 0),
    }
    if name not in keys or "," in sort or len(words) > 2:
        raise Invalid({"message": _("Cannot sort by %(sort)s") % {"sort": sort[:60]}})
    if direction not in ("asc", "desc"):
        raise Invalid({"message": _("Invalid sort direction %(d)s") % {"d": direction[:20]}})
    admins = sorted(admins, key=lambda a: a.slug)
    return sorted(admins, key=keys[name], reverse=direction == "desc")


def organization_list(request: HttpRequest, data: dict[str, Any]) -> list:
    """Return the organizations: every administration on this site. As in CKAN, where an
    organization is listed whether or not it holds a public dataset, an administration with
    nothing published is listed too (its package_count is 0); administrations are public
    bodies, and the REST API lists them all already.

    all_fields (bool): organization dicts rather than names (then at most 25 by default).
    limit, offset (int): a page of them (at most 1000 names, or 25 dicts).
    sort (str): "title", "name" or "package_count", with asc or desc (default "title asc").
    organizations (list): only these names. q (str): only those whose name or title has it."""
    params = Params(data)
    all_fields = params.flag("all_fields", False)
    limit = params.natural("limit", None)
    offset = params.natural("offset", None)
    sort = params.text("sort") or DEFAULT_GROUP_SORT
    only = params.names("organizations")
    q = _fold(params.text("q").strip())
    params.check()
    ceiling = ORGANIZATIONS_ALL_FIELDS_MAX if all_fields else ORGANIZATIONS_MAX
    limit = min(limit or ceiling, ceiling)
    site = Site.of(request, catalogue.entries())
    admins = list(Administration.objects.all())
    if only is not None:
        admins = [a for a in admins if a.slug in only]
    if q:
        admins = [a for a in admins if q in _fold(a.slug) or q in _fold(a.display_name)]
    admins = _organizations_sorted(site, admins, sort)[offset or 0 :][:limit]
    if all_fields:
        return [organization_dict(site, a) for a in admins]
    return [a.slug for a in admins]


def organization_show(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Return one organization (an administration), by name or id.

    include_datasets (bool): with its first ten published datasets, as package_search
        orders them by default."""
    params = Params(data)
    wanted = params.text("id", required=True)
    with_datasets = params.flag("include_datasets", False)
    params.check()
    admin = None
    if len(wanted) <= MAX_ID_LENGTH:
        admin = Administration.objects.filter(slug=wanted).first() or next(
            (a for a in Administration.objects.all() if organization_id(a) == wanted), None
        )
    if admin is None:
        raise NotFound()
    found = catalogue.entries(admin)
    site = Site.of(request, found)
    result = organization_dict(site, admin)
    result.update(extras=[], tags=[], groups=[], users=[])
    if with_datasets:
        hits = search(site, found, "", "", DEFAULT_SORT)[:ORGANIZATION_DATASETS]
        result["packages"] = [package_dict(site, e) for e in hits]
    return result


def help_show(request: HttpRequest, data: dict[str, Any]) -> str | None:
    """Return the documentation of an action.

    name (str): the action's name, e.g. package_search."""
    params = Params(data)
    name = params.text("name", required=True)
    params.check()
    if name not in ACTIONS:
        raise NotFound()
    return ACTIONS[name].__doc__


def _read_only(request: HttpRequest, data: dict[str, Any]) -> None:
    raise NotAuthorized()


Action = Callable[[HttpRequest, dict[str, Any]], Any]

ACTIONS: dict[str, Action] = {
    "status_show": status_show,
    "package_list": package_list,
    "package_show": package_show,
    "package_search": package_search,
    "resource_show": resource_show,
    "organization_list": organization_list,
    "organization_show": organization_show,
    "help_show": help_show,
}


# --- the view ----------------------------------------------------------------------------------


def _max_body_bytes() -> int:
    """The REST API's limit on a request body (REST_FRAMEWORK["INSIEME_MAX_BODY_BYTES"])."""
    return int(settings.REST_FRAMEWORK.get("INSIEME_MAX_BODY_BYTES", 1_000_000))


def _mixed(pairs: Iterable[tuple[str, list[str]]]) -> dict[str, Any]:
    """Query or form fields as CKAN reads them: one value as text, several as a list."""
    return {key: values[0] if len(values) == 1 else values for key, values in pairs}


def _json_body(request: HttpRequest) -> dict[str, Any]:
    declared = request.META.get("CONTENT_LENGTH") or ""
    limit = _max_body_bytes()
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise BadRequest(_("The request body is too large."), 413)
    body = request.read(limit + 1)
    if len(body) > limit:
        raise BadRequest(_("The request body is too large."), 413)
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise BadRequest(
            _("JSON Error: %(error)s") % {"error": _("the body is not JSON.")}
        ) from None
    if not isinstance(data, dict):
        raise BadRequest(
            _("JSON Error: %(error)s") % {"error": _("the body must be a JSON object.")}
        )
    problem = json_problem(data)
    if problem is not None:
        raise BadRequest(_("JSON Error: %(error)s") % {"error": problem[1]})
    return data


def request_data(request: HttpRequest) -> dict[str, Any]:
    """The action's parameters: a POST's JSON object (or its form fields), else the query."""
    if request.method == "POST":
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            try:
                form = _mixed(request.POST.lists())
            except RequestDataTooBig:
                raise BadRequest(_("The request body is too large."), 413) from None
            except (MultiPartParserError, SuspiciousOperation, UnicodeError):
                raise BadRequest(_("The request body cannot be read.")) from None
            problem = json_problem(form)  # the middleware leaves forms sent to /api/ alone
            if problem is not None:
                raise BadRequest(problem[1])
            if form:
                return form
        else:
            data = _json_body(request)
            if data:
                return data
    return _mixed(request.GET.lists())


def _over_limit(request: HttpRequest) -> int:
    """Count this request against the anonymous REST API's limit per address (one budget for
    both APIs: the same window and rate, REST_FRAMEWORK's "api_address"); the seconds to wait
    when over it, else 0."""
    rate = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get("api_address")
    if not rate:
        return 0
    decision = SlidingWindow("api-api_address").acquire(client_address(request), Rate.parse(rate))
    return 0 if decision.allowed else max(1, math.ceil(decision.retry_after or 1))


def _answer(body: Any, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status, safe=False)
    response["Content-Type"] = "application/json;charset=utf-8"
    # Open data, read without credentials: any web page may read it.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def bad_request_response(request: HttpRequest, status: int, message: str) -> JsonResponse:
    """A request refused before its action runs, as CKAN answers it: a bare JSON string. (Also
    fit for insieme.core.safe_input's register_bad_request_format.)"""
    return _answer(_("Bad request - %(detail)s") % {"detail": message}, status)


def help_url(request: HttpRequest, name: str) -> str:
    """Where help_show documents `name`: CKAN links its own, under /api/3/action/."""
    path = reverse("ckan_action_v3", kwargs={"name": "help_show"})
    return request.build_absolute_uri(path) + "?" + urlencode({"name": name})


def _preflight() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Allow"] = "GET, HEAD, POST, OPTIONS"
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "GET, POST"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Access-Control-Max-Age"] = "86400"
    return response


def _run(request: HttpRequest, name: str, function: Action) -> JsonResponse:
    envelope: dict[str, Any] = {"help": help_url(request, name)}
    try:
        data = request_data(request)
    except BadRequest as exc:
        return bad_request_response(request, exc.status, exc.detail)
    try:
        result = function(request, data)
    except ActionError as exc:
        return _answer({**envelope, "success": False, "error": exc.error()}, exc.status)
    return _answer({**envelope, "success": True, "result": result})


@csrf_exempt  # nothing here writes, and CKAN clients POST their parameters as JSON
def action(request: HttpRequest, name: str) -> HttpResponse:
    """/api/action/<name> and /api/3/action/<name> (a trailing slash is the same)."""
    if request.method == "OPTIONS":
        return _preflight()
    if request.method not in ("GET", "HEAD", "POST"):
        response = bad_request_response(request, 405, _("Use GET or POST."))
        response["Allow"] = "GET, HEAD, POST, OPTIONS"
        return response
    wait = _over_limit(request)
    if wait:
        message = _("Too many requests; try again in %(n)d seconds.") % {"n": wait}
        error = {"__type": "Throttled", "message": message}
        body = {"help": help_url(request, name), "success": False, "error": error}
        response = _answer(body, 429)
        response["Retry-After"] = str(wait)
        return response
    function = ACTIONS.get(name) or (_read_only if name in WRITE_ACTIONS else None)
    if function is None:
        message = _("Action name not known: %(name)s") % {"name": name[:100]}
        return bad_request_response(request, 400, message)
    return _run(request, name, function)
