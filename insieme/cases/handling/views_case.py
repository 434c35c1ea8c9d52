"""The staff case page: everything about one case, its timeline (public replies apart from internal
notes) and one POST form per action.

Reads go through `insieme.cases.access.get_case_for_staff` (404 outside the viewer's administration
and departments, 403 without the action's permission); every write is one of
`insieme.cases.handling` (actions, assignment), followed by a redirect (PRG). A form with bad input
re-renders the page with the errors next to its fields (400); a form sent from a stale page
(someone else changed the case meanwhile) re-renders the page as it is now, keeping what the
officer wrote, and changes nothing (409).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from insieme.cases import access, lifecycle
from insieme.cases.citizen.views import answer_rows
from insieme.cases.handling import actions as handling_actions
from insieme.cases.handling import assignment, forms_case
from insieme.cases.labels import asked_label
from insieme.cases.matching import actions as matching_actions
from insieme.cases.matching.signatures import find_duplicates
from insieme.cases.models import (
    TRANSITIONS,
    Case,
    CaseEvent,
    CaseShare,
    Handoff,
    ResponseTemplate,
    Status,
    TimeLog,
)
from insieme.catalog.models import LegalStatus, Provision, ServiceKind
from insieme.core.access import has_perm
from insieme.core.models import Department
from insieme.core.permissions import Perm

TIMELINE_FILTERS = ("all", "public", "internal")
EVENT_LIMIT = 500  # a case with more events shows the latest ones (bounded page)


def _stale_text() -> str:
    return _("Someone else changed this case meanwhile; here is its current state.")


# --- helpers -----------------------------------------------------------------------------------


def case_url(case: Case) -> str:
    return reverse("staff_case", args=[case.administration.slug, case.reference])


def _queue_url(admin) -> str:
    """The work queue's page when the queue screens are installed, else the staff home."""
    try:
        return reverse("staff_queue", args=[admin.slug])
    except NoReverseMatch:
        return reverse("staff_admin_home", args=[admin.slug])


@dataclass
class Entry:
    """One line of the staff timeline."""

    event: CaseEvent
    audience: str  # "public", "citizen" (the citizen's own answer) or "internal"
    title: str
    text: str = ""
    by: str = ""
    detail: str = ""
    attachments: list = field(default_factory=list)


def _audience(event: CaseEvent) -> str:
    if event.kind == CaseEvent.Kind.INFO_PROVIDED:
        return "citizen"
    return "public" if event.is_public else "internal"


def _status_label(code: str) -> str:
    return Status(code).label if code in Status.values else code


def _events(case: Case, show: str):
    qs = case.events.select_related("actor").prefetch_related("attachments")
    if show == "public":
        qs = qs.filter(Q(is_public=True) | Q(kind=CaseEvent.Kind.INFO_PROVIDED))
    elif show == "internal":
        qs = qs.filter(is_public=False).exclude(kind=CaseEvent.Kind.INFO_PROVIDED)
    return list(reversed(qs.order_by("-created_at", "-id")[:EVENT_LIMIT]))


def timeline(case: Case, events, labels: dict[str, str], departments: dict[int, str]):
    """The staff's reading of the events: who did what, with names (staff see them)."""
    user_ids = {
        e.data.get(k)
        for e in events
        if e.kind == CaseEvent.Kind.ASSIGNED
        for k in ("from", "to")
        if isinstance(e.data.get(k), int)
    }
    names = {
        u.pk: u.full_name or u.email
        for u in get_user_model().objects.filter(pk__in=user_ids).only("pk", "full_name", "email")
    }
    items = []
    for event in events:
        kind = event.kind
        title = str(CaseEvent.Kind(kind).label) if kind in CaseEvent.Kind.values else kind
        entry = Entry(
            event=event,
            audience=_audience(event),
            title=title,
            text=event.text,
            by=(event.actor.full_name or event.actor.email) if event.actor else "",
            attachments=list(event.attachments.all()),
        )
        data = event.data or {}
        if kind == CaseEvent.Kind.STATUS:
            entry.title = _("Status: %(from)s → %(to)s") % {
                "from": _status_label(event.from_status),
                "to": _status_label(event.to_status),
            }
        elif kind == CaseEvent.Kind.PUBLIC_REPLY:
            entry.title = _("Public reply")
        elif kind == CaseEvent.Kind.INFO_REQUESTED:
            entry.detail = _("About: %(name)s") % {
                "name": asked_label(event.field_code, labels) or _("not named")
            }
        elif kind == CaseEvent.Kind.INFO_PROVIDED:
            entry.title = _("The citizen answered")
        elif kind == CaseEvent.Kind.ASSIGNED:
            to = data.get("to")
            entry.detail = (
                _("To %(name)s") % {"name": names.get(to, "?")}
                if to
                else _("Back to the department's queue")
            )
        elif kind == CaseEvent.Kind.HANDOFF:
            entry.detail = _("To %(dept)s") % {"dept": departments.get(data.get("to"), "?")}
        elif kind == CaseEvent.Kind.HANDOFF_ACCEPTED:
            entry.detail = _("%(dept)s is now the lead department") % {
                "dept": departments.get(data.get("department"), "?")
            }
        elif kind == CaseEvent.Kind.SHARED:
            entry.detail = _("With %(dept)s") % {"dept": departments.get(data.get("department"))}
        elif kind == CaseEvent.Kind.MERGED:
            entry.detail = _("%(ref)s was closed as a duplicate of this case") % {
                "ref": data.get("from", "?")
            }
        elif kind == CaseEvent.Kind.DUPLICATE:
            entry.detail = _("Duplicate of %(ref)s") % {"ref": data.get("into", "?")}
        elif kind == CaseEvent.Kind.DECISION:
            entry.detail = _status_label(event.to_status)
        elif kind == CaseEvent.Kind.RATED:
            entry.detail = _("%(score)s out of 5") % {"score": data.get("score", "?")}
        items.append(entry)
    return items


def _provision_label(p: Provision, today) -> str:
    status = p.status(today)
    label = f"{p.reference} — {p.title}" if p.title else p.reference
    if status != LegalStatus.IN_FORCE:
        label = f"{label} ({LegalStatus(status).label})"
    return label


def _provisions(admin, case: Case) -> tuple[list, list]:
    """(traced, others): the provisions the service's form is traced to, and the other
    provisions in force of the administration's register, each as (provision, label)."""
    today = timezone.localdate()
    traced = list(
        Provision.objects.filter(traces__service=case.service)
        .select_related("regulation")
        .distinct()
    )
    traced_ids = {p.pk for p in traced}
    others = [
        p
        for p in Provision.objects.filter(regulation__administration=admin).select_related(
            "regulation"
        )
        if p.pk not in traced_ids and p.status(today) == LegalStatus.IN_FORCE
    ]
    return (
        [(p, _provision_label(p, today)) for p in traced],
        [(p, _provision_label(p, today)) for p in others],
    )


def _templates(admin, case: Case):
    return list(
        ResponseTemplate.objects.filter(administration=admin).filter(
            Q(service=case.service) | Q(service__isnull=True)
        )
    )


class Page:
    """What the case page needs, read once per request (bounded queries)."""

    def __init__(self, request: HttpRequest, admin, case: Case):
        self.request, self.admin, self.case, self.user = request, admin, case, request.user
        self.can_handle = has_perm(self.user, Perm.CASE_HANDLE, admin)
        self.can_assign = has_perm(self.user, Perm.CASE_ASSIGN, admin)
        self.attributes = sorted(case.service.attributes.all(), key=lambda a: (a.order, a.code))
        self.labels = {a.code: a.label for a in self.attributes}
        self.departments = list(Department.objects.filter(administration=admin))
        self.department_names = {d.pk: d.name for d in self.departments}
        self.shares = list(CaseShare.objects.filter(case=case).select_related("department"))
        self.handoffs = list(
            Handoff.objects.filter(case=case).select_related(
                "from_department", "to_department", "requested_by", "decided_by"
            )
        )
        self.pending = next((h for h in self.handoffs if h.state == Handoff.State.PENDING), None)
        mine = access.staff_departments(self.user, admin)
        self.can_answer_handoff = bool(
            self.pending
            and self.can_handle
            and (mine is None or self.pending.to_department_id in mine)
        )

    # choices of the forms

    def candidates(self, always: bool = False):
        """Who may take the case, with their open loads: for the select of CASE_ASSIGN holders
        (`always` when checking a sent form: the action decides who may assign)."""
        members = assignment.candidate_officers(self.case) if self.can_assign or always else []
        loads = assignment.open_loads(self.admin.pk, [m.user_id for m in members])
        return members, loads

    def other_departments(self) -> list:
        return [d for d in self.departments if d.pk != self.case.department_id]

    def share_departments(self) -> list:
        shared = {s.department_id for s in self.shares}
        return [d for d in self.other_departments() if d.pk not in shared]

    def forms(self, given: dict) -> dict:
        """Every form of the page, unbound with the case's version, except those `given`."""
        case = self.case
        v = {"version": case.version}
        made = dict(given)

        def add(name, factory):
            if name not in made:
                made[name] = factory()

        add("reply", lambda: forms_case.ReplyForm(initial=v))
        add("status", lambda: forms_case.StatusForm(initial=v, case=case))
        members, loads = self.candidates()
        self.members, self.loads = members, loads
        add(
            "assign",
            lambda: forms_case.AssignForm(
                initial={**v, "assignee": case.assignee_id},
                candidates=members,
                loads=loads,
                me=self.user if self.can_handle else None,
            ),
        )
        add("info", lambda: forms_case.InformationForm(initial=v, attributes=self.attributes))
        add(
            "handoff",
            lambda: forms_case.HandoffForm(initial=v, departments=self.other_departments()),
        )
        add("accept", lambda: forms_case.HandoffAcceptForm(initial=v))
        add("return", lambda: forms_case.HandoffReturnForm(initial=v))
        add("share", lambda: forms_case.ShareForm(initial=v, departments=self.share_departments()))
        add(
            "time",
            lambda: forms_case.TimeForm(
                initial={**v, "minutes": handling_actions.suggested_minutes(case), "action": "work"}
            ),
        )
        add("merge", lambda: forms_case.MergeForm(initial=v))
        if case.kind == ServiceKind.APPLICATION:
            traced, others = _provisions(self.admin, case)
            add(
                "decide",
                lambda: forms_case.DecideForm(initial=v, traced=traced, others=others),
            )
        return made

    def form_kwargs(self, name: str) -> dict:
        """The choices a bound form of `name` needs (the same as its unbound twin)."""
        case = self.case
        if name == "status":
            return {"case": case}
        if name == "assign":
            members, loads = self.candidates()
            return {
                "candidates": members,
                "loads": loads,
                "me": self.user if self.can_handle else None,
            }
        if name == "info":
            return {"attributes": self.attributes}
        if name == "handoff":
            return {"departments": self.other_departments()}
        if name == "share":
            return {"departments": self.share_departments()}
        if name == "decide":
            traced, others = _provisions(self.admin, case)
            return {"traced": traced, "others": others}
        return {}


FORM_CLASSES = {
    "reply": forms_case.ReplyForm,
    "status": forms_case.StatusForm,
    "assign": forms_case.AssignForm,
    "info": forms_case.InformationForm,
    "handoff": forms_case.HandoffForm,
    "accept": forms_case.HandoffAcceptForm,
    "return": forms_case.HandoffReturnForm,
    "share": forms_case.ShareForm,
    "time": forms_case.TimeForm,
    "merge": forms_case.MergeForm,
    "decide": forms_case.DecideForm,
}


def _render(
    request: HttpRequest,
    admin,
    case: Case,
    *,
    status: int = 200,
    given=None,
    stale: bool = False,
    failed: str = "",
) -> HttpResponse:
    page = Page(request, admin, case)
    show = request.GET.get("show", "all")
    show = show if show in TIMELINE_FILTERS else "all"
    events = _events(case, show)
    all_forms = page.forms(given or {})
    templates = _templates(admin, case)
    picker = forms_case.TemplatePickForm(request.GET or None, templates=templates)
    if request.method == "GET" and not given:
        _fill_from_template(page, all_forms, picker, templates)
    suggestions = []
    if page.can_handle and Status.DUPLICATE in TRANSITIONS.get(case.status, ()):
        suggestions = find_duplicates(
            case.service,
            case.lat,
            case.lon,
            f"{case.title} {case.description}",
            exclude_id=case.pk,
        )
    now = timezone.now()
    context = {
        "admin": admin,
        "administration": admin,
        "case": case,
        "page": page,
        "forms": all_forms,
        "picker": picker,
        "templates": templates,
        "show": show,
        "timeline": timeline(case, events, page.labels, page.department_names),
        "answers": answer_rows(case),
        "attachments": list(case.attachments.order_by("created_at", "pk")),
        "time_logs": list(
            TimeLog.objects.filter(case=case).select_related("user", "department")[:50]
        ),
        "standard_minutes": handling_actions.standard_minutes(case),
        "suggestions": suggestions,
        "stale": stale,
        "failed": failed,
        "queue_url": _queue_url(admin),
        "is_application": case.kind == ServiceKind.APPLICATION,
        "overdue": bool(case.is_open and case.resolve_due_at and case.resolve_due_at < now),
        "paused_for": (now - case.sla_paused_at) if case.sla_paused_at else None,
        "members_loads": [(m, page.loads.get(m.user_id, 0)) for m in getattr(page, "members", [])],
        "filter_urls": [
            (key, label, f"?show={key}")
            for key, label in (
                ("all", _("Everything")),
                ("public", _("Exchange with the citizen")),
                ("internal", _("Internal only")),
            )
        ],
    }
    return render(request, "cases/staff/case.html", context, status=status)


def _fill_from_template(page: Page, all_forms: dict, picker, templates) -> None:
    """A template chosen with the GET picker: its text, placeholders filled, in the reply box."""
    if not picker.is_bound or not picker.is_valid() or not picker.cleaned_data.get("template"):
        return
    chosen = next((t for t in templates if t.pk == picker.cleaned_data["template"]), None)
    if chosen is None or not page.can_handle:
        return
    all_forms["reply"] = forms_case.ReplyForm(
        initial={
            "version": page.case.version,
            "visibility": "public",
            "template": chosen.pk,
            "text": handling_actions.render_template(chosen.body, page.case, page.user),
        }
    )
    all_forms["reply_template"] = chosen


# --- the page ----------------------------------------------------------------------------------


@login_required
@require_GET
def case_page(request: HttpRequest, admin_slug: str, reference: str) -> HttpResponse:
    admin, case = access.get_case_for_staff(request.user, admin_slug, reference)
    return _render(request, admin, case)


@login_required
@require_GET
def case_attachment(request: HttpRequest, admin_slug: str, reference: str, pk: int):
    """An attachment of a case the viewer sees (staff see private attachments too)."""
    _admin, case = access.get_case_for_staff(request.user, admin_slug, reference)
    attachment = case.attachments.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=attachment.content_type == "application/pdf",
        filename=str(attachment),
    )
    response["Cache-Control"] = "private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the actions -------------------------------------------------------------------------------


class Stale(Exception):
    """The form's version is not the case's: someone else changed it since the page loaded."""


def _sent_version(request: HttpRequest, name: str) -> int | None:
    try:
        return int(request.POST.get(f"{name}-version", ""))
    except ValueError:
        return None


def _check_version(form, case: Case) -> int:
    version = form.cleaned_data["version"]
    if version != case.version:
        raise Stale
    return version


def _handle(request, admin_slug, reference, name, perm, run, *, form_kwargs=None, versioned=True):
    """The shape of every action view: read the case with `perm`, parse the form, call
    `run(form, case, admin, page)` (one action; returns the message to show), then redirect; bad
    input re-renders with 400, a stale form with 409.

    A `versioned` form sent from a page older than the case is stale before anything else is
    checked: its choices (say, the transitions offered) were those of the old state."""
    admin, case = access.get_case_for_staff(request.user, admin_slug, reference, perm)
    page = Page(request, admin, case)
    kwargs = page.form_kwargs(name) if form_kwargs is None else form_kwargs(page)
    form = FORM_CLASSES[name](request.POST, **kwargs)
    if versioned and _sent_version(request, name) not in (None, case.version):
        return _stale(request, admin, case, name, kwargs)
    if form.is_valid():
        try:
            message = run(form, case, admin, page)
        except ValidationError as exc:
            form.add_action_errors(exc)
        except (lifecycle.StaleCase, Stale):
            return _stale(request, admin, case, name, kwargs)
        else:
            messages.success(request, message)
            # Sending a hand-off back (or handing a case on) can take it out of the viewer's
            # reach: then back to the queue rather than to a page that is now "not found".
            if access.can_see_case(request.user, case):
                return redirect(case_url(case))
            return redirect(_queue_url(admin))
    return _render(request, admin, case, status=400, given={name: form}, failed=name)


def _stale(request, admin, case, name, kwargs) -> HttpResponse:
    """Nothing changed: show the case as it is now, keeping what the officer wrote (with the
    current version, so that sending it again is a deliberate choice)."""
    fresh = Case.objects.select_related(
        "service", "administration", "department", "assignee", "submitted_by"
    ).get(pk=case.pk)
    initial = {k.split("-", 1)[1]: v for k, v in request.POST.items() if k.startswith(f"{name}-")}
    initial["version"] = fresh.version
    if name == "status":
        kwargs = {"case": fresh}
    kept = FORM_CLASSES[name](initial=initial, **kwargs)
    messages.error(request, _stale_text())
    return _render(request, admin, fresh, status=409, given={name: kept}, stale=True)


@login_required
@require_POST
def case_reply(request: HttpRequest, admin_slug: str, reference: str) -> HttpResponse:
    def run(form, case, admin, page):
        data = form.cleaned_data
        if data.get("template"):
            template = next((t for t in _templates(admin, case) if t.pk == data["template"]), None)
            if template is None:
                raise ValidationError({"template": _("This reply is not for this service.")})
            handling_actions.reply_with_template(
                request.user,
                case,
                template,
                text=data["text"],
                expected_version=_check_version(form, case),
            )
            return _("The reply was sent.")
        public = data["visibility"] == "public"
        handling_actions.reply(request.user, case, data["text"], public=public)
        return _("The reply was sent.") if public else _("The internal note was saved.")

    # A note or a plain reply adds to the timeline and overwrites nothing: only a template's
    # reply (which may change the status) checks the version.
    versioned = bool(request.POST.get("reply-template"))
    return _handle(
        request, admin_slug, reference, "reply", Perm.CASE_HANDLE, run, versioned=versioned
    )


@login_required
@require_POST
def case_status(request: HttpRequest, admin_slug: str, reference: str) -> HttpResponse:
    def run(form, case, admin, page):
        version = _check_version(form, case)
        handling_actions.change_status(
            request.user,
            case,
            form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            expected_version=version,
        )
        return _("The status is now “%(status)s”.") % {"status": _status_label(case.status)}

    return _handle(request, admin_slug, reference, "status", Perm.CASE_HANDLE, run)


@login_required
@require_POST
def case_assign(request: HttpRequest, admin_slug: str, reference: str) -> HttpResponse:
    def run(form, case, admin, page):
        version = _check_version(form, case)
        user_id = form.cleaned_data["assignee"]
        assignee = None
        if user_id is not None:
            assignee = request.user if user_id == request.user.pk else None
            if assignee is None:
                assignee = next((m.user for m in page.members if m.user_id == user_id), None)
            if assignee is None:
                raise ValidationError({"assignee": _("This person does not handle cases here.")})
        assignment.assign(
            request.user,
            case,
            assignee,
            override_reason=form.cleaned_data["override_reason"],
            expected_version=version,
        )
        if assignee is None:
            return _("The case is back in the department's queue.")
        if assignee.pk == request.user.pk:
            return _("The case is assigned to you.")
        return _("The case is assigned to %(name)s.") % {"name": assignee.full_name}

    def kwargs(page):
        page.members, page.loads = page.candidates(always=True)
        return {"candidates": page.members, "loads": page.loads, "me": request.user}

    # The action checks the permission: taking a case oneself needs CASE_HANDLE, giving it to
    # someone else CASE_ASSIGN.
    return _handle(
        request, admin_slug, reference, "assign", Perm.CASE_READ, run, form_kwargs=kwargs
    )


@login_required
@require_POST
def case_information(request: HttpRequest, admin_slug: str, reference: str) -> HttpResponse:
    def run(form, case, admin, page):
        # request_information takes no expected version: the form's version is checked here.
        _check_version(form, case)
        handling_actions.request_information(
            request.user, case, text=form.cleaned_data["text"], field_code=form.field_code()
        )
        return _("The citizen was asked for the missing information; the SLA is paused.")

    return _handle(request, admin_slug, reference, "info", Perm.CASE_HANDLE, run)


@login_required
@require_POST
def case_handoff(request: HttpRequest, admin_slug: str, reference: str) -> HttpResponse:
    def run(form, case, admin, page):
        version = _check_version(form, case)
        department = next(
            (d for d in page.departments if d.pk == form.cleaned_data["to_department"]), None
        )
        assignment.hand_off(
            request.user,
            case,
            department,
            reason=form.cleaned_data["reason"],
            expected_version=version,
        )
        return _("The case was handed off to %(dept)s; it stays here until they accept it.") % {
            "dept": department.name
        }

    return _handle(request, admin_slug, reference, "handoff", Perm.CASE_HANDLE, run)


def _pending_handoff(page: Page, pk: int) -> Handoff:
    handoff = next((h for h in page.handoffs if h.pk == pk), None)
    if handoff is None:
        raise Http404
    handoff.case = page.case
    return handoff


@login_required
@require_POST
def case_handoff_accept(
    request: HttpRequest, admin_slug: str, reference: str, pk: int
) -> HttpResponse:
    def run(form, case, admin, page):
        _check_version(form, case)
        handoff = _pending_handoff(page, pk)
        assignment.accept_handoff(request.user, handoff)
        return _("You accepted the case: %(dept)s is now its lead department.") % {
            "dept": handoff.to_department.name
        }

    return _handle(request, admin_slug, reference, "accept", Perm.CASE_HANDLE, run)


@login_required
@require_POST
def case_handoff_return(
    request: HttpRequest, admin_slug: str, reference: str, pk: int
) -> HttpResponse:
    def run(form, case, admin, page):
        handoff = _pending_handoff(page, pk)
        assignment.return_handoff(request.user, handoff, reason=form.cleaned_data["response"])
        return _("The case was sent back to %(dept)s.") % {
            "dept": handoff.from_department.name if handoff.from_department else "?"
        }

    return _handle(request, admin_slug, reference, "return", Perm.CASE_HANDLE, run, versioned=False)


@login_required
@require_POST
def case_share(request: HttpRequest, admin_slug: str, reference: str) -> HttpResponse:
    def run(form, case, admin, page):
        department = next(
            (d for d in page.departments if d.pk == form.cleaned_data["department"]), None
        )
        assignment.share_case(request.user, case, department)
        return _("The case is shared with %(dept)s.") % {"dept": department.name}

    return _handle(request, admin_slug, reference, "share", Perm.CASE_HANDLE, run, versioned=False)


@login_required
@require_POST
def case_time(request: HttpRequest, admin_slug: str, reference: str) -> HttpResponse:
    def run(form, case, admin, page):
        handling_actions.log_time(
            request.user, case, form.cleaned_data["minutes"], action=form.cleaned_data["action"]
        )
        return _("%(n)d minutes logged.") % {"n": form.cleaned_data["minutes"]}

    return _handle(request, admin_slug, reference, "time", Perm.CASE_HANDLE, run, versioned=False)


@login_required
@require_POST
def case_merge(request: HttpRequest, admin_slug: str, reference: str) -> HttpResponse:
    def run(form, case, admin, page):
        version = _check_version(form, case)
        try:
            _admin, into = access.get_case_for_staff(
                request.user, admin_slug, form.cleaned_data["into"], Perm.CASE_HANDLE
            )
        except Http404:
            raise ValidationError(
                {"into": _("There is no case with this reference among yours.")}
            ) from None
        matching_actions.merge_duplicate(request.user, case, into, expected_version=version)
        return _("This case was closed as a duplicate of %(ref)s.") % {"ref": into.reference}

    return _handle(request, admin_slug, reference, "merge", Perm.CASE_HANDLE, run)


@login_required
@require_POST
def case_decide(request: HttpRequest, admin_slug: str, reference: str) -> HttpResponse:
    def run(form, case, admin, page):
        if case.kind != ServiceKind.APPLICATION:
            raise Http404  # the page offers no decision on a report
        version = _check_version(form, case)
        provision = None
        if form.cleaned_data["provision"] is not None:
            traced, others = _provisions(admin, case)
            provision = next(
                (p for p, _label in traced + others if p.pk == form.cleaned_data["provision"]),
                None,
            )
        handling_actions.decide(
            request.user,
            case,
            decision=form.cleaned_data["decision"],
            reasons=form.cleaned_data["reasons"],
            provision=provision,
            expected_version=version,
        )
        return _("The decision was recorded: %(status)s.") % {"status": _status_label(case.status)}

    return _handle(request, admin_slug, reference, "decide", Perm.CASE_HANDLE, run)
