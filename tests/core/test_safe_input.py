"""insieme.core.safe_input: what every entry point refuses (control characters, integers beyond
the database's, dates outside the calendar, JSON nested too deep), and that every form of the
project and every URL get those checks."""

from __future__ import annotations

import importlib
import pkgutil
import unicodedata

import pytest
from django import forms
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

import insieme
from insieme.core.models import AuditEntry, Department
from insieme.core.safe_input import (
    DATE_MAX,
    DATE_MIN,
    MAX_JSON_DEPTH,
    CheckedInputMixin,
    find_control,
    json_problem,
)

LINE_CHARS = "\t\n\r"


def is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cs")


# --- the character check ------------------------------------------------------------------------


@given(st.text())
def test_a_text_is_refused_exactly_when_it_holds_a_control_character(text):
    assert (find_control(text) is not None) == any(is_control(c) for c in text)
    multiline = any(is_control(c) and c not in LINE_CHARS for c in text)
    assert (find_control(text, multiline=True) is not None) == multiline


@given(st.text(), st.characters(categories=["Cc", "Cs"]), st.text())
def test_the_character_found_is_the_first_control(before, char, after):
    printable = "".join(c for c in before if not is_control(c))
    assert find_control(printable + char + after) == char


def test_multi_line_text_keeps_tabs_and_line_breaks():
    assert find_control("one\r\ntwo\tthree", multiline=True) is None
    assert find_control("one\r\ntwo") == "\r"
    assert find_control("one\ntwo", multiline=True) is None
    assert find_control("a\x0bb", multiline=True) == "\x0b"  # a vertical tab is no line break


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=20,
)


def depth(value) -> int:
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 1


def has_json_control(value) -> bool:
    if isinstance(value, str):
        return find_control(value, multiline=True) is not None
    if isinstance(value, list):
        return any(has_json_control(v) for v in value)
    if isinstance(value, dict):
        return any(find_control(k) or has_json_control(v) for k, v in value.items())
    return False


@given(json_values)
def test_a_json_document_is_refused_exactly_when_it_is_too_deep_or_holds_a_control(value):
    bad = depth(value) > MAX_JSON_DEPTH or has_json_control(value)
    assert (json_problem(value) is not None) == bad


def test_json_depth_limit():
    value = "leaf"
    for _level in range(MAX_JSON_DEPTH - 1):
        value = [value]
    assert json_problem(value) is None
    path, message = json_problem([value])
    assert path == ".".join(["0"] * MAX_JSON_DEPTH) and "nested" in message


# --- every form gets the checks -----------------------------------------------------------------


def all_form_classes() -> list[type]:
    for module in pkgutil.walk_packages(insieme.__path__, "insieme."):
        if ".migrations" not in module.name and not module.name.endswith(("bench", "wsgi")):
            importlib.import_module(module.name)
    found, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("insieme."):
            found.append(cls)
    return found


def test_every_form_of_the_project_checks_its_input():
    classes = all_form_classes()
    assert len(classes) >= 40
    missing = [
        f"{c.__module__}.{c.__name__}" for c in classes if not issubclass(c, CheckedInputMixin)
    ]
    assert not missing


def test_every_filter_set_of_the_api_checks_its_query():
    import django_filters

    all_form_classes()  # imports every module
    found, todo = [], [django_filters.FilterSet]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("insieme."):
            found.append(cls)
    assert len(found) >= 4
    assert all(issubclass(fs._meta.form, CheckedInputMixin) for fs in found), found


class Sample(CheckedInputMixin, forms.Form):
    line = forms.CharField(required=False)
    text = forms.CharField(required=False, widget=forms.Textarea)
    count = forms.IntegerField(required=False)
    day = forms.DateField(required=False)
    moment = forms.DateTimeField(required=False)
    pick = forms.ChoiceField(required=False, choices=[("a", "A")])
    department = forms.ModelChoiceField(required=False, queryset=Department.objects.all())


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("line", "a\x00b", "control character U+0000"),
        ("line", "a\tb", "control character U+0009"),
        ("text", "a\x1bb", "control character U+001B"),
        ("count", "2147483648", "between -2147483648 and 2147483647"),
        ("count", "-2147483649", "between -2147483648 and 2147483647"),
        ("day", "1799-12-31", "between 1800-01-01 and 2999-12-31"),
        ("day", "3000-01-01", "between 1800-01-01 and 2999-12-31"),
        ("moment", "0001-01-01 00:00", "between 1800-01-01 and 2999-12-31"),
        ("pick", "a\x00", "Select a valid choice"),
        ("department", "9" * 30, "Select a valid choice"),
        ("department", "²", "Select a valid choice"),
    ],
)
def test_a_form_refuses_malformed_values(db, field, value, message):
    form = Sample({field: value})
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


def test_a_form_takes_values_within_the_limits(db):
    form = Sample(
        {
            "line": "plain",
            "text": "two\r\nlines\twith a tab",
            "count": "2147483647",
            "day": DATE_MIN.isoformat(),
            "moment": f"{DATE_MAX.isoformat()} 23:59",
            "pick": "a",
        }
    )
    assert form.is_valid(), form.errors


# --- at the level people meet it ----------------------------------------------------------------


@pytest.fixture
def admin_client(persona_client, alice):
    return persona_client(alice)


def test_a_staff_form_with_a_control_character_answers_400_and_keeps_the_input(
    admin_client, montalto
):
    before = AuditEntry.objects.count()
    response = admin_client.post(
        reverse("staff_department_create", args=["montalto"]),
        {"name": "Parks\x1b[31m", "code": "parks"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "control character U+001B" in body and 'value="parks"' in body
    assert not Department.objects.filter(code="parks").exists()
    assert AuditEntry.objects.count() == before


def test_a_control_character_in_a_choice_answers_400(admin_client, alice, montalto):
    membership = alice.memberships.get()
    response = admin_client.post(
        reverse("staff_membership_edit", args=["montalto", membership.pk]),
        {"role": "administrator\x01", "capacity": "10"},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_an_ordinary_form_error_keeps_its_status(admin_client, montalto):
    response = admin_client.post(
        reverse("staff_department_create", args=["montalto"]), {"name": "", "code": "parks"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize("huge", ["99999999999999999999", "9223372036854775808"])
def test_an_id_no_row_can_have_matches_no_page(persona_client, carla, cat, huge):
    """Beyond 64 bits an id overflowed SQLite's integers in the lookup through the service."""
    question = cat.pothole.attributes.first()
    client = persona_client(carla)
    for url in (
        f"/staff/montalto/services/{huge}/questions/{question.pk}/edit/",
        f"/staff/montalto/services/{cat.pothole.pk}/questions/{huge}/edit/",
        f"/staff/montalto/services/{huge}/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url


@pytest.mark.parametrize(
    "url", ["/services/?q=a%00b", "/services/?q%01=1", "/cases/montalto/%00/", "/staff/%1b/"]
)
def test_a_control_character_in_the_url_is_a_bad_request(client, db, url):
    assert client.get(url).status_code == 400


def test_a_nul_in_a_form_field_no_form_reads_is_a_bad_request(client, db):
    response = client.post("/accounts/login/", {"email": "a@example.org", "next": "/\x00"})
    assert response.status_code == 400


def test_a_checkbox_ticked_with_a_control_character_is_refused(admin_client, alice, montalto):
    membership = alice.memberships.get()
    response = admin_client.post(
        reverse("staff_membership_edit", args=["montalto", membership.pk]),
        {"role": "administrator", "capacity": "10", "is_active": "on\x1b"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize("name", ["a\x00b", "app\x1b[31m", "two\nlines"])
def test_the_command_line_refuses_a_key_name_with_a_control_character(montalto, name):
    from django.core.management import CommandError, call_command

    from insieme.core.models import ApiKey

    with pytest.raises(CommandError) as exc:
        call_command("apikey", "create", "--name", name, "--administration", "montalto")
    assert "control character" in str(exc.value)
    assert not ApiKey.objects.exists()
