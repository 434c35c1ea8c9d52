"""insieme.cases.redact: the names a case's public texts must not show, the stored public copies
and their refresh, and `strip`, the duplicate check's cleaner."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insieme.cases import redact
from insieme.cases.citizen import actions as citizen_actions
from insieme.cases.filing import actions as filing_actions
from insieme.cases.handling import actions as handling_actions
from insieme.cases.matching import actions as matching_actions
from insieme.cases.models import Case, CaseEvent, Follower
from insieme.catalog.models import Service
from insieme.core.pii import NAME
from tests.cases.conftest import INSIDE_MONTALTO
from tests.conftest import make_user

# --- strip ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "stripped"),
    [
        ("buca, scrivete a mario.rossi@example.org grazie", "buca, scrivete a   grazie"),
        ("CF RSSMRA85T10A562S e rssmra85t10a562s.", "CF   e  ."),
        ("chiamate il +39 333 123 4567 o lo 0577 123456", "chiamate il   o lo  "),
        ("dal 2026-01-31 in via Roma 12", "dal 2026-01-31 in via Roma 12"),
        ("una buca a forma di @", "una buca a forma di @"),
        ("", ""),
    ],
)
def test_strip_removes_contact_details_and_keeps_the_problem(text, stripped):
    assert redact.strip(text) == stripped


def test_strip_keeps_what_redaction_would_mask_but_the_duplicate_check_may_read():
    # strip serves the duplicate check: names and IBANs are words like others there.
    words = "Mario Rossi IT60X0542811101000000123456"
    assert redact.strip(words) == words
    assert redact.strip(None) is None


def _strip_reference(text: str) -> str:
    """redact.strip without its shortcuts: the three patterns, one after the other."""
    text = redact.EMAIL_RE.sub(" ", text)
    text = redact.TAX_CODE_RE.sub(" ", text)
    return redact.PHONE_CANDIDATE_RE.sub(
        lambda m: " " if redact._looks_like_phone(m.group(0)) else m.group(0), text
    )


_PIECES = st.sampled_from(
    [
        "mario.rossi@example.org",
        "RSSMRA85T10A562S",
        "rssmra85t10a562s",
        "RSSMRALTMLMDATUV",
        "RSSMRA85T10A562\u017f",
        "+39 333 123 4567",
        "0577 123456",
        "2026-01-31",
        "via Roma 12",
        "buca",
        "@",
        " ",
        ", ",
    ]
)


@given(st.lists(st.one_of(_PIECES, st.text(max_size=12)), max_size=8).map("".join))
def test_strip_shortcuts_change_nothing(text):
    """redact.strip skips a pattern where a cheap test says it cannot match: the result is the
    same as running all three."""
    assert redact.strip(text) == _strip_reference(text)


# --- names and public copies ---------------------------------------------------------------------


@pytest.mark.django_db
def test_filer_names():
    person = make_user("ugo@example.org", "Ugo Tognazzi")
    assert redact.filer_names(person, "Ugo T.") == {"Ugo Tognazzi", "Ugo T."}
    assert redact.filer_names(person) == {"Ugo Tognazzi"}
    assert redact.filer_names(None, "  ") == set()
    assert redact.filer_names(None, "") == set()
    assert redact.filer_names(None, "Ada Negri") == {"Ada Negri"}


def file(service, actor=None, **extra) -> Case:
    Service.objects.filter(pk=service.pk).update(anonymous_allowed=True)
    service.refresh_from_db()
    fields = {"answers": {"size": "large"}, "description": "Buca.", **INSIDE_MONTALTO, **extra}
    case, _ = filing_actions.submit_case(actor, filing_actions.Filing(service, **fields))
    return case


@pytest.mark.django_db
def test_names_by_case_gathers_the_people_behind_each_case(cat, bob):
    filer = make_user("ugo@example.org", "Ugo Tognazzi")
    neighbour = make_user("nina@example.org", "Nina Vicinato")
    follower = make_user("fabio@example.org", "Fabio Seguace")
    kept = file(cat.pothole, filer, contact_name="Ugo il Tognazzi")
    other = file(cat.pothole, contact_name="Ada Negri")
    quiet = file(cat.pothole)
    merged = file(cat.pothole, contact_name="Osvaldo Doppione")
    citizen_actions.follow_case(neighbour, kept, me_too=True)
    citizen_actions.follow_case(follower, kept)  # follows for updates: not someone behind the case
    matching_actions.merge_duplicate(bob, merged, kept)
    names = redact.names_by_case([kept.pk, other.pk, quiet.pk], Case, Follower)
    assert names == {
        kept.pk: {"Ugo Tognazzi", "Ugo il Tognazzi", "Nina Vicinato", "Osvaldo Doppione"},
        other.pk: {"Ada Negri"},
        quiet.pk: set(),
    }
    assert redact.case_names(kept) == names[kept.pk]
    assert redact.names_by_case([], Case, Follower) == {}
    assert redact.names_by_case(iter([quiet.pk]), Case, Follower) == {quiet.pk: set()}


@pytest.mark.django_db
def test_public_copies_are_written_with_the_text(cat, bob):
    filer = make_user("ugo@example.org", "Ugo Tognazzi")
    case = file(cat.pothole, filer, address="Via Roma 1, c/o Tognazzi")
    assert case.public_address == f"Via Roma 1, c/o {NAME}"
    event = handling_actions.reply(bob, case, "Grazie Ugo Tognazzi.")
    note = handling_actions.reply(bob, case, "Ugo Tognazzi chiama spesso.", public=False)
    assert event.public_text == f"Grazie {NAME}."
    assert note.public_text == ""  # never public: no copy


@pytest.mark.django_db
def test_an_empty_text_costs_no_query(cat, django_assert_num_queries):
    case = file(cat.pothole, contact_name="Ada Negri")
    with django_assert_num_queries(0):
        assert redact.public_text(case, "") == ""
    with django_assert_num_queries(3):
        assert redact.public_text(case, "Ada Negri") == NAME


@pytest.mark.django_db
def test_refresh_walks_every_batch(cat, bob):
    surnames = ["Uno", "Due", "Tre"]
    filers = [make_user(f"{s}@example.org", f"Persona {s}") for s in surnames]
    cases = [
        file(cat.pothole, f, address=f"c/o {s}", description=f"Buca vista da Persona {s}.")
        for s, f in zip(surnames, filers, strict=True)
    ]
    for case, surname in zip(cases, surnames, strict=True):
        handling_actions.reply(bob, case, f"Grazie Persona {surname}.")
        handling_actions.reply(bob, case, f"Persona {surname}: nota.", public=False)
    Case.objects.update(public_description="stale", public_address="stale")
    CaseEvent.objects.filter(is_public=True).exclude(text="").update(public_text="stale")
    done = redact.refresh_public_texts(batch=2)
    assert done == len(cases) * 2  # each case, and its one public text
    for surname, case in zip(surnames, Case.objects.order_by("pk"), strict=True):
        assert case.public_description == f"Buca vista da {NAME}."
        assert case.public_address == f"c/o {NAME}"
        reply = case.events.get(kind=CaseEvent.Kind.PUBLIC_REPLY)
        assert reply.public_text == f"Grazie {NAME}."
        assert case.events.get(kind=CaseEvent.Kind.INTERNAL_NOTE).public_text == ""
        assert reply.text == f"Grazie Persona {surname}."


@pytest.mark.django_db
def test_refresh_works_on_a_migrations_models(cat):
    """The migration that ships a rule change runs the refresh on its historical models."""
    from django.apps import apps as installed
    from django.db.migrations.state import ProjectState

    apps = ProjectState.from_apps(installed).apps  # models as a migration sees them
    models = tuple(apps.get_model("cases", name) for name in ("Case", "CaseEvent", "Follower"))
    case = file(cat.pothole, contact_name="Ada Negri", address="c/o Negri")
    Case.objects.update(public_address="stale")
    assert redact.refresh_public_texts(models, "default", batch=1) == 1
    assert Case.objects.get(pk=case.pk).public_address == f"c/o {NAME}"
