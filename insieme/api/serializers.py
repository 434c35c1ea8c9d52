"""What the API shows. Public representations carry no personal data: a public case shows what
its public web page shows (redacted description, approximate position, public timeline)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from insieme.cases.access import PUBLIC_TEXT_KINDS
from insieme.cases.lifecycle import MAX_DESCRIPTION
from insieme.cases.models import Attachment, Case, CaseEvent, Rating
from insieme.cases.redact import filer_names, localise, redact
from insieme.catalog import i18n
from insieme.catalog.models import Attribute, Provision, Regulation, Service
from insieme.core.models import Administration, today_in

PUBLIC_PLACE_DECIMALS = 3  # about 100 m, as the public case page shows it


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


# --- catalogue ---------------------------------------------------------------------------------


class AdministrationSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    display_name = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Administration
        fields = [
            "slug",
            "name",
            "display_name",
            "kind",
            "parent",
            "ipa_code",
            "locale",
            "timezone",
            "url",
        ]

    def get_url(self, obj) -> str:
        return _absolute(
            self.context.get("request"), reverse("api:administration", args=[obj.slug])
        )


class ListValueSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()


class AttributeSerializer(serializers.ModelSerializer):
    values = serializers.SerializerMethodField()
    label = serializers.CharField(source="i18n.label", read_only=True)
    help_text = serializers.CharField(source="i18n.help_text", read_only=True)

    class Meta:
        model = Attribute
        fields = [
            "code",
            "datatype",
            "label",
            "help_text",
            "required",
            "variable",
            "order",
            "values",
            "translations",
        ]

    @extend_schema_field(ListValueSerializer(many=True))
    def get_values(self, obj) -> list:
        return [{"key": o["key"], "name": str(o["name"])} for o in i18n.options(obj)]


class ServiceSerializer(serializers.ModelSerializer):
    administration = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    attributes = AttributeSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()
    name = serializers.CharField(
        source="i18n.name", read_only=True, help_text="In the language of Accept-Language."
    )
    description = serializers.CharField(source="i18n.description", read_only=True)
    group = serializers.CharField(source="i18n.group", read_only=True)
    keywords = serializers.CharField(source="i18n.keywords", read_only=True)
    language = serializers.CharField(
        read_only=True,
        help_text="The language the service's texts are written in; where a text has no "
        "translation in the language asked for, it is given in this one.",
    )

    class Meta:
        model = Service
        fields = [
            "id",
            "administration",
            "code",
            "name",
            "description",
            "group",
            "keywords",
            "kind",
            "service_type",
            "located",
            "channels",
            "anonymous_allowed",
            "sla_acknowledge_days",
            "sla_resolve_days",
            "sla_day_type",
            "updated_at",
            "language",
            "translations",
            "attributes",
            "url",
        ]

    def get_url(self, obj) -> str:
        return _absolute(self.context.get("request"), reverse("api:service", args=[obj.pk]))


class ProvisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Provision
        fields = [
            "id",
            "article",
            "title",
            "summary",
            "url",
            "in_force_from",
            "in_force_until",
            "review_due",
            "superseded_by",
        ]


class RegulationSerializer(serializers.ModelSerializer):
    administration = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    status = serializers.SerializerMethodField()
    provisions = ProvisionSerializer(many=True, read_only=True)

    class Meta:
        model = Regulation
        fields = [
            "id",
            "administration",
            "kind",
            "reference",
            "title",
            "issuer",
            "url",
            "in_force_from",
            "in_force_until",
            "review_due",
            "status",
            "superseded_by",
            "provisions",
        ]

    @extend_schema_field(
        serializers.ChoiceField(
            choices=["in_force", "not_yet", "review_overdue", "superseded", "expired"]
        )
    )
    def get_status(self, obj) -> str:
        return str(obj.status(today_in(obj.administration)))


# --- cases -------------------------------------------------------------------------------------


class ServiceRefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="i18n.name", read_only=True)

    class Meta:
        model = Service
        fields = ["id", "code", "name"]


class PublicCaseSerializer(serializers.ModelSerializer):
    """A public case as its public page shows it: no person, no answers, no private files."""

    administration = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    service = ServiceRefSerializer(read_only=True)
    is_open = serializers.BooleanField(read_only=True)
    description = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()
    lat = serializers.SerializerMethodField()
    lon = serializers.SerializerMethodField()
    duplicate_of = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    public_url = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "reference",
            "administration",
            "service",
            "kind",
            "status",
            "is_open",
            "description",
            "address",
            "lat",
            "lon",
            "submitted_at",
            "updated_at",
            "duplicate_of",
            "url",
            "public_url",
        ]

    def get_description(self, obj) -> str:
        return localise(obj.public_description)

    def get_address(self, obj) -> str:
        return localise(obj.public_address)

    def _rounded(self, value):
        return None if value is None else round(value, PUBLIC_PLACE_DECIMALS)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_lat(self, obj) -> float | None:
        return self._rounded(obj.lat)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_lon(self, obj) -> float | None:
        return self._rounded(obj.lon)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_duplicate_of(self, obj) -> str | None:
        original = obj.duplicate_of
        if original is not None and original.is_public:
            return original.reference
        return None

    def get_url(self, obj) -> str:
        path = reverse("api:public_case", args=[obj.administration.slug, obj.reference])
        return _absolute(self.context.get("request"), path)

    def get_public_url(self, obj) -> str:
        path = reverse("case_public", args=[obj.administration.slug, obj.reference])
        return _absolute(self.context.get("request"), path)


class DepartmentRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


PERSONAL_FIELDS = ("contact_name", "contact_email", "contact_phone")
NEEDS_PERSONAL = (
    "Only for callers who may read personal data (a key with cases:read_personal, the filer, "
    "the administration's staff); left out for others."
)
REDACTED_WITHOUT_PERSONAL = (
    "As written for callers who may read personal data (a key with cases:read_personal, the "
    "filer, the administration's staff); personal data masked for other keys."
)


def masked(text: str, names=()) -> str:
    """A case's text for a reader without personal data, with `names` (the filer's) masked too."""
    return redact(text, names) if isinstance(text, str) else text


class CaseSerializer(serializers.ModelSerializer):
    """A case as its filer, the administration's staff or the administration's key reads it.

    Personal data only with the serializer context's `personal` flag (set by the views from the
    caller: always for people, for keys with cases:read_personal): without it the contact details
    are left out and the free texts (description, address, text answers) are redacted."""

    administration = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    # Declared writable (never used for input) so that the schema marks them optional.
    contact_name = serializers.CharField(required=False, help_text=NEEDS_PERSONAL)
    contact_email = serializers.CharField(required=False, help_text=NEEDS_PERSONAL)
    contact_phone = serializers.CharField(required=False, help_text=NEEDS_PERSONAL)
    description = serializers.CharField(read_only=True, help_text=REDACTED_WITHOUT_PERSONAL)
    address = serializers.CharField(read_only=True, help_text=REDACTED_WITHOUT_PERSONAL)
    answers = serializers.JSONField(read_only=True, help_text=REDACTED_WITHOUT_PERSONAL)
    service = ServiceRefSerializer(read_only=True)
    is_open = serializers.BooleanField(read_only=True)
    department = DepartmentRefSerializer(read_only=True, allow_null=True)
    duplicate_of = serializers.SlugRelatedField(
        slug_field="reference", read_only=True, allow_null=True
    )
    url = serializers.SerializerMethodField()
    public_url = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "reference",
            "administration",
            "service",
            "kind",
            "status",
            "is_open",
            "is_public",
            "title",
            "description",
            "answers",
            "address",
            "lat",
            "lon",
            "channel",
            "language",
            "contact_name",
            "contact_email",
            "contact_phone",
            "department",
            "submitted_at",
            "updated_at",
            "acknowledged_at",
            "resolved_at",
            "closed_at",
            "acknowledge_due_at",
            "resolve_due_at",
            "decision",
            "duplicate_of",
            "url",
            "public_url",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("personal", False):
            for name in PERSONAL_FIELDS:
                data.pop(name, None)
            # The stored public copies (redacted with the names of everyone behind the case).
            data["description"] = localise(instance.public_description)
            data["address"] = localise(instance.public_address)
            names = filer_names(instance.submitted_by, instance.contact_name)
            data["answers"] = {
                code: [masked(v, names) for v in value]
                if isinstance(value, list)
                else masked(value, names)
                for code, value in (data["answers"] or {}).items()
            }
        return data

    def get_url(self, obj) -> str:
        path = reverse("api:case", args=[obj.administration.slug, obj.reference])
        return _absolute(self.context.get("request"), path)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_public_url(self, obj) -> str | None:
        if not obj.is_public:
            return None
        path = reverse("case_public", args=[obj.administration.slug, obj.reference])
        return _absolute(self.context.get("request"), path)


def _scalar(value):
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, int | float | str):
        return str(value)
    raise serializers.ValidationError(_("Give text, a number, or a list of them."))


class AnswersField(serializers.DictField):
    """Answers keyed by question code: text, a number, or a list (multi-value lists)."""

    child = serializers.JSONField()

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        cleaned, errors = {}, {}
        for code, value in data.items():
            try:
                if isinstance(value, list):
                    cleaned[code] = [_scalar(v) for v in value]
                else:
                    cleaned[code] = _scalar(value)
            except serializers.ValidationError as exc:
                errors[code] = exc.detail
        if errors:
            raise serializers.ValidationError(errors)
        return cleaned


class CaseCreateSerializer(serializers.Serializer):
    service = serializers.IntegerField(help_text="The id of a published service.")
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_DESCRIPTION, default=""
    )
    answers = AnswersField(required=False, default=dict)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lon = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    address = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    contact_name = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default=""
    )
    contact_email = serializers.EmailField(required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(
        required=False, allow_blank=True, max_length=40, default=""
    )
    language = serializers.ChoiceField(choices=["it", "en"], required=False, default="it")


class EventSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "kind",
            "created_at",
            "from_status",
            "to_status",
            "text",
            "field_code",
            "is_public",
            "by",
            "actor_name",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=["citizen", "staff", "system"]))
    def get_by(self, obj) -> str:
        if obj.actor_id is None:
            return "system"
        return "citizen" if obj.actor_id == obj.case.submitted_by_id else "staff"

    def get_text(self, obj) -> str:
        if self.context.get("public"):
            # As on the public page: staff's words, as their public copy; nobody else's.
            return localise(obj.public_text) if obj.kind in PUBLIC_TEXT_KINDS else ""
        if self.context.get("personal", False):
            return obj.text
        if obj.public_text:  # words written for the public: their stored public copy
            return localise(obj.public_text)
        return masked(obj.text, filer_names(None, obj.case.contact_name))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor_name(self, obj) -> str | None:
        # Staff names go to the administration's own readers only, never to the public.
        if self.context.get("staff_view") and obj.actor is not None:
            return obj.actor.full_name
        return None


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "is_public", "created_at", "download_url"]

    def get_name(self, obj) -> str:
        if self.context.get("public"):  # a file may be named after its owner
            return localise(redact(str(obj), self.context.get("names", ())))
        return str(obj)

    def get_download_url(self, obj) -> str:
        case = obj.case
        if self.context.get("public"):
            path = reverse(
                "case_attachment", args=[case.administration.slug, case.reference, obj.pk]
            )
        else:
            path = reverse(
                "api:case_attachment_download",
                args=[case.administration.slug, case.reference, obj.pk],
            )
        return _absolute(self.context.get("request"), path)


class RatingSerializer(serializers.ModelSerializer):
    comment = serializers.CharField(read_only=True, help_text=REDACTED_WITHOUT_PERSONAL)

    class Meta:
        model = Rating
        fields = ["score", "comment", "created_at"]
        read_only_fields = ["created_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("personal", False):
            case = instance.case
            data["comment"] = masked(
                data["comment"], filer_names(case.submitted_by, case.contact_name)
            )
        return data


class RatingCreateSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


# --- the Scorecard (documentation of the shape insights.scorecard.as_json builds) -------------


class ThresholdPairSerializer(serializers.Serializer):
    realised = serializers.FloatField(help_text="At or beyond this value: benefit realised.")
    challenge = serializers.FloatField(help_text="At or short of this value: challenge present.")


class ScorecardIndicatorSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    method = serializers.CharField(help_text="How the number is computed, in a sentence or two.")
    unit = serializers.CharField()
    better = serializers.ChoiceField(choices=["higher", "lower"], allow_null=True)
    failed = serializers.BooleanField(help_text="True when the indicator could not be computed.")
    value = serializers.FloatField(allow_null=True, help_text="Null: nothing to measure yet.")
    display = serializers.CharField()
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    period_days = serializers.IntegerField(
        allow_null=True,
        help_text="Days of the period the value covers, ending on as_of; null for a state.",
    )
    previous_value = serializers.FloatField(
        allow_null=True,
        help_text="The same method over the period before, from the records as they are now; "
        "null for a state or with nothing to measure.",
    )
    previous_display = serializers.CharField(allow_blank=True)
    change = serializers.ChoiceField(
        choices=["better", "worse", "same"],
        allow_null=True,
        help_text="Against the previous period, where a direction is good; null otherwise.",
    )
    status = serializers.ChoiceField(
        choices=["realised", "watch", "challenge"],
        allow_null=True,
        help_text="Against the administration's thresholds; null where it has set none.",
    )
    thresholds = ThresholdPairSerializer(allow_null=True)


class PerceivedStatementSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    answers = serializers.IntegerField()
    agree_share = serializers.FloatField(
        allow_null=True, help_text="Null with fewer answers than the anonymity threshold."
    )
    mean = serializers.FloatField(allow_null=True)


class PerceivedRoundSerializer(serializers.Serializer):
    administration = serializers.SlugField()
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()


class PerceivedSerializer(serializers.Serializer):
    respondents = serializers.IntegerField(help_text="People who answered the rounds pooled.")
    answers = serializers.IntegerField(
        help_text="Answers to the cell's statements, 'don't know' left out."
    )
    agree_share = serializers.FloatField(help_text="Share of the answers agreeing (4 or 5 of 5).")
    mean = serializers.FloatField(help_text="Mean answer, 1 (strongly disagree) to 5.")
    rounds = PerceivedRoundSerializer(many=True)
    statements = PerceivedStatementSerializer(many=True)


class ScorecardCellSerializer(serializers.Serializer):
    code = serializers.CharField()
    element = serializers.ChoiceField(
        choices=["data", "interaction", "tailoring", "simplification"]
    )
    kind = serializers.ChoiceField(choices=["benefit", "challenge"])
    title = serializers.CharField()
    summary = serializers.CharField()
    measures = serializers.CharField(help_text="What the cell measures, in words.")
    indicators = ScorecardIndicatorSerializer(many=True)
    perceived = PerceivedSerializer(
        allow_null=True,
        help_text=(
            "What employees report in the staff survey's latest round of each administration; "
            "null until at least the threshold of people (5 by default) answered it."
        ),
    )
    residents = PerceivedSerializer(
        allow_null=True,
        help_text=(
            "What residents say in the community survey's latest round of each administration, "
            "the same shape; null for cells it does not ask about or under its threshold."
        ),
    )
    measured_status = serializers.ChoiceField(
        choices=["realised", "watch", "challenge"],
        allow_null=True,
        help_text="The worst status of the cell's indicators; null without thresholds.",
    )
    disagreement = serializers.CharField(
        allow_blank=True,
        help_text="Where what staff report and what is measured disagree, in words; else empty.",
    )


class ScorecardSerializer(serializers.Serializer):
    administration = serializers.SlugField()
    scope = serializers.ChoiceField(choices=["hosted", "self"])
    administrations = serializers.ListField(
        child=serializers.SlugField(), help_text="The administrations the figures cover."
    )
    as_of = serializers.DateField()
    computed_at = serializers.DateTimeField(
        allow_null=True, help_text="When the figures were computed (a snapshot may be older)."
    )
    stale = serializers.BooleanField(
        help_text="True when the figures are older than the configured maximum age and a new "
        "computation has been asked of the background worker."
    )
    cells = ScorecardCellSerializer(many=True)
