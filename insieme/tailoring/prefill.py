"""The once-only prefill of the citizens' filing form (DESIGN.md §1, cell T1): what the
administration already knows is filled in, and the citizen can change all of it.

What is offered, to a signed-in citizen only (nobody else's data can reach a form: every value
comes from the person's own profile or from cases they filed themselves):

- contact name, e-mail and phone, from the profile;
- on an application only, the address (located services) and the answers to its questions, from
  the citizen's own most recent earlier applications to the same administration: for each
  question, the answer to a question with the same code and datatype (a list answer only where
  every key is still a choice). Reports are left out, and so are free-text and date questions:
  a report's answers and place describe one problem, not the person (an earlier report's number
  plate is someone else's car), a date and a story belong to one request. The catalogue has no
  flag for sensitive questions; were one added, `eligible` is where it would be checked.

What is remembered, in the session under the form's idempotency token (which the offer sets):
field name -> [source, salted digest of the value, reference of the earlier case], never a
value, and at most PENDING forms per session. After the filing, `record` compares what was
filed with the digests and writes a PrefillRecord: counts and field names, no values.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from insieme.cases.models import Case, Channel
from insieme.catalog.forms import citizen_field_name
from insieme.catalog.models import Attribute, Datatype, Service, ServiceKind
from insieme.core.registry import FilingPrefill, PagePanel
from insieme.tailoring.models import Outcome, PrefillRecord, Source

SESSION_KEY = "insieme_prefill"
PENDING = 5  # forms offered and not yet filed, remembered per session
EARLIER_CASES = 20  # how many of the citizen's latest applications are read for answers
CONTACT = (("contact_name", "full_name"), ("contact_email", "email"), ("contact_phone", "phone"))
LOCATION_KEYS = ("lat", "lon", "address")  # the map page's place in the query wins
ONE_REQUEST_DATATYPES = frozenset({Datatype.TEXT, Datatype.DATETIME})
DIGEST_SALT = "insieme.tailoring.prefill"
# What the current request offered and shows (set by `offer` and `hints`, read by the notice).
OFFERED_ATTR, SHOWN_ATTR = "insieme_prefill_offered", "insieme_prefill_shown"


# --- what the prefill covers --------------------------------------------------------------------


def eligible(service: Service, attribute) -> bool:
    """Whether a question of `service` may be filled in from an earlier answer."""
    return (
        service.kind == ServiceKind.APPLICATION
        and attribute.variable
        and attribute.datatype not in ONE_REQUEST_DATATYPES
    )


def prefillable_fields(service: Service) -> list[str]:
    """The fields of `service`'s filing form the prefill covers, in the form's order, whether
    or not a value is known: the contact details; on an application the address (where the
    service is located) and the eligible questions. Reads `service.attributes.all()`."""
    questions = sorted(service.attributes.all(), key=lambda a: (a.order, a.code))
    names = [citizen_field_name(a) for a in questions if eligible(service, a)]
    if service.kind == ServiceKind.APPLICATION and service.located:
        names.append("address")
    return names + [name for name, _attr in CONTACT]


def canonical(value: Any, datatype: str = Datatype.STRING) -> str:
    """One text for one value, whichever way it comes (a stored answer, a form's cleaned data):
    lists sorted, numbers normalised ("3.50" and Decimal("3.5") agree), text stripped."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "\x1f".join(sorted(str(v).strip() for v in value if str(v).strip()))
    if isinstance(value, Decimal | int | float) or datatype == Datatype.NUMBER:
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            return str(value).strip()
        return format(number.normalize(), "f") if number.is_finite() else str(value).strip()
    return str(value).strip()


def _digest(salt: str, value: str) -> str:
    return salted_hmac(f"{DIGEST_SALT}.{salt}", value, algorithm="sha256").hexdigest()[:32]


def _choices(attribute) -> set[str]:
    return {str(o.get("key")) for o in attribute.values or [] if isinstance(o, dict)}


def _initial(attribute, value: Any) -> Any:
    """An earlier answer as the form's initial value, or None where it no longer fits."""
    if attribute.datatype == Datatype.MULTIVALUELIST:
        keys = _choices(attribute)
        if isinstance(value, list) and value and all(str(v) in keys for v in value):
            return [str(v) for v in value]
        return None
    if value in (None, "") or isinstance(value, list | dict | bool):
        return None
    if attribute.datatype == Datatype.SINGLEVALUELIST:
        return str(value) if str(value) in _choices(attribute) else None
    if attribute.datatype == Datatype.NUMBER:
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            return None
        return number if number.is_finite() else None
    text = str(value).strip()
    return text if attribute.datatype == Datatype.STRING and 0 < len(text) <= 500 else None


# --- the offer ----------------------------------------------------------------------------------


def _earlier(user, service: Service) -> list[dict]:
    """The citizen's own latest applications to the administration, newest first."""
    return list(
        Case.objects.filter(
            submitted_by=user,
            administration_id=service.administration_id,
            kind=ServiceKind.APPLICATION,
        )
        .order_by("-submitted_at", "-pk")
        .values("reference", "service_id", "address", "answers")[:EARLIER_CASES]
    )


def _answers(service: Service, earlier: list[dict]) -> dict[str, tuple]:
    """{field name: (source, value, datatype, reference)} for each eligible question answered,
    under the same code and datatype, in one of the earlier cases (the newest that did)."""
    wanted = {a.code: a for a in service.attributes.all() if eligible(service, a)}
    if not wanted or not earlier:
        return {}
    datatypes = {
        (sid, code): datatype
        for sid, code, datatype in Attribute.objects.filter(
            service_id__in={c["service_id"] for c in earlier}, code__in=list(wanted)
        ).values_list("service_id", "code", "datatype")
    }
    found: dict[str, tuple] = {}
    for case in earlier:
        answers = case["answers"] if isinstance(case["answers"], dict) else {}
        for code, attribute in wanted.items():
            name = citizen_field_name(attribute)
            if name in found or code not in answers:
                continue
            if datatypes.get((case["service_id"], code)) != attribute.datatype:
                continue
            value = _initial(attribute, answers[code])
            if value is not None:
                found[name] = (Source.EARLIER_ANSWER, value, attribute.datatype, case["reference"])
    return found


def _remember(request, token: str, entry: dict) -> None:
    pending = request.session.get(SESSION_KEY)
    pending = dict(pending) if isinstance(pending, dict) else {}
    pending[token] = entry
    for old in list(pending)[:-PENDING]:
        del pending[old]
    request.session[SESSION_KEY] = pending


def offer(request, service: Service) -> dict:
    """Initial values for `service`'s filing form (FilingPrefill.offer), with a new `token`."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    known: dict[str, tuple] = {}
    for name, attr in CONTACT:
        value = (getattr(user, attr, "") or "").strip()
        if value:
            known[name] = (Source.PROFILE, value, Datatype.STRING, "")
    if service.kind == ServiceKind.APPLICATION:
        earlier = _earlier(user, service)
        if service.located and not any(request.GET.get(k) for k in LOCATION_KEYS):
            case = next((c for c in earlier if (c["address"] or "").strip()), None)
            if case is not None:
                address = case["address"].strip()
                known["address"] = (Source.EARLIER_ADDRESS, address, "", case["reference"])
        known.update(_answers(service, earlier))
    token, salt = uuid.uuid4().hex, secrets.token_hex(8)
    fields = {
        name: [str(source), _digest(salt, canonical(value, datatype)), reference]
        for name, (source, value, datatype, reference) in known.items()
    }
    _remember(
        request, token, {"user": user.pk, "service": service.pk, "salt": salt, "fields": fields}
    )
    setattr(request, OFFERED_ATTR, {name: (f[0], f[2]) for name, f in fields.items()})
    return {"token": token, **{name: found[1] for name, found in known.items()}}


# --- what the form shows filled in --------------------------------------------------------------


def _token(value: Any) -> str:
    try:
        return uuid.UUID(str(value or "")).hex
    except ValueError:
        return ""


def _entry(request, token: str, service: Service) -> dict | None:
    """The session's offer under `token`, if it was made to this person for this service."""
    user = getattr(request, "user", None)
    pending = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if not token or user is None or not user.is_authenticated or not isinstance(pending, dict):
        return None
    entry = pending.get(token)
    if (
        not isinstance(entry, dict)
        or entry.get("user") != user.pk
        or entry.get("service") != service.pk
        or not isinstance(entry.get("salt"), str)
        or not isinstance(entry.get("fields"), dict)
    ):
        return None
    return entry


def _still_offered(entry: dict, forms: tuple) -> dict[str, tuple[str, str]]:
    """Of a re-shown form (after an error), the fields whose value is still the one offered."""
    found = {}
    for name, (source, digest, reference) in entry["fields"].items():
        for form in forms:
            data = getattr(form, "cleaned_data", None)
            if data is None or name not in data or name in form.errors:
                continue
            value = canonical(data[name])
            if value and hmac.compare_digest(_digest(entry["salt"], value), digest):
                found[name] = (source, reference)
    return found


def _hint(source: str, reference: str) -> str:
    if source == Source.PROFILE:
        return _("From your profile: you can change it.")
    return _("From your request %(reference)s: you can change it.") % {"reference": reference}


def hints(request, service: Service, forms: tuple) -> dict[str, str]:
    """FilingPrefill.hints: a note under each field shown filled in; the notice above the form
    reads the same fields, with their labels."""
    if request.method == "GET":
        shown = getattr(request, OFFERED_ATTR, {})
    else:
        entry = _entry(request, _token(request.POST.get("token")), service)
        shown = _still_offered(entry, forms) if entry else {}
    labelled = {}
    for name, (source, reference) in shown.items():
        field = next((f.fields[name] for f in forms if name in f.fields), None)
        if field is not None:
            labelled[name] = (source, reference, field.label)
    setattr(request, SHOWN_ATTR, labelled)
    return {name: _hint(source, reference) for name, (source, reference, _l) in labelled.items()}


def notice(request, service: Service) -> dict | None:
    """The notice above the form (PagePanel context): which fields were filled in, from what."""
    shown = getattr(request, SHOWN_ATTR, None)
    if not shown:
        return None
    order = {name: i for i, name in enumerate(prefillable_fields(service))}
    groups: dict[str, dict] = {}
    for name in sorted(shown, key=lambda n: order.get(n, len(order))):
        source, reference, label = shown[name]
        key = "profile" if source == Source.PROFILE else reference
        group = groups.setdefault(key, {"reference": "" if key == "profile" else key, "labels": []})
        group["labels"].append(label)
    return {
        "count": len(shown),
        "groups": list(groups.values()),
        "admin": service.administration.display_name,
    }


# --- after the filing ---------------------------------------------------------------------------


def _filed_values(service: Service, case: Case) -> dict[str, str]:
    """{prefillable field name: the filed value, canonical}."""
    answers = case.answers if isinstance(case.answers, dict) else {}
    values = {
        "contact_name": canonical(case.contact_name),
        "contact_email": canonical(case.contact_email),
        "contact_phone": canonical(case.contact_phone),
        "address": canonical(case.address),
    }
    for attribute in service.attributes.all():
        if eligible(service, attribute):
            values[citizen_field_name(attribute)] = canonical(
                answers.get(attribute.code), attribute.datatype
            )
    return {name: values[name] for name in prefillable_fields(service)}


def outcomes(entry: dict, filed: dict[str, str]) -> dict[str, list[str]]:
    """{field name: [source, outcome]} for each field offered that the form still has."""
    found = {}
    for name, (source, digest, _reference) in entry["fields"].items():
        if name not in filed:
            continue
        value = filed[name]
        if not value:
            outcome = Outcome.CLEARED
        elif hmac.compare_digest(_digest(entry["salt"], value), digest):
            outcome = Outcome.KEPT
        else:
            outcome = Outcome.CHANGED
        found[name] = [source, str(outcome)]
    return found


def make_record(case: Case, prefillable: int, fields: dict[str, list[str]]) -> PrefillRecord:
    """An unsaved PrefillRecord of `case` from its fields' [source, outcome] (the demo too)."""
    totals: Counter = Counter(outcome for _source, outcome in fields.values())
    by_source: dict[str, dict[str, int]] = {}
    for source, outcome in fields.values():
        counts = by_source.setdefault(source, {"offered": 0, **{o: 0 for o in Outcome.values}})
        counts["offered"] += 1
        counts[outcome] += 1
    return PrefillRecord(
        case_id=case.pk,
        administration_id=case.administration_id,
        service_id=case.service_id,
        filed_at=case.submitted_at,
        prefillable=prefillable,
        offered=len(fields),
        kept=totals[Outcome.KEPT],
        changed=totals[Outcome.CHANGED],
        cleared=totals[Outcome.CLEARED],
        by_source=by_source,
        fields=fields,
    )


def record(request, service: Service, case: Case) -> None:
    """FilingPrefill.record: what became of the offer this form carried. Nothing is written
    without the session's offer for the case's token (no token, a token tampered with, another
    person's or another service's), for a case filed by someone else or on another channel, or
    a second time for one case (a retried submission)."""
    user = getattr(request, "user", None)
    if (
        user is None
        or not user.is_authenticated
        or case.submitted_by_id != user.pk
        or case.channel != Channel.WEB
        or case.service_id != service.pk
    ):
        return
    entry = _entry(request, _token(case.idempotency_key), service)
    if entry is None or case.idempotency_key != _token(case.idempotency_key):
        return
    pending = dict(request.session[SESSION_KEY])
    pending.pop(case.idempotency_key, None)
    request.session[SESSION_KEY] = pending
    if PrefillRecord.objects.filter(case_id=case.pk).exists():
        return
    filed = _filed_values(service, case)
    try:
        with transaction.atomic():
            make_record(case, len(filed), outcomes(entry, filed)).save()
    except IntegrityError:
        pass  # a concurrent retry of the same filing recorded it first


PREFILL = FilingPrefill(
    key="tailoring.once_only", offer=offer, record=record, hints=hints, app="tailoring"
)
NOTICE = PagePanel(
    key="tailoring.prefill_notice",
    page="cases.filing",
    order=10,
    template="tailoring/panels/prefill_notice.html",
    context=notice,
    app="tailoring",
)
