"""The findings of the personal-data scanner, /staff/<administration>/privacy/findings/: each
with where its text is, the kinds of data found and the text around them (already redacted:
the screen never shows the personal data), filtered by state and kind, public texts first; and
the data steward's decision on each ("Redact" or "Not personal data").

Everything needs `privacy:data:manage` in the administration (404 outside the person's
administrations, 403 without the permission)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from insieme.cases.models import Case, CaseEvent
from insieme.core.access import get_administration_for_user, get_scoped
from insieme.core.permissions import Perm
from insieme.core.pii import localise
from insieme.core.safe_input import CheckedInputMixin
from insieme.participation.models import Comment, Idea
from insieme.privacy import actions
from insieme.privacy.models import Finding
from insieme.privacy.scanner import KIND_LABELS, SOURCES, SOURCES_BY_KEY

PAGE_SIZE = 50
ALL = "all"


class FilterForm(CheckedInputMixin, forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=[*Finding.State.choices, (ALL, gettext_lazy("All"))],
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of data"),
        required=False,
        choices=[("", gettext_lazy("Any")), *KIND_LABELS.items()],
    )


def _admin(request: HttpRequest, admin_slug: str):
    return get_administration_for_user(request.user, admin_slug, Perm.PRIVACY_MANAGE)


def _filters(data) -> tuple[dict[str, str], bool]:
    """({"state": ..., "kind": ...} as chosen, whether they were valid); invalid ones give
    the default list (findings to review, any kind)."""
    form = FilterForm(data)
    if not form.is_valid():
        return {"state": Finding.State.OPEN, "kind": ""}, False
    return {
        "state": form.cleaned_data["state"] or Finding.State.OPEN,
        "kind": form.cleaned_data["kind"],
    }, True


def _queryset(admin, state: str, kind: str):
    qs = Finding.objects.filter(administration=admin)
    if state != ALL:
        qs = qs.filter(state=state)
    if kind:
        # `kinds` is a JSON list of fixed words: the quoted word is in its text exactly when it
        # is in the list (a `contains` on JSON is PostgreSQL's only).
        qs = qs.filter(kinds__icontains=f'"{kind}"')
    public = [s.key for s in SOURCES if s.public]
    # Public texts first: public pages show them.
    staff_only = models.Case(
        models.When(source__in=public, then=models.Value(0)), default=models.Value(1)
    )
    return qs.annotate(staff_only=staff_only).order_by("staff_only", "-found_at", "-pk")


# --- where each text is: one query per kind of source on a page --------------------------------


def _case_links(admin, ids) -> dict[int, str]:
    refs = Case.objects.filter(administration=admin, pk__in=ids).values_list("pk", "reference")
    return {pk: reverse("staff_case", args=[admin.slug, ref]) for pk, ref in refs}


def _event_links(admin, ids) -> dict[int, str]:
    refs = CaseEvent.objects.filter(case__administration=admin, pk__in=ids).values_list(
        "pk", "case__reference"
    )
    return {pk: reverse("staff_case", args=[admin.slug, ref]) for pk, ref in refs}


def _idea_links(admin, ids) -> dict[int, str]:
    found = Idea.objects.filter(process__administration=admin, pk__in=ids)
    return {
        pk: reverse("staff_participation_idea", args=[admin.slug, pk])
        for pk in found.values_list("pk", flat=True)
    }


def _comment_links(admin, ids) -> dict[int, str]:
    # A comment on an idea is read on the idea's page; one on a process or another target has
    # no staff page of its own.
    pairs = Comment.objects.filter(administration=admin, pk__in=ids, idea__isnull=False)
    return {
        pk: reverse("staff_participation_idea", args=[admin.slug, idea])
        for pk, idea in pairs.values_list("pk", "idea_id")
    }


LINKS = {
    "cases.case.public_description": _case_links,
    "cases.case.description": _case_links,
    "cases.caseevent.public_text": _event_links,
    "participation.idea.title": _idea_links,
    "participation.idea.body": _idea_links,
    "participation.comment.body": _comment_links,
}


def _links(admin, findings: list[Finding]) -> dict[tuple[str, int], str]:
    by_source: dict[str, list[int]] = {}
    for f in findings:
        by_source.setdefault(f.source, []).append(f.object_id)
    links = {}
    for source, ids in by_source.items():
        if source in LINKS:
            for pk, url in LINKS[source](admin, ids).items():
                links[(source, pk)] = url
    return links


def _items(admin, findings: list[Finding]) -> list[dict]:
    links = _links(admin, findings)
    items = []
    for f in findings:
        source = SOURCES_BY_KEY.get(f.source)
        items.append(
            {
                "finding": f,
                "label": source.label if source else f.source,
                "public": source.public if source else False,
                "kinds": [KIND_LABELS.get(k, k) for k in f.kinds],
                "excerpt": localise(f.excerpt),
                "url": links.get((f.source, f.object_id)),
                "actions": [
                    a for a, states in actions.FINDING_ACTIONS.items() if f.state in states
                ],
            }
        )
    return items


@login_required
@require_GET
def findings(request: HttpRequest, admin_slug: str) -> HttpResponse:
    admin = _admin(request, admin_slug)
    chosen, valid = _filters(request.GET)
    page = Paginator(_queryset(admin, **chosen), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "privacy/staff/findings.html",
        {
            "administration": admin,
            "page": page,
            "items": _items(admin, list(page.object_list)),
            "form": FilterForm(initial=chosen),
            "chosen": chosen,
            "query": urlencode({k: v for k, v in chosen.items() if v}),
            "bad_filter": not valid,
        },
        status=200 if valid else 400,
    )


def _list_url(admin, data) -> str:
    """The list as it was when the decision was sent (its filters and page, if valid)."""
    chosen, valid = _filters(data)
    query = {k: v for k, v in chosen.items() if v} if valid else {}
    page = data.get("page", "")
    if page.isdigit() and len(page) < 10:
        query["page"] = page
    url = reverse("privacy:staff_findings", args=[admin.slug])
    return f"{url}?{urlencode(query)}" if query else url


DONE = {
    actions.REDACT: gettext_lazy("Redacted: the text now holds placeholders where the data was."),
    actions.DISMISS: gettext_lazy("Marked as not personal data: the text stays as it is."),
}


@login_required
@require_POST
def resolve(request: HttpRequest, admin_slug: str, pk: int) -> HttpResponse:
    admin = _admin(request, admin_slug)
    finding = get_scoped(Finding.objects.all(), admin, pk)
    action = request.POST.get("action", "")
    try:
        actions.resolve_finding(request.user, finding, action)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, DONE[action])
    return redirect(_list_url(admin, request.POST))
