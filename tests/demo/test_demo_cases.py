"""The cases demo seed: deterministic, idempotent, varied, with real duplicates and the audit
chain intact."""

from __future__ import annotations

import html
import json
import re
from collections import Counter

import pytest
from django.db import transaction

from insieme.cases.demo import distance_m
from insieme.cases.models import Case, CaseEvent, Channel, Rating, Status
from insieme.core import audit
from insieme.core.geo import contains
from insieme.core.models import AuditEntry
from tests.demo.conftest import run_demo

REQUESTS = 300


# The year of cases the cases seed loads; co-design's seed adds the work items of the demo's
# accepted ideas (kind "improvement", counted in its own ground truth).
WORK_ITEM = "improvement"


def snapshot() -> list[tuple]:
    return sorted(
        Case.objects.values_list(
            "administration__slug", "reference", "status", "channel", "title", "kind"
        )
    )


@pytest.fixture(scope="module")
def _loaded_module(django_db_setup, django_db_blocker, tmp_path_factory):
    """One load for the module's tests (each test's own writes roll back), rolled back at the
    module's end: loading per test cost a minute of every CI run."""
    folder = tmp_path_factory.mktemp("demo-cases")
    with django_db_blocker.unblock(), transaction.atomic():
        output = run_demo(folder, requests=REQUESTS)
        truth = json.loads((folder / "ground-truth.json").read_text())
        yield output, truth, folder
        transaction.set_rollback(True)


@pytest.fixture
def loaded(_loaded_module, db):
    return _loaded_module


def test_idempotent_and_one_audit_entry(loaded):
    output, truth, folder = loaded
    assert "Cases: 300" in output
    entries = AuditEntry.objects.count()
    again = run_demo(folder, requests=REQUESTS)
    assert "already loaded" in again
    assert Case.objects.exclude(kind=WORK_ITEM).count() == REQUESTS
    assert Case.objects.filter(kind=WORK_ITEM).count() == truth["codesign"]["work_items"] > 0
    assert AuditEntry.objects.count() == entries
    assert AuditEntry.objects.filter(action="case.demo_bulk_load").count() == 1
    work_items = [
        str(pk) for pk in Case.objects.filter(kind=WORK_ITEM).values_list("pk", flat=True)
    ]
    assert (
        not AuditEntry.objects.filter(action__startswith="case.", object_id__gt="")
        .exclude(action="case.demo_bulk_load")
        .exclude(object_type="cases.case", object_id__in=work_items)  # assigned one by one
        .exists()
    )
    result = audit.verify()
    assert result.ok, result.problems
    assert truth["requests"]["created"] == REQUESTS


def test_variety(loaded):
    assert set(Case.objects.values_list("channel", flat=True)) == set(Channel.values)
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {Status.CLOSED, Status.RESOLVED, Status.DUPLICATE, Status.REFUSED} <= statuses
    assert set(Case.objects.values_list("language", flat=True)) == {"it", "en"}
    assisted = Case.objects.filter(channel__in=["counter", "phone", "email"])
    assert assisted.exists()
    assert not assisted.filter(filed_by__isnull=True).exists()
    assert not assisted.filter(consent_noted=False).exists()
    assert Case.objects.filter(complete_at_submission=False).exists()
    assert Rating.objects.exists() and Case.objects.filter(followers__me_too=True).exists()
    kinds = set(CaseEvent.objects.values_list("kind", flat=True))
    assert {"submitted", "status", "public_reply", "info_requested", "followed"} <= kinds
    resolved = Case.objects.filter(resolved_at__isnull=False)
    assert not resolved.filter(acknowledged_at__isnull=True).exists()
    for case in resolved:
        assert case.submitted_at < case.acknowledged_at <= case.resolved_at
    assert Case.objects.filter(resolved_at__gt=F_resolve_due()).exists()  # some SLA breaches


def F_resolve_due():  # noqa: N802 (reads like the F expression it returns)
    from django.db.models import F

    return F("resolve_due_at")


def test_every_case_inside_its_boundary(loaded):
    for case in Case.objects.filter(lat__isnull=False).select_related("administration"):
        assert contains(case.administration.boundary, case.lat, case.lon), case.reference


def test_personal_data_in_some_descriptions(loaded):
    _output, truth, _folder = loaded
    planted = truth["cases"]["personal_data_in_text"]
    assert 0 < len(planted) < REQUESTS / 5
    pattern = re.compile(r"@mail\.example|\b3\d{2} \d{3} \d{4}\b|\b[A-Z]{6}\d{2}[A-Z]\d{2}")
    for ref, slug, _kinds in planted:
        case = Case.objects.get(reference=ref, administration__slug=slug)
        assert (
            pattern.search(case.description)
            or "Mario" in case.description
            or any(n in case.description for n in ("Sono ", "I'm ", "di ", "by "))
        )
    assert any(pattern.search(d) for d in Case.objects.values_list("description", flat=True))


def test_duplicates_point_at_earlier_open_cases_nearby(loaded):
    _output, truth, _folder = loaded
    pairs = truth["duplicates"]
    assert pairs
    for dup_ref, orig_ref, slug in pairs:
        dup = Case.objects.get(reference=dup_ref, administration__slug=slug)
        orig = Case.objects.get(reference=orig_ref, administration__slug=slug)
        assert orig.submitted_at < dup.submitted_at
        # Open when the duplicate came in.
        ends = [t for t in (orig.resolved_at, orig.closed_at) if t]
        assert not ends or min(ends) > dup.submitted_at
        assert distance_m(orig.lat, orig.lon, dup.lat, dup.lon) <= 150
        if dup.status == Status.DUPLICATE:
            assert dup.duplicate_of_id == orig.pk
    marked = Counter(Case.objects.filter(duplicate_of__isnull=False).values_list("status"))
    assert set(marked) == {(Status.DUPLICATE,)}


def test_load_timing_inserts_the_same_rows_raw_and_leaves_the_database_as_found(db):
    """make bench's demo_load_cases: the demo's load against a raw insert of every row it wrote
    (the case rows timed apart), both rolled back."""
    from insieme.cases.demo import bulk_load_timing
    from insieme.core.models import User

    # The module's demo may be loaded on this worker already: compare with what was there.
    cases, events = Case.objects.count(), CaseEvent.objects.count()
    users = User.objects.count()
    timing = bulk_load_timing(300, seed=5)
    assert timing.case_rows == 300
    assert timing.rows > timing.case_rows  # residents, events, followers, ratings, handling
    assert timing.raw_seconds > timing.raw_case_seconds > 0
    assert timing.demo_seconds > 0
    assert (Case.objects.count(), CaseEvent.objects.count()) == (cases, events)
    assert User.objects.count() == users


def _leaks(text: str, names: list[str]) -> list[str]:
    """Personal data of the kinds the demo plants, found in a public text."""
    packed = "".join(c for c in text if c.isalnum()).upper()
    found = [
        p.pattern
        for p in (
            re.compile(r"@|\(at\)|\bat\b.*\bdot\b"),
            re.compile(r"\b3\d{2} \d{3} \d{4}\b"),
            re.compile(r"\b(?:nat[oa] il|born on) \d", re.IGNORECASE),
        )
        if p.search(text)
    ]
    for pattern in (r"IT\d{2}[A-Z]\d{22}", r"\d{16}", r"[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]"):
        if re.search(pattern, packed):
            found.append(pattern)
    folded = text.casefold()
    found += [n for n in names if n and n.casefold() in folded]
    return found


# The values the demo plants (demo_text.PII_* and PII_MORE_*), as written.
PLANTED = re.compile(
    r"3\d{2} \d{3} \d{4}|\S+@mail\.example|\S+ \(at\) mail \(dot\) example"
    r"|[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]|[a-z]{3} [a-z]{3} [a-z0-9]{5} [a-z0-9]{5}"
    r"|IT\d{2}(?: [A-Z0-9]{1,4})+|\d{4} \d{4} \d{4} \d{4}|\d{2}/\d{2}/\d{4}"
)


def test_no_public_case_names_a_person_or_shows_personal_data(loaded, client):
    _output, truth, _folder = loaded
    planted = truth["cases"]["personal_data_in_text"]
    kinds = {k for _ref, _slug, ks in planted for k in ks.split("+")}
    assert {"name", "phone"} <= kinds and len(kinds) >= 5, kinds
    public = Case.objects.filter(is_public=True).select_related("submitted_by")
    for case in public:
        names = [case.contact_name, case.submitted_by.full_name if case.submitted_by else ""]
        texts = [case.public_description, case.public_address]
        texts += list(
            CaseEvent.objects.filter(case=case, is_public=True).values_list(
                "public_text", flat=True
            )
        )
        for text in texts:
            assert not _leaks(text, names), (case.reference, text, _leaks(text, names))
    # What a probe reads over HTTP, for every case that had personal data planted.
    for ref, slug, _kinds in planted:
        case = Case.objects.get(reference=ref, administration__slug=slug)
        secrets = PLANTED.findall(case.description)
        assert secrets, case.description  # kept as written, for staff
        if not case.is_public:
            continue
        for url in (
            f"/cases/{slug}/{ref}/",
            f"/open311/v2/requests/{ref}.json?jurisdiction_id={slug}&extensions=true",
            f"/api/v1/public-cases/{slug}/{ref}/",
            f"/api/v1/public-cases/{slug}/{ref}/events/",
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            body = html.unescape(response.content.decode())
            if "json" in response["Content-Type"]:
                body = json.dumps(response.json(), ensure_ascii=False)
            for secret in [*secrets, case.contact_name]:
                assert secret not in body, (url, secret)
