"""The REST API's views: thin, each reads through an access helper and writes through an
app's actions (insieme.cases.filing.actions, insieme.cases.citizen.actions)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from insieme.api import access, filters, serializers
from insieme.api.auth import caller_of
from insieme.api.errors import django_validation_fields, validation_response
from insieme.api.idempotency import idempotent
from insieme.api.pagination import MergedCursorPagination
from insieme.cases import access as case_access
from insieme.cases import redact as case_redact
from insieme.cases.citizen import actions as citizen_actions
from insieme.cases.filing import actions as filing_actions
from insieme.cases.models import Case, Rating
from insieme.catalog.models import Attribute, Provision, Regulation, Service
from insieme.core.access import get_administration_for_user
from insieme.core.models import Administration
from insieme.core.permissions import Perm
from insieme.insights import scorecard as sc
from insieme.insights import thresholds

PUBLISHED = Service.Status.PUBLISHED
READ, WRITE = "cases:read", "cases:write"

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="A key of your choice (at most 255 characters): a retry with the same key "
    "returns the first answer and creates nothing.",
)


class PublicReadMixin:
    public = True


# --- administrations ---------------------------------------------------------------------------


class AdministrationList(PublicReadMixin, generics.ListAPIView):
    """Administrations on this installation (public)."""

    serializer_class = serializers.AdministrationSerializer
    filterset_class = filters.AdministrationFilter
    ordering_fields = ["name", "slug"]
    ordering = ["slug"]

    def get_queryset(self):
        return Administration.objects.select_related("parent")


class AdministrationDetail(PublicReadMixin, generics.RetrieveAPIView):
    serializer_class = serializers.AdministrationSerializer
    lookup_field = "slug"
    queryset = Administration.objects.select_related("parent")


# --- services and their forms ------------------------------------------------------------------


def published_services():
    attributes = Prefetch("attributes", queryset=Attribute.objects.order_by("order", "code"))
    return (
        Service.objects.filter(status=PUBLISHED)
        .select_related("administration")
        .prefetch_related(attributes)
    )


class ServiceList(PublicReadMixin, generics.ListAPIView):
    """Published services with their forms (public)."""

    serializer_class = serializers.ServiceSerializer
    filterset_class = filters.ServiceFilter
    ordering_fields = ["id", "name", "updated_at"]
    ordering = ["id"]

    def get_queryset(self):
        return published_services()


class ServiceDetail(PublicReadMixin, generics.RetrieveAPIView):
    serializer_class = serializers.ServiceSerializer

    def get_queryset(self):
        return published_services()


# --- regulations -------------------------------------------------------------------------------


def regulations():
    return Regulation.objects.select_related("administration").prefetch_related(
        Prefetch("provisions", queryset=Provision.objects.order_by("article", "pk"))
    )


class RegulationList(PublicReadMixin, generics.ListAPIView):
    """The regulation registers (public): laws and rules services rest on."""

    serializer_class = serializers.RegulationSerializer
    filterset_class = filters.RegulationFilter
    ordering_fields = ["id", "reference"]
    ordering = ["id"]

    def get_queryset(self):
        return regulations()


class RegulationDetail(PublicReadMixin, generics.RetrieveAPIView):
    serializer_class = serializers.RegulationSerializer

    def get_queryset(self):
        return regulations()


# --- public cases ------------------------------------------------------------------------------


CASE_ORDERING = ["submitted_at", "updated_at"]
CASE_RELATED = ("administration", "service", "department", "duplicate_of", "submitted_by")


def public_cases():
    return Case.objects.filter(is_public=True).select_related(
        "administration", "service", "duplicate_of"
    )


class PublicCaseList(PublicReadMixin, generics.ListAPIView):
    """Public cases (reports) without personal data, as their public pages show them."""

    serializer_class = serializers.PublicCaseSerializer
    filterset_class = filters.CaseFilter
    ordering_fields = CASE_ORDERING
    ordering = ["-submitted_at"]

    def get_queryset(self):
        return public_cases()


class PublicCaseMixin(PublicReadMixin):
    def get_case(self) -> Case:
        return case_access.get_public_case(self.kwargs["admin_slug"], self.kwargs["reference"])


class PublicCaseDetail(PublicCaseMixin, generics.RetrieveAPIView):
    serializer_class = serializers.PublicCaseSerializer

    def get_object(self):
        return self.get_case()


class PublicCaseEvents(PublicCaseMixin, generics.ListAPIView):
    """The public timeline of a public case (redacted texts, no names)."""

    serializer_class = serializers.EventSerializer
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        return case_access.public_events(self.get_case()).exclude(kind="rated")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "public": True}


class PublicCaseAttachments(PublicCaseMixin, generics.ListAPIView):
    """The public photos and documents of a public case."""

    serializer_class = serializers.AttachmentSerializer
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        self.case = self.get_case()
        return self.case.attachments.filter(is_public=True).select_related("case__administration")

    def get_serializer_context(self):
        # The names the files' public names must not show (none while the schema is built).
        case = getattr(self, "case", None)
        names = case_redact.case_names(case) if case is not None else set()
        return {**super().get_serializer_context(), "public": True, "names": names}


# --- cases (session or key) --------------------------------------------------------------------


def _answers_field(key: str, service: Service) -> str:
    top = {"description", "lat", "lon", "address", "contact_name", "contact_email"}
    top |= {"contact_phone", "language", "service", "location", "channel", "non_field_errors"}
    if key in top:
        return key
    if service.attributes.filter(code=key).exists():
        return f"answers.{key}"
    return key


class CaseList(generics.ListCreateAPIView):
    """Cases the caller may read in full: a citizen's own, staff's by department, a key's
    administration's. POST files a new case (channel "api")."""

    key_scopes = {"GET": READ, "POST": WRITE}
    filterset_class = filters.PrivateCaseFilter
    ordering_fields = CASE_ORDERING
    ordering = ["-submitted_at"]

    def get_serializer_class(self):
        return (
            serializers.CaseCreateSerializer
            if self.request.method == "POST"
            else (serializers.CaseSerializer)
        )

    def get_queryset(self):
        return access.readable_cases(caller_of(self.request)).select_related(*CASE_RELATED)

    def list(self, request, *args, **kwargs):
        # Each way a case reaches the caller is filtered and read through its own index, and
        # the pages merged (an OR of them reads a whole department at a million cases).
        sets = access.readable_case_sets(caller_of(request))
        filters = self.query_filters(Case.objects.none())
        paginator = MergedCursorPagination(CASE_ORDERING, default=self.ordering[0])
        page = paginator.paginate(
            [filters.filter_queryset(qs) for qs in sets],
            request,
            lambda ids: Case.objects.filter(pk__in=ids).select_related(*CASE_RELATED),
        )
        return paginator.response(self.get_serializer(page, many=True).data)

    def query_filters(self, queryset):
        """The query's filters (django-filter), checked once: 400 when a value is invalid.
        Ordering is the paginator's."""
        backend = DjangoFilterBackend()
        filterset = backend.get_filterset(self.request, queryset, self)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return filterset

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["personal"] = access.sees_personal(caller_of(self.request))
        return context

    @extend_schema(
        parameters=[IDEMPOTENCY_HEADER],
        request=serializers.CaseCreateSerializer,
        responses={201: serializers.CaseSerializer, 200: serializers.CaseSerializer},
    )
    @idempotent
    def post(self, request, *args, **kwargs):
        data = self._valid(serializers.CaseCreateSerializer, request.data)
        caller = caller_of(request)
        service = self._service(data["service"], caller)
        actor = caller.user if caller.key is None else None
        try:
            case, created = filing_actions.submit_case(
                actor,
                filing_actions.Filing(
                    service,
                    answers=data["answers"],
                    description=data["description"],
                    lat=data.get("lat"),
                    lon=data.get("lon"),
                    address=data["address"],
                    channel="api",
                    contact_name=data["contact_name"],
                    contact_email=data["contact_email"],
                    contact_phone=data["contact_phone"],
                    idempotency_key=getattr(request, "idempotency_key", ""),
                    language=data["language"],
                    via=caller.key,
                ),
            )
        except DjangoValidationError as exc:
            fields = django_validation_fields(exc)
            return validation_response({_answers_field(k, service): v for k, v in fields.items()})
        body = serializers.CaseSerializer(case, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @staticmethod
    def _valid(serializer_class, data) -> dict:
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @staticmethod
    def _service(pk: int, caller) -> Service:
        qs = Service.objects.filter(status=PUBLISHED).select_related("administration")
        if caller.key is not None:
            qs = qs.filter(administration_id=caller.key.administration_id)
        service = qs.filter(pk=pk).first() if -(2**63) < pk < 2**63 else None
        if service is None:
            raise DjangoValidationError({"service": [_("No such service accepts requests.")]})
        return service


class CaseMixin:
    key_scopes = {"GET": READ}

    def case_view(self) -> access.CaseView:
        """Who reads which case, and how much of it (looked up once per request)."""
        if getattr(self, "_case_view", None) is None:
            self._case_view = access.get_case(
                caller_of(self.request), self.kwargs["admin_slug"], self.kwargs["reference"]
            )
        return self._case_view

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if "admin_slug" in self.kwargs:  # not while the schema is generated
            view = self.case_view()
            context["personal"] = view.personal
            context["staff_view"] = view.internal
        return context


class CaseDetail(CaseMixin, generics.RetrieveAPIView):
    serializer_class = serializers.CaseSerializer

    def get_object(self):
        return self.case_view().case


class CaseEvents(CaseMixin, generics.ListAPIView):
    """The case's timeline: staff, and keys with cases:read_internal, see internal notes and
    events too; the filer and other keys see what the filer's web page shows. Texts are
    redacted for keys without cases:read_personal."""

    serializer_class = serializers.EventSerializer
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        return access.events_for(self.case_view())


class CaseAttachments(CaseMixin, generics.ListAPIView):
    serializer_class = serializers.AttachmentSerializer
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        return access.attachments_for(self.case_view())


class CaseAttachmentDownload(CaseMixin, APIView):
    """The file itself, for whoever may read the case."""

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, with its own content type."
            )
        }
    )
    def get(self, request, admin_slug: str, reference: str, pk: int):
        view = self.case_view()
        attachment = get_object_or_404(access.attachments_for(view), pk=pk)
        try:
            handle = attachment.file.open("rb")
        except (FileNotFoundError, OSError) as exc:
            raise Http404 from exc
        response = FileResponse(
            handle,
            content_type=attachment.content_type,
            as_attachment=True,
            filename=str(attachment),
        )
        response["Cache-Control"] = "private"
        return response


class CaseRating(CaseMixin, APIView):
    """The citizen's rating of their resolved case. Only the person who filed the case may
    rate it, once; staff and the administration's key may read it."""

    @extend_schema(responses=serializers.RatingSerializer)
    def get(self, request, admin_slug: str, reference: str):
        view = self.case_view()
        rating = Rating.objects.filter(case=view.case).first()
        if rating is None:
            raise Http404
        return Response(
            serializers.RatingSerializer(rating, context={"personal": view.personal}).data
        )

    @extend_schema(
        parameters=[IDEMPOTENCY_HEADER],
        request=serializers.RatingCreateSerializer,
        responses={201: serializers.RatingSerializer},
    )
    @idempotent
    def post(self, request, admin_slug: str, reference: str):
        case = case_access.get_case_for_submitter(request.user, admin_slug, reference)
        data = CaseList._valid(serializers.RatingCreateSerializer, request.data)
        rating = citizen_actions.rate_case(
            request.user, case, score=data["score"], comment=data["comment"]
        )
        body = serializers.RatingSerializer(rating, context={"personal": True}).data
        return Response(body, status=status.HTTP_201_CREATED)


# --- the Scorecard -----------------------------------------------------------------------------


SCORECARD_SCOPE = "insights:read"


@extend_schema(
    parameters=[
        OpenApiParameter(
            "administration", str, required=True, description="The administration's slug."
        ),
        OpenApiParameter(
            "scope",
            str,
            enum=["hosted", "self"],
            required=False,
            description="`hosted` (the default): the administration with the ones it hosts "
            "(for a region, its municipalities), as far as the caller may read their "
            "Scorecard; `self`: this administration only.",
        ),
    ],
    responses={200: serializers.ScorecardSerializer},
)
class ScorecardView(APIView):
    """The Co-production Scorecard of an administration: the seventeen cells with their
    indicators (value, numbers behind it, method) in the language of `Accept-Language`. Staff
    with the Scorecard permission, or an API key with the `insights:read` scope for its own
    administration."""

    key_scopes = {"GET": SCORECARD_SCOPE}

    def get(self, request):
        slug = request.query_params.get("administration", "")
        if not slug:
            raise DRFValidationError({"administration": [_("Give an administration's slug.")]})
        choice = request.query_params.get("scope")
        if choice is not None and sc.parse_scope(choice) is None:
            raise DRFValidationError({"scope": [_("Use hosted or self.")]})
        caller = caller_of(request)
        if caller.key is not None:
            admin = Administration.objects.filter(
                pk=caller.key.administration_id, slug=slug
            ).first()
            if admin is None:
                raise Http404
            scope_view = sc.scope_for(admin, choice, sc.hosted_by(admin))
        else:
            admin = get_administration_for_user(request.user, slug, Perm.SCORECARD_READ)
            scope_view = sc.build_scope(request.user, admin, choice)
        elements = sc.build_elements(
            scope_view.scope, thresholds.for_administration(admin), current=True
        )
        data = sc.as_json(admin, scope_view, elements)
        return Response(serializers.ScorecardSerializer(data).data)
