"""The data steward's screens, /staff/<administration>/opendata/: every dataset the apps offer,
with its state, latest version and an anonymised preview; publishing, withdrawing and
regenerating; the small-count threshold and licence; each service's free-text policy; and the
review of redacted texts before they are published.

Everything needs `opendata:dataset:manage` in the administration (404 outside the person's
administrations, 403 without the permission)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from insieme.catalog.models import Service
from insieme.core.access import get_administration_for_user, get_scoped
from insieme.core.permissions import Perm
from insieme.core.registry import datasets as registered
from insieme.opendata import actions, publish
from insieme.opendata.forms import SettingForm, StateForm, TextPolicyForm
from insieme.opendata.models import DatasetSetting, Publication, ServiceTextPolicy, TextReview
from insieme.opendata.views import serve_file

PREVIEW_ROWS = 20


def _admin(request: HttpRequest, admin_slug: str):
    return get_administration_for_user(request.user, admin_slug, Perm.OPENDATA_MANAGE)


def _dataset(key: str):
    if key not in registered:
        raise Http404(_("There is no such dataset."))
    return registered.get(key)


def _latest(admin, key: str) -> Publication | None:
    return (
        Publication.objects.filter(administration=admin, dataset=key).order_by("-version").first()
    )


@login_required
@require_GET
def datasets(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = _admin(request, admin_slug)
    settings_by_key = {s.dataset: s for s in DatasetSetting.objects.filter(administration=admin)}
    latest = {}
    for p in Publication.objects.filter(administration=admin).order_by("dataset", "-version"):
        latest.setdefault(p.dataset, p)
    rows = [
        {
            "dataset": ds,
            "setting": settings_by_key.get(ds.key) or DatasetSetting(dataset=ds.key),
            "publication": latest.get(ds.key),
        }
        for ds in registered
    ]
    pending = TextReview.objects.filter(
        administration=admin, state=TextReview.State.PENDING
    ).count()
    return render(
        request,
        "opendata/staff/datasets.html",
        {"administration": admin, "rows": rows, "pending": pending},
    )


def _preview(publication: Publication | None) -> tuple[list[str], list[list]]:
    """The first rows of the latest version, read from its Parquet file (its first batch only:
    the file may hold a million rows)."""
    import pyarrow.parquet as pq

    path = publish.file_path(publication, "parquet") if publication else None
    if path is None:
        return [], []
    batch = next(pq.ParquetFile(path).iter_batches(batch_size=PREVIEW_ROWS), None)
    if batch is None:
        return [], []
    columns = batch.schema.names
    return columns, [[row[c] for c in columns] for row in batch.to_pylist()]


@login_required
@require_http_methods(["GET", "POST"])
def dataset(request: HttpRequest, admin_slug: str, key: str) -> HttpResponse:
    admin = _admin(request, admin_slug)
    _dataset(key)
    setting = publish.setting_for(admin, key)
    form = SettingForm(request.POST or None, instance=setting)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.update_setting(
                    request.user,
                    admin,
                    key,
                    threshold=form.cleaned_data["threshold"],
                    licence=form.cleaned_data["licence"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("Saved. The next publication run applies the new settings.")
                )
                return redirect("opendata:staff_dataset", admin.slug, key)
        status = 400
    return _render_dataset(request, admin, key, form=form, status=status)


def _render_dataset(request, admin, key, *, form=None, state_form=None, status=200):
    ds = _dataset(key)
    publication = _latest(admin, key)
    columns, preview = _preview(publication)
    return render(
        request,
        "opendata/staff/dataset.html",
        {
            "administration": admin,
            "dataset": ds,
            "setting": publish.setting_for(admin, key),
            "form": form or SettingForm(instance=publish.setting_for(admin, key)),
            "state_form": state_form or StateForm(),
            "publication": publication,
            "formats": publish.formats_of(ds),
            "preview_columns": columns,
            "preview": preview,
            "versions": Publication.objects.filter(administration=admin, dataset=key).order_by(
                "-version"
            ),
        },
        status=status,
    )


@login_required
@require_POST
def publish_now(request: HttpRequest, admin_slug: str, key: str) -> HttpResponse:
    admin = _admin(request, admin_slug)
    _dataset(key)
    before = _latest(admin, key)
    publication = publish.publish(admin, key, actor=request.user)
    if before is not None and before.pk == publication.pk:
        messages.info(
            request,
            _("Nothing changed since version %(v)d: it stays current.")
            % {"v": publication.version},
        )
    else:
        messages.success(request, _("Version %(v)d generated.") % {"v": publication.version})
    return redirect("opendata:staff_dataset", admin.slug, key)


@login_required
@require_POST
def change_state(request: HttpRequest, admin_slug: str, key: str) -> HttpResponse:
    admin = _admin(request, admin_slug)
    _dataset(key)
    form = StateForm(request.POST)
    if not form.is_valid():
        return _render_dataset(request, admin, key, state_form=form, status=400)
    try:
        setting = actions.change_state(
            request.user, admin, key, form.cleaned_data["state"], form.cleaned_data["reason"]
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _render_dataset(request, admin, key, state_form=form, status=400)
    if setting.state == DatasetSetting.State.PUBLISHED and _latest(admin, key) is None:
        publish.publish(admin, key, actor=request.user)
    messages.success(
        request,
        _("Published: the catalogue lists it.")
        if setting.state == DatasetSetting.State.PUBLISHED
        else _("Withdrawn: the catalogue no longer lists it and its files are not served."),
    )
    return redirect("opendata:staff_dataset", admin.slug, key)


@login_required
@require_GET
def preview_download(request: HttpRequest, admin_slug: str, key: str, fmt: str):
    admin = _admin(request, admin_slug)
    _dataset(key)
    publication = _latest(admin, key)
    if publication is None or fmt not in publish.FORMATS:
        raise Http404(_("This dataset has no file in that format."))
    response = serve_file(publication, fmt, f"{admin.slug}-{key}-v{publication.version}.{fmt}")
    response["Cache-Control"] = "private, no-store"
    del response["Access-Control-Allow-Origin"]
    return response


@login_required
@require_http_methods(["GET", "POST"])
def services(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = _admin(request, admin_slug)
    services_qs = Service.objects.filter(administration=admin).order_by("code")
    policies = {p.service_id: p for p in ServiceTextPolicy.objects.filter(service__in=services_qs)}
    status = 200
    if request.method == "POST":
        service = get_scoped(services_qs, admin, request.POST.get("service"))
        form = TextPolicyForm(request.POST, prefix=None)
        if form.is_valid():
            actions.set_text_policy(
                request.user,
                service,
                text=form.cleaned_data["text"],
                sensitive_places=form.cleaned_data["sensitive_places"],
            )
            messages.success(request, _("Saved for %(s)s.") % {"s": service.i18n.name})
            return redirect("opendata:staff_services", admin.slug)
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        status = 400
    rows = []
    for service in services_qs:
        policy = policies.get(service.pk) or ServiceTextPolicy(service=service)
        rows.append(
            {
                "service": service,
                "form": TextPolicyForm(
                    initial={"text": policy.text, "sensitive_places": policy.sensitive_places},
                    auto_id=f"id_%s_{service.pk}",
                ),
            }
        )
    return render(
        request,
        "opendata/staff/services.html",
        {"administration": admin, "rows": rows},
        status=status,
    )


@login_required
@require_GET
def reviews(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = _admin(request, admin_slug)
    state = request.GET.get("state", TextReview.State.PENDING)
    if state not in TextReview.State.values:
        state = TextReview.State.PENDING
    qs = TextReview.objects.filter(administration=admin, state=state).order_by("created_at", "pk")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "opendata/staff/reviews.html",
        {
            "administration": admin,
            "page": page,
            "state": state,
            "states": TextReview.State.choices,
        },
    )


@login_required
@require_POST
def decide(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = _admin(request, admin_slug)
    review = get_scoped(TextReview.objects.all(), admin, pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "refuse"):
        messages.error(request, _("Choose to approve or to refuse the text."))
        return redirect("opendata:staff_reviews", admin.slug)
    actions.decide_review(request.user, review, approve=decision == "approve")
    messages.success(
        request,
        _("Approved: the next publication run includes the text.")
        if decision == "approve"
        else _("Refused: the text stays out of open data."),
    )
    return redirect("opendata:staff_reviews", admin.slug)
