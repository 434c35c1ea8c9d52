"""Read endpoints of participatory budgets in the REST API (/api/v1/budgets/,
/api/v1/budgets/<id>/), registered from BudgetsConfig.ready() with `register_api_routes`.

What the API shows is what an anonymous visitor of the web pages sees: published budgets of the
published processes open to everyone, with their projects and costs. Vote counts, ranks and
funding appear once the results are published, never before; voters, ballots and verifications
never (only the number of ballots, with the results).
"""

from __future__ import annotations

from django.db.models import Count, Prefetch
from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, serializers

from insieme.api.pagination import CursorPagination
from insieme.budgets.models import Budget, Project
from insieme.catalog import i18n
from insieme.participation.api import public_processes

app_name = "budgets_api"


def public_budgets():
    return Budget.objects.filter(is_published=True, process__in=public_processes())


def _texts(obj, fields) -> dict:
    """{language: {field: text}}: the text as written, and its translations."""
    out = {obj.language: {f: getattr(obj, f) for f in fields}}
    for lang, texts in (obj.translations or {}).items():
        out.setdefault(lang, {}).update({f: texts[f] for f in fields if texts.get(f)})
    return out


class ProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    description = serializers.CharField()
    language = serializers.CharField()
    translations = serializers.SerializerMethodField()
    cost_cents = serializers.IntegerField()
    idea = serializers.IntegerField(source="idea_id", allow_null=True)
    category = serializers.SerializerMethodField()
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    position = serializers.IntegerField()
    votes = serializers.SerializerMethodField()
    rank = serializers.SerializerMethodField()
    funded = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DictField())
    def get_translations(self, obj) -> dict:
        return _texts(obj, ("title", "description"))

    def get_category(self, obj) -> str | None:
        return str(i18n.text(obj.category, "name")) if obj.category else None

    def _published(self, obj) -> bool:
        return obj.budget.results_published

    def get_votes(self, obj) -> int | None:
        return obj.votes if self._published(obj) else None

    def get_rank(self, obj) -> int | None:
        return obj.rank if self._published(obj) else None

    def get_funded(self, obj) -> bool | None:
        return obj.is_funded if self._published(obj) else None


class BudgetSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    administration = serializers.CharField(source="administration.slug")
    process = serializers.CharField(source="process.slug")
    title = serializers.CharField()
    description = serializers.CharField()
    language = serializers.CharField()
    translations = serializers.SerializerMethodField()
    total_cents = serializers.IntegerField()
    kind = serializers.CharField()
    max_choices = serializers.IntegerField(allow_null=True)
    voting_opens_on = serializers.SerializerMethodField()
    voting_closes_on = serializers.SerializerMethodField()
    results_published_at = serializers.DateTimeField(allow_null=True)
    ballots = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DictField())
    def get_translations(self, obj) -> dict:
        return _texts(obj, ("title", "description"))

    def _window(self, obj):
        return obj.voting_window(list(obj.process.phases.all()))

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_voting_opens_on(self, obj):
        window = self._window(obj)
        return window[0].isoformat() if window else None

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_voting_closes_on(self, obj):
        window = self._window(obj)
        return window[1].isoformat() if window else None

    def get_ballots(self, obj) -> int | None:
        """The number of ballots cast, once the results are published."""
        return obj.n_ballots if obj.results_published else None


class BudgetDetailSerializer(BudgetSerializer):
    projects = serializers.SerializerMethodField()

    @extend_schema_field(ProjectSerializer(many=True))
    def get_projects(self, obj) -> list:
        for project in obj.public_projects:
            project.budget = obj
        return ProjectSerializer(obj.public_projects, many=True).data


def _queryset():
    return (
        public_budgets()
        .select_related("process", "administration")
        .prefetch_related("process__phases")
        .annotate(n_ballots=Count("ballots"))
    )


class BudgetPagination(CursorPagination):
    ordering = ("-created_at", "-pk")


class PublicRead:
    public = True  # insieme.api.permissions.ScopePermission: anyone may read


class BudgetList(PublicRead, generics.ListAPIView):
    """Published participatory budgets of public processes, newest first."""

    serializer_class = BudgetSerializer
    pagination_class = BudgetPagination

    def get_queryset(self):
        return _queryset()


class BudgetDetail(PublicRead, generics.RetrieveAPIView):
    """A published budget with its projects and costs; votes, ranks and funding once the
    results are published."""

    serializer_class = BudgetDetailSerializer

    def get_object(self):
        budget = (
            _queryset()
            .prefetch_related(
                Prefetch(
                    "projects",
                    queryset=Project.objects.select_related("category__process").order_by(
                        "position", "pk"
                    ),
                    to_attr="public_projects",
                )
            )
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if budget is None:
            raise Http404
        return budget


urlpatterns = [
    path("", BudgetList.as_view(), name="budgets"),
    path("<id:pk>/", BudgetDetail.as_view(), name="budget"),
]
