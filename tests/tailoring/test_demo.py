"""The demo's prefill records: one per web case a citizen filed signed in, offering only what
their earlier applications to the same administration held, with no value stored; the T1
prefill rate reproduces the ground truth the seed wrote, and shows a value everywhere."""

from __future__ import annotations

import json
import re

import pytest

from insieme.cases.models import Case
from insieme.core.models import Administration
from insieme.core.registry import Scope, indicators
from insieme.tailoring.models import Outcome, PrefillRecord, Source

pytestmark = pytest.mark.django_db

FIELD_NAME = re.compile(r"^(contact_name|contact_email|contact_phone|address|attr_[\w-]+)$")


def test_the_prefill_rate_reproduces_the_ground_truth(loaded_demo):
    truth = json.loads(loaded_demo.ground_truth.read_text())["tailoring"]
    municipalities = Administration.objects.filter(kind=Administration.Kind.MUNICIPALITY)
    assert set(truth) == set(municipalities.values_list("slug", flat=True))
    for admin in municipalities:
        expected = truth[admin.slug]
        result = indicators.get("tailoring-t1-prefill-rate").compute(Scope.of(admin))
        assert result.numerator == expected["prefilled_last_90"], admin.slug
        assert result.denominator == expected["prefillable_last_90"], admin.slug
        assert sum(row[2] for row in result.rows) == expected["records_last_90"], admin.slug
        assert 0 < result.value < 1, admin.slug
        for other in ("tailoring-t1-preferences", "tailoring-t1-local-variants"):
            assert indicators.get(other).compute(Scope.of(admin)).value is not None


def test_one_record_per_web_case_filed_signed_in_and_no_values(loaded_demo):
    web = Case.objects.filter(channel="web", submitted_by__isnull=False, filed_by__isnull=True)
    assert PrefillRecord.objects.count() == web.count() > 0
    assert not PrefillRecord.objects.exclude(case__in=web).exists()
    for record in PrefillRecord.objects.all():
        assert record.offered <= record.prefillable
        assert record.kept + record.changed + record.cleared == record.offered
        for name, (source, outcome) in record.fields.items():
            assert FIELD_NAME.match(name), name
            assert source in Source.values and outcome in Outcome.values


def test_earlier_answers_come_only_from_the_citizens_own_earlier_applications(loaded_demo):
    cases = {
        c["pk"]: c
        for c in Case.objects.values(
            "pk", "submitted_by_id", "administration_id", "kind", "submitted_at", "answers"
        )
    }
    reused = 0
    for record in PrefillRecord.objects.all():
        case = cases[record.case_id]
        before = [
            c
            for c in cases.values()
            if c["submitted_by_id"] == case["submitted_by_id"]
            and c["administration_id"] == case["administration_id"]
            and c["kind"] == "application"
            and c["submitted_at"] < case["submitted_at"]
        ]
        for name, (source, _outcome) in record.fields.items():
            if source == Source.EARLIER_ANSWER:
                reused += 1
                code = name.removeprefix("attr_")
                assert any(code in (c["answers"] or {}) for c in before), (record.pk, name)
            elif source == Source.EARLIER_ADDRESS:
                assert before, record.pk
    assert reused > 0
