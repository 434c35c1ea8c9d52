"""Demo seed of the once-only prefill (order 35, after the cases 30): a PrefillRecord for each
web case that a citizen filed signed in, from what the demo data really knew at that moment.

For each such case, in time order per citizen and administration, the offer is the one
insieme.tailoring.prefill makes: the name and e-mail (and the phone, where set) from the profile;
on an application the address of the citizen's latest earlier application there that has one
(located services), and the answers of their earlier applications there under the same code and
datatype (questions other than free text and dates, list answers still among the choices). What
the citizen did with each field (kept, changed, cleared) is drawn from a random stream of its
own, seeded by the demo's seed, so the other seeds' draws are untouched. Rows are written with
bulk_create in batches, reading the cases once, in order, so a million cases stay affordable.

Ground truth, section "tailoring": per municipality, the records of the last 90 days and their
prefillable and prefilled fields, so that a test can check the T1 prefill rate against it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import TYPE_CHECKING

from insieme.cases.models import Case, Channel
from insieme.catalog.forms import citizen_field_name
from insieme.catalog.models import Service, ServiceKind
from insieme.core.models import User
from insieme.core.registry import DemoSeed, Scope
from insieme.tailoring import prefill
from insieme.tailoring.models import Outcome, PrefillRecord, Source

if TYPE_CHECKING:
    from insieme.demo.context import DemoContext

BATCH = 2000
# Chances that a citizen keeps a prefilled field as it is, and that they clear it; the rest of
# the time they change it. Contact details rarely change; an earlier answer more often does.
KEEP = {Source.PROFILE: 0.93, Source.EARLIER_ADDRESS: 0.8, Source.EARLIER_ANSWER: 0.75}
CLEAR = 0.02


class _Case:
    """The columns of a case the seed reads (slots: a million of them pass through)."""

    __slots__ = ("pk", "administration_id", "service_id", "submitted_at", "reference")

    def __init__(self, pk, administration_id, service_id, submitted_at, reference) -> None:
        self.pk = pk
        self.administration_id = administration_id
        self.service_id = service_id
        self.submitted_at = submitted_at
        self.reference = reference


def _cases(admin_ids: list[int]) -> Iterator[tuple]:
    return (
        Case.objects.filter(administration_id__in=admin_ids, submitted_by__isnull=False)
        .order_by("submitted_by_id", "administration_id", "submitted_at", "pk")
        .values_list(
            "pk",
            "submitted_by_id",
            "administration_id",
            "service_id",
            "kind",
            "channel",
            "filed_by_id",
            "address",
            "answers",
            "submitted_at",
            "reference",
        )
        .iterator(chunk_size=BATCH)
    )


def _outcome(rng: random.Random, source: str) -> str:
    draw = rng.random()
    if draw < KEEP[source]:
        return Outcome.KEPT
    return Outcome.CLEARED if draw < KEEP[source] + CLEAR else Outcome.CHANGED


class _Known:
    """What the administration knew of one citizen at one moment: the address of their latest
    application that had one, and the latest answer under each (code, datatype)."""

    def __init__(self) -> None:
        self.address = ""
        self.answers: dict[tuple[str, str], object] = {}

    def learn(self, datatypes: dict[str, str], address: str, answers: dict) -> None:
        if address.strip():
            self.address = address.strip()
        for code, value in answers.items():
            if code in datatypes:
                self.answers[(code, datatypes[code])] = value


def _offered(service: Service, profile: tuple, known: _Known | None) -> list[tuple[str, str]]:
    """[(field name, source)] the prefill would have offered for `service` then."""
    offered = [
        (name, Source.PROFILE)
        for (name, _attr), value in zip(prefill.CONTACT, profile, strict=True)
        if value
    ]
    if known is None or service.kind != ServiceKind.APPLICATION:
        return offered
    if service.located and known.address:
        offered.append(("address", Source.EARLIER_ADDRESS))
    for attribute in service.attributes.all():
        if not prefill.eligible(service, attribute):
            continue
        value = known.answers.get((attribute.code, attribute.datatype))
        if value is not None and prefill._initial(attribute, value) is not None:
            offered.append((citizen_field_name(attribute), Source.EARLIER_ANSWER))
    return offered


def build_records(admin_ids: list[int], seed: int) -> Iterator[PrefillRecord]:
    """The records, unsaved, in the order the cases are read (by citizen, then time)."""
    rng = random.Random(f"{seed}:tailoring")  # noqa: S311 - demo data
    services = {
        s.pk: s
        for s in Service.objects.filter(administration_id__in=admin_ids).prefetch_related(
            "attributes"
        )
    }
    prefillable = {pk: len(prefill.prefillable_fields(s)) for pk, s in services.items()}
    datatypes = {pk: {a.code: a.datatype for a in s.attributes.all()} for pk, s in services.items()}
    profiles = {
        pk: (name.strip(), email.strip(), (phone or "").strip())
        for pk, name, email, phone in User.objects.values_list("pk", "full_name", "email", "phone")
    }
    current, known = None, None
    for row in _cases(admin_ids):
        pk, user_id, admin_id, service_id, kind, channel, filed_by, address, answers, at, ref = row
        if (user_id, admin_id) != current:
            current, known = (user_id, admin_id), None
        service = services[service_id]
        if channel == Channel.WEB and filed_by is None:
            fields = {
                name: [str(source), str(_outcome(rng, source))]
                for name, source in _offered(service, profiles[user_id], known)
            }
            case = _Case(pk, admin_id, service_id, at, ref)
            yield prefill.make_record(case, prefillable[service_id], fields)
        if kind == ServiceKind.APPLICATION:
            known = known or _Known()
            answers = answers if isinstance(answers, dict) else {}
            known.learn(datatypes[service_id], address or "", answers)


def run(ctx: DemoContext) -> None:
    admins = list(ctx.municipalities)
    if PrefillRecord.objects.filter(administration__in=admins).exists():
        ctx.record("tailoring", {})
        return
    windows = {a.pk: Scope.of(a).window(90) for a in admins}
    truth = {
        a.pk: {"records_last_90": 0, "prefillable_last_90": 0, "prefilled_last_90": 0}
        for a in admins
    }
    batch: list[PrefillRecord] = []
    written = 0
    for made in build_records([a.pk for a in admins], ctx.seed):
        start, end = windows[made.administration_id]
        if start <= made.filed_at < end:
            counts = truth[made.administration_id]
            counts["records_last_90"] += 1
            counts["prefillable_last_90"] += made.prefillable
            counts["prefilled_last_90"] += made.offered
        batch.append(made)
        if len(batch) == BATCH:
            PrefillRecord.objects.bulk_create(batch)
            written, batch = written + len(batch), []
    PrefillRecord.objects.bulk_create(batch)
    written += len(batch)
    ctx.record("tailoring", {a.slug: truth[a.pk] for a in admins})
    ctx.say(f"Prefill records: {written} web filings of signed-in citizens")


SEED = DemoSeed(key="tailoring", order=35, run=run, app="tailoring")
