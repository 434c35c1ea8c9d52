"""Malformed input never gets a server error: every form field, query parameter and path value of
the site, as each demo role, answers below 500 when it carries control characters, NUL, overlong
text, huge or non-ASCII numbers, out-of-range dates or values of the wrong type; and a control
character is always refused (4xx), never taken in.

The forms and URLs come from a crawl of the demo region (tests/demo_site.py); each field is sent
one nasty value at a time, the others keeping their defaults, so that the value reaches as far into
the code as a real submission would. Every URL pattern of the resolver is also requested with
nasty values in place of each of its path parameters.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse

from tests.demo_site import (  # noqa: F401
    Form,
    client_for,
    crawl,
    demo_personas,
    demo_region,
    module_settings,
    route_name,
    same_site_path,
    starts_for,
)

# Least-privileged first: each form is sent by the first role that reaches it.
ROLES = [
    "anonymous",
    "citizen",
    "officer",
    "supervisor",
    "data_steward",
    "service_manager",
    "administrator",
    "region_service_manager",
]

NUL = "a\x00b"
CONTROL = "a\x01\x08\x0b\x1b[31mb\x7f"
OVERLONG = "x" * 20_000
HUGE = "9" * 30
NOT_ASCII_DIGITS = "²³"  # str.isdigit() says yes, int() says no

# The nasty values each kind of form control gets, one at a time.
VALUES_BY_KIND = {
    "text": [NUL, CONTROL, OVERLONG],
    "number": [NUL, HUGE, "-" + HUGE, NOT_ASCII_DIGITS, "1e400"],
    "date": [NUL, "9999-12-31", "0001-01-01", "2024-02-30"],
    "datetime-local": [NUL, "9999-12-31T23:59", "0001-01-01T00:00"],
    "time": [NUL, "25:61"],
    "choice": [NUL, HUGE, NOT_ASCII_DIGITS],
}
KIND_OF_INPUT = {
    "range": "number",
    "select": "choice",
    "checkbox": "choice",
    "radio": "choice",
    "hidden": "choice",
}
# Query parameters get these (the wrong type for most of them).
QUERY_VALUES = [NUL, CONTROL, HUGE, "9999-12-31", "0001-01-01"]
# Forms whose submission ends the session or can never be reached by a forged value.
SKIP_FORM_ROUTES = {"logout", "set_language"}
SKIP_FIELDS = {"csrfmiddlewaretoken"}

Submission = tuple[str, str, list[tuple[str, str]], str]  # method, path, data, the nasty field


def values_for(kind: str) -> list[str]:
    kind = KIND_OF_INPUT.get(kind, kind)
    return VALUES_BY_KIND.get(kind, VALUES_BY_KIND["text"])


def submissions(page: str, form: Form) -> list[Submission]:
    """(method, path, data, field) for each field of `form` and each nasty value of its kind,
    the other fields keeping their defaults."""
    action = same_site_path(page, form.action or page)
    if action is None or route_name(action) in SKIP_FORM_ROUTES:
        return []
    path, _sep, query = action.partition("?")
    base = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True)] + form.fields
    out = []
    for name in dict.fromkeys([*form.kinds, *(k for k, _v in base)]):
        if name in SKIP_FIELDS:
            continue
        others = [(k, v) for k, v in base if k != name]
        for value in values_for(form.kinds.get(name, "text")):
            out.append((form.method, path, [*others, (name, value)], name))
    return out


def query_submissions(url: str, name: str) -> list[Submission]:
    """The query parameter `name` of a visited URL with each nasty value."""
    parts = urlsplit(url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    others = [(k, v) for k, v in params if k != name]
    return [("get", parts.path, [*others, (name, value)], name) for value in QUERY_VALUES]


def send(client, method: str, path: str, data: list[tuple[str, str]]):
    if method == "post":
        return client.post(path, urlencode(data), content_type="application/x-www-form-urlencoded")
    return client.get(path + "?" + urlencode(data))


@dataclass
class Surface:
    """What each role gets to fuzz: every form and query parameter of the demo, each given to
    the first role (in ROLES order) that reaches it, so that none is sent twice."""

    users: dict
    work: dict[str, list[Submission]]
    forms: Counter
    # A visited URL of each pattern (answered 200), with the role that reached it.
    instances: dict[str, tuple[str, str]]


@pytest.fixture(scope="module")
def surface(demo_region, django_db_blocker) -> Surface:  # noqa: F811
    with django_db_blocker.unblock(), module_settings():
        users = demo_personas()
        work: dict[str, list[Submission]] = {role: [] for role in ROLES}
        forms, seen, instances = Counter(), set(), {}
        for role in ROLES:
            found = crawl(client_for(users[role]), starts_for(role), per_pattern=1)
            assert not found.failures, [(v.url, v.status) for v in found.failures]
            for visit in found.visits:
                if visit.status == 200:
                    instances.setdefault(visit.route, (visit.url.split("?")[0], role))
            for page, form in found.forms:
                target = same_site_path(page, form.action or page) or page
                key = ("form", route_name(target), form.method, tuple(sorted(form.kinds)))
                if key not in seen:
                    seen.add(key)
                    forms[role] += 1
                    work[role] += submissions(page, form)
            for visit in found.visits:
                for name in dict.fromkeys(k for k, _v in parse_qsl(urlsplit(visit.url).query)):
                    key = ("query", visit.route, name)
                    if key not in seen:
                        seen.add(key)
                        work[role] += query_submissions(visit.url, name)
    return Surface(users, work, forms, instances)


@pytest.mark.parametrize("role", ROLES)
def test_no_form_field_or_query_parameter_answers_5xx(surface, db, role, capsys):
    user = surface.users[role]
    client = client_for(user)
    failures, accepted = [], []
    for method, path, data, field in surface.work[role]:
        response = send(client, method, path, data)
        value = dict(data)[field]
        if response.status_code >= 500:
            failures.append((method, path, field, value[:40], response.status_code))
        if value in (NUL, CONTROL) and response.status_code < 400:
            accepted.append((method, path, field, value[:40], response.status_code))
        if user is not None and "_auth_user_id" not in client.session:
            client.force_login(user)  # a form signed the persona out; go on as them
    with capsys.disabled():
        print(
            f"\nmalformed input {role}: {len(surface.work[role])} requests to "
            f"{surface.forms[role]} forms and their pages' query parameters"
        )
    assert not failures, failures[:20]
    # A control character is refused wherever it is sent (a 4xx), never taken in.
    assert not accepted, accepted[:20]


# --- path parameters of every URL pattern --------------------------------------------------------


def url_patterns(resolver=None, prefix: str = "", namespace: str | None = None):
    """(route text, url name, converters by kwarg name) of every pattern the resolver serves."""
    resolver = resolver or get_resolver()
    for item in resolver.url_patterns:
        route = prefix + str(item.pattern)
        if isinstance(item, URLResolver):
            yield from url_patterns(item, route, namespace)
        elif isinstance(item, URLPattern):
            converters = getattr(item.pattern, "converters", None)
            if converters is None:  # a regular expression: its named groups take any text
                converters = dict.fromkeys(item.pattern.regex.groupindex)
            yield route, item.name, converters


PATH_VALUES = {
    "int": [HUGE, "0", "2147483648", "9223372036854775808"],
    "str": ["%00", "a%00b", "%01%1B", "%FF%FE", "x" * 3000, HUGE],
}


def test_no_path_parameter_answers_5xx(surface, db):
    """Each path parameter of every URL pattern a role reached, replaced by nasty values, as
    that role, by GET and by POST."""
    failures, sent = [], Counter()
    for route, name, converters in url_patterns():
        if not converters or name in SKIP_FORM_ROUTES or route not in surface.instances:
            continue
        path, role = surface.instances[route]
        kwargs = resolve(path).kwargs
        user = surface.users[role]
        client = client_for(user)
        for kwarg, converter in converters.items():
            kind = "int" if converter and converter.regex.startswith("[0-9]") else "str"
            sentinel = "987654321" if kind == "int" else "PLACEHOLDER"
            try:
                target = reverse(name, kwargs={**kwargs, kwarg: sentinel})
            except NoReverseMatch:
                continue
            for value in PATH_VALUES[kind]:
                url = target.replace(sentinel, value)
                for method in ("get", "post"):
                    response = getattr(client, method)(url)
                    sent[route] += 1
                    if response.status_code >= 500:
                        failures.append((method, url[:120], response.status_code))
                if user is not None and "_auth_user_id" not in client.session:
                    client.force_login(user)
    assert len(sent) >= 40, sorted(sent)
    assert not failures, failures[:20]
