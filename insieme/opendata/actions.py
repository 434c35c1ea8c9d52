"""Every write of open data: validate, write in a transaction, audit (DESIGN.md §3)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insieme.core import audit
from insieme.core.models import Administration
from insieme.core.registry import datasets
from insieme.opendata.models import LICENCES, DatasetSetting, ServiceTextPolicy, TextReview

FIELDS = ["state", "threshold", "licence", "issued_at", "withdrawn_reason"]


def _setting(administration: Administration, key: str) -> DatasetSetting:
    if key not in datasets:
        raise ValidationError(_("There is no such dataset."))
    setting, _created = DatasetSetting.objects.select_for_update().get_or_create(
        administration=administration, dataset=key
    )
    return setting


def change_state(actor, administration: Administration, key: str, state: str, reason: str = ""):
    """Publish a dataset (the catalogue lists it) or withdraw it (with a reason: the catalogue
    drops it; its files stop being served)."""
    if state not in (DatasetSetting.State.PUBLISHED, DatasetSetting.State.WITHDRAWN):
        raise ValidationError(_("A dataset can be published or withdrawn."))
    reason = (reason or "").strip()
    if state == DatasetSetting.State.WITHDRAWN and not reason:
        raise ValidationError({"reason": _("Say why the dataset is withdrawn.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("Keep the reason under 300 characters.")})
    with transaction.atomic():
        setting = _setting(administration, key)
        before = audit.snapshot(setting, FIELDS)
        setting.state = state
        setting.withdrawn_reason = reason if state == DatasetSetting.State.WITHDRAWN else ""
        if state == DatasetSetting.State.PUBLISHED and setting.issued_at is None:
            setting.issued_at = timezone.now()
        setting.updated_at = timezone.now()
        setting.save()
        audit.record(
            actor=actor,
            action=f"opendata.{state}",
            obj=setting,
            administration=administration,
            before=before,
            after=audit.snapshot(setting, FIELDS),
        )
    return setting


def update_setting(actor, administration: Administration, key: str, *, threshold, licence):
    if licence not in LICENCES:
        raise ValidationError({"licence": _("Choose one of the licences offered.")})
    if not isinstance(threshold, int) or not 2 <= threshold <= 100:
        raise ValidationError({"threshold": _("The threshold is a whole number from 2 to 100.")})
    with transaction.atomic():
        setting = _setting(administration, key)
        before = audit.snapshot(setting, FIELDS)
        setting.threshold, setting.licence = threshold, licence
        setting.updated_at = timezone.now()
        setting.save()
        audit.record(
            actor=actor,
            action="opendata.settings",
            obj=setting,
            administration=administration,
            before=before,
            after=audit.snapshot(setting, FIELDS),
        )
    return setting


def set_text_policy(actor, service, *, text: str, sensitive_places: bool) -> ServiceTextPolicy:
    if text not in ServiceTextPolicy.Text.values:
        raise ValidationError({"text": _("Choose one of the options offered.")})
    with transaction.atomic():
        policy, _created = ServiceTextPolicy.objects.select_for_update().get_or_create(
            service=service
        )
        before = audit.snapshot(policy, ["text", "sensitive_places"])
        policy.text, policy.sensitive_places = text, bool(sensitive_places)
        policy.save()
        audit.record(
            actor=actor,
            action="opendata.text_policy",
            obj=policy,
            administration=service.administration,
            before=before,
            after=audit.snapshot(policy, ["text", "sensitive_places"]),
        )
    return policy


def decide_review(actor, review: TextReview, *, approve: bool) -> TextReview:
    """Approve or refuse a redacted text for open data (the next publication run applies it)."""
    with transaction.atomic():
        review = TextReview.objects.select_for_update().get(pk=review.pk)
        review.state = TextReview.State.APPROVED if approve else TextReview.State.REFUSED
        review.decided_by, review.decided_at = actor, timezone.now()
        review.save(update_fields=["state", "decided_by", "decided_at"])
        # The audit entry records the decision, not the text.
        audit.record(
            actor=actor,
            action="opendata.review",
            obj=review,
            administration=review.administration,
            after={"record": review.record, "state": review.state, "text_hash": review.text_hash},
        )
    return review
