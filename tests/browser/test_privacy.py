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
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from insieme.cases.filing import actions as filing_actions
from insieme.cases.models import Case
from insieme.core.models import User
from insieme.participation import actions as participation_actions
from insieme.participation.models import Comment, Idea
from insieme.privacy import retention, scanner
from insieme.privacy.models import (
    Consent,
    Finding,
    RetentionPolicy,
    RetentionRun,
    SubjectRequest,
)
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
        "waiting": "1 request is waiting for you",
        "decision": "Decision",
        "refused": "Refused",
        "what_done": "What was done, or why it is refused",
        "close": "Close the request",
        "closed": "The request is closed.",
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
        "periods": "Periods and runs",
        "retention": "Retention",
        "default_period": "Default period",
        "default_months": "Default: months after closure",
        "default_saved": "The default period is saved.",
        "save": "Save",
        "months_for": "Months after closure for {s}",
        "period_of": "Period of {s}",
        "saved_for": "Saved for {s}.",
        "by_default": "36 months (default)",
        "own": "24 months",
        "count": "Dry run: count what would change",
        "would": (
            "Dry run: a run now would anonymise 2 requests, 0 ideas and 0 comments. Nothing was "
            "changed."
        ),
        "run_policies": "Run the policies",
        "run_now": "Run now",
        "understood_run": "I understand: the personal data of these records is removed for good",
        "required": "This field is required.",
        "anonymised": "Anonymised 2 requests, 0 ideas and 0 comments.",
        "a_dry_run": "dry run",
        "a_run": "run",
        "consents_link": "Give or withdraw your consent to what this site does only if you agree",
        "consents": "Your consents",
        "co_design": "Being invited to co-design services",
        "undecided": "Not given: you have not decided.",
        "no_decisions": "You have not decided anything yet.",
        "agree": "I agree",
        "withdraw": "I withdraw my consent",
        "thanks": "Thank you: your consent is recorded. You may withdraw it here at any time.",
        "withdrawn": "Your consent is withdrawn, from now on.",
        "given_on": "Given on {when}.",
        "withdrawn_on": "Not given: withdrawn on {when}.",
        "consent_given": "Consent given",
        "consent_withdrawn": "Consent withdrawn",
        "history": "Every decision you took, newest first: the newest for a purpose applies.",
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
        "waiting": "1 richiesta ti aspetta",
        "decision": "Decisione",
        "refused": "Respinta",
        "what_done": "Che cosa è stato fatto, o perché è rifiutata",
        "close": "Chiudi la richiesta",
        "closed": "La richiesta è chiusa.",
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
        "periods": "Periodi ed esecuzioni",
        "retention": "Conservazione",
        "default_period": "Periodo predefinito",
        "default_months": "Predefinito: mesi dopo la chiusura",
        "default_saved": "Il periodo predefinito è salvato.",
        "save": "Salva",
        "months_for": "Mesi dopo la chiusura per {s}",
        "period_of": "Periodo di {s}",
        "saved_for": "Salvato per {s}.",
        "by_default": "36 mesi (predefinito)",
        "own": "24 mesi",
        "count": "Prova: conta che cosa cambierebbe",
        "would": (
            "Prova: un'esecuzione adesso renderebbe anonime 2 richieste, 0 idee e 0 commenti. "
            "Non è stato cambiato nulla."
        ),
        "run_policies": "Applica i periodi",
        "run_now": "Esegui ora",
        "understood_run": "Ho capito: i dati personali di questi record sono rimossi per sempre",
        "required": "Campo obbligatorio.",  # (Django REST framework's wording wins over Django's)
        "anonymised": "Rese anonime 2 richieste, 0 idee e 0 commenti.",
        "a_dry_run": "prova",
        "a_run": "esecuzione",
        "consents_link": (
            "Dia o revochi il suo consenso a ciò che questo sito fa solo se Lei è d'accordo"
        ),
        "consents": "I suoi consensi",
        "co_design": "Essere invitati a co-progettare i servizi",
        "undecided": "Non dato: non ha ancora deciso.",
        "no_decisions": "Non ha ancora preso alcuna decisione.",
        "agree": "Acconsento",
        "withdraw": "Revoco il mio consenso",
        "thanks": "Grazie: il suo consenso è registrato. Può revocarlo qui in qualsiasi momento.",
        "withdrawn": "Il suo consenso è revocato, da ora in poi.",
        "given_on": "Dato il {when}.",
        "withdrawn_on": "Non dato: revocato il {when}.",
        "consent_given": "Consenso dato",
        "consent_withdrawn": "Consenso revocato",
        "history": (
            "Ogni decisione che ha preso, dalla più recente: per ogni finalità vale la più recente."
        ),
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


# --- the data steward's retention periods and runs ---------------------------------------------


def closed_case(cat, user, months: int) -> Case:  # noqa: F811 - `cat` is the fixture's value
    """A pothole request by `user`, naming them in its text, closed `months` months and a day
    ago (as tests/privacy/test_retention.py does)."""
    case, _created = filing_actions.submit_case(
        user,
        filing_actions.Filing(
            cat.pothole,
            answers={"size": "large"},
            description=f"A deep hole. {user.full_name} nearly fell in.",
            address="Via Roma 12",
            contact_name=user.full_name,
            contact_email=user.email,
            contact_phone=PHONE,
            **INSIDE_MONTALTO,
        ),
    )
    when = retention.months_ago(timezone.now(), months) - dt.timedelta(days=1)
    Case.objects.filter(pk=case.pk).update(status="closed", closed_at=when, resolved_at=when)
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def closed(cat, charlie):  # noqa: F811
    """Charlie's pothole requests: two closed more than 24 months ago, one a year ago."""
    return SimpleNamespace(
        old=[closed_case(cat, charlie, 25), closed_case(cat, charlie, 30)],
        recent=closed_case(cat, charlie, 12),
        service=cat.pothole,
    )


@LANGUAGES
def test_the_steward_sets_retention_runs_a_dry_run_and_a_run(page, closed, elena, language):
    w = WORDS[language]
    name = closed.service.name
    in_language(page, language)
    log_in_as(page, elena)
    page.goto(page.base_url + "/staff/montalto/privacy/")
    main = page.locator("main")

    # The home leads to the retention page.
    assert h1(page) == w["protection"]
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)
    main.get_by_role("link", name=w["periods"]).click()
    page.wait_for_load_state()
    assert page.url == page.base_url + "/staff/montalto/privacy/retention/"
    assert h1(page) == w["retention"]
    assert_accessible(page)

    # The default period: 36 months.
    page.get_by_label(w["default_months"]).fill("36")
    main.get_by_role("form", name=w["default_period"]).get_by_role("button", name=w["save"]).click()
    page.wait_for_load_state()
    assert w["default_saved"] in flash(page)
    assert page.get_by_label(w["default_months"]).input_value() == "36"
    row = page.locator("#service-periods tbody tr", has=page.get_by_role("rowheader", name=name))
    assert w["by_default"] in row.inner_text()
    assert_accessible(page)

    # The pothole service's own period: 24 months.
    page.get_by_label(w["months_for"].format(s=name)).fill("24")
    form = main.get_by_role("form", name=w["period_of"].format(s=name))
    form.get_by_role("button", name=w["save"]).click()
    page.wait_for_load_state()
    assert w["saved_for"].format(s=name) in flash(page)
    assert w["own"] in row.inner_text() and w["by_default"] not in row.inner_text()
    assert page.get_by_label(w["months_for"].format(s=name)).input_value() == "24"
    assert_accessible(page)
    policies = RetentionPolicy.objects.filter(administration=closed.service.administration)
    assert dict(policies.values_list("service_id", "months")) == {None: 36, closed.service.pk: 24}

    # A dry run counts the two requests closed more than 24 months ago, and changes nothing.
    main.get_by_role("button", name=w["count"]).click()
    page.wait_for_load_state()
    assert w["would"] in flash(page)
    assert_accessible(page)
    assert all(Case.objects.get(pk=c.pk).contact_email == c.contact_email for c in closed.old)

    # "Run now" without the confirmation: refused in the form (400), nothing run.
    run = main.get_by_role("form", name=w["run_policies"])
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        run.get_by_role("button", name=w["run_now"]).click()
    page.wait_for_load_state()
    assert answer.value.status == 400
    box = run.get_by_role("checkbox", name=w["understood_run"])
    error = page.locator("#" + box.get_attribute("aria-describedby"))
    expect(error).to_be_visible()
    assert error.inner_text().strip() == w["required"]
    assert box.get_attribute("aria-invalid") == "true"
    expect(run.get_by_role("alert")).to_be_visible()  # the error summary, announced
    assert not RetentionRun.objects.filter(dry_run=False).exists()
    assert_accessible(page)

    # Confirmed: the two old requests forget Charlie; the recent one keeps him.
    tick(box)
    run.get_by_role("button", name=w["run_now"]).click()
    page.wait_for_load_state()
    assert w["anonymised"] in flash(page)
    runs = page.locator("#retention-runs tbody tr")
    assert runs.count() == 2
    kinds = [runs.nth(i).locator("td").nth(1).inner_text().strip() for i in range(2)]
    assert kinds == [w["a_run"], w["a_dry_run"]]  # latest first
    assert "Charlie" not in page.locator("#retention-runs").inner_text()
    assert_accessible(page)
    for old in closed.old:
        case = Case.objects.get(pk=old.pk)
        assert (case.contact_name, case.contact_email, case.contact_phone) == ("", "", "")
        assert "Charlie Citizen" not in case.description and "A deep hole" in case.description
    recent = Case.objects.get(pk=closed.recent.pk)
    assert recent.contact_email == "charlie@example.org"
    assert "Charlie Citizen" in recent.description


# --- a citizen's consents ------------------------------------------------------------------------


def decided_on(consent: Consent, language: str) -> str:
    """The date of a decision as the page writes it, in `language`."""
    with translation.override(language):
        return formats.date_format(timezone.localtime(consent.decided_at), "DATE_FORMAT")


@LANGUAGES
def test_a_citizen_gives_and_withdraws_a_consent(page, charlie, language):
    w = WORDS[language]
    in_language(page, language)
    log_in_as(page, charlie)
    page.goto(page.base_url + "/accounts/data/")
    main = page.locator("main")
    assert h1(page) == w["panel"]
    assert page.locator("html").get_attribute("lang") == language

    # "Your data" leads to the consents: co-design invitations, not decided yet.
    main.get_by_role("link", name=w["consents_link"]).click()
    page.wait_for_load_state()
    assert page.url == page.base_url + "/accounts/data/consents/"
    assert h1(page) == w["consents"]
    purpose = main.get_by_role("region", name=w["co_design"])
    state = purpose.locator("[id^=state-]")
    assert state.inner_text().strip() == w["undecided"]
    assert w["no_decisions"] in main.inner_text()
    assert purpose.get_by_role("button", name=w["withdraw"]).count() == 0
    assert_accessible(page)

    # Agreeing: thanked, given on today's date, and the button now withdraws.
    purpose.get_by_role("button", name=w["agree"], exact=True).click()
    page.wait_for_load_state()
    assert w["thanks"] in flash(page)
    given = Consent.objects.get(user=charlie)
    assert given.granted and given.purpose == "codesign.contact"
    assert state.inner_text().strip() == w["given_on"].format(when=decided_on(given, language))
    assert purpose.get_by_role("button", name=w["agree"], exact=True).count() == 0
    assert_accessible(page)

    # Withdrawing, as easily: withdrawn from now on, the agree button back.
    purpose.get_by_role("button", name=w["withdraw"], exact=True).click()
    page.wait_for_load_state()
    assert w["withdrawn"] in flash(page)
    decisions = list(Consent.objects.filter(user=charlie).order_by("-decided_at", "-pk"))
    assert [(c.purpose, c.granted) for c in decisions] == [
        ("codesign.contact", False),
        ("codesign.contact", True),
    ]
    withdrawn = decisions[0]
    assert state.inner_text().strip() == w["withdrawn_on"].format(
        when=decided_on(withdrawn, language)
    )
    assert purpose.get_by_role("button", name=w["agree"], exact=True).count() == 1

    # The history: both decisions, newest first.
    rows = main.get_by_role("region", name=w["history"]).locator("tbody tr")
    assert rows.count() == 2
    cells = [[c.strip() for c in rows.nth(i).locator("td").all_inner_texts()] for i in range(2)]
    assert cells == [
        [w["co_design"], w["consent_withdrawn"], "1"],
        [w["co_design"], w["consent_given"], "1"],
    ]
    assert_accessible(page)


# --- a request left pending ----------------------------------------------------------------------


@LANGUAGES
def test_the_steward_closes_a_request_left_pending(page, charlie, montalto, cat, elena, language):  # noqa: F811
    file_case(cat, charlie, "A deep hole")  # Charlie has records in Montalto
    pending = SubjectRequest.objects.create(
        user=charlie,
        kind=SubjectRequest.Kind.EXPORT,
        state=SubjectRequest.State.PENDING,
        note="format: json; not gathered: cases",
    )
    w = WORDS[language]
    in_language(page, language)
    log_in_as(page, elena)
    page.goto(page.base_url + "/staff/montalto/privacy/")
    main = page.locator("main")
    assert w["waiting"] in main.inner_text()
    assert_accessible(page)
    row = page.locator(f"#request-{pending.pk}")
    # The note is required (the browser asks for it; tests/privacy/test_erase.py sends none).
    assert row.get_by_label(w["what_done"]).get_attribute("required") is not None
    row.get_by_label(w["what_done"]).fill("Art. 12(5): manifestly excessive")
    row.get_by_label(w["decision"]).select_option("refuse")
    row.get_by_role("button", name=w["close"]).click()
    page.wait_for_load_state()
    assert w["closed"] in flash(page)
    assert w["refused"] in page.locator(f"#request-{pending.pk}").inner_text()
    assert_accessible(page)
    pending.refresh_from_db()
    assert pending.state == SubjectRequest.State.REFUSED and pending.handled_by == elena
