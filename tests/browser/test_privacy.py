"""Data protection in a real browser (Debian's chromium), in English and in Italian: a citizen
reads and downloads a copy of their data, then erases their account; the data steward reviews
what the personal-data scanner found, redacts one text and dismisses another; an officer gets
403 and another administration's staff 404 on the steward's pages. axe-core finds no WCAG 2.1
A/AA violation on any page visited."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from playwright.sync_api import expect

from insieme.cases.filing import actions as filing_actions
from insieme.cases.models import Case
from insieme.core.models import User
from insieme.participation import actions as participation_actions
from insieme.participation.models import Comment, Idea
from insieme.privacy import scanner
from insieme.privacy.models import Finding, SubjectRequest
from tests.browser.conftest import assert_accessible, log_in_as
from tests.browser.test_languages import choose_language
from tests.cases.conftest import INSIDE_MONTALTO
from tests.catalog.conftest import cat  # noqa: F401 (the fixture)
from tests.conftest import PASSWORD, make_user
from tests.opendata.conftest import make_case, make_service
from tests.participation.conftest import make_idea, make_process

pytestmark = pytest.mark.django_db(transaction=True)

MINE = "Quokka7731"  # in every text Charlie wrote
HERS = "Otter4410"  # in every text Sara wrote
PHONE = "+39 347 111 2233"

EMAIL = "mario.rossi@example.org"
IDEA_PHONE = "333 1234567"
TAX_CODE = "RSSMRA85T10A562S"
LONG = "Il marciapiede è dissestato da mesi e nessuno interviene, è pericoloso per tutti. "
WHEN = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)

# What people read and click, in each language.
WORDS = {
    "en": {
        "account": "Your account",
        "panel": "Your data",
        "panel_link": "Download a copy of your data, or erase your account",
        "read": "Read your data",
        "download": "Download it as a JSON file",
        "data_requests": "Your requests about your data",
        "copy": "A copy of my data",
        "password": "Your password",
        "understood": "I understand: my account closes for good",
        "erase": "Erase my account",
        "not_yours": "That is not your password.",
        "erased": "Your account is erased. What you wrote stays without your name or contacts.",
        "log_in": "Log in",
        "protection": "Data protection",
        "to_review": "3 findings to review, of 3.",
        "review": "Review the findings",
        "findings": "Personal data in free text",
        "kind": "Kind of data",
        "state": "State",
        "show": "Show",
        "one": "1 finding",
        "two": "2 findings",
        "three": "3 findings",
        "one_left": "1 finding to review, of 3.",
        "none": "No findings here.",
        "email_hidden": "[e-mail hidden]",
        "phone_hidden": "[phone hidden]",
        "redact": "Redact",
        "dismiss": "Not personal data",
        "redacted": "Redacted: the text now holds placeholders where the data was.",
        "dismissed": "Marked as not personal data: the text stays as it is.",
        "forbidden": "You may not open this page",
        "not_found": "Page not found",
    },
    "it": {
        "account": "Il suo account",
        "panel": "I suoi dati personali",
        "panel_link": "Scarichi una copia dei suoi dati o cancelli il suo account",
        "read": "Legga i suoi dati",
        "download": "Lo scarichi come file JSON",
        "data_requests": "Le sue richieste sui suoi dati",
        "copy": "Una copia dei miei dati",
        "password": "La sua password",
        "understood": "Ho capito: il mio account si chiude per sempre",
        "erase": "Cancella il mio account",
        "not_yours": "Questa non è la sua password.",
        "erased": (
            "Il suo account è cancellato. Ciò che ha scritto resta senza il suo nome o i suoi "
            "recapiti."
        ),
        "log_in": "Accedi",
        "protection": "Protezione dei dati",
        "to_review": "3 rilevamenti da esaminare, su 3.",
        "review": "Esamina i rilevamenti",
        "findings": "Dati personali nel testo libero",
        "kind": "Tipo di dato",
        "state": "Stato",
        "show": "Mostra",
        "one": "1 rilevamento",
        "two": "2 rilevamenti",
        "three": "3 rilevamenti",
        "one_left": "1 rilevamento da esaminare, su 3.",
        "none": "Nessun rilevamento qui.",
        "email_hidden": "[e-mail nascosta]",
        "phone_hidden": "[telefono nascosto]",
        "redact": "Oscura",
        "dismiss": "Dati non personali",
        "redacted": "Oscurato: ora il testo contiene segnaposto dove c'erano i dati.",
        "dismissed": "Segnato come dato non personale: il testo resta com'è.",
        "forbidden": "Non è possibile aprire questa pagina",
        "not_found": "Pagina non trovata",
    },
}
LANGUAGES = pytest.mark.parametrize("language", ["en", "it"])


def in_language(page, language: str) -> None:
    """The language chosen in this browser (the cookie the language menu sets)."""
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": page.base_url}]
    )


def h1(page) -> str:
    return page.get_by_role("heading", level=1).inner_text().strip()


def tick(box) -> None:
    """Tick a checkbox as a person does: by its label, which Bootstrap Italia draws as the box."""
    if not box.is_checked():
        box.page.locator(f"label[for={box.get_attribute('id')}]").click()
    assert box.is_checked()


def flash(page) -> str:
    return page.locator("main .messages").inner_text().strip()


# --- a citizen's own data ----------------------------------------------------------------------


def file_case(cat, user, text: str) -> Case:  # noqa: F811 - `cat` is the fixture's value
    case, _created = filing_actions.submit_case(
        user,
        filing_actions.Filing(
            cat.pothole,
            answers={"size": "large", "notes": f"Notes {text}"},
            description=f"A deep hole {text}",
            address=f"Via Roma 12 {text}",
            contact_name=user.full_name,
            contact_email=user.email,
            contact_phone=PHONE,
            **INSIDE_MONTALTO,
        ),
    )
    return case


@pytest.fixture
def citizens(cat, charlie, carla, montalto):  # noqa: F811
    """Charlie has a request, an idea and a comment; Sara, another citizen, has her own request,
    idea and comment, and has downloaded her data once."""
    sara = make_user("sara@example.org", "Sara Secondcitizen")
    case = file_case(cat, charlie, MINE)
    process = make_process(montalto, carla)
    idea = make_idea(process, charlie, title=f"Shade {MINE}", body=f"More trees {MINE}")
    participation_actions.add_comment(charlie, idea=idea, body=f"And benches {MINE}", limit=False)
    hers = file_case(cat, sara, HERS)
    make_idea(process, sara, title=f"Fountains {HERS}", body=f"Water {HERS}")
    participation_actions.add_comment(sara, idea=idea, body=f"I disagree {HERS}", limit=False)
    SubjectRequest.objects.create(
        user=sara, kind=SubjectRequest.Kind.EXPORT, state=SubjectRequest.State.DONE
    )
    return SimpleNamespace(case=case, idea=idea, sara=sara, hers=hers)


@LANGUAGES
def test_a_citizen_reads_downloads_and_erases_their_data(page, citizens, charlie, language):
    w = WORDS[language]
    log_in_as(page, charlie)
    page.goto(page.base_url + "/")
    if language == "it":
        choose_language(page, "Italiano", "Change")
    main = page.locator("main")

    # Your account (the header's link with their name) → its "Your data" panel.
    page.get_by_role("link", name="Charlie", exact=True).click()
    page.wait_for_load_state()
    assert h1(page) == w["account"]
    assert main.get_by_role("heading", name=w["panel"], level=2).count() == 1
    assert_accessible(page)
    main.get_by_role("link", name=w["panel_link"]).click()
    page.wait_for_load_state()
    assert page.url == page.base_url + "/accounts/data/"
    assert h1(page) == w["panel"]
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)

    # Read your data: Charlie's request, idea and comment, nothing of Sara's.
    main.get_by_role("button", name=w["read"], exact=True).click()
    page.wait_for_load_state()
    assert page.url == page.base_url + "/accounts/data/export/"
    assert h1(page) == w["panel"]
    text = main.inner_text()
    assert citizens.case.reference in text
    assert f"A deep hole {MINE}" in text and f"Shade {MINE}" in text
    assert f"And benches {MINE}" in text
    assert citizens.hers.reference not in text
    assert HERS not in text and "Sara" not in text and "sara@example.org" not in text
    assert_accessible(page)

    # The same as a JSON file, downloaded from the page.
    with page.expect_download() as info:
        main.get_by_role("button", name=w["download"]).click()
    download = info.value
    assert download.suggested_filename.startswith("insieme-my-data-")
    assert download.suggested_filename.endswith(".json")
    body = Path(download.path()).read_text(encoding="utf-8")
    data = json.loads(body)
    assert data["person"]["email"] == "charlie@example.org"
    sections = {s["key"]: s for s in data["sections"]}
    assert [c["reference"] for c in sections["cases"]["records"]] == [citizens.case.reference]
    assert HERS not in body and "sara@example.org" not in body

    # Back on "Your data": the two copies are listed as Charlie's requests, not Sara's one.
    page.go_back()
    page.wait_for_load_state()
    page.reload()  # the list as it is now, not as the browser kept it
    page.wait_for_load_state()
    assert h1(page) == w["panel"]
    listed = main.get_by_role("heading", name=w["data_requests"]).locator(
        "xpath=following-sibling::ul[1]/li"
    )
    assert listed.count() == 2
    assert all(w["copy"] in item for item in listed.all_inner_texts())
    assert SubjectRequest.objects.filter(user=charlie).count() == 2

    # Erasing: a wrong password is refused in the form, and nothing changes.
    page.get_by_label(w["password"]).fill("not my password")
    tick(main.get_by_role("checkbox", name=w["understood"]))
    main.get_by_role("button", name=w["erase"]).click()
    page.wait_for_load_state()
    summary = main.get_by_role("alert")
    assert w["not_yours"] in summary.inner_text()
    password = page.get_by_label(w["password"])
    assert password.get_attribute("aria-invalid") == "true"
    error = page.locator("#" + password.get_attribute("aria-describedby"))
    assert error.inner_text().strip() == w["not_yours"]
    assert User.objects.get(pk=charlie.pk).is_active
    assert_accessible(page)
    # The summary's link leads to the field.
    summary.get_by_role("link", name=w["password"]).click()
    expect(password).to_be_focused()

    # The right password: signed out, told so; the account closed, the request's contacts gone.
    password.fill(PASSWORD)
    tick(main.get_by_role("checkbox", name=w["understood"]))
    main.get_by_role("button", name=w["erase"]).click()
    page.wait_for_load_state()
    assert page.url.split("#")[0] == page.base_url + "/"  # (a redirect keeps the fragment)
    assert w["erased"] in flash(page)
    assert page.get_by_role("link", name=w["log_in"]).count() == 1
    assert page.locator("header form[action*=logout]").count() == 0
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)
    user = User.objects.get(pk=charlie.pk)
    assert not user.is_active and not user.has_usable_password()
    assert user.email != "charlie@example.org" and user.full_name == ""
    case = Case.objects.get(pk=citizens.case.pk)
    assert (case.contact_name, case.contact_email, case.contact_phone) == ("", "", "")
    assert case.address == "" and MINE in case.description  # the text stays, redacted
    hers = Case.objects.get(pk=citizens.hers.pk)
    assert hers.contact_email == "sara@example.org"  # Sara's untouched
    assert SubjectRequest.objects.filter(user=charlie, kind=SubjectRequest.Kind.ERASE).count() == 1
    # Signed out: the data page asks to sign in again.
    page.goto(page.base_url + "/accounts/data/")
    assert "/accounts/login/" in page.url


# --- the data steward's findings ---------------------------------------------------------------


@pytest.fixture
def scanned(montalto, lagoverde, carla, charlie):
    """Montalto's texts with personal data, scanned: an e-mail in a case's public description,
    a phone number in an idea, a tax code in a comment. Lago Verde's text with an e-mail is
    scanned too (never in Montalto's list). Charlie, who filed the case, asked for a copy of
    his data."""
    lights = make_service(montalto, "luce", "Illuminazione")
    case = make_case(
        montalto,
        lights,
        1,
        WHEN,
        is_public=True,
        submitted_by=charlie,
        description="Lampione spento.",
        public_description=f"{LONG}Scrivete a {EMAIL} per i dettagli.",
    )
    process = make_process(montalto, carla)
    idea = Idea.objects.create(
        process=process,
        title="Più panchine al parco",
        body=f"Servono panchine. Chiamatemi al {IDEA_PHONE}.",
        author=charlie,
        created_at=WHEN,
        updated_at=WHEN,
    )
    comment = Comment.objects.create(
        administration=montalto,
        idea=idea,
        body=f"Sono d'accordo. Il mio codice fiscale è {TAX_CODE}",
        author=charlie,
        created_at=WHEN,
    )
    make_case(
        lagoverde,
        make_service(lagoverde, "luce", "Illuminazione"),
        2,
        WHEN,
        public_description=f"Scrivete a {EMAIL}",
    )
    SubjectRequest.objects.create(
        user=charlie, kind=SubjectRequest.Kind.EXPORT, state=SubjectRequest.State.DONE
    )
    scanner.scan(montalto)
    scanner.scan(lagoverde)
    assert Finding.objects.filter(administration=montalto).count() == 3
    return SimpleNamespace(case=case, idea=idea, comment=comment)


def finding(source: str, object_id: int) -> Finding:
    return Finding.objects.get(source=source, object_id=object_id)


@LANGUAGES
def test_the_steward_redacts_one_finding_and_dismisses_another(page, scanned, elena, language):
    w = WORDS[language]
    log_in_as(page, elena)
    page.goto(page.base_url + "/staff/montalto/privacy/")
    if language == "it":
        choose_language(page, "Italiano", "Change")
    main = page.locator("main")

    # The home: how many findings wait, and the people's requests.
    assert h1(page) == w["protection"]
    assert w["to_review"] in main.inner_text()
    requests = page.locator("#subject-requests")
    assert requests.locator("tbody tr").count() == 1
    assert w["copy"] in requests.inner_text()
    assert_accessible(page)

    # The list: all three, their texts with the data already hidden.
    main.get_by_role("link", name=w["review"]).click()
    page.wait_for_load_state()
    assert h1(page) == w["findings"]
    assert page.locator("#findings-count").inner_text().strip() == w["three"]
    text = main.inner_text()
    assert EMAIL not in text and IDEA_PHONE not in text and TAX_CODE not in text
    assert "Lago Verde" not in text
    assert_accessible(page)

    # Only e-mail addresses: the case's public description; redacted.
    email = finding("cases.case.public_description", scanned.case.pk)
    page.get_by_label(w["kind"]).select_option("email")
    main.get_by_role("button", name=w["show"], exact=True).click()
    page.wait_for_load_state()
    assert "kind=email" in page.url
    assert page.locator("#findings-count").inner_text().strip() == w["one"]
    assert w["email_hidden"] in page.locator(f"#finding-{email.pk}").inner_text()
    assert_accessible(page)
    item = main.locator("li", has=page.locator(f"#finding-{email.pk}"))
    item.get_by_role("button", name=w["redact"], exact=True).click()
    page.wait_for_load_state()
    assert w["redacted"] in flash(page)
    assert "kind=email" in page.url  # the list as it was filtered
    assert w["none"] in main.inner_text()
    assert_accessible(page)
    email.refresh_from_db()
    assert email.state == Finding.State.REDACTED and email.resolved_by == elena
    public = Case.objects.get(pk=scanned.case.pk).public_description
    assert EMAIL not in public and "[e-mail hidden]" in public

    # Any kind again: the idea's phone number is not personal data, the steward decides.
    page.get_by_label(w["kind"]).select_option("")
    main.get_by_role("button", name=w["show"], exact=True).click()
    page.wait_for_load_state()
    assert page.locator("#findings-count").inner_text().strip() == w["two"]
    phone = finding("participation.idea.body", scanned.idea.pk)
    assert w["phone_hidden"] in page.locator(f"#finding-{phone.pk}").inner_text()
    item = main.locator("li", has=page.locator(f"#finding-{phone.pk}"))
    item.get_by_role("button", name=w["dismiss"], exact=True).click()
    page.wait_for_load_state()
    assert w["dismissed"] in flash(page)
    assert page.locator("#findings-count").inner_text().strip() == w["one"]
    assert_accessible(page)
    phone.refresh_from_db()
    assert phone.state == Finding.State.DISMISSED and phone.resolved_by == elena
    assert IDEA_PHONE in Idea.objects.get(pk=scanned.idea.pk).body  # the text stays
    tax = finding("participation.comment.body", scanned.comment.pk)
    assert tax.state == Finding.State.OPEN
    assert TAX_CODE in Comment.objects.get(pk=scanned.comment.pk).body

    # Every state: the three, two decided by Elena; the dismissed one may still be redacted.
    page.get_by_label(w["state"]).select_option("all")
    main.get_by_role("button", name=w["show"], exact=True).click()
    page.wait_for_load_state()
    assert page.locator("#findings-count").inner_text().strip() == w["three"]
    assert main.get_by_text("Elena Steward").count() == 2
    dismissed = main.locator("li", has=page.locator(f"#finding-{phone.pk}"))
    assert dismissed.get_by_role("button", name=w["redact"], exact=True).count() == 1
    assert dismissed.get_by_role("button", name=w["dismiss"], exact=True).count() == 0
    redacted = main.locator("li", has=page.locator(f"#finding-{email.pk}"))
    assert redacted.get_by_role("button").count() == 0
    assert_accessible(page)

    # The home counts one left to review.
    main.get_by_role("link", name=w["protection"]).click()
    page.wait_for_load_state()
    assert h1(page) == w["protection"]
    assert w["one_left"] in main.inner_text()


# --- who may not ---------------------------------------------------------------------------------


def resolve_status(page, finding_pk: int) -> int:
    """The status of a "Redact" sent by this browser (with its CSRF token, as the form would)."""
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    response = page.request.post(
        page.base_url + f"/staff/montalto/privacy/findings/{finding_pk}/",
        form={"csrfmiddlewaretoken": token, "action": "redact"},
        max_redirects=0,
    )
    return response.status


@LANGUAGES
def test_an_officer_gets_403_and_another_administration_404(page, scanned, bob, oscar, language):
    w = WORDS[language]
    email = finding("cases.case.public_description", scanned.case.pk)
    for person, status, heading in ((bob, 403, w["forbidden"]), (oscar, 404, w["not_found"])):
        page.context.clear_cookies()
        in_language(page, language)
        log_in_as(page, person)
        for path in ("/staff/montalto/privacy/", "/staff/montalto/privacy/findings/"):
            response = page.goto(page.base_url + path)
            assert response.status == status, (person.email, path)
            assert page.locator("html").get_attribute("lang") == language
            assert h1(page) == heading
            assert EMAIL not in page.content()
            assert_accessible(page)
        assert resolve_status(page, email.pk) == status
    email.refresh_from_db()
    assert email.state == Finding.State.OPEN
    assert EMAIL in Case.objects.get(pk=scanned.case.pk).public_description
