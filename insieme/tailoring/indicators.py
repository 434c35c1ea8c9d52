"""The tailoring app's Scorecard indicators (cell T1 of DESIGN.md §1, customisation): local
variants of shared templates, citizens' personal preferences in use, and the once-only prefill
rate of the filing form.

The first is a state (the catalogue as it is); the other two read the 90 days ending on the
scope's day, from midnight to midnight in the scope's time zone, in one grouped query each (the
prefill rate one more, to count the web filings it leaves out). With nothing to count the value
is None and the display says so. Rows are aggregates (per preference, per service), never about
a person.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insieme.cases.models import Case, Channel
from insieme.catalog.indicators import published_services, share
from insieme.core.figures import percent
from insieme.core.models import User
from insieme.core.registry import Indicator, IndicatorResult, Scope
from insieme.tailoring.models import PrefillRecord

WINDOW_DAYS = 90
ACCESSIBILITY = ("large_text", "high_contrast", "easy_read", "screen_reader")


def _pct(numerator: int, denominator: int) -> str:
    return percent(numerator / denominator, unit="%") if denominator else "—"


# --- local variants of shared templates ---------------------------------------------------------


def compute_local_variants(scope: Scope) -> IndicatorResult:
    services = list(
        published_services(scope)
        .filter(template__isnull=False)
        .values_list("name", "administration__name", "template__name", "overridden_fields")
    )
    customised = sum(1 for s in services if s[3])
    value, display = share(customised, len(services))
    rows = sorted(
        (
            [name, admin, template, len(changed or []), ", ".join(changed or [])]
            for name, admin, template, changed in services
        ),
        key=lambda r: (-r[3], r[1], r[0]),
    )
    return IndicatorResult(
        value=value,
        display=display,
        numerator=customised,
        denominator=len(services),
        columns=[
            _("Service"),
            _("Administration"),
            _("Template"),
            _("Fields changed"),
            _("What changed"),
        ],
        rows=rows,
    )


# --- citizens' personal preferences ---------------------------------------------------------------


def preference_flags(language: str, locale: str, channel: str, *accessibility: bool) -> set[str]:
    """Which preferences a person has set, against the defaults: a contact channel other than
    e-mail, each accessibility option turned on, a language other than the administration's."""
    found = {name for name, on in zip(ACCESSIBILITY, accessibility, strict=True) if on}
    if channel and channel != User.ContactChannel.EMAIL:
        found.add("channel")
    if language and locale and language != locale:
        found.add("language")
    return found


def _preference_labels() -> list[tuple[str, str]]:
    labels = [
        ("channel", _("A contact channel other than e-mail")),
        ("language", _("A language other than the administration's")),
    ]
    return labels + [(name, str(User._meta.get_field(name).verbose_name)) for name in ACCESSIBILITY]


def compute_preferences(scope: Scope) -> IndicatorResult:
    start, end = scope.window(WINDOW_DAYS)
    pairs = (
        Case.objects.filter(
            administration_id__in=scope.administration_ids,
            submitted_at__gte=start,
            submitted_at__lt=end,
            submitted_by__isnull=False,
            filed_by__isnull=True,
        )
        .values_list(
            "submitted_by_id",
            "submitted_by__preferred_language",
            "administration__locale",
            "submitted_by__contact_channel",
            *(f"submitted_by__{name}" for name in ACCESSIBILITY),
        )
        .order_by()
        .distinct()
    )
    people: dict[int, set[str]] = defaultdict(set)
    for user_id, language, locale, channel, *accessibility in pairs:
        people[user_id] |= preference_flags(language, locale, channel, *accessibility)
    using = sum(1 for flags in people.values() if flags)
    value, display = share(using, len(people))
    rows = [
        [label, sum(1 for flags in people.values() if key in flags)]
        for key, label in _preference_labels()
    ]
    rows = [[label, n, _pct(n, len(people))] for label, n in rows]
    rows.append([_("At least one of them"), using, _pct(using, len(people))])
    return IndicatorResult(
        value=value,
        display=display,
        numerator=using,
        denominator=len(people),
        columns=[_("Preference"), _("Citizens"), _("Share of those who filed")],
        rows=rows,
        note=_("A citizen may have several preferences: the rows do not add up."),
    )


# --- the once-only prefill rate -------------------------------------------------------------------


def compute_prefill_rate(scope: Scope) -> IndicatorResult:
    start, end = scope.window(WINDOW_DAYS)
    grouped = list(
        PrefillRecord.objects.filter(
            administration_id__in=scope.administration_ids, filed_at__gte=start, filed_at__lt=end
        )
        .values("service__name", "administration__name")
        .annotate(
            filings=Count("id"),
            prefillable=Sum("prefillable"),
            offered=Sum("offered"),
            kept=Sum("kept"),
            changed=Sum("changed"),
            cleared=Sum("cleared"),
        )
        .order_by("administration__name", "service__name")
    )
    web = Case.objects.filter(
        administration_id__in=scope.administration_ids,
        submitted_at__gte=start,
        submitted_at__lt=end,
        channel=Channel.WEB,
    ).aggregate(
        total=Count("id"),
        anonymous=Count("id", filter=Q(submitted_by__isnull=True)),
    )
    prefillable = sum(r["prefillable"] or 0 for r in grouped)
    offered = sum(r["offered"] or 0 for r in grouped)
    recorded = sum(r["filings"] for r in grouped)
    value, display = share(offered, prefillable)
    rows = [
        [
            r["service__name"],
            r["administration__name"],
            r["filings"],
            r["prefillable"] or 0,
            r["offered"] or 0,
            _pct(r["offered"] or 0, r["prefillable"] or 0),
            r["kept"] or 0,
            r["changed"] or 0,
            r["cleared"] or 0,
            _pct(r["kept"] or 0, r["offered"] or 0),
        ]
        for r in grouped
    ]
    left_out = max(0, web["total"] - recorded)
    return IndicatorResult(
        value=value,
        display=display,
        numerator=offered,
        denominator=prefillable,
        columns=[
            _("Service"),
            _("Administration"),
            _("Filings"),
            _("Prefillable fields"),
            _("Prefilled"),
            _("Share prefilled"),
            _("Kept"),
            _("Changed"),
            _("Cleared"),
            _("Share kept"),
        ],
        rows=rows,
        note=_(
            "Left out: %(left)s of the %(web)s web filings of the period (%(anonymous)s without "
            "an account, the rest signed in but with no offer remembered)."
        )
        % {"left": left_out, "web": web["total"], "anonymous": web["anonymous"]},
    )


INDICATORS: list[Indicator] = [
    Indicator(
        key="tailoring-t1-local-variants",
        cell="T1",
        title=gettext_lazy("Templated services with a local variant"),
        method=gettext_lazy(
            "Share of the published services built on a shared template in which the "
            "administration changed, added or removed at least one template field or question, "
            "as the catalogue is today; services built from scratch are left out. Read it beside "
            "T5: neither end is better in itself."
        ),
        unit="share",
        compute=compute_local_variants,
        app="tailoring",
        better=None,
    ),
    Indicator(
        key="tailoring-t1-preferences",
        cell="T1",
        title=gettext_lazy("Citizens using personal preferences"),
        method=gettext_lazy(
            "Of the people who filed a case in the last 90 days while signed in (on any channel; "
            "cases staff filed for them and filings without an account are left out), the share "
            "whose profile today sets at least one preference away from its default: a contact "
            "channel other than e-mail, an accessibility option turned on, or a language other "
            "than that of an administration they filed with (every account has a language, "
            "recorded at registration, so only a different one counts)."
        ),
        unit="share",
        compute=compute_preferences,
        app="tailoring",
        better="higher",
        period_days=WINDOW_DAYS,
    ),
    Indicator(
        key="tailoring-t1-prefill-rate",
        cell="T1",
        title=gettext_lazy("Form fields prefilled (once only)"),
        method=gettext_lazy(
            "Of the fields the prefill covers on web filings of the last 90 days by signed-in "
            "citizens (contact details; on applications the address and the questions other than "
            "free text and dates), the share that was filled in from the profile or an earlier "
            "application. Filings without an account, on other channels, or whose form offer was "
            "not remembered are left out; the rows show per service how many prefilled fields "
            "were kept, changed or cleared."
        ),
        unit="share",
        compute=compute_prefill_rate,
        app="tailoring",
        better="higher",
        period_days=WINDOW_DAYS,
    ),
]
