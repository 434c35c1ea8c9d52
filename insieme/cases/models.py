"""Cases: reports and applications filed by citizens (or on their behalf), with one lifecycle.

A case's public face (status, timeline of public events, place, service) never carries personal
data; the submitter's identity, contact details and private answers are visible only to them and
to staff of the administration.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from insieme.catalog.models import Provision, Service, ServiceKind
from insieme.core import geo
from insieme.core.models import CHANNELS, Administration, Department

# Nearby search without GIS libraries: a fixed grid of about 200 m cells. A point's neighbours are
# found in its cell and the eight around it, through one composite index.
GRID_METRES = 200.0
_DEG_LAT_M = 111_320.0


def grid_cell(lat: float, lon: float) -> tuple[int, int]:
    """(row, column) of the ~200 m grid cell holding the point; columns shrink with latitude."""
    return geo.grid_cell(lat, lon, GRID_METRES)


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_CITIZEN = "waiting_citizen", _("Waiting for the citizen")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REFUSED = "refused", _("Refused")
    DUPLICATE = "duplicate", _("Duplicate")


OPEN_STATUSES = frozenset(
    {Status.SUBMITTED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.WAITING_CITIZEN}
)


def open311_status(status: str) -> str:
    """Open311 GeoReport v2 knows only 'open' and 'closed'."""
    return "open" if status in OPEN_STATUSES else "closed"


# Allowed transitions; staff actions check against this table, citizens only withdraw (→ closed).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SUBMITTED: frozenset(
        {
            Status.ACKNOWLEDGED,
            Status.IN_PROGRESS,
            Status.WAITING_CITIZEN,
            Status.RESOLVED,
            Status.REFUSED,
            Status.DUPLICATE,
            Status.CLOSED,
        }
    ),
    Status.ACKNOWLEDGED: frozenset(
        {
            Status.IN_PROGRESS,
            Status.WAITING_CITIZEN,
            Status.RESOLVED,
            Status.REFUSED,
            Status.DUPLICATE,
            Status.CLOSED,
        }
    ),
    Status.IN_PROGRESS: frozenset(
        {Status.WAITING_CITIZEN, Status.RESOLVED, Status.REFUSED, Status.DUPLICATE, Status.CLOSED}
    ),
    Status.WAITING_CITIZEN: frozenset(
        {Status.IN_PROGRESS, Status.RESOLVED, Status.REFUSED, Status.CLOSED}
    ),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset(),
    Status.REFUSED: frozenset(),
    Status.DUPLICATE: frozenset(),
}


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    APP = "app", _("App")
    API = "api", _("API")
    COUNTER = "counter", _("Counter")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")


assert [c for c, _l in CHANNELS] == list(Channel.values)


class DueState(models.TextChoices):
    ON_TIME = "", _("On time")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


class Decision(models.TextChoices):
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


# A case is of its service's kind, or an improvement: a work item made from an accepted idea
# (insieme.codesign), which no catalogue service is.
CASE_KINDS = [*ServiceKind.choices, ("improvement", _("Improvement (from participation)"))]


class Case(models.Model):
    administration = models.ForeignKey(
        Administration, on_delete=models.PROTECT, related_name="cases"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="cases")
    kind = models.CharField(max_length=12, choices=CASE_KINDS)
    reference = models.CharField(_("reference"), max_length=20)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    is_public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("Reports are public (without personal data); applications are private."),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    # What the public reads: the description and the address with personal data masked,
    # computed when the case is filed (insieme.cases.redact).
    public_description = models.TextField(blank=True)
    public_address = models.TextField(blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    cell_row = models.IntegerField(null=True, blank=True)
    cell_col = models.IntegerField(null=True, blank=True)
    # The text's character n-grams, hashed (see matching.signature): the duplicate check reads
    # these instead of re-analysing every nearby case's text.
    match_grams = models.BinaryField(default=b"", blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    form_seconds = models.PositiveIntegerField(
        _("seconds spent on the form"), null=True, blank=True
    )
    language = models.CharField(max_length=8, default="it")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    # Filed by an officer on the citizen's behalf (assisted digital), with consent noted.
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    consent_noted = models.BooleanField(default=False)
    contact_name = models.CharField(_("name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    idempotency_key = models.CharField(max_length=80, blank=True)
    # A filer without an account follows the case through a private link: this random value
    # signed with the secret key (insieme.cases.tracking). None for filers with an account.
    tracking_nonce = models.CharField(max_length=32, null=True, blank=True, unique=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    complete_at_submission = models.BooleanField(
        default=True, help_text=_("All required information present and valid when filed.")
    )
    info_requests = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    first_public_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(db_index=True)
    acknowledge_due_at = models.DateTimeField(null=True, blank=True)
    resolve_due_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decision_reasons = models.TextField(blank=True)
    decision_provision = models.ForeignKey(
        Provision, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Handling (issue: case handling). The lead department and the officer who has the case.
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name=_("lead department"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
        verbose_name=_("assigned to"),
        # case_queue_me_idx (assignee, status, due) serves every lookup by assignee; a second
        # index on the column alone made SQLite walk a person's whole history for open cases.
        db_index=False,
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    # The SLA clock stops while the case waits for the citizen: paused_at is when it stopped;
    # the due dates move on by the pause's length when it starts again.
    sla_paused_at = models.DateTimeField(null=True, blank=True)
    sla_paused_seconds = models.PositiveIntegerField(default=0)
    due_state = models.CharField(max_length=10, choices=DueState.choices, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    staff_minutes = models.PositiveIntegerField(
        default=0, help_text=_("Minutes of staff time logged on this case.")
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "reference"], name="case_reference_unique"
            ),
            models.UniqueConstraint(
                fields=["administration", "idempotency_key"],
                name="case_idempotency_unique",
                condition=~models.Q(idempotency_key=""),
            ),
        ]
        indexes = [
            models.Index(fields=["cell_row", "cell_col", "submitted_at"], name="case_cell_idx"),
            # The duplicate check's candidates: open public cases only (a small share of all).
            models.Index(
                fields=["cell_row", "cell_col", "submitted_at"],
                name="case_open_cell_idx",
                condition=models.Q(status__in=sorted(OPEN_STATUSES), is_public=True),
            ),
            # ... and the reports merged into them, whose words the check lends the kept case.
            models.Index(
                fields=["cell_row", "cell_col", "submitted_at"],
                name="case_merged_cell_idx",
                condition=models.Q(status=Status.DUPLICATE, is_public=True),
            ),
            models.Index(
                fields=["administration", "status", "submitted_at"], name="case_admin_status_idx"
            ),
            models.Index(fields=["service", "submitted_at"], name="case_service_idx"),
            models.Index(fields=["submitted_by", "submitted_at"], name="case_submitter_idx"),
            # Work queues: a department's or a person's open cases by due date.
            models.Index(
                fields=["administration", "department", "status", "resolve_due_at"],
                name="case_queue_dept_idx",
            ),
            models.Index(fields=["assignee", "status", "resolve_due_at"], name="case_queue_me_idx"),
            # The REST API's case list: a department's or a person's cases newest first (or
            # oldest), read from the index alone and merged (insieme.api.pagination).
            models.Index(
                fields=["administration", "department", "submitted_at", "id"],
                name="case_dept_submitted_idx",
            ),
            models.Index(
                fields=["administration", "department", "updated_at", "id"],
                name="case_dept_updated_idx",
            ),
            models.Index(fields=["assignee", "submitted_at", "id"], name="case_assignee_sub_idx"),
            models.Index(fields=["assignee", "updated_at", "id"], name="case_assignee_upd_idx"),
            # The Scorecard's windows per administration: without them SQLite read every
            # administration's cases of the period (37 s for an empty one at a million cases).
            models.Index(
                fields=["administration", "submitted_at"], name="case_admin_submitted_idx"
            ),
            models.Index(fields=["administration", "acknowledged_at"], name="case_admin_ack_idx"),
            models.Index(fields=["administration", "resolved_at"], name="case_admin_resolved_idx"),
            # The workload view's team counts read open cases only, from the index alone.
            models.Index(
                fields=["administration", "department", "assignee", "due_state", "submitted_at"],
                name="case_open_team_idx",
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def open311_status(self) -> str:
        return open311_status(self.status)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseEvent(models.Model):
    """One step of a case's timeline. Public events appear on the public page and to the citizen."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        STATUS = "status", _("Status changed")
        PUBLIC_REPLY = "public_reply", _("Reply")
        INTERNAL_NOTE = "internal_note", _("Internal note")
        INFO_REQUESTED = "info_requested", _("Information requested")
        INFO_PROVIDED = "info_provided", _("Information provided")
        ATTACHMENT = "attachment", _("Attachment added")
        FOLLOWED = "followed", _("Someone else reported it too")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        RATED = "rated", _("Rated")
        DECISION = "decision", _("Decision")
        DUPLICATE = "duplicate", _("Marked as duplicate")
        MERGED = "merged", _("Duplicate merged into this case")
        ASSIGNED = "assigned", _("Assigned")
        HANDOFF = "handoff", _("Handed off")
        HANDOFF_ACCEPTED = "handoff_accepted", _("Hand-off accepted")
        HANDOFF_RETURNED = "handoff_returned", _("Hand-off sent back")
        SHARED = "shared", _("Shared with a department")
        ESCALATED = "escalated", _("Escalated")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_public = models.BooleanField(default=True)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    text = models.TextField(blank=True)
    # The text as the public reads it (personal data masked), for public events with a text.
    public_text = models.TextField(blank=True)
    field_code = models.CharField(
        max_length=60,
        blank=True,
        help_text=_("For an information request: the form field (or document) that lacked it."),
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="event_case_idx")]

    def __str__(self) -> str:
        return f"{self.case} {self.kind}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"cases/{instance.case.administration_id}/{instance.case_id}/{filename}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        CaseEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=300)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=200, blank=True)
    is_public = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.original_name or self.file.name


class Follower(models.Model):
    """Someone following a case: the submitter, a 'me too', or anyone who asked for updates."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_cases"
    )
    me_too = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="follower_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.case}"


class Rating(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="rating")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_score_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.score}"


class ReferenceCounter(models.Model):
    """Last public reference number per administration and year (2026-000123)."""

    administration = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["administration", "year"], name="refcounter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.administration_id}/{self.year}: {self.last}"


class CaseShare(models.Model):
    """A department working on a case beside the lead department (Case.department)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "department"], name="caseshare_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case} + {self.department}"


class Handoff(models.Model):
    """A case passed from one department to another, with a reason; the receiving department
    accepts it (and becomes the lead) or sends it back with a reason (a bounce-back)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the receiving department")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Sent back")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="handoffs")
    from_department = models.ForeignKey(
        Department, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    response = models.TextField(_("reason for sending it back"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["to_department", "state"], name="handoff_inbox_idx")]
        constraints = [
            # One open hand-off per case at a time.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(state="pending"),
                name="handoff_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.from_department} → {self.to_department} ({self.state})"


class TimeLog(models.Model):
    """Minutes of staff time on a case, per action (prefilled from the service's cost model)."""

    class Action(models.TextChoices):
        WORK = "work", _("Work on the case")
        REPLY = "reply", _("Writing a reply")
        CALL = "call", _("Phone call")
        VISIT = "visit", _("Site visit")
        REVIEW = "review", _("Checking documents")
        HANDOFF = "handoff", _("Handing the case over")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="time_logs")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="time_logs"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices, default=Action.WORK)
    minutes = models.PositiveIntegerField(validators=[MaxValueValidator(24 * 60)])
    channel = models.CharField(max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="timelog_case_idx")]

    def __str__(self) -> str:
        return f"{self.case}: {self.minutes} min ({self.action})"


class ResponseTemplate(models.Model):
    """A reply staff reuse, for one service or for every service of the administration, with
    placeholders filled from the case ({reference}, {service}, {name}, {due_date}, ...)."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="response_templates"
    )
    service = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="response_templates",
        verbose_name=_("service"),
        help_text=_("Leave empty for a reply every service may use."),
    )
    name = models.CharField(_("name"), max_length=120)
    body = models.TextField(_("text"), max_length=4000)
    status = models.CharField(
        _("status it sets"),
        max_length=16,
        choices=Status.choices,
        blank=True,
        help_text=_("Optional: the status the case moves to when this reply is sent."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "service", "name"], name="responsetemplate_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SavedView(models.Model):
    """A work-queue filter someone saved under a name (the query string of the queue page)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    administration = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "administration", "name"], name="savedview_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Cases of a service placed inside an area go to another department than the service's
    own (e.g. the lake shore's green areas to the Lake Authority's office)."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="routing_rules"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("service")
    )
    name = models.CharField(_("area name"), max_length=120)
    area = models.JSONField(_("area (GeoJSON polygon)"))
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", verbose_name=_("department")
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=100, help_text=_("Lower numbers are tried first.")
    )

    class Meta:
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return f"{self.service}: {self.name} → {self.department}"


class Escalation(models.Model):
    """A supervisor's recorded decision to assign beyond capacity, or the job's escalation of a
    case that is overdue (kept apart from the timeline: it is about staff, not the case)."""

    class Kind(models.TextChoices):
        OVERDUE = "overdue", _("Overdue: escalated to the supervisor")
        DUE_SOON = "due_soon", _("Due soon")
        CAPACITY_OVERRIDE = "capacity_override", _("Assigned beyond capacity")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case}: {self.kind}"
