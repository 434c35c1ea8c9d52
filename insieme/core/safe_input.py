"""What every entry point refuses before it reaches the code behind it: control characters in
text, integers beyond what the database stores, dates outside the calendar the code can do
arithmetic on, and JSON nested deeper than any real document.

One place per kind of entry, each answering in its own format:

- Django forms: `CheckedInputMixin` (on every form's base class) gives each field the checks of
  its type, so a bad value is a field error on the re-rendered form, which then answers 400
  rather than 200 (the page keeps what was typed; a form refused for ordinary reasons, such as
  a missing answer, keeps the status its view gives);
- the URL (path and query string) of every request, and a NUL in a form posted to the site's
  pages: `MalformedRequestMiddleware`, which answers 400 in the format registered for the path
  (the REST API's JSON, Open311's errors list) or as the site's "bad request" page; ids in URLs
  use `<id:...>` (`RowIdConverter`);
- the REST API: its JSON parser (`insieme.api.parsers`, with `json_problem`) and its query
  filters (their form has the mixin);
- Open311 parameters: its view decorator, with `find_control`;
- the command line: the actions it calls check their free text with `find_control`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextvars import ContextVar

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insieme.core.registry import Registry

# C0 controls, DEL, C1 controls and lone surrogates (which no encoding can store). A multi-line
# text may hold tabs and line breaks; a single-line one may not.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

# The smallest integer column of the databases Insieme runs on (PostgreSQL's `integer`): a
# form's whole number beyond it could not be stored or compared everywhere.
INT_MIN, INT_MAX = -2_147_483_648, 2_147_483_647
# Row ids are 64-bit (BigAutoField) on every database.
ID_MAX = 9_223_372_036_854_775_807
# Dates the code can shift by days and time zones without leaving Python's calendar, and wide
# enough for the oldest law still in force.
DATE_MIN, DATE_MAX = dt.date(1800, 1, 1), dt.date(2999, 12, 31)
# No real JSON document sent to the API is nested deeper than this.
MAX_JSON_DEPTH = 32


# Set for the length of a request by MalformedRequestMiddleware: not empty once a check refused
# malformed input.
_refused: ContextVar[list[bool] | None] = ContextVar("insieme_refused_input", default=None)


def note_refusal() -> None:
    """Remember that this request carried malformed input (its answer becomes a 400)."""
    box = _refused.get()
    if box is not None:
        box.append(True)


def input_refused() -> bool:
    """Whether a check has refused malformed input in this request so far (for a view that
    answers a refused form with a redirect rather than the page)."""
    return bool(_refused.get())


def find_control(text: str, multiline: bool = False) -> str | None:
    """The first control character in `text` (None when there is none)."""
    match = (_CONTROL_MULTILINE if multiline else _CONTROL).search(text)
    return match.group() if match else None


def control_message(char: str) -> str:
    return _(
        "Remove the control character U+%(code)04X: this text may hold only printable "
        "characters (and line breaks where it has several lines)."
    ) % {"code": ord(char)}


@deconstructible
class NoControlCharactersValidator:
    """Refuse control characters in a text, or in any text inside a list or mapping."""

    code = "control_characters"

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value) -> None:
        for _path, text in strings_in(value):
            char = find_control(text, self.multiline)
            if char is not None:
                note_refusal()
                raise ValidationError(control_message(char), code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, NoControlCharactersValidator) and other.multiline == self.multiline


def strings_in(value, path: str = "") -> Iterator[tuple[str, str]]:
    """Every text in a JSON-like value, keys included, with its dotted path."""
    stack = [(path, value)]
    while stack:
        here, item = stack.pop()
        if isinstance(item, str):
            yield here, item
        elif isinstance(item, dict):
            for key, inner in item.items():
                inner_path = f"{here}.{key}" if here else str(key)
                if isinstance(key, str):
                    yield inner_path, key
                stack.append((inner_path, inner))
        elif isinstance(item, list | tuple):
            stack.extend((f"{here}.{i}" if here else str(i), v) for i, v in enumerate(item))


def json_problem(value) -> tuple[str, str] | None:
    """(path, message) of the first thing a JSON body must not hold: nesting deeper than
    MAX_JSON_DEPTH or a control character other than a tab or a line break; None if clean."""
    stack = [("", value, 1)]
    while stack:
        here, item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return here, _("The JSON is nested more than %(n)d levels deep.") % {
                "n": MAX_JSON_DEPTH
            }
        if isinstance(item, str):
            char = find_control(item, multiline=True)
            if char is not None:
                return here, control_message(char)
        elif isinstance(item, dict):
            for key, inner in item.items():
                inner_path = f"{here}.{key}" if here else str(key)
                char = find_control(str(key))
                if char is not None:
                    return inner_path, control_message(char)
                stack.append((inner_path, inner, depth + 1))
        elif isinstance(item, list):
            stack.extend(
                (f"{here}.{i}" if here else str(i), v, depth + 1) for i, v in enumerate(item)
            )
    return None


# --- forms ------------------------------------------------------------------------------------


@deconstructible
class DateRangeValidator:
    """A date (or the date of a datetime) within [DATE_MIN, DATE_MAX]."""

    code = "date_range"

    def __call__(self, value) -> None:
        day = value.date() if isinstance(value, dt.datetime) else value
        if isinstance(day, dt.date) and not DATE_MIN <= day <= DATE_MAX:
            note_refusal()
            raise ValidationError(
                _("Enter a date between %(low)s and %(high)s.")
                % {"low": DATE_MIN.isoformat(), "high": DATE_MAX.isoformat()},
                code=self.code,
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, DateRangeValidator)


@deconstructible
class IntegerRangeValidator:
    """A whole number a database integer column holds everywhere ([INT_MIN, INT_MAX])."""

    code = "integer_range"

    def __call__(self, value) -> None:
        if isinstance(value, int) and not INT_MIN <= value <= INT_MAX:
            note_refusal()
            raise ValidationError(
                _("Enter a whole number between %(low)d and %(high)d.")
                % {"low": INT_MIN, "high": INT_MAX},
                code=self.code,
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, IntegerRangeValidator)


def field_checks(field: forms.Field) -> list[Callable]:
    """The validators a form field gets for its type (those it lacks)."""
    checks: list[Callable] = []
    if isinstance(field, forms.CharField | forms.JSONField):
        checks.append(NoControlCharactersValidator(isinstance(field.widget, forms.Textarea)))
    if isinstance(field, forms.IntegerField) and not isinstance(field, forms.DecimalField):
        checks.append(IntegerRangeValidator())
    if isinstance(field, forms.DateField | forms.DateTimeField):
        checks.append(DateRangeValidator())
    return [c for c in checks if c not in field.validators]


def _is_row_id(value) -> bool:
    text = str(value)
    return text.isascii() and text.lstrip("-").isdigit() and abs(int(text)) <= ID_MAX


def guard_row_ids(field: forms.Field) -> None:
    """A choice of rows by integer id refuses what is no id (a huge number overflows SQLite's
    integers in the query the field runs to check the choice) before that query runs."""
    if not isinstance(field, forms.ModelChoiceField) or getattr(field, "_ids_guarded", False):
        return
    model = field.queryset.model
    key = model._meta.get_field(field.to_field_name) if field.to_field_name else model._meta.pk
    if not isinstance(key, models.IntegerField):
        return
    clean = field.clean

    def guarded_clean(value):
        for item in value if isinstance(value, list | tuple) else [value]:
            if item not in field.empty_values and not _is_row_id(item):
                note_refusal()
                raise ValidationError(
                    field.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": str(item)[:40]},
                )
        return clean(value)

    field.clean = guarded_clean
    field._ids_guarded = True


class CheckedInputMixin:
    """Every field of the form refuses what no entry may hold (see `field_checks`), as a field
    error. Mixed into the base class of every form; fields added in a form's __init__ are
    covered too, because the checks are attached when the form is cleaned."""

    def full_clean(self):
        for field in self.fields.values():
            field.validators.extend(field_checks(field))
            guard_row_ids(field)
        super().full_clean()
        if self.is_bound:
            self._refuse_raw_controls()

    def _refuse_raw_controls(self) -> None:
        """A control character in what was sent for any field, whatever its type (a choice, a
        number, a date), is malformed input even where the field's own error says otherwise."""
        for name, field in self.fields.items():
            key = self.add_prefix(name)
            raw = field.widget.value_from_datadict(self.data, self.files, key)
            sent = self.data.getlist(key) if hasattr(self.data, "getlist") else []
            multiline = isinstance(field.widget, forms.Textarea)
            # The widget's reading (a date in parts) and the text as sent (a checkbox reads
            # any text as "ticked").
            for value in [*(raw if isinstance(raw, list | tuple) else [raw]), *sent]:
                char = find_control(value, multiline) if isinstance(value, str) else None
                if char is not None:
                    note_refusal()
                    if name not in self.errors:
                        self.add_error(name, ValidationError(control_message(char)))
                    break


# --- the URL of every request -----------------------------------------------------------------


class RowIdConverter:
    """`<id:pk>` in a URL: a row id, 1 to ID_MAX. A longer number matches no URL (404) instead
    of reaching a query that SQLite cannot even run (Django's `<int:...>` takes any digits)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 < number <= ID_MAX:
            raise ValueError(value)
        return number

    def to_url(self, value) -> str:
        return str(int(value))


# Path prefix -> function(request, status, message) answering in that part's own format.
bad_request_formats = Registry("bad request formats")

CONTROL_IN_URL = gettext_lazy("The address of the request holds a control character.")


def register_bad_request_format(prefix: str, respond: Callable) -> None:
    bad_request_formats.register(prefix, respond)


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
NUL_IN_FORM = gettext_lazy("The form sent holds a NUL character, which no text may hold.")


def url_problem(request: HttpRequest) -> str | None:
    """Why the request's path or query string cannot be served, or None."""
    if find_control(request.path):
        return str(CONTROL_IN_URL)
    for key, values in request.GET.lists():
        if find_control(key) or any(find_control(v, multiline=True) for v in values):
            return str(CONTROL_IN_URL)
    return None


def form_body_problem(request: HttpRequest) -> str | None:
    """A NUL anywhere in a form sent to the site's pages (no browser sends one, and some values,
    such as `next`, are read outside any form). Other control characters are the forms' to
    refuse, with the field named; the parts of the site with their own format (the API,
    Open311) check their own. A body that cannot be read fails here as it would in the view
    (Django answers 400)."""
    if request.method != "POST" or request.content_type not in FORM_TYPES:
        return None
    prefixes = bad_request_formats.keys()  # the registry iterates over its values
    if any(request.path.startswith(prefix) for prefix in prefixes):
        return None
    for key, values in request.POST.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            return str(NUL_IN_FORM)
    return None


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """A 400 in the format of the part of the site the request is for (longest prefix wins);
    elsewhere Django's handler400 renders the site's page."""
    for prefix in sorted(bad_request_formats.keys(), key=len, reverse=True):
        if request.path.startswith(prefix):
            return bad_request_formats.get(prefix)(request, 400, message)
    raise BadRequest(message)


class MalformedRequestMiddleware:
    """Refuse a request whose path or query string holds a control character (NUL among them,
    which PostgreSQL cannot even compare), or whose form holds a NUL, before any view looks a
    value up; and answer 400 instead of 200 when a form of the request refused malformed
    input."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = url_problem(request) or form_body_problem(request)
        if problem is not None:
            note_refusal()
            return bad_request(request, problem)
        token = _refused.set([])
        try:
            response = self.get_response(request)
            if _refused.get() and response.status_code == 200:
                # A page re-rendered with the refused fields' errors: the request was bad.
                response.status_code = 400
            return response
        finally:
            _refused.reset(token)
