"""The REST API's read endpoints for results (/api/v1/results/): published results that anyone
may see, without personal data (no author, no follower) and without staff-only links. They use
insieme.api's authentication, cursor pagination, error format and OpenAPI schema."""

from __future__ import annotations

import django_filters as df
from django.db.models import Prefetch
from django.urls import reverse
from rest_framework import generics, serializers

from insieme.api.filters import FilterForm
from insieme.results.access import public_results
from insieme.results.models import Milestone, Result, ResultLink, ResultUpdate, Status


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


class MilestoneSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = ["title", "due_on", "done_on"]

    def get_title(self, obj) -> str:
        return str(obj.i18n.title)


class LinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResultLink
        fields = ["kind", "label", "url"]


class UpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResultUpdate
        fields = ["progress", "status", "note", "created_at"]


class ResultSerializer(serializers.ModelSerializer):
    administration = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    process = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    title = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()

    class Meta:
        model = Result
        fields = [
            "id",
            "administration",
            "process",
            "idea",
            "parent",
            "title",
            "description",
            "language",
            "translations",
            "status",
            "progress",
            "weight",
            "starts_on",
            "due_on",
            "completed_on",
            "updated_at",
            "url",
            "page",
        ]

    def get_title(self, obj) -> str:
        return str(obj.i18n.title)

    def get_description(self, obj) -> str:
        return str(obj.i18n.description)

    def get_url(self, obj) -> str:
        return _absolute(
            self.context.get("request"), reverse("api:results_api:result", args=[obj.pk])
        )

    def get_page(self, obj) -> str:
        return _absolute(
            self.context.get("request"),
            reverse("results:detail", args=[obj.administration.slug, obj.pk]),
        )


class ResultDetailSerializer(ResultSerializer):
    milestones = MilestoneSerializer(many=True, read_only=True)
    links = serializers.SerializerMethodField()
    updates = UpdateSerializer(many=True, read_only=True)
    children = serializers.SerializerMethodField()

    class Meta(ResultSerializer.Meta):
        fields = [*ResultSerializer.Meta.fields, "milestones", "links", "updates", "children"]

    def get_links(self, obj) -> list[dict]:
        return LinkSerializer(
            [link for link in obj.links.all() if not link.staff_only], many=True
        ).data

    def get_children(self, obj) -> list[int]:
        return list(public_results().filter(parent=obj).order_by("pk").values_list("pk", flat=True))


class ResultFilter(df.FilterSet):
    administration = df.CharFilter(field_name="administration__slug")
    process = df.CharFilter(field_name="process__slug")
    status = df.MultipleChoiceFilter(choices=Status.choices)
    parent = df.NumberFilter(field_name="parent_id")

    class Meta:
        model = Result
        form = FilterForm
        fields = ["administration", "process", "status", "parent"]


def _results():
    return public_results().select_related("administration", "process")


class ResultList(generics.ListAPIView):
    """Published results anyone may see: what became of accepted ideas, funded projects and
    service changes (public, no personal data)."""

    public = True
    serializer_class = ResultSerializer
    filterset_class = ResultFilter
    ordering_fields = ["id", "updated_at"]
    ordering = ["-id"]

    def get_queryset(self):
        return _results()


class ResultDetail(generics.RetrieveAPIView):
    """A published result with its milestones, public links, updates and parts."""

    public = True
    serializer_class = ResultDetailSerializer

    def get_queryset(self):
        return _results().prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("order", "due_on", "pk")),
            Prefetch("links", queryset=ResultLink.objects.order_by("kind", "pk")),
            Prefetch("updates", queryset=ResultUpdate.objects.order_by("-created_at", "-pk")),
        )
