"""Read endpoints of participation in the REST API (/api/v1/processes/, /api/v1/ideas/),
registered from ParticipationConfig.ready() with `register_api_routes`.

What the API shows is what an anonymous visitor of the web pages sees, and less:

- processes: the published processes for everyone (`access.visible_processes` of an anonymous
  visitor), whoever calls — an API key, a session, nobody. Internal idea boxes and round tables
  with partner organisations are never listed and answer 404, as drafts do;
- ideas: those the public sees (`Idea.objects.visible()`: neither held for review nor hidden);
- comments: those shown in a thread (`Comment.objects.shown()`: never held) and not hidden by
  the moderators — a hidden comment is left out altogether, not even its reason;
- people: never. An idea's or a comment's author is its author type (citizen, employee,
  partner organisation) and, for a partner organisation, the organisation's name; an official
  comment or answer carries the administration's name. No name of a person, no e-mail, no
  co-author, no supporter, no evaluator, no private note, no attachment (file names are
  written by people). An idea's place is rounded to about 100 m, as public cases' are.

Lists are cursor-paginated (insieme.api.pagination), read in a fixed number of queries whatever
their length, and refuse bad filter values with 400 in the API's error format.
"""

from __future__ import annotations

import django_filters as df
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import generics, serializers

from insieme.api.filters import FilterForm
from insieme.api.pagination import CursorPagination
from insieme.catalog.models import Service
from insieme.core.models import Administration, today_in
from insieme.core.safe_input import ID_MAX
from insieme.participation import access, actions, display
from insieme.participation.models import (
    AuthorType,
    Category,
    Comment,
    Idea,
    OfficialAnswer,
    Phase,
    PhaseKind,
    Process,
)

app_name = "participation_api"

PLACE_DECIMALS = 3  # about 100 m: insieme.api.serializers.PUBLIC_PLACE_DECIMALS
UNANSWERED = "none"
ORDER_RECENT, ORDER_SUPPORTS = "recent", "supports"


# --- what the public sees ---------------------------------------------------------------------


def public_processes():
    """The processes an anonymous visitor may see (published, for everyone): the access rule of
    the web pages, not a copy of it."""
    return access.visible_processes(AnonymousUser())


def public_ideas():
    return Idea.objects.visible().filter(process__in=public_processes())


def public_comments():
    """Comments a thread shows (never held ones) that the moderators did not hide."""
    return Comment.objects.shown().filter(hidden_at__isnull=True)


def get_public_process(admin_slug: str, slug: str, queryset=None) -> Process:
    process = (
        (queryset if queryset is not None else public_processes())
        .select_related("administration")
        .filter(administration__slug=admin_slug, slug=slug)
        .first()
    )
    if process is None:
        raise Http404
    return process


def get_public_idea(pk: int) -> Idea:
    idea = (
        public_ideas()
        .select_related(
            "process__administration", "partner", "category", "merged_into", "split_from"
        )
        .filter(pk=pk)
        .first()
        if 0 < pk <= ID_MAX
        else None
    )
    if idea is None:
        raise Http404
    return idea


def _absolute(request, url: str) -> str:
    return request.build_absolute_uri(url) if request is not None else url


def _api_url(request, name: str, *args) -> str:
    return _absolute(request, reverse(f"api:{app_name}:{name}", args=args))


def _timeline(process: Process, phases: list[Phase]) -> tuple[Phase | None, str]:
    """(current phase, "open" | "closed" | "upcoming") as the process lists show them."""
    today = today_in(process.administration)
    current = process.current_phase(today, phases)
    if current is not None:
        return current, "open"
    if phases and max(p.ends_on for p in phases) < today:
        return None, "closed"
    return None, "upcoming"


# --- serializers ------------------------------------------------------------------------------


class PhaseSerializer(serializers.Serializer):
    """A phase: `name` and `description` in the asked language; first and last day in the
    administration's calendar."""

    kind = serializers.ChoiceField(choices=PhaseKind.choices)
    name = serializers.CharField(source="display_name")
    description = serializers.CharField(source="i18n.description")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    takes_ideas = serializers.BooleanField()
    takes_supports = serializers.BooleanField()


class CategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="i18n.name")
    translations = serializers.JSONField()


class ProcessSerializer(serializers.Serializer):
    """A public process (`audience` is always `public`): texts in the asked language, written
    in `language`; `status` today: open, upcoming or closed."""

    administration = serializers.CharField(source="administration.slug")
    slug = serializers.SlugField()
    title = serializers.CharField(source="i18n.title")
    description = serializers.CharField(source="i18n.description")
    language = serializers.CharField()
    translations = serializers.JSONField()
    audience = serializers.CharField()
    status = serializers.SerializerMethodField()
    current_phase = serializers.SerializerMethodField()
    phases = serializers.SerializerMethodField()
    support_threshold = serializers.IntegerField(allow_null=True)
    support_deadline = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()
    web_url = serializers.SerializerMethodField()
    ideas_url = serializers.SerializerMethodField()
    comments_url = serializers.SerializerMethodField()

    def _phases(self, obj) -> list[Phase]:
        phases = list(obj.phases.all())  # prefetched by the views
        for phase in phases:
            phase.process = obj
        return phases

    @extend_schema_field(serializers.ChoiceField(choices=["open", "upcoming", "closed"]))
    def get_status(self, obj) -> str:
        return _timeline(obj, self._phases(obj))[1]

    @extend_schema_field(PhaseSerializer(allow_null=True))
    def get_current_phase(self, obj):
        current = _timeline(obj, self._phases(obj))[0]
        return PhaseSerializer(current).data if current is not None else None

    @extend_schema_field(PhaseSerializer(many=True))
    def get_phases(self, obj):
        return PhaseSerializer(self._phases(obj), many=True).data

    def get_url(self, obj) -> str:
        return _api_url(self.context.get("request"), "process", obj.administration.slug, obj.slug)

    def get_web_url(self, obj) -> str:
        return _absolute(self.context.get("request"), actions.process_path(obj))

    def get_ideas_url(self, obj) -> str:
        return _api_url(self.context.get("request"), "ideas", obj.administration.slug, obj.slug)

    def get_comments_url(self, obj) -> str:
        return _api_url(
            self.context.get("request"), "process_comments", obj.administration.slug, obj.slug
        )


class ServiceLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField(source="i18n.name")
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        return _absolute(self.context.get("request"), reverse("api:service", args=[obj.pk]))


ProcessCounts = inline_serializer(
    name="ProcessCounts",
    fields={
        "ideas": serializers.IntegerField(),
        "supports": serializers.IntegerField(),
        "accepted": serializers.IntegerField(),
        "evaluating": serializers.IntegerField(),
        "rejected": serializers.IntegerField(),
        "unanswered": serializers.IntegerField(),
        "merged_or_split": serializers.IntegerField(),
        "comments": serializers.IntegerField(),
        "idea_comments": serializers.IntegerField(),
    },
)


class ProcessDetailSerializer(ProcessSerializer):
    categories = CategorySerializer(many=True, source="public_categories")
    services = serializers.SerializerMethodField()
    counts = serializers.SerializerMethodField()

    @extend_schema_field(ServiceLinkSerializer(many=True))
    def get_services(self, obj):
        return ServiceLinkSerializer(obj.public_services, many=True, context=self.context).data

    @extend_schema_field(ProcessCounts)
    def get_counts(self, obj) -> dict:
        return obj.public_counts


def _author(obj) -> dict:
    partner = obj.partner if obj.author_type == AuthorType.PARTNER else None
    return {"author_type": obj.author_type, "organisation": partner.name if partner else None}


class IdeaLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        return _api_url(self.context.get("request"), "idea", obj.pk)


class IdeaSerializer(serializers.Serializer):
    """An idea the public sees. Its author is an `author_type` and, for a partner organisation,
    its name (`organisation`): never a person. `answer` is the latest official answer (`none`
    before the first); the place is rounded to about 100 m."""

    id = serializers.IntegerField()
    administration = serializers.CharField(source="process.administration.slug")
    process = serializers.CharField(source="process.slug")
    title = serializers.CharField()
    body = serializers.CharField()
    language = serializers.CharField()
    author_type = serializers.ChoiceField(choices=AuthorType.choices)
    organisation = serializers.SerializerMethodField()
    category = serializers.SerializerMethodField()
    state = serializers.ChoiceField(choices=Idea.State.choices)
    answer = serializers.SerializerMethodField()
    answered_at = serializers.DateTimeField(allow_null=True)
    supports_count = serializers.IntegerField()
    comments_count = serializers.SerializerMethodField()
    lat = serializers.SerializerMethodField()
    lon = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()
    web_url = serializers.SerializerMethodField()
    comments_url = serializers.SerializerMethodField()

    @extend_schema_field(
        serializers.CharField(
            allow_null=True,
        )
    )
    def get_organisation(self, obj):
        return _author(obj)["organisation"]

    @extend_schema_field(CategorySerializer(allow_null=True))
    def get_category(self, obj):
        if obj.category is None:
            return None
        obj.category.process = obj.process
        return CategorySerializer(obj.category).data

    @extend_schema_field(
        serializers.ChoiceField(
            choices=[*Idea.Answer.values, UNANSWERED],
        )
    )
    def get_answer(self, obj) -> str:
        return obj.answer or UNANSWERED

    def get_comments_count(self, obj) -> int:
        return getattr(obj, "public_comments", 0) or 0

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_lat(self, obj):
        return round(obj.lat, PLACE_DECIMALS) if obj.lat is not None else None

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_lon(self, obj):
        return round(obj.lon, PLACE_DECIMALS) if obj.lon is not None else None

    def get_url(self, obj) -> str:
        return _api_url(self.context.get("request"), "idea", obj.pk)

    def get_web_url(self, obj) -> str:
        return _absolute(self.context.get("request"), actions.idea_path(obj))

    def get_comments_url(self, obj) -> str:
        return _api_url(self.context.get("request"), "idea_comments", obj.pk)


class OfficialAnswerSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Idea.Answer.choices)
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    administration = serializers.SerializerMethodField()

    def get_administration(self, obj) -> str:
        admin = self.context["administration"]
        return str(admin.display_name or admin.name)


class IdeaDetailSerializer(IdeaSerializer):
    official_answers = serializers.SerializerMethodField()
    merged_into = serializers.SerializerMethodField()
    merged_from = serializers.SerializerMethodField()
    split_from = serializers.SerializerMethodField()
    split_into = serializers.SerializerMethodField()
    support_threshold = serializers.IntegerField(
        source="process.support_threshold", allow_null=True
    )

    def _link(self, idea):
        return IdeaLinkSerializer(idea, context=self.context).data

    @extend_schema_field(OfficialAnswerSerializer(many=True))
    def get_official_answers(self, obj):
        context = {**self.context, "administration": obj.process.administration}
        return OfficialAnswerSerializer(obj.official_answers, many=True, context=context).data

    @extend_schema_field(IdeaLinkSerializer(allow_null=True))
    def get_merged_into(self, obj):
        other = obj.merged_into
        return self._link(other) if other is not None and other.is_visible else None

    @extend_schema_field(IdeaLinkSerializer(many=True))
    def get_merged_from(self, obj):
        return [self._link(i) for i in obj.related_ideas if i.merged_into_id == obj.pk]

    @extend_schema_field(IdeaLinkSerializer(allow_null=True))
    def get_split_from(self, obj):
        other = obj.split_from
        return self._link(other) if other is not None and other.is_visible else None

    @extend_schema_field(IdeaLinkSerializer(many=True))
    def get_split_into(self, obj):
        return [self._link(i) for i in obj.related_ideas if i.split_from_id == obj.pk]


class CommentSerializer(serializers.Serializer):
    """A visible comment. `parent` may name a comment that is not listed (hidden by the
    moderators); `administration` is set on official comments, the one they speak for;
    `organisation` on a partner organisation's."""

    id = serializers.IntegerField()
    parent = serializers.IntegerField(
        source="parent_id",
        allow_null=True,
    )
    root = serializers.IntegerField(source="root_id", allow_null=True)
    depth = serializers.IntegerField()
    body = serializers.CharField()
    author_type = serializers.ChoiceField(choices=AuthorType.choices)
    organisation = serializers.SerializerMethodField()
    official = serializers.BooleanField(source="is_official")
    administration = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_organisation(self, obj):
        return _author(obj)["organisation"]

    @extend_schema_field(
        serializers.CharField(
            allow_null=True,
        )
    )
    def get_administration(self, obj):
        return display.official_label(obj, obj.administration) or None


# --- filters ----------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class RowIdFilter(df.Filter):
    """A row id: a whole number between 1 and 2**63 - 1 (anything else answers 400)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


class ProcessFilter(df.FilterSet):
    """`administration` (slug; an unknown one answers 400), `phase` (the kind running today)."""

    administration = df.ModelChoiceFilter(
        queryset=Administration.objects.all(),
        to_field_name="slug",
    )
    phase = df.ChoiceFilter(
        choices=PhaseKind.choices,
        method="filter_phase",
    )

    class Meta:
        model = Process
        form = FilterForm
        fields = ["administration", "phase"]

    def filter_phase(self, qs, name, value):
        # "Today" is each administration's own (its time zone): one condition per zone in use.
        zones = Administration.objects.values_list("timezone", flat=True).distinct()
        condition = Q(pk__in=[])
        for zone in zones:
            today = today_in(Administration(timezone=zone))
            running = Phase.objects.filter(
                process=OuterRef("pk"), kind=value, starts_on__lte=today, ends_on__gte=today
            )
            condition |= Q(Exists(running), administration__timezone=zone)
        return qs.filter(condition)


class IdeaFilter(df.FilterSet):
    """`category` (id), `answer` (accepted, evaluating, rejected, `none`: open ideas not answered
    yet), `author_type`, `state`; `ordering`: `recent` (the default) or `supports`."""

    category = RowIdFilter(field_name="category_id")
    answer = df.ChoiceFilter(
        choices=[*Idea.Answer.choices, (UNANSWERED, _("Not answered yet"))],
        method="filter_answer",
    )
    author_type = df.ChoiceFilter(choices=AuthorType.choices)
    state = df.ChoiceFilter(choices=Idea.State.choices)
    ordering = df.ChoiceFilter(
        choices=[(ORDER_RECENT, _("Newest first")), (ORDER_SUPPORTS, _("Most supported first"))],
        method="keep",
    )

    class Meta:
        model = Idea
        form = FilterForm
        fields = ["category", "answer", "author_type", "state", "ordering"]

    def filter_answer(self, qs, name, value):
        if value == UNANSWERED:
            return qs.filter(answer="", state=Idea.State.OPEN)
        return qs.filter(answer=value)

    def keep(self, qs, name, value):
        return qs  # the paginator orders (IdeaPagination)


# --- pagination -------------------------------------------------------------------------------


class ProcessPagination(CursorPagination):
    ordering = ("-created_at", "-pk")


class IdeaPagination(CursorPagination):
    ordering = ("-created_at", "-pk")

    def get_ordering(self, request, queryset, view):
        # The value was checked by IdeaFilter (400 before the paginator runs).
        if request.query_params.get("ordering") == ORDER_SUPPORTS:
            return ("-supports_count", "-created_at", "-pk")
        return self.ordering


class CommentPagination(CursorPagination):
    ordering = ("created_at", "pk")


# --- views ------------------------------------------------------------------------------------


def _with_phases(qs):
    return qs.select_related("administration").prefetch_related(
        Prefetch("phases", queryset=Phase.objects.order_by("starts_on", "pk"))
    )


class PublicRead:
    public = True  # insieme.api.permissions.ScopePermission: anyone may read


class ProcessList(PublicRead, generics.ListAPIView):
    """Published processes open to everyone (internal idea boxes and round tables with
    partner organisations are never listed), newest first, with their phases."""

    serializer_class = ProcessSerializer
    filterset_class = ProcessFilter
    filter_backends = [DjangoFilterBackend]
    pagination_class = ProcessPagination

    def get_queryset(self):
        return _with_phases(public_processes())


class ProcessDetail(PublicRead, generics.RetrieveAPIView):
    """A public process: its phases with their dates, categories, the catalogue services it
    aims to change, and counts of its ideas, supports, answers and comments."""

    serializer_class = ProcessDetailSerializer

    def get_object(self):
        process = get_public_process(
            self.kwargs["admin_slug"], self.kwargs["slug"], _with_phases(public_processes())
        )
        process.public_categories = list(Category.objects.filter(process=process))
        for category in process.public_categories:
            category.process = process
        process.public_services = list(
            process.services.filter(status=Service.Status.PUBLISHED).order_by("pk")
        )
        process.public_counts = _counts(process)
        return process


def _counts(process: Process) -> dict:
    ideas = public_ideas().filter(process=process)
    row = ideas.aggregate(
        ideas=Count("pk"),
        supports=Coalesce(Sum("supports_count"), 0),
        accepted=Count("pk", filter=Q(state=Idea.State.OPEN, answer=Idea.Answer.ACCEPTED)),
        evaluating=Count("pk", filter=Q(state=Idea.State.OPEN, answer=Idea.Answer.EVALUATING)),
        rejected=Count("pk", filter=Q(state=Idea.State.OPEN, answer=Idea.Answer.REJECTED)),
        unanswered=Count("pk", filter=Q(state=Idea.State.OPEN, answer="")),
        merged_or_split=Count("pk", filter=~Q(state=Idea.State.OPEN)),
    )
    comments = public_comments().aggregate(
        comments=Count("pk", filter=Q(process=process)),
        idea_comments=Count("pk", filter=Q(idea__in=ideas.values("pk"))),
    )
    return {**row, **comments}


def _comments_per_idea():
    """Each idea's public comments, as a subquery (read for the page's rows only)."""
    counted = (
        public_comments()
        .filter(idea=OuterRef("pk"))
        .order_by()
        .values("idea")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class IdeaList(PublicRead, generics.ListAPIView):
    """The ideas of a public process that the public sees (never those held for review or
    hidden), newest or most supported first."""

    serializer_class = IdeaSerializer
    filterset_class = IdeaFilter
    filter_backends = [DjangoFilterBackend]
    pagination_class = IdeaPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Idea.objects.none()
        process = get_public_process(self.kwargs["admin_slug"], self.kwargs["slug"])
        self.process = process
        return (
            Idea.objects.visible()
            .filter(process=process)
            .select_related("partner", "category")
            .annotate(public_comments=_comments_per_idea())
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        for idea in page or []:
            idea.process = self.process  # one process for every row: no join, no query
        return page


class IdeaDetail(PublicRead, generics.RetrieveAPIView):
    """An idea the public sees, with the administration's official answers, the ideas merged
    into it or split from it, and its supports count."""

    serializer_class = IdeaDetailSerializer

    def get_object(self):
        idea = get_public_idea(self.kwargs["pk"])
        idea.public_comments = public_comments().filter(idea=idea).count()
        idea.official_answers = list(OfficialAnswer.objects.filter(idea=idea))
        idea.related_ideas = list(
            Idea.objects.visible()
            .filter(Q(merged_into=idea) | Q(split_from=idea))
            .order_by("pk")
            .only("pk", "title", "merged_into_id", "split_from_id")
        )
        return idea


@extend_schema(responses=CommentSerializer(many=True))
class _CommentList(PublicRead, generics.ListAPIView):
    serializer_class = CommentSerializer
    filter_backends: list = []
    pagination_class = CommentPagination

    def target(self) -> dict:
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Comment.objects.none()
        return public_comments().filter(**self.target()).select_related("administration", "partner")


class ProcessComments(_CommentList):
    """Comments on a public process itself (its ideas' comments are on each idea), oldest
    first: replies carry `parent` and `root`. Never a held or a hidden comment."""

    def target(self) -> dict:
        return {"process": get_public_process(self.kwargs["admin_slug"], self.kwargs["slug"])}


class IdeaComments(_CommentList):
    """Comments on an idea the public sees, oldest first. Never a held or a hidden comment."""

    def target(self) -> dict:
        return {"idea": get_public_idea(self.kwargs["pk"])}


P = "processes/<slug:admin_slug>/<slug:slug>/"

urlpatterns = [
    path("processes/", ProcessList.as_view(), name="processes"),
    path(P, ProcessDetail.as_view(), name="process"),
    path(P + "ideas/", IdeaList.as_view(), name="ideas"),
    path(P + "comments/", ProcessComments.as_view(), name="process_comments"),
    path("ideas/<id:pk>/", IdeaDetail.as_view(), name="idea"),
    path("ideas/<id:pk>/comments/", IdeaComments.as_view(), name="idea_comments"),
]
