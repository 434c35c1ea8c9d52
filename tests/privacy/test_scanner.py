"""The personal-data scanner (issue 15): what it finds in hand-made texts with known personal
data, that scanning again changes nothing, how the data steward's decisions change the texts and
the findings (and what the audit log keeps of them), who may see the findings' screen, and the
D3 indicator on a data set with a known answer."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from insieme.cases.models import Case, CaseEvent
from insieme.core.models import AuditEntry
from insieme.core.registry import Scope, indicators
from insieme.participation.models import Comment, Idea
from insieme.privacy import actions, scanner
from insieme.privacy.models import Finding
from insieme.privacy.tasks import scan_all
from tests.conftest import sign_in
from tests.opendata.conftest import make_case, make_service
from tests.participation.conftest import make_process

EMAIL = "mario.rossi@example.org"
PHONE = "347 123 4567"
IDEA_PHONE = "333 1234567"
EVENT_PHONE = "347 765 4321"
TAX_CODE = "RSSMRA85T10A562S"
PERSONAL = (EMAIL, PHONE, IDEA_PHONE, EVENT_PHONE, TAX_CODE, "Mario Rossi")
CLEAN = "Lampione spento in piazza Garibaldi dal 3/2/2026, segnalato il 2026-02-03."
AMOUNT = "Il preventivo è di 34.500.000 €, troppo per una panchina."
LONG = "Il marciapiede è dissestato da mesi e nessuno interviene, è pericoloso per tutti. "

WHEN = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


class Texts:
    """The hand-made data: its rows and the findings the scanner must report."""


@pytest.fixture
def texts(montalto, lagoverde, carla, charlie) -> Texts:
    t = Texts()
    lights = make_service(montalto, "luce", "Illuminazione")
    t.leaky = make_case(
        montalto,
        lights,
        1,
        WHEN,
        is_public=True,
        contact_name="Mario Rossi",
        description=f"{LONG}Mario Rossi, chiamatemi al {PHONE}.",
        public_description=f"{LONG}Scrivete a {EMAIL} per i dettagli.",
    )
    t.clean = make_case(montalto, lights, 2, WHEN, description=CLEAN, public_description=AMOUNT)
    t.event = CaseEvent.objects.create(
        case=t.clean,
        kind=CaseEvent.Kind.PUBLIC_REPLY,
        text="x",
        public_text=f"Per informazioni chiamate il {EVENT_PHONE}.",
        created_at=WHEN,
    )
    CaseEvent.objects.create(
        case=t.clean, kind=CaseEvent.Kind.PUBLIC_REPLY, public_text=CLEAN, created_at=WHEN
    )
    process = make_process(montalto, carla)
    t.idea = Idea.objects.create(
        process=process,
        title="Più panchine al parco",
        body=f"Servono panchine. Chiamatemi al {IDEA_PHONE}.",
        author=charlie,
        created_at=WHEN,
        updated_at=WHEN,
    )
    t.clean_idea = Idea.objects.create(
        process=process, title="Alberi", body=AMOUNT, author=charlie, updated_at=WHEN
    )
    t.comment = Comment.objects.create(
        administration=montalto,
        idea=t.idea,
        body=f"Sono d'accordo. Il mio codice fiscale è {TAX_CODE}",
        author=charlie,
        created_at=WHEN,
    )
    Comment.objects.create(
        administration=montalto, idea=t.idea, body=CLEAN, author=charlie, created_at=WHEN
    )
    # Another administration's text: never in Montalto's findings.
    t.other = make_case(
        lagoverde,
        make_service(lagoverde, "luce", "Illuminazione"),
        3,
        WHEN,
        public_description=f"Scrivete a {EMAIL}",
    )
    return t


def found() -> dict[tuple[str, int], list[str]]:
    return {(f.source, f.object_id): f.kinds for f in Finding.objects.all()}


def finding(source: str, object_id: int) -> Finding:
    return Finding.objects.get(source=source, object_id=object_id)


# --- detecting ---------------------------------------------------------------------------------


def test_the_scan_finds_the_known_personal_data_and_nothing_else(texts, montalto):
    results = scanner.scan(montalto)
    assert found() == {
        ("cases.case.public_description", texts.leaky.pk): ["email"],
        ("cases.case.description", texts.leaky.pk): ["phone", "name"],
        ("cases.caseevent.public_text", texts.event.pk): ["phone"],
        ("participation.idea.body", texts.idea.pk): ["phone"],
        ("participation.comment.body", texts.comment.pk): ["tax_code"],
    }
    assert all(f.state == Finding.State.OPEN for f in Finding.objects.all())
    assert {f.administration_id for f in Finding.objects.all()} == {montalto.pk}
    assert results["cases.case.description"]["scanned"] == 2
    assert sum(c["new"] for c in results.values()) == 5
    # The staff-only text is the one source marked so.
    assert [s.key for s in scanner.SOURCES if not s.public] == ["cases.case.description"]


def test_an_amount_in_euro_and_dates_are_no_phone_numbers():
    assert scanner.detect(AMOUNT) is None
    assert scanner.detect(CLEAN) is None
    assert scanner.detect(f"Pagati € 34.500.000, chiamate il {PHONE}").kinds == ("phone",)


def test_a_placeholder_already_in_the_text_is_no_finding():
    assert scanner.detect("Scrivete a [e-mail hidden] per i dettagli") is None


def test_the_name_of_the_filer_counts_only_where_it_is_written():
    assert scanner.detect("Mario Rossi segnala una buca", ["Mario Rossi"]).kinds == ("name",)
    assert scanner.detect("Una buca in via Roma", ["Mario Rossi"]) is None
    # Accents and case as pii.redact matches them.
    assert scanner.detect("NICOLÒ bianchi segnala", ["Nicolo Bianchi"]).kinds == ("name",)


def test_the_excerpt_never_holds_the_personal_data(texts, montalto):
    scanner.scan(montalto)
    for f in Finding.objects.all():
        assert not any(value in f.excerpt for value in PERSONAL), f.excerpt
        assert "hidden]" in f.excerpt
        assert len(f.excerpt) <= scanner.BEFORE + scanner.AFTER + 2
    # A long text is cut around its first placeholder, on whole words.
    text = f"{LONG * 3}Scrivete a {EMAIL} e poi {LONG * 3}"
    cut = scanner.detect(text).excerpt
    assert cut.startswith("…") and cut.endswith("…") and "[e-mail hidden]" in cut
    assert EMAIL not in cut and " ".join(cut.strip("…").split()) in text.replace(
        EMAIL, "[e-mail hidden]"
    )


# --- scanning again ----------------------------------------------------------------------------


def test_scanning_again_changes_nothing(texts, montalto):
    scanner.scan(montalto)
    before = list(Finding.objects.order_by("pk").values())
    results = scanner.scan(montalto)
    assert list(Finding.objects.order_by("pk").values()) == before
    assert all(c["new"] == c["updated"] == c["closed"] == 0 for c in results.values())


def test_a_changed_text_reopens_a_dismissed_finding_only_if_it_still_holds_data(
    texts, montalto, elena
):
    scanner.scan(montalto)
    key = "participation.idea.body"
    actions.resolve_finding(elena, finding(key, texts.idea.pk), "dismiss")
    scanner.scan(montalto)  # the same text: the decision stands
    assert finding(key, texts.idea.pk).state == Finding.State.DISMISSED
    Idea.objects.filter(pk=texts.idea.pk).update(body="Servono panchine, e ombra.")
    scanner.scan(montalto)  # clean now: still dismissed, nothing to reopen
    assert finding(key, texts.idea.pk).state == Finding.State.DISMISSED
    Idea.objects.filter(pk=texts.idea.pk).update(body=f"Scrivetemi: {EMAIL}")
    results = scanner.scan(montalto)
    reopened = finding(key, texts.idea.pk)
    assert results[key]["reopened"] == 1
    assert reopened.state == Finding.State.OPEN and reopened.kinds == ["email"]
    assert reopened.resolved_by is None and reopened.resolved_at is None


def test_an_open_finding_whose_text_is_clean_now_is_closed(texts, montalto):
    scanner.scan(montalto)
    key = "participation.comment.body"
    Comment.objects.filter(pk=texts.comment.pk).update(body="Sono d'accordo.")
    results = scanner.scan(montalto)
    closed = finding(key, texts.comment.pk)
    assert results[key]["closed"] == 1
    assert closed.state == Finding.State.REDACTED and closed.resolved_by is None
    assert closed.text_hash == scanner.text_hash("Sono d'accordo.")


def test_an_open_finding_follows_its_changed_text(texts, montalto):
    scanner.scan(montalto)
    key = "participation.idea.body"
    Idea.objects.filter(pk=texts.idea.pk).update(body=f"Scrivetemi: {EMAIL} o al {IDEA_PHONE}")
    assert scanner.scan(montalto)[key]["updated"] == 1
    assert finding(key, texts.idea.pk).kinds == ["email", "phone"]


def test_since_reads_only_rows_written_after(texts, montalto):
    later = WHEN + dt.timedelta(days=10)
    Case.objects.filter(pk=texts.clean.pk).update(
        updated_at=later, public_description=f"Scrivete a {EMAIL}"
    )
    results = scanner.scan(montalto, since=later - dt.timedelta(hours=1))
    assert results["cases.case.public_description"]["scanned"] == 1
    assert results["cases.caseevent.public_text"]["scanned"] == 0
    assert found() == {("cases.case.public_description", texts.clean.pk): ["email"]}


def test_small_chunks_find_the_same(texts, montalto):
    for source in scanner.SOURCES:
        scanner.scan_source(source, montalto, chunk=1)
    assert len(found()) == 5


# --- the data steward's decisions --------------------------------------------------------------


def _audit_text(entry: AuditEntry) -> str:
    return json.dumps([entry.before, entry.after, entry.object_repr], ensure_ascii=False)


def test_redacting_rewrites_the_public_text_and_audits_without_it(texts, montalto, elena):
    scanner.scan(montalto)
    key = "cases.case.public_description"
    done = actions.resolve_finding(elena, finding(key, texts.leaky.pk), "redact")
    texts.leaky.refresh_from_db()
    assert EMAIL not in texts.leaky.public_description
    assert "[e-mail hidden]" in texts.leaky.public_description
    assert texts.leaky.description.endswith(f"{PHONE}.")  # another field: untouched
    assert done.state == Finding.State.REDACTED and done.resolved_by == elena
    assert done.text_hash == scanner.text_hash(texts.leaky.public_description)
    entry = AuditEntry.objects.get(action="privacy.finding.redact")
    assert entry.actor == elena and entry.administration == montalto
    assert entry.after["finding"] == done.pk and entry.after["kinds"] == ["email"]
    assert entry.after["action"] == "redact"
    assert not any(value in _audit_text(entry) for value in PERSONAL)
    # The next scan finds nothing more there.
    assert scanner.scan(montalto)[key]["new"] == 0
    assert finding(key, texts.leaky.pk).state == Finding.State.REDACTED


def test_redacting_a_staff_only_text_masks_the_filers_name(texts, montalto, elena):
    scanner.scan(montalto)
    actions.resolve_finding(
        elena, finding("cases.case.description", texts.leaky.pk), actions.REDACT
    )
    texts.leaky.refresh_from_db()
    assert "Mario Rossi" not in texts.leaky.description
    assert PHONE not in texts.leaky.description


def test_redacting_an_idea_and_a_comment(texts, montalto, elena):
    scanner.scan(montalto)
    for key, obj in (
        ("participation.idea.body", texts.idea),
        ("participation.comment.body", texts.comment),
    ):
        actions.resolve_finding(elena, finding(key, obj.pk), "redact")
    texts.idea.refresh_from_db()
    texts.comment.refresh_from_db()
    assert IDEA_PHONE not in texts.idea.body and texts.idea.title == "Più panchine al parco"
    assert TAX_CODE not in texts.comment.body


def test_dismissing_keeps_the_text(texts, montalto, elena):
    scanner.scan(montalto)
    key = "cases.caseevent.public_text"
    done = actions.resolve_finding(elena, finding(key, texts.event.pk), "dismiss")
    texts.event.refresh_from_db()
    assert EVENT_PHONE in texts.event.public_text
    assert done.state == Finding.State.DISMISSED and done.resolved_at is not None
    entry = AuditEntry.objects.get(action="privacy.finding.dismiss")
    assert entry.after["kinds"] == ["phone"] and EVENT_PHONE not in _audit_text(entry)


def test_a_decision_is_taken_once(texts, montalto, elena):
    scanner.scan(montalto)
    item = finding("participation.idea.body", texts.idea.pk)
    with pytest.raises(ValidationError):
        actions.resolve_finding(elena, item, "delete")
    actions.resolve_finding(elena, item, "dismiss")
    with pytest.raises(ValidationError):
        actions.resolve_finding(elena, item, "dismiss")
    # A dismissed finding may still be redacted; a redacted one has nothing left to decide.
    actions.resolve_finding(elena, item, "redact")
    with pytest.raises(ValidationError):
        actions.resolve_finding(elena, item, "redact")
    assert AuditEntry.objects.filter(action__startswith="privacy.finding.").count() == 2


def test_a_text_gone_cannot_be_redacted(texts, montalto, elena):
    scanner.scan(montalto)
    item = finding("participation.comment.body", texts.comment.pk)
    Comment.objects.filter(pk=texts.comment.pk).delete()
    with pytest.raises(ValidationError):
        actions.resolve_finding(elena, item, "redact")
    assert finding("participation.comment.body", texts.comment.pk).state == Finding.State.OPEN


# --- the screen --------------------------------------------------------------------------------


def findings_url(admin, query: str = "") -> str:
    return reverse("privacy:staff_findings", args=[admin.slug]) + query


def resolve_url(admin, item: Finding) -> str:
    return reverse("privacy:staff_finding_resolve", args=[admin.slug, item.pk])


def test_who_may_see_the_findings(client, texts, montalto, elena, bob, oscar):
    scanner.scan(montalto)
    url = findings_url(montalto)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert sign_in(client, bob).get(url).status_code == 403
    assert sign_in(client, oscar).get(url).status_code == 404
    page = sign_in(client, elena).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "[e-mail hidden]" in html and "[tax code hidden]" in html
    assert not any(value in html for value in PERSONAL)
    assert reverse("staff_case", args=[montalto.slug, texts.leaky.reference]) in html
    assert reverse("staff_participation_idea", args=[montalto.slug, texts.idea.pk]) in html
    assert "5 findings" in html


def test_public_texts_come_first(client, texts, montalto, elena):
    scanner.scan(montalto)
    items = sign_in(client, elena).get(findings_url(montalto)).context["items"]
    assert [item["public"] for item in items] == [True, True, True, True, False]
    assert str(items[-1]["label"]) == "Case, description (staff only)"


def test_filters(client, texts, montalto, elena):
    scanner.scan(montalto)
    sign_in(client, elena)
    assert "3 findings" in client.get(findings_url(montalto, "?kind=phone")).content.decode()
    actions.resolve_finding(
        elena, finding("participation.idea.body", texts.idea.pk), actions.DISMISS
    )
    assert "4 findings" in client.get(findings_url(montalto)).content.decode()
    assert "1 finding" in client.get(findings_url(montalto, "?state=dismissed")).content.decode()
    assert "5 findings" in client.get(findings_url(montalto, "?state=all")).content.decode()


@pytest.mark.parametrize(
    "query", ["?state=nope", "?kind=nope", "?state=open&kind=%27%22", "?kind=email&kind=x"]
)
def test_bad_filters_answer_400_with_a_message(client, texts, montalto, elena, query):
    scanner.scan(montalto)
    page = sign_in(client, elena).get(findings_url(montalto, query))
    assert page.status_code == 400
    html = page.content.decode()
    # The default list instead: the findings to review, of any kind.
    assert "not one this list offers" in html and "5 findings" in html


def test_a_bad_page_number_shows_a_page(client, texts, montalto, elena):
    scanner.scan(montalto)
    for query in ("?page=x", "?page=999999999999999999999", "?page=-1"):
        assert sign_in(client, elena).get(findings_url(montalto, query)).status_code == 200


def test_the_page_costs_the_same_queries_for_more_findings(client, texts, montalto, elena):
    scanner.scan(montalto)
    sign_in(client, elena)
    client.get(findings_url(montalto))  # sessions and caches warmed up
    with CaptureQueriesContext(connection) as few:
        client.get(findings_url(montalto))
    for n in range(4, 14):
        Comment.objects.create(
            administration=montalto, idea=texts.idea, body=f"Scrivete a x{n}@example.org"
        )
    scanner.scan(montalto)
    with CaptureQueriesContext(connection) as many:
        assert "15 findings" in client.get(findings_url(montalto)).content.decode()
    assert len(many) == len(few)


def test_the_steward_decides_on_the_screen(client, texts, montalto, elena):
    scanner.scan(montalto)
    item = finding("participation.comment.body", texts.comment.pk)
    sign_in(client, elena)
    answer = client.post(
        resolve_url(montalto, item), {"action": "redact", "kind": "tax_code", "page": "1"}
    )
    assert answer.status_code == 302
    assert answer["Location"] == findings_url(montalto, "?state=open&kind=tax_code&page=1")
    texts.comment.refresh_from_db()
    assert TAX_CODE not in texts.comment.body
    assert finding("participation.comment.body", texts.comment.pk).state == "redacted"
    # A decision nobody offers changes nothing and says why.
    other = finding("participation.idea.body", texts.idea.pk)
    answer = client.post(resolve_url(montalto, other), {"action": "erase", "state": "%00"})
    assert answer.status_code == 302 and answer["Location"] == findings_url(montalto)
    assert finding("participation.idea.body", texts.idea.pk).state == Finding.State.OPEN
    page = client.get(answer["Location"]).content.decode()
    assert "Choose to redact the text" in page


def test_deciding_needs_the_permission_and_the_administration(
    client, texts, montalto, lagoverde, elena, bob
):
    scanner.scan()
    item = finding("participation.idea.body", texts.idea.pk)
    refused = sign_in(client, bob).post(resolve_url(montalto, item), {"action": "dismiss"})
    assert refused.status_code == 403
    # Lago Verde's finding through Montalto's address: not found.
    theirs = finding("cases.case.public_description", texts.other.pk)
    sign_in(client, elena)
    assert client.post(resolve_url(montalto, theirs), {"action": "dismiss"}).status_code == 404
    assert client.get(resolve_url(montalto, item)).status_code == 405
    assert Finding.objects.exclude(state=Finding.State.OPEN).count() == 0


# --- the indicator, the command, the task ------------------------------------------------------


def _finding(admin, source, object_id, state):
    return Finding.objects.create(
        administration=admin,
        source=source,
        object_id=object_id,
        kinds=["email"],
        excerpt="[e-mail hidden]",
        text_hash="x",
        state=state,
    )


def test_the_indicator_on_a_known_data_set(montalto, lagoverde):
    compute = indicators.get("privacy-d3-findings").compute
    assert compute(Scope.of(montalto)).value is None  # nothing found yet
    for i, state in enumerate(["open", "open", "redacted", "dismissed"]):
        _finding(montalto, "participation.comment.body", i, state)
    _finding(montalto, "cases.case.description", 1, "redacted")
    _finding(lagoverde, "cases.case.description", 2, "open")  # another administration
    result = compute(Scope.of(montalto))
    assert (result.numerator, result.denominator) == (3, 5)
    assert result.value == pytest.approx(0.6)
    rows = {row[0]: row[1:6] for row in result.rows}
    assert rows["Comment"] == ["public", 4, 2, 1, 1]
    assert rows["Case, description (staff only)"] == ["staff only", 1, 0, 1, 0]
    assert rows["Idea, title"] == ["public", 0, 0, 0, 0]
    both = compute(Scope.of(montalto, members=[montalto, lagoverde]))
    assert (both.numerator, both.denominator) == (3, 6)
    spec = indicators.get("privacy-d3-findings")
    assert (spec.cell, spec.unit, spec.better) == ("D3", "share", "higher")


def test_the_command(texts, montalto, capsys):
    call_command("privacy", "scan", "--administration", "montalto")
    out = capsys.readouterr().out
    assert "participation.comment.body: 2 rows scanned; findings: 1 new" in out
    assert "rows/s" in out
    call_command("privacy", "scan", "--since", "2030-01-01")
    assert "0 rows in" in capsys.readouterr().out
    for bad in (["--administration", "nowhere"], ["--since", "yesterday"]):
        with pytest.raises(CommandError):
            call_command("privacy", "scan", *bad)


def test_the_task_scans_every_administration(texts):
    assert scan_all() == 6
    assert scan_all(since_hours=1) == 0
    assert Finding.objects.filter(found_at__lte=timezone.now()).count() == 6
