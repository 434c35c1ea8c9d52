"""Every write is audited: each public function of every app's actions module is performed here,
on real data, and must append to the audit log when it writes (INSERT, UPDATE or DELETE); a
function that only reads or computes must write nothing at all; the few bookkeeping writes that
change nobody's data (a key's last use, the next reference number, a queued webhook delivery)
are named with their reason, and may touch only their own tables. The steps that cases'
actions are made of (insieme.cases.lifecycle: a timeline event, a status move, stored files)
write one part of an audited change: they too may touch only their own tables, and only an
actions module may take them.

The tables below must name every public function of those modules, so that a new action cannot
be added without saying how it is audited.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import inspect
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from PIL import Image

from insieme.cases import lifecycle
from insieme.cases.citizen import actions as citizen_actions
from insieme.cases.filing import actions as filing_actions
from insieme.cases.handling import actions as handling_actions
from insieme.cases.handling import assignment
from insieme.cases.handling import sla as handling_sla
from insieme.cases.matching import actions as matching_actions
from insieme.cases.models import Case, Handoff, ResponseTemplate, RoutingRule, Status
from insieme.cases.setup import actions as setup
from insieme.catalog import actions as catalog
from insieme.catalog.models import Service
from insieme.core import actions as core
from insieme.core import audit, tokens, twofactor
from insieme.core.events import Event
from insieme.core.models import AuditEntry, User
from insieme.core.permissions import Perm, Role
from insieme.core.uploads import clean_uploads
from insieme.places import actions as places
from insieme.places import parsers as places_parsers
from insieme.webhooks import actions as webhooks
from insieme.webhooks.models import Delivery
from tests.conftest import PASSWORD, SQUARE, make_staff, make_user

MODULES = [
    "insieme.core.actions",
    "insieme.catalog.actions",
    "insieme.cases.lifecycle",
    "insieme.cases.filing.actions",
    "insieme.cases.citizen.actions",
    "insieme.cases.handling.actions",
    "insieme.cases.handling.assignment",
    "insieme.cases.handling.sla",
    "insieme.cases.matching.actions",
    "insieme.cases.setup.actions",
    "insieme.webhooks.actions",
    "insieme.places.actions",
]
ROOT = Path(__file__).resolve().parents[2]
# Where the steps of insieme.cases.lifecycle may be taken: the cases' actions modules.
ACTION_MODULES = re.compile(r"^insieme/cases/(\w+/)?(actions|assignment|sla|lifecycle)\.py$")
INSIDE = {"lat": 43.1, "lon": 11.1}


def public_functions() -> set[str]:
    """'app.function' for the public functions of MODULES ('cases.filing.submit_case')."""
    names = set()
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        prefix = module_name.removeprefix("insieme.").removesuffix(".actions")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module_name and not name.startswith("_"):
                names.add(f"{prefix}.{name}")
    return names


# --- the world the actions act on ---------------------------------------------------------------


@dataclass
class World:
    cat: object
    montalto: object
    alice: User  # administrator
    carla: User  # service manager
    dario: User  # supervisor of Roads
    parker: User  # officer of Parks
    charlie: User  # citizen
    roads: object
    parks: object
    case: Case
    application: Service


def file(actor, service, **extra) -> Case:
    fields = {"answers": {"size": "large"}, "description": "A hole", **INSIDE, **extra}
    if service.kind == "application":
        fields["answers"] = {}
    case, _created = filing_actions.submit_case(actor, filing_actions.Filing(service, **fields))
    return case


@pytest.fixture
def world(cat, montalto, alice, carla, charlie, settings) -> World:
    settings.WEBHOOKS_DISPATCH = "manual"
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    parks = core.create_department(None, montalto, name="Parks", code="parks")
    dario = make_staff(
        montalto, Role.SUPERVISOR, "dario@montalto.example", "Dario", department=cat.department
    )
    parker = make_staff(
        montalto, Role.OFFICER, "parker@montalto.example", "Parker", department=parks
    )
    application = catalog.create_service(
        None,
        montalto,
        code="grant",
        name="Grant",
        kind="application",
        located=False,
        channels=["web"],
        department=cat.department,
        status=Service.Status.PUBLISHED,
    )
    return World(
        cat=cat,
        montalto=montalto,
        alice=alice,
        carla=carla,
        dario=dario,
        parker=parker,
        charlie=charlie,
        roads=cat.department,
        parks=parks,
        case=file(charlie, cat.pothole),
        application=application,
    )


def _handoff(w: World) -> Handoff:
    return assignment.hand_off(w.dario, w.case, w.parks, reason="Trees, not roads")


def _waiting(w: World) -> Case:
    handling_actions.request_information(w.dario, w.case, text="Which street?")
    w.case.refresh_from_db()
    return w.case


def _resolved(w: World) -> Case:
    for status in (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED):
        handling_actions.change_status(w.dario, w.case, status)
    return w.case


def _subscription(w: World):
    sub, _secret = webhooks.create_subscription(
        w.alice, w.montalto, name="Hook", url="http://127.0.0.1:9/h", event_types=["case.created"]
    )
    return sub


def _invitation(w: World):
    invitation, raw = core.invite_staff(
        w.alice, w.montalto, email="new@montalto.example", full_name="New", role=Role.OFFICER
    )
    return invitation, raw


def _email_change_token(w: World) -> str:
    return tokens.make_email_change_token(w.charlie, "charlie.new@example.org")


def _template(w: World) -> ResponseTemplate:
    return setup.save_response_template(
        w.dario, w.montalto, service=None, name="Thanks", body="Thank you, {name}."
    )


def _rule(w: World) -> RoutingRule:
    return setup.save_routing_rule(
        w.carla,
        w.montalto,
        service=w.cat.pothole,
        name="North",
        area=SQUARE,
        department=w.parks,
    )


def _delivery(w: World) -> Delivery:
    return webhooks.send_test_event(w.alice, _subscription(w))


def _authenticator(w: World):
    device = core.start_two_factor(w.carla)
    core.confirm_two_factor(
        w.carla, w.carla, device, twofactor.current_code(device), tell_person=False
    )
    return device


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _unverified(w: World) -> User:
    return core.create_user(None, email="fresh@example.org", full_name="Fresh", password=PASSWORD)


# Writes: each must append at least one audit entry. (setup, act): `setup` prepares what the
# action needs (its own writes are not counted), `act` performs it.
Prepared = Callable[[World], object]
WRITES: dict[str, tuple[Prepared, Callable[[World, object], object]]] = {
    # core
    "core.create_administration": (
        lambda w: None,
        lambda w, _: core.create_administration(w.alice, name="Borgo", slug="borgo"),
    ),
    "core.update_administration": (
        lambda w: None,
        lambda w, _: core.update_administration(w.alice, w.montalto, name="Città di Montalto"),
    ),
    "core.save_administration_settings": (
        lambda w: None,
        lambda w, _: core.save_administration_settings(
            w.alice, w.montalto, changes={"name": "Montalto!"}, holidays=[]
        ),
    ),
    "core.set_holidays": (
        lambda w: None,
        lambda w, _: core.set_holidays(w.alice, w.montalto, [(dt.date(2026, 8, 15), "Ferragosto")]),
    ),
    "core.create_department": (
        lambda w: None,
        lambda w, _: core.create_department(w.alice, w.montalto, name="Lakes", code="lakes"),
    ),
    "core.update_department": (
        lambda w: None,
        lambda w, _: core.update_department(w.alice, w.parks, name="Parks and gardens"),
    ),
    "core.create_user": (
        lambda w: None,
        lambda w, _: core.create_user(w.alice, email="u@example.org", full_name="U"),
    ),
    "core.add_membership": (
        lambda w: make_user("m@example.org", "M"),
        lambda w, user: core.add_membership(w.alice, w.montalto, user, role=Role.OFFICER),
    ),
    "core.update_membership": (
        lambda w: w.parker.memberships.get(),
        lambda w, m: core.update_membership(w.alice, m, capacity=7),
    ),
    "core.remove_membership": (
        lambda w: w.parker.memberships.get(),
        lambda w, m: core.remove_membership(w.alice, m),
    ),
    "core.create_partner": (
        lambda w: None,
        lambda w, _: core.create_partner(w.alice, w.montalto, name="Friends"),
    ),
    "core.update_partner": (
        lambda w: core.create_partner(None, w.montalto, name="Friends"),
        lambda w, org: core.update_partner(w.alice, org, name="Friends of the park"),
    ),
    "core.add_partner_member": (
        lambda w: core.create_partner(None, w.montalto, name="Friends"),
        lambda w, org: core.add_partner_member(w.alice, org, w.charlie),
    ),
    "core.add_partner_member_by_email": (
        lambda w: core.create_partner(None, w.montalto, name="Friends"),
        lambda w, org: core.add_partner_member_by_email(w.alice, org, w.charlie.email),
    ),
    "core.create_api_key": (
        lambda w: None,
        lambda w, _: core.create_api_key(w.alice, w.montalto, name="App", scopes=["cases:read"]),
    ),
    "core.set_administration_logo": (
        lambda w: None,
        lambda w, _: core.set_administration_logo(
            w.alice, w.montalto, SimpleUploadedFile("logo.png", _png(), content_type="image/png")
        ),
    ),
    "core.confirm_two_factor": (
        lambda w: core.start_two_factor(w.carla),
        lambda w, device: core.confirm_two_factor(
            w.carla, w.carla, device, twofactor.current_code(device), tell_person=False
        ),
    ),
    "core.regenerate_recovery_codes": (
        _authenticator,
        lambda w, _: core.regenerate_recovery_codes(w.carla, w.carla),
    ),
    "core.turn_off_two_factor": (
        _authenticator,
        lambda w, _: core.turn_off_two_factor(w.carla, w.carla, password=PASSWORD),
    ),
    "places.import_register": (
        lambda w: None,
        lambda w, _: places.import_register(
            w.alice,
            w.montalto,
            places_parsers.parse_csv(
                "ODONIMO;CIVICO;COORD_X_COMUNE;COORD_Y_COMUNE\nVIA ROMA;1;11,1;43,1\n"
            ),
        ),
    ),
    "core.revoke_api_key": (
        lambda w: core.create_api_key(None, w.montalto, name="App", scopes=["cases:read"])[0],
        lambda w, key: core.revoke_api_key(w.alice, key),
    ),
    "core.register_user": (
        lambda w: None,
        lambda w, _: core.register_user(
            email="reg@example.org", full_name="Reg", password="a long enough passphrase 7"
        ),
    ),
    "core.verify_email": (
        lambda w: tokens.make_verify_token(_unverified(w)),
        lambda w, token: core.verify_email(token),
    ),
    "core.update_profile": (
        lambda w: None,
        lambda w, _: core.update_profile(w.charlie, w.charlie, full_name="Charlie C."),
    ),
    "core.change_password": (
        lambda w: None,
        lambda w, _: core.change_password(
            w.charlie,
            w.charlie,
            current_password=PASSWORD,
            new_password="another long passphrase 9",
        ),
    ),
    "core.reset_password": (
        lambda w: (
            urlsafe_base64_encode(force_bytes(w.charlie.pk)),
            default_token_generator.make_token(w.charlie),
        ),
        lambda w, link: core.reset_password(
            uidb64=link[0], token=link[1], new_password="another long passphrase 9"
        ),
    ),
    "core.change_email": (_email_change_token, lambda w, token: core.change_email(token)),
    "core.invite_staff": (lambda w: None, lambda w, _: _invitation(w)),
    "core.accept_invitation": (
        _invitation,
        lambda w, inv: core.accept_invitation(
            inv[0], full_name="New", password="a long enough passphrase 7"
        ),
    ),
    # catalog
    "catalog.create_template": (
        lambda w: None,
        lambda w, _: catalog.create_template(
            w.carla, w.montalto, code="t2", name="T2", channels=["web"]
        ),
    ),
    "catalog.update_template": (
        lambda w: None,
        lambda w, _: catalog.update_template(w.carla, w.cat.montalto_template, name="Noise!"),
    ),
    "catalog.save_template_attribute": (
        lambda w: None,
        lambda w, _: catalog.save_template_attribute(
            w.carla,
            w.cat.montalto_template,
            code="where",
            datatype="string",
            label="Where?",
            order=20,
        ),
    ),
    "catalog.delete_template_attribute": (
        lambda w: None,
        lambda w, _: catalog.delete_template_attribute(w.carla, w.cat.montalto_template_attr),
    ),
    "catalog.create_service": (
        lambda w: None,
        lambda w, _: catalog.create_service(
            w.carla, w.montalto, code="s2", name="S2", channels=["web"]
        ),
    ),
    "catalog.update_service": (
        lambda w: None,
        lambda w, _: catalog.update_service(w.carla, w.cat.pothole, name="Buche"),
    ),
    "catalog.save_attribute": (
        lambda w: None,
        lambda w, _: catalog.save_attribute(
            w.carla, w.cat.pothole, code="lane", datatype="string", label="Lane", order=90
        ),
    ),
    "catalog.delete_attribute": (
        lambda w: w.cat.pothole.attributes.get(code="notes"),
        lambda w, attribute: catalog.delete_attribute(w.carla, attribute),
    ),
    "catalog.set_skilled": (
        lambda w: None,
        lambda w, _: catalog.set_skilled(w.carla, w.cat.pothole, [w.parker.memberships.get()]),
    ),
    "catalog.create_regulation": (
        lambda w: None,
        lambda w, _: catalog.create_regulation(
            w.carla, w.montalto, reference="Reg. 9/2026", title="New rules"
        ),
    ),
    "catalog.update_regulation": (
        lambda w: None,
        lambda w, _: catalog.update_regulation(w.carla, w.cat.regulation, title="Roads rules"),
    ),
    "catalog.create_provision": (
        lambda w: None,
        lambda w, _: catalog.create_provision(w.carla, w.cat.regulation, article="art. 3"),
    ),
    "catalog.update_provision": (
        lambda w: None,
        lambda w, _: catalog.update_provision(w.carla, w.cat.provision, title="Scope and aims"),
    ),
    "catalog.add_trace": (
        lambda w: None,
        lambda w, _: catalog.add_trace(w.carla, w.cat.pothole, policy_need="Road safety"),
    ),
    "catalog.remove_trace": (
        lambda w: None,
        lambda w, _: catalog.remove_trace(w.carla, w.cat.trace),
    ),
    # cases
    "cases.filing.submit_case": (lambda w: None, lambda w, _: file(w.charlie, w.cat.pothole)),
    "cases.citizen.follow_case": (
        lambda w: make_user("f@example.org", "F"),
        lambda w, user: citizen_actions.follow_case(user, w.case),
    ),
    "cases.citizen.unfollow_case": (
        lambda w: citizen_actions.follow_case(make_user("f@example.org", "F"), w.case).user,
        lambda w, user: citizen_actions.unfollow_case(user, w.case),
    ),
    "cases.citizen.withdraw_case": (
        lambda w: None,
        lambda w, _: citizen_actions.withdraw_case(w.charlie, w.case, "Fixed"),
    ),
    "cases.citizen.provide_information": (
        _waiting,
        lambda w, case: citizen_actions.provide_information(w.charlie, case, text="Via Roma"),
    ),
    "cases.citizen.rate_case": (
        _resolved,
        lambda w, case: citizen_actions.rate_case(w.charlie, case, score=5),
    ),
    "cases.handling.change_status": (
        lambda w: None,
        lambda w, _: handling_actions.change_status(w.dario, w.case, Status.ACKNOWLEDGED),
    ),
    "cases.handling.reply": (
        lambda w: None,
        lambda w, _: handling_actions.reply(w.dario, w.case, "On it"),
    ),
    "cases.handling.request_information": (
        lambda w: None,
        _waiting_act := lambda w, _: _waiting(w),
    ),
    "cases.handling.assignment.auto_assign": (
        lambda w: None,
        lambda w, _: assignment.auto_assign(w.case, w.dario),
    ),
    "cases.handling.assignment.assign": (
        lambda w: None,
        lambda w, _: assignment.assign(w.dario, w.case, w.dario),
    ),
    "cases.handling.assignment.hand_off": (lambda w: None, lambda w, _: _handoff(w)),
    "cases.handling.assignment.accept_handoff": (
        _handoff,
        lambda w, h: assignment.accept_handoff(w.parker, h),
    ),
    "cases.handling.assignment.return_handoff": (
        _handoff,
        lambda w, h: assignment.return_handoff(w.parker, h, reason="Roads, after all"),
    ),
    "cases.handling.assignment.share_case": (
        lambda w: None,
        lambda w, _: assignment.share_case(w.dario, w.case, w.parks),
    ),
    "cases.handling.log_time": (
        lambda w: None,
        lambda w, _: handling_actions.log_time(w.dario, w.case, 15),
    ),
    "cases.handling.reply_with_template": (
        _template,
        lambda w, template: handling_actions.reply_with_template(w.dario, w.case, template),
    ),
    "cases.matching.merge_duplicate": (
        lambda w: file(w.charlie, w.cat.pothole),
        lambda w, duplicate: matching_actions.merge_duplicate(w.dario, duplicate, w.case),
    ),
    "cases.handling.decide": (
        lambda w: file(w.charlie, w.application),
        lambda w, case: handling_actions.decide(
            w.dario, case, decision="granted", reasons="All in order"
        ),
    ),
    "cases.handling.sla.sla_tick": (
        lambda w: None,
        lambda w, _: handling_sla.sla_tick(timezone.now() + dt.timedelta(days=400)),
    ),
    "cases.setup.save_response_template": (lambda w: None, lambda w, _: _template(w)),
    "cases.setup.delete_response_template": (
        _template,
        lambda w, template: setup.delete_response_template(w.dario, template),
    ),
    "cases.setup.save_routing_rule": (lambda w: None, lambda w, _: _rule(w)),
    "cases.handling.save_view": (
        lambda w: None,
        lambda w, _: handling_actions.save_view(
            w.dario, w.montalto, name="Mine", query="scope=mine"
        ),
    ),
    "cases.handling.delete_view": (
        lambda w: handling_actions.save_view(w.dario, w.montalto, name="Mine", query="scope=mine"),
        lambda w, view: handling_actions.delete_view(w.dario, view),
    ),
    "cases.setup.delete_routing_rule": (
        _rule,
        lambda w, rule: setup.delete_routing_rule(w.carla, rule),
    ),
    # webhooks
    "webhooks.create_subscription": (lambda w: None, lambda w, _: _subscription(w)),
    "webhooks.set_active": (_subscription, lambda w, sub: webhooks.set_active(w.alice, sub, False)),
    "webhooks.delete_subscription": (
        _subscription,
        lambda w, sub: webhooks.delete_subscription(w.alice, sub),
    ),
    "webhooks.send_test_event": (
        _subscription,
        lambda w, sub: webhooks.send_test_event(w.alice, sub),
    ),
    "webhooks.replay_delivery": (
        _delivery,
        lambda w, delivery: webhooks.replay_delivery(w.alice, delivery),
    ),
}

# Reads: they compute, look up or send a message, and must write nothing.
READS: dict[str, Callable[[World], object]] = {
    "core.changed_fields": lambda w: core.changed_fields(w.parks, {"name": "X"}),
    "core.send_verification": lambda w: core.send_verification(w.charlie),
    "core.request_password_reset": lambda w: core.request_password_reset(w.charlie.email),
    "core.request_email_change": lambda w: core.request_email_change(
        w.charlie, new_email="charlie.new@example.org", password=PASSWORD
    ),
    "core.email_change_claim": lambda w: core.email_change_claim(_email_change_token(w)),
    "catalog.ancestors_and_self": lambda w: catalog.ancestors_and_self(w.montalto),
    "catalog.visible_templates": lambda w: list(catalog.visible_templates(w.montalto)),
    "catalog.visible_provisions": lambda w: list(catalog.visible_provisions(w.montalto)),
    "catalog.visible_regulations": lambda w: list(catalog.visible_regulations(w.montalto)),
    "catalog.compute_overrides": lambda w: catalog.compute_overrides(w.cat.pothole),
    "catalog.canonical_channels": lambda w: catalog.canonical_channels(["phone", "web"]),
    "cases.lifecycle.format_reference": lambda w: lifecycle.format_reference(2026, 7),
    "cases.lifecycle.service_holidays": lambda w: lifecycle.service_holidays(w.cat.pothole),
    "cases.lifecycle.tracking_context": lambda w: lifecycle.tracking_context(w.case),
    "cases.lifecycle.resume_sla": lambda w: lifecycle.resume_sla(
        Case(sla_paused_at=timezone.now() - dt.timedelta(hours=2), sla_paused_seconds=0),
        timezone.now(),
    ),
    "cases.lifecycle.require": lambda w: lifecycle.require(w.dario, Perm.CASE_HANDLE, w.case),
    "cases.lifecycle.staff_path": lambda w: lifecycle.staff_path(w.case),
    "cases.lifecycle.department_leads": lambda w: lifecycle.department_leads(
        w.montalto.pk, w.roads.pk
    ),
    "cases.lifecycle.notify_staff": lambda w: lifecycle.notify_staff(
        [w.dario], "case_assigned", w.case
    ),
    "cases.lifecycle.notify_followers": lambda w: lifecycle.notify_followers(
        w.case, "case_reply", {"text": "On it"}
    ),
    "cases.lifecycle.sla_due_dates": lambda w: lifecycle.sla_due_dates(
        w.cat.pothole, timezone.now()
    ),
    "cases.filing.validate_answers": lambda w: filing_actions.validate_answers(
        w.cat.pothole, {"size": "large"}
    ),
    "cases.handling.assignment.route": lambda w: assignment.route(w.case),
    "cases.handling.assignment.open_loads": lambda w: assignment.open_loads(w.montalto.pk),
    "cases.handling.assignment.candidate_officers": lambda w: assignment.candidate_officers(w.case),
    "cases.handling.assignment.least_loaded": lambda w: assignment.least_loaded(w.case),
    "cases.handling.assignment.capacity_of": lambda w: assignment.capacity_of(w.case, w.dario),
    "cases.handling.standard_minutes": lambda w: handling_actions.standard_minutes(w.case),
    "cases.handling.promised_resolution": lambda w: handling_actions.promised_resolution(
        w.case, timezone.now()
    ),
    "places.derive_line": lambda w: places.derive_line([(1, 43.1, 11.1), (3, 43.1001, 11.1)]),
    "cases.handling.suggested_minutes": lambda w: handling_actions.suggested_minutes(w.case),
    "cases.handling.template_context": lambda w: handling_actions.template_context(w.case, w.dario),
    "cases.handling.render_template": lambda w: handling_actions.render_template(
        "{reference}", w.case
    ),
    "cases.setup.unknown_placeholders": lambda w: setup.unknown_placeholders("{nope}"),
    "cases.setup.placeholder_error": lambda w: setup.placeholder_error(["nope"]),
    "webhooks.clean_url": lambda w: webhooks.clean_url("http://127.0.0.1:9/h"),
    "webhooks.clean_event_types": lambda w: webhooks.clean_event_types(["case.created"]),
}

# Bookkeeping: writes that change nobody's data, with the only tables they may write and why;
# (tables, reason, setup, act) as for WRITES.
BOOKKEEPING: dict[str, tuple[set[str], str, Prepared, Callable[[World, object], object]]] = {
    "core.authenticate_api_key": (
        {"core_apikey"},
        "records when a key was last used (on every API call: not a change of anything)",
        lambda w: core.create_api_key(None, w.montalto, name="App", scopes=["cases:read"])[1],
        lambda w, raw: core.authenticate_api_key(raw),
    ),
    "cases.lifecycle.allocate_references": (
        {"cases_referencecounter"},
        "reserves the next reference numbers for a filing, which is audited itself",
        lambda w: None,
        lambda w, _: lifecycle.allocate_references(w.montalto.pk, 2026),
    ),
    "core.start_two_factor": (
        {"otp_totp_totpdevice"},
        "a key waiting for the person's first code (the set-up page shows it on GET); nothing "
        "of theirs changes until confirm_two_factor turns it on, which is audited",
        lambda w: None,
        lambda w, _: core.start_two_factor(w.carla),
    ),
    "webhooks.record_event": (
        {"webhooks_delivery"},
        "queues the deliveries of an event; the write that raised the event is audited",
        _subscription,
        lambda w, _: webhooks.record_event(Event("case.created", w.montalto.pk, {"ref": "x"})),
    ),
}

# Steps: what cases' actions are made of (insieme.cases.lifecycle), each writing one part of a
# change that the action calling it audits; (tables, what it writes, setup, act) as BOOKKEEPING.
STEPS: dict[str, tuple[set[str], str, Prepared, Callable[[World, object], object]]] = {
    "cases.lifecycle.record_event": (
        {"cases_caseevent"},
        "a timeline entry of the change",
        lambda w: None,
        lambda w, _: lifecycle.record_event(w.case, "replied", w.dario, text="On it"),
    ),
    "cases.lifecycle.set_status": (
        {"cases_case"},
        "the case's new status and its time stamps",
        lambda w: None,
        lambda w, _: lifecycle.set_status(w.case, Status.ACKNOWLEDGED, timezone.now()),
    ),
    "cases.lifecycle.bump": (
        {"cases_case"},
        "the changed fields, with a version check",
        lambda w: None,
        lambda w, _: lifecycle.bump(w.case, {"title": "Pothole"}, None),
    ),
    "cases.lifecycle.save_attachments": (
        {"cases_attachment"},
        "files already cleaned by clean_uploads",
        lambda w: clean_uploads([SimpleUploadedFile("p.png", _png(), "image/png")]),
        lambda w, files: lifecycle.save_attachments(w.case, files, w.dario, None, False),
    ),
    "cases.lifecycle.publish": (
        {"webhooks_delivery"},
        "the webhook deliveries of the change (the outbox)",
        _subscription,
        lambda w, _: lifecycle.publish("case.created", w.case),
    ),
}

WRITE_RE = re.compile(
    r'^\s*(INSERT(?: OR \w+)? INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE
)


def written_tables(queries) -> set[str]:
    tables = set()
    for query in queries:
        match = WRITE_RE.match(query["sql"])
        if match:
            tables.add(match.group(2).lower())
    return tables


def test_every_action_is_in_exactly_one_table():
    named = [*WRITES, *READS, *BOOKKEEPING, *STEPS]
    assert len(named) == len(set(named))
    assert set(named) == public_functions()


@pytest.mark.parametrize("name", sorted(WRITES))
def test_a_write_appends_to_the_audit_log(world, name, django_capture_on_commit_callbacks):
    prepare, act = WRITES[name]
    prepared = prepare(world)
    before = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as queries:
        act(world, prepared)
    tables = written_tables(queries.captured_queries) - {"core_auditentry"}
    assert tables, f"{name} wrote nothing: it belongs to READS"
    added = AuditEntry.objects.filter(seq__gt=before)
    assert added.exists(), f"{name} wrote {sorted(tables)} without an audit entry"
    assert audit.verify().ok


@pytest.mark.parametrize("name", sorted(READS))
def test_a_read_writes_nothing(world, name):
    with CaptureQueriesContext(connection) as queries:
        READS[name](world)
    assert not written_tables(queries.captured_queries)


@pytest.mark.parametrize("name", sorted(BOOKKEEPING) + sorted(STEPS))
def test_bookkeeping_and_steps_write_only_their_own_tables(world, name):
    tables, reason, prepare, act = {**BOOKKEEPING, **STEPS}[name]
    assert reason
    prepared = prepare(world)
    with CaptureQueriesContext(connection) as queries:
        act(world, prepared)
    written = written_tables(queries.captured_queries) - {"core_auditentry"}
    assert written and written <= tables, written


def test_time_logged_on_a_case_is_audited_with_what_was_logged(world):
    entry = handling_actions.log_time(world.dario, world.case, 25, action="call")
    audited = AuditEntry.objects.filter(action="case.time_logged").get()
    assert (audited.actor, audited.object_id, audited.administration) == (
        world.dario,
        str(world.case.pk),
        world.montalto,
    )
    assert audited.after == {
        "time_log": entry.pk,
        "minutes": 25,
        "activity": "call",
        "department": world.roads.pk,
    }


def test_steps_are_taken_only_inside_actions():
    """A view or a command that took a step itself would write without an audit entry."""
    steps = {name.rsplit(".", 1)[1] for name in STEPS}
    taken = []
    for path in sorted((ROOT / "insieme").rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        if ACTION_MODULES.match(where):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "insieme.cases.lifecycle":
                taken += [f"{where}: {alias.name}" for alias in node.names if alias.name in steps]
            elif (
                isinstance(node, ast.Attribute)
                and node.attr in steps
                and isinstance(node.value, ast.Name)
                and node.value.id == "lifecycle"
            ):
                taken.append(f"{where}: lifecycle.{node.attr}")
    assert not taken
