"""A service as a proposal sees it: a JSON snapshot of what co-design may change, its validation
by the catalogue's own rules, and the differences between two snapshots.

    {"channels": ["web", "phone"],
     "sla": {"acknowledge_days": 2, "resolve_days": 15, "day_type": "working"},
     "fields": [{"code", "datatype", "label", "help_text", "required", "variable", "order",
                 "values", "translations"}, ...],            # by order
     "legal_basis": [{"provision": 7, "policy_need": ""}, ...],  # the service's own traces
     "traces": [{"field": "size", "provision": 3, "policy_need": ""}, ...]}  # its fields'

Everything else about a service (name, texts, cost model, department) is not co-designed here
and stays as it is. Two snapshots of one service are equal exactly when the parts above are.
"""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from insieme.catalog import actions as catalog
from insieme.catalog import i18n
from insieme.catalog.models import Attribute, Provision, Service
from insieme.core.models import CHANNEL_KEYS

FIELD_KEYS = ("code", "datatype", "label", "help_text", "required", "variable", "order", "values")
MAX_FIELDS = 60
MAX_TRACES = 200


def _clean_translations(value):
    """Cleaned as the catalogue cleans them; a value of another shape is kept for validation to
    refuse."""

    def flat(v):
        return isinstance(v, str) or (
            isinstance(v, dict) and all(isinstance(x, str) for x in v.values())
        )

    if isinstance(value, dict) and all(
        isinstance(texts, dict) and all(flat(v) for v in texts.values()) for texts in value.values()
    ):
        return i18n.clean_translations(value)
    return value


def _trace_key(row: dict) -> tuple:
    return (str(row.get("field") or ""), row.get("provision") or 0, row.get("policy_need") or "")


def normalise(snapshot: dict) -> dict:
    """The one spelling of a snapshot: channels in the catalogue's order, fields by position,
    traces sorted, translations without empty texts."""
    snap = copy.deepcopy(snapshot or {})
    fields = []
    for row in snap.get("fields") or []:
        clean = {k: row.get(k) for k in FIELD_KEYS}
        clean["help_text"] = clean["help_text"] or ""
        clean["values"] = list(clean["values"] or [])
        clean["required"] = bool(clean["required"])
        clean["variable"] = clean["variable"] is not False
        clean["translations"] = _clean_translations(row.get("translations") or {})
        fields.append(clean)
    fields.sort(key=lambda r: (r.get("order") or 0, str(r.get("code"))))
    basis = [
        {"provision": r.get("provision") or None, "policy_need": (r.get("policy_need") or "")}
        for r in snap.get("legal_basis") or []
    ]
    basis.sort(key=lambda r: (r["provision"] or 0, r["policy_need"]))
    traces = [
        {
            "field": str(r.get("field") or ""),
            "provision": r.get("provision") or None,
            "policy_need": (r.get("policy_need") or ""),
        }
        for r in snap.get("traces") or []
    ]
    traces.sort(key=_trace_key)
    sla = snap.get("sla") or {}
    return {
        "channels": catalog.canonical_channels(list(snap.get("channels") or [])),
        "sla": {
            "acknowledge_days": sla.get("acknowledge_days"),
            "resolve_days": sla.get("resolve_days"),
            "day_type": sla.get("day_type"),
        },
        "fields": fields,
        "legal_basis": basis,
        "traces": traces,
    }


def of_service(service: Service) -> dict:
    """The snapshot of the live service (four queries)."""
    attributes = list(Attribute.objects.filter(service=service).order_by("order", "code"))
    codes = {a.pk: a.code for a in attributes}
    traces = list(service.traces.all().values("attribute_id", "provision_id", "policy_need"))
    return normalise(
        {
            "channels": list(service.channels or []),
            "sla": {
                "acknowledge_days": service.sla_acknowledge_days,
                "resolve_days": service.sla_resolve_days,
                "day_type": service.sla_day_type,
            },
            "fields": [
                {**{k: getattr(a, k) for k in FIELD_KEYS}, "translations": a.translations}
                for a in attributes
            ],
            "legal_basis": [
                {"provision": t["provision_id"], "policy_need": t["policy_need"]}
                for t in traces
                if t["attribute_id"] is None
            ],
            "traces": [
                {
                    "field": codes[t["attribute_id"]],
                    "provision": t["provision_id"],
                    "policy_need": t["policy_need"],
                }
                for t in traces
                if t["attribute_id"] is not None
            ],
        }
    )


def attributes_of(snapshot: dict, service: Service) -> list[Attribute]:
    """Unsaved catalogue questions for a snapshot's fields (for the citizen form's preview and
    for validation), each knowing its service (its texts' language)."""
    out = []
    for row in snapshot.get("fields") or []:
        attr = Attribute(**{k: row.get(k) for k in FIELD_KEYS}, translations=row["translations"])
        attr.service = service
        out.append(attr)
    return out


def proposed_service(service: Service, snapshot: dict) -> Service:
    """An unsaved copy of `service` with the snapshot's channels and SLA, and the cost model's
    minutes of channels no longer offered left out (the adoption drops them the same way)."""
    copy_ = Service(
        **{f.attname: getattr(service, f.attname) for f in Service._meta.concrete_fields}
    )
    channels = list(snapshot.get("channels") or [])
    sla = snapshot.get("sla") or {}
    copy_.channels = channels
    copy_.sla_acknowledge_days = sla.get("acknowledge_days")
    copy_.sla_resolve_days = sla.get("resolve_days")
    copy_.sla_day_type = sla.get("day_type")
    copy_.staff_minutes = {c: m for c, m in (service.staff_minutes or {}).items() if c in channels}
    return copy_


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_shape(snapshot) -> None:
    """ValidationError unless the snapshot has the shape the module docstring gives (callers
    other than the forms may pass anything)."""

    def rows(key, keys: dict) -> bool:
        value = snapshot.get(key, [])
        return isinstance(value, list) and all(
            isinstance(r, dict) and all(k not in r or ok(r[k]) for k, ok in keys.items())
            for r in value
        )

    text = lambda v: isinstance(v, str)  # noqa: E731
    text_or_none = lambda v: v is None or isinstance(v, str)  # noqa: E731
    id_or_none = lambda v: v is None or _is_int(v)  # noqa: E731
    flag = lambda v: isinstance(v, bool)  # noqa: E731
    sla = snapshot.get("sla", {}) if isinstance(snapshot, dict) else None
    ok = (
        isinstance(snapshot, dict)
        and isinstance(snapshot.get("channels", []), list)
        and all(isinstance(c, str) for c in snapshot.get("channels", []))
        and isinstance(sla, dict)
        and all(id_or_none(sla.get(k)) for k in ("acknowledge_days", "resolve_days"))
        and text_or_none(sla.get("day_type"))
        and rows(
            "fields",
            {
                "code": text,
                "datatype": text,
                "label": text,
                "help_text": text_or_none,
                "required": flag,
                "variable": flag,
                "order": id_or_none,
                "values": lambda v: isinstance(v, list),
                "translations": lambda v: v is None or isinstance(v, dict),
            },
        )
        and rows("legal_basis", {"provision": id_or_none, "policy_need": text_or_none})
        and rows("traces", {"field": text, "provision": id_or_none, "policy_need": text_or_none})
    )
    if not ok:
        raise ValidationError(_("The proposal is malformed."))


def validate(snapshot: dict, service: Service) -> None:
    """ValidationError (keyed by the part of the proposal) unless the catalogue would take the
    snapshot for `service`: the service's and each question's own model validation, the
    form's unique codes and positions, and traces to provisions of the registers the service
    may rest on and to fields the proposal has."""
    _check_shape(snapshot)
    errors: dict[str, list] = {}
    snap = normalise(snapshot)
    channels = snap["channels"]
    if not all(isinstance(c, str) and c in CHANNEL_KEYS for c in channels):
        errors.setdefault("channels", []).append(_("Choose channels from the list."))
    try:
        proposed_service(service, snap).full_clean(
            validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            part = "sla" if key.startswith("sla_") else key
            errors.setdefault(part, []).extend(messages)
    fields = snap["fields"]
    if len(fields) > MAX_FIELDS:
        errors.setdefault("fields", []).append(
            _("A form takes at most %(n)d questions.") % {"n": MAX_FIELDS}
        )
    for attr in attributes_of(snap, service):
        try:
            attr.full_clean(
                exclude=["service", "template_attribute"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault("fields", []).extend(
                    f"{attr.code or '?'} ({key}): {m}" for m in messages
                )
    try:
        catalog._check_attribute_set(fields)  # the catalogue's own rule for a whole form
    except ValidationError as exc:
        for messages in exc.message_dict.values():
            errors.setdefault("fields", []).extend(messages)
    _check_traces(snap, service, errors)
    if errors:
        raise ValidationError(errors)


def _check_traces(snap: dict, service: Service, errors: dict) -> None:
    rows = [("legal_basis", r) for r in snap["legal_basis"]] + [
        ("traces", r) for r in snap["traces"]
    ]
    if len(rows) > MAX_TRACES:
        errors.setdefault("traces", []).append(_("Too many traces."))
        return
    wanted = {r["provision"] for _p, r in rows if r["provision"]}
    visible = set(
        catalog.visible_provisions(service.administration)
        .filter(pk__in=[p for p in wanted if isinstance(p, int)])
        .values_list("pk", flat=True)
    )
    codes = {str(f["code"]) for f in snap["fields"]}
    seen = set()
    for part, row in rows:
        provision, need = row["provision"], row["policy_need"]
        if not provision and not need.strip():
            errors.setdefault(part, []).append(
                _("Choose the provision that requires it, or state the policy need it serves.")
            )
        if provision and provision not in visible:
            errors.setdefault(part, []).append(
                _("That provision is not in this administration's register.")
            )
        if len(need) > 300:
            errors.setdefault(part, []).append(_("Keep the policy need within 300 characters."))
        if part == "traces" and row["field"] not in codes:
            errors.setdefault(part, []).append(
                _("The proposal has no field %(c)s.") % {"c": row["field"]}
            )
        key = (row.get("field", ""), provision) if provision else None
        if key is not None and key in seen:
            errors.setdefault(part, []).append(_("This is traced to that provision already."))
        seen.add(key)


# --- differences ------------------------------------------------------------------------------


def _field_label(row: dict) -> str:
    return f"{row['label']} ({row['code']})"


def differences(base: dict, proposed: dict) -> dict:
    """What the proposal changes, part by part, for the preview's table:
    {"fields": {"added": [...], "removed": [...], "changed": [(row, [names])]},
     "channels": {"added", "removed"}, "sla": [(name, before, after)],
     "legal_basis": {"added", "removed"}, "traces": {"added", "removed"}}."""
    base, proposed = normalise(base), normalise(proposed)
    before = {f["code"]: f for f in base["fields"]}
    after = {f["code"]: f for f in proposed["fields"]}
    changed = []
    for code in after:
        if code in before and after[code] != before[code]:
            names = [k for k in (*FIELD_KEYS, "translations") if after[code][k] != before[code][k]]
            changed.append((after[code], names))
    sla = [
        (name, base["sla"][name], proposed["sla"][name])
        for name in ("acknowledge_days", "resolve_days", "day_type")
        if base["sla"][name] != proposed["sla"][name]
    ]

    def rows_diff(key):
        b = [_trace_key(r) for r in base[key]]
        a = [_trace_key(r) for r in proposed[key]]
        return {
            "added": [r for r in proposed[key] if _trace_key(r) not in b],
            "removed": [r for r in base[key] if _trace_key(r) not in a],
        }

    return {
        "fields": {
            "added": [after[c] for c in after if c not in before],
            "removed": [before[c] for c in before if c not in after],
            "changed": changed,
        },
        "channels": {
            "added": [c for c in proposed["channels"] if c not in base["channels"]],
            "removed": [c for c in base["channels"] if c not in proposed["channels"]],
        },
        "sla": sla,
        "legal_basis": rows_diff("legal_basis"),
        "traces": rows_diff("traces"),
    }


def has_differences(diff: dict) -> bool:
    return any(
        [
            *diff["fields"].values(),
            *diff["channels"].values(),
            diff["sla"],
            *diff["legal_basis"].values(),
            *diff["traces"].values(),
        ]
    )


def provisions_by_id(*snapshots: dict) -> dict[int, Provision]:
    ids = {
        r["provision"]
        for snap in snapshots
        for key in ("legal_basis", "traces")
        for r in (snap.get(key) or [])
        if r.get("provision")
    }
    return {p.pk: p for p in Provision.objects.filter(pk__in=ids).select_related("regulation")}
