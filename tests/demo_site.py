"""The demo region as each demo role meets it: who signs in, and a breadth-first crawl of the
pages they can reach (links and GET forms), shared by the crawl and the malformed-input tests.

The region is small (a few hundred requests) and loaded once per test module inside a transaction
that is rolled back at the module's end.
"""

from __future__ import annotations

import io
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q
from django.test import Client, override_settings
from django.urls import Resolver404, resolve

from insieme.cases.models import OPEN_STATUSES
from insieme.core.models import AuditEntry, Membership, User
from insieme.core.permissions import Role

DEMO_SEED = 11
DEMO_REQUESTS = 300
STAFF_ADMIN = "montalto"  # the municipality whose staff roles the tests sign in as
REGION = "valdoro"

# Pages never to request while crawling: signing out ends the session, and static or media
# files are not pages.
SKIP_ROUTES = {"logout"}
SKIP_PREFIXES = ("/static/", "/media/")
# How many distinct URLs of one pattern (route, administration, names of its query parameters)
# to visit: a few objects of each kind in each administration, fewer variants of each query.
PER_PATTERN = 3
PER_QUERY_PATTERN = 3
# Downloads that compute a whole Scorecard report (a PDF, every indicator's series): one URL
# with a query of each pattern, as each takes seconds.
COSTLY_ROUTES = {"reports:scorecard", "reports:series"}
MAX_PAGES = 1500  # per role; a safety net above what the demo needs (the region's reaches 924)


def module_settings():
    """The settings tests/conftest.py gives each test, for module-scoped work (static files
    without a manifest, e-mail kept in memory)."""
    from django.conf import settings

    return override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LANGUAGE_CODE="en",
    )


@pytest.fixture(scope="module")
def demo_region(django_db_setup, django_db_blocker, tmp_path_factory):
    """Load the demo once for the module; roll it back when the module is done."""
    folder = tmp_path_factory.mktemp("demo-site")
    with django_db_blocker.unblock(), transaction.atomic():
        call_command(
            "demo",
            seed=DEMO_SEED,
            requests=DEMO_REQUESTS,
            ground_truth=str(folder / "ground-truth.json"),
            stdout=io.StringIO(),
        )
        yield
        transaction.set_rollback(True)


def demo_personas() -> dict[str, User | None]:
    """Each demo role's first active person (Montalto's staff, the region's service manager, a
    citizen), and None for an anonymous visitor."""

    def staff(slug: str, role: str) -> User:
        """The person of that role whose department has the most open cases (so that their
        queue and case pages have something to show), the first such by id."""
        m = (
            Membership.objects.filter(administration__slug=slug, role=role, is_active=True)
            .annotate(
                open_cases=Count(
                    "department__cases", filter=Q(department__cases__status__in=OPEN_STATUSES)
                )
            )
            .select_related("user")
            .order_by("-open_cases", "pk")
            .first()
        )
        assert m is not None, (slug, role)
        return m.user

    citizen = (
        User.objects.filter(email__endswith="@posta.example", memberships__isnull=True)
        .annotate(filed=Count("cases"))
        .order_by("-filed", "pk")
        .first()
    )
    assert citizen is not None
    return {
        "administrator": staff(STAFF_ADMIN, Role.ADMINISTRATOR),
        "service_manager": staff(STAFF_ADMIN, Role.SERVICE_MANAGER),
        "officer": staff(STAFF_ADMIN, Role.OFFICER),
        "supervisor": staff(STAFF_ADMIN, Role.SUPERVISOR),
        "data_steward": staff(STAFF_ADMIN, Role.DATA_STEWARD),
        "region_service_manager": staff(REGION, Role.SERVICE_MANAGER),
        "citizen": citizen,
        "anonymous": None,
    }


def client_for(user: User | None) -> Client:
    """A client that records a server error as a 500 answer (to collect them all) rather than
    raising it, signed in with both steps where the person must give a second factor (the
    administrator: with the password alone every staff page sends them to the code page)."""
    from tests.conftest import sign_in

    client = Client(raise_request_exception=False)
    if user is not None:
        sign_in(client, user)
    return client


# --- reading pages ------------------------------------------------------------------------------


@dataclass
class Form:
    """A form on a page: where it goes, how, and its fields with their default values."""

    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    # For each field name: its input type ("text", "date", "number", "select", "textarea", ...)
    kinds: dict[str, str] = field(default_factory=dict)
    # The options of each select (the first is the default)
    options: dict[str, list[str]] = field(default_factory=dict)


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(a.get("action") or "", (a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            self._input(a)
        elif tag == "select" and a.get("name"):
            self._select, self._select_chosen = a["name"], False
            self._form.kinds[a["name"]] = "select"
            self._form.options[a["name"]] = []
        elif tag == "option" and self._select:
            value = a.get("value", "")
            self._form.options[self._select].append(value)
            if "selected" in a or not self._select_chosen:
                self._form.fields = [(k, v) for k, v in self._form.fields if k != self._select]
                self._form.fields.append((self._select, value))
                self._select_chosen = "selected" in a
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], []
            self._form.kinds[a["name"]] = "textarea"
        elif tag == "button" and a.get("name") and self._form.method == "get":
            self._form.fields.append((a["name"], a.get("value", "")))

    def _input(self, a: dict) -> None:
        kind = (a.get("type") or "text").lower()
        if kind in ("submit", "button", "image", "reset", "file"):
            return
        name = a["name"]
        self._form.kinds.setdefault(name, kind)
        if kind in ("checkbox", "radio"):
            if "checked" in a:
                self._form.fields.append((name, a.get("value", "on")))
            self._form.options.setdefault(name, []).append(a.get("value", "on"))
            return
        self._form.fields.append((name, a.get("value", "")))

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea and self._form is not None:
            self._form.fields.append((self._textarea, "".join(self._text)))
            self._textarea = None


def read_page(html: str) -> tuple[list[str], list[Form]]:
    parser = _PageParser()
    parser.feed(html)
    return parser.links, parser.forms


# --- crawling -----------------------------------------------------------------------------------


def same_site_path(base: str, href: str) -> str | None:
    """The path?query of a same-site link (None for other sites, mail, fragments, scripts)."""
    absolute = urljoin("http://testserver" + base, href)
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
        return None
    if parts.path.startswith(SKIP_PREFIXES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def pattern_of(url: str) -> tuple[str, str, tuple[str, ...]] | None:
    """The URL pattern a path resolves to, the administration it names (tenants hold different
    data, so each is sampled) and the names of its query parameters."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    route = match.route or parts.path
    names = tuple(sorted({k for k, _v in parse_qsl(parts.query, keep_blank_values=True)}))
    return route, str(match.kwargs.get("admin_slug", "")), names


def route_name(url: str, *, namespaced: bool = False) -> str | None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return match.view_name if namespaced else match.url_name


@dataclass
class Visit:
    url: str
    status: int
    route: str


@dataclass
class CrawlResult:
    visits: list[Visit] = field(default_factory=list)
    forms: list[tuple[str, Form]] = field(default_factory=list)  # (page url, form)
    writes_on_get: list[str] = field(default_factory=list)  # URLs whose GET wrote to the audit log
    cut_short: bool = False  # stopped at max_pages with pages still to visit

    @property
    def failures(self) -> list[Visit]:
        return [v for v in self.visits if v.status >= 500]

    @property
    def routes(self) -> set[str]:
        return {v.route for v in self.visits}


def get_form_urls(page: str, form: Form) -> list[str]:
    """A GET form submitted with its default values (and once per option of each select, so
    that each filter is tried)."""
    action = same_site_path(page, form.action or page)
    if action is None:
        return []
    base = action.split("?", 1)[0]
    urls = [base + "?" + urlencode(form.fields)]
    for name, options in form.options.items():
        for option in options[1:3]:
            values = [(k, v) for k, v in form.fields if k != name] + [(name, option)]
            urls.append(base + "?" + urlencode(values))
    return urls


def crawl(
    client: Client,
    starts: list[str],
    *,
    per_pattern: int = PER_PATTERN,
    per_query_pattern: int = PER_QUERY_PATTERN,
    max_pages: int = MAX_PAGES,
) -> CrawlResult:
    """Breadth-first over every same-site link and GET form reachable from `starts`, at most
    `per_pattern` URLs of each pattern; records every answer and every form found."""
    result = CrawlResult()
    seen: set[str] = set()
    per: Counter = Counter()
    seen_forms: set[tuple] = set()
    queue = deque(starts)
    while queue and len(result.visits) < max_pages:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        key = pattern_of(url)
        if key is None or route_name(url) in SKIP_ROUTES:
            continue
        if per[key] >= (per_query_pattern if key[2] else per_pattern):
            continue
        if key[2] and per[key] >= 1 and route_name(url, namespaced=True) in COSTLY_ROUTES:
            continue
        per[key] += 1
        audit_before = AuditEntry.objects.count()
        response = client.get(url)
        if AuditEntry.objects.count() != audit_before:
            result.writes_on_get.append(url)
        result.visits.append(Visit(url, response.status_code, key[0]))
        if response.status_code in (301, 302, 303, 307, 308):
            target = same_site_path(url, response["Location"])
            if target:
                queue.append(target)
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        links, forms = read_page(response.content.decode("utf-8", "replace"))
        for href in links:
            target = same_site_path(url, href)
            if target and target not in seen:
                queue.append(target)
        for form in forms:
            target = same_site_path(url, form.action or url)
            action_key = pattern_of(target)[0] if target and pattern_of(target) else form.action
            form_key = (action_key, form.method, tuple(sorted(form.kinds)))
            if form_key in seen_forms:
                continue
            seen_forms.add(form_key)
            result.forms.append((url, form))
            if form.method == "get":
                queue.extend(u for u in get_form_urls(url, form) if u not in seen)
    result.cut_short = bool(queue) and len(result.visits) >= max_pages
    return result


STARTS = {
    "anonymous": ["/", "/services/", "/services/map/", "/api/docs/"],
    "citizen": ["/", "/services/", "/my/requests/", "/accounts/"],
    "region_service_manager": ["/", "/staff/", f"/staff/{REGION}/", f"/staff/{STAFF_ADMIN}/"],
}
STAFF_STARTS = ["/", "/staff/", f"/staff/{STAFF_ADMIN}/"]


def starts_for(role: str) -> list[str]:
    return STARTS.get(role, STAFF_STARTS)
