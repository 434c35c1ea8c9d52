"""The resident register: normalisation and the CSV parser (hypothesis), upload by the register's
keepers only, replaced wholesale, errors naming the line, nothing stored in clear, audited with
counts only; verification against it, at the counter, and by an identity provider."""

from __future__ import annotations

import datetime as dt
import string

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st

from insieme.budgets import actions, register
from insieme.budgets.models import RegisterEntry, ResidentRegister, Verification
from insieme.budgets.verification import (
    IdentityProviderVerifier,
    RegisterVerifier,
)
from insieme.core.models import AuditEntry
from insieme.participation.actions import RateLimited
from tests.budgets.conftest import (
    GINO_BORN,
    GINO_CF,
    LUCA_CF,
    REGISTER_CSV,
    SARA_BORN,
    SARA_CF,
    fiscal_code,
    verify_at_counter,
)
from tests.conftest import make_user

KEY = register.register_key("salt")

stems = st.builds(
    lambda a, b, c, d, e, f: a + b + c + d + e + f,
    st.text(string.ascii_uppercase, min_size=6, max_size=6),
    st.text("0123456789LMNPQRSTUV", min_size=2, max_size=2),
    st.sampled_from(string.ascii_uppercase),
    st.text("0123456789LMNPQRSTUV", min_size=2, max_size=2),
    st.sampled_from(string.ascii_uppercase),
    st.text("0123456789LMNPQRSTUV", min_size=3, max_size=3),
)


@given(stems, st.sampled_from(["", " ", "-", "."]), st.booleans())
def test_a_fiscal_code_normalises_whatever_its_spacing_and_case(stem, sep, lower):
    code = fiscal_code(stem)
    typed = sep.join([code[:6], code[6:11], code[11:]])
    typed = typed.lower() if lower else typed
    assert register.normalise_fiscal_code(typed) == code


@given(stems, st.sampled_from(string.ascii_uppercase))
def test_a_wrong_check_character_is_refused(stem, wrong):
    if wrong == register.check_character(stem):
        return
    with pytest.raises(register.InvalidValue, match="does not match"):
        register.normalise_fiscal_code(stem + wrong)


@given(st.text(max_size=30))
def test_normalisation_never_fails_otherwise_than_with_a_sentence(text):
    try:
        code = register.normalise_fiscal_code(text)
    except register.InvalidValue as exc:
        assert str(exc)
    else:
        assert len(code) in (11, 16) and code == code.upper()


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 1, 1)))
def test_a_birth_date_reads_in_every_accepted_form(day):
    for text in (day.isoformat(), day.strftime("%d/%m/%Y"), day.strftime("%d.%m.%Y")):
        assert register.normalise_birth_date(text) == day


@settings(max_examples=50)
@given(st.binary(max_size=300))
def test_the_parser_never_crashes_on_any_bytes(data):
    parsed = register.parse_csv(data, KEY)
    assert parsed.errors or parsed.hashes


@settings(max_examples=30)
@given(st.lists(stems, min_size=1, max_size=8, unique=True), st.sampled_from([",", ";"]))
def test_the_parser_hashes_each_resident_once(stem_list, sep):
    lines = [f"fiscal_code{sep}birth_date"] + [
        f"{fiscal_code(s)}{sep}1970-01-01" for s in stem_list
    ]
    parsed = register.parse_csv(("\n".join(lines + lines[1:2]) + "\n").encode(), KEY)
    assert not parsed.errors
    assert len(parsed.hashes) == len(stem_list) and parsed.duplicates == 1
    assert all(len(h) == 64 for h in parsed.hashes)


def test_errors_name_the_line():
    data = (
        "fiscal_code,birth_date\n"
        f"{SARA_CF},1980-01-01\n"
        "NOTACODE,1980-01-01\n"
        f"{GINO_CF},31/02/1990\n"
        f"{LUCA_CF}\n"
    ).encode()
    parsed = register.parse_csv(data, KEY)
    assert parsed.errors == [
        "Line 3: A fiscal code has 16 characters (or 11 digits).",
        "Line 4: Write the birth date as YYYY-MM-DD or DD/MM/YYYY.",
        "Line 5: a column is missing.",
    ]
    assert register.parse_csv(b"nome,cognome\nA,B\n", KEY).errors == [
        "Line 1: the first line must name the columns fiscal_code and birth_date."
    ]
    assert register.parse_csv(b"\xff\xfe", KEY).errors[0].startswith("The file is not UTF-8")


def test_the_register_stores_keyed_hashes_only(montalto, elena, montalto_register):
    reg_row = ResidentRegister.objects.get(administration=montalto)
    assert reg_row.entries_count == 3
    stored = list(RegisterEntry.objects.values_list("entry_hash", flat=True))
    assert len(stored) == 3
    dump = " ".join(stored) + reg_row.salt
    for clear in (SARA_CF, LUCA_CF, GINO_CF, "1980-01-01", "01/01/1980", "Sara"):
        assert clear not in dump and clear.lower() not in dump
    # Keyed: the plain SHA-256 of a resident is not what is stored.
    import hashlib

    assert hashlib.sha256(f"{SARA_CF}|1980-01-01".encode()).hexdigest() not in stored
    entry = AuditEntry.objects.get(action="budgets.register_uploaded")
    assert entry.after == {"entries": 3, "duplicates": 0}
    assert SARA_CF not in str(entry.before) + str(entry.after)


def test_an_upload_replaces_the_register_and_keeps_verifications(
    montalto, elena, montalto_register, sara
):
    RegisterVerifier().verify(sara, montalto, fiscal_code=SARA_CF, birth_date=SARA_BORN)
    actions.upload_register(elena, montalto, f"cf;data_nascita\n{GINO_CF};1990-12-10\n".encode())
    assert RegisterEntry.objects.count() == 1
    assert Verification.objects.filter(user=sara).exists()
    luca = make_user("luca@example.org", "Luca")
    with pytest.raises(ValidationError, match="did not find"):
        RegisterVerifier().verify(luca, montalto, fiscal_code=SARA_CF, birth_date=SARA_BORN)


def test_a_file_with_errors_stores_nothing(persona_client, montalto, elena, montalto_register):
    bad = SimpleUploadedFile("r.csv", b"fiscal_code,birth_date\nXX,1980-01-01\n", "text/csv")
    response = persona_client(elena).post("/staff/montalto/budgets/register/", {"file": bad})
    assert response.status_code == 400
    assert "Line 2: A fiscal code has 16 characters" in response.content.decode()
    assert RegisterEntry.objects.count() == 3


@pytest.mark.parametrize("who", ["alice", "elena"])
def test_the_register_keepers_upload(persona_client, request, montalto, who):
    client = persona_client(request.getfixturevalue(who))
    upload = SimpleUploadedFile("r.csv", REGISTER_CSV, "text/csv")
    response = client.post("/staff/montalto/budgets/register/", {"file": upload})
    assert response.status_code == 302
    assert RegisterEntry.objects.count() == 3


@pytest.mark.parametrize(
    "who,status", [("bob", 403), ("carla", 403), ("dario", 403), ("oscar", 404), ("charlie", 404)]
)
def test_nobody_else_uploads(persona_client, request, montalto, who, status):
    client = persona_client(request.getfixturevalue(who))
    upload = SimpleUploadedFile("r.csv", REGISTER_CSV, "text/csv")
    assert client.post("/staff/montalto/budgets/register/", {"file": upload}).status_code == status
    assert client.get("/staff/montalto/budgets/register/").status_code == status
    assert not RegisterEntry.objects.exists()
    with pytest.raises(PermissionDenied):
        actions.upload_register(request.getfixturevalue(who), montalto, REGISTER_CSV)


def test_self_check_finds_the_resident(persona_client, montalto, montalto_register, sara):
    client = persona_client(sara)
    url = "/participation/montalto/budgets/verify/"
    wrong = client.post(url, {"fiscal_code": SARA_CF, "birth_date": "1980-01-02"})
    assert wrong.status_code == 400
    assert "We did not find this fiscal code with this birth date" in wrong.content.decode()
    ok = client.post(url, {"fiscal_code": SARA_CF.lower(), "birth_date": "1980-01-01"})
    assert ok.status_code == 302
    verification = Verification.objects.get(user=sara)
    assert verification.method == "register" and len(verification.identity_hash) == 64
    assert "You are verified as a resident" in client.get(url).content.decode()
    entry = AuditEntry.objects.get(action="budgets.voter_verified")
    assert entry.after == {"user": sara.pk, "method": "register", "document_type": ""}


def test_self_checks_are_rate_limited(persona_client, montalto, montalto_register, sara):
    client = persona_client(sara)
    url = "/participation/montalto/budgets/verify/"
    for _n in range(5):
        client.post(url, {"fiscal_code": SARA_CF, "birth_date": "1999-01-01"})
    response = client.post(url, {"fiscal_code": SARA_CF, "birth_date": "1980-01-01"})
    assert response.status_code == 429 and response["Retry-After"]
    assert not Verification.objects.exists()
    with pytest.raises(RateLimited):
        RegisterVerifier().verify(sara, montalto, fiscal_code=SARA_CF, birth_date=SARA_BORN)


def test_without_a_register_the_page_says_go_to_the_counter(persona_client, montalto, sara):
    response = persona_client(sara).post(
        "/participation/montalto/budgets/verify/",
        {"fiscal_code": SARA_CF, "birth_date": "1980-01-01"},
    )
    assert response.status_code == 400
    assert "has not uploaded its resident register" in response.content.decode()


def test_one_resident_verifies_one_account(montalto, bob, montalto_register, sara):
    RegisterVerifier().verify(sara, montalto, fiscal_code=SARA_CF, birth_date=SARA_BORN)
    twin = make_user("twin@example.org", "Twin")
    with pytest.raises(ValidationError, match="already verified with another account"):
        RegisterVerifier().verify(twin, montalto, fiscal_code=SARA_CF, birth_date=SARA_BORN)
    with pytest.raises(ValidationError, match="already verified with another account"):
        verify_at_counter(bob, twin, montalto, SARA_CF, SARA_BORN)
    # Verifying again is no new row.
    again = RegisterVerifier().verify(sara, montalto, fiscal_code=SARA_CF, birth_date=SARA_BORN)
    assert Verification.objects.count() == 1 and again.user == sara


def test_counter_verification_notes_the_document_type_only(persona_client, montalto, bob, sara):
    response = persona_client(bob).post(
        "/staff/montalto/budgets/counter/",
        {
            "email": sara.email,
            "document_type": "passport",
            "fiscal_code": GINO_CF,
            "birth_date": GINO_BORN.isoformat(),
        },
    )
    assert response.status_code == 302
    verification = Verification.objects.get(user=sara)
    assert (verification.method, verification.document_type, verification.verified_by) == (
        "counter",
        "passport",
        bob,
    )
    assert GINO_CF not in str(Verification.objects.values().get())


def test_counter_form_refusals(persona_client, montalto, bob):
    client = persona_client(bob)
    url = "/staff/montalto/budgets/counter/"
    nobody = client.post(
        url,
        {
            "email": "ghost@example.org",
            "document_type": "passport",
            "fiscal_code": GINO_CF,
            "birth_date": "1990-12-10",
        },
    )
    assert (
        nobody.status_code == 400 and "ask the person to sign up first" in nobody.content.decode()
    )
    no_doc = client.post(
        url, {"email": "x@example.org", "fiscal_code": GINO_CF, "birth_date": "1990-12-10"}
    )
    assert no_doc.status_code == 400
    assert not Verification.objects.exists()


@pytest.mark.parametrize(
    "who,status", [("carla", 403), ("elena", 403), ("oscar", 404), ("charlie", 404)]
)
def test_only_counter_staff_verify(persona_client, request, montalto, sara, who, status):
    user = request.getfixturevalue(who)
    assert persona_client(user).get("/staff/montalto/budgets/counter/").status_code == status
    with pytest.raises(PermissionDenied):
        verify_at_counter(user, sara, montalto, GINO_CF, GINO_BORN)


def test_an_identity_provider_plugs_in_through_the_same_interface(
    montalto, montalto_register, sara
):
    verifier = IdentityProviderVerifier(require_register=True)
    with pytest.raises(ValidationError, match="not in the resident register"):
        verifier.verify(
            sara, montalto, fiscal_code=fiscal_code("ZZZZZZ80A01F205"), birth_date=SARA_BORN
        )
    verification = verifier.verify(sara, montalto, fiscal_code=SARA_CF, birth_date=SARA_BORN)
    assert verification.method == "eid"
