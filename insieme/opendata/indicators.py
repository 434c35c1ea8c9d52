"""Open data's Scorecard indicators (cell D3 of DESIGN.md §1: confidentiality,
interoperability, little open data).

- Datasets published with valid metadata: of the datasets the apps offer each administration,
  the share published, generated, and with the metadata DCAT-AP_IT requires of a publisher
  (the administration's IPA code as its identifier), with every file there at its size.
- Services on open APIs: the share of published services that Open311 clients and the REST
  API can file requests for (offered on the API channel).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insieme.catalog.indicators import published_services, share
from insieme.core.models import Administration
from insieme.core.registry import Indicator, IndicatorResult, Scope, datasets
from insieme.opendata import publish
from insieme.opendata.models import DatasetSetting, Publication


def _problems(admin: Administration, setting, publication) -> list[str]:
    found = []
    if setting is None or setting.state != DatasetSetting.State.PUBLISHED:
        found.append(_("not published"))
    if publication is None:
        found.append(_("never generated"))
    else:
        for fmt, info in publication.files.items():
            path = publish.file_path(publication, fmt)
            if path is None or path.stat().st_size != info["bytes"]:
                found.append(_("%(fmt)s file missing or changed") % {"fmt": fmt.upper()})
    if not admin.ipa_code:
        found.append(_("no IPA code for the publisher"))
    return found


def compute_datasets(scope: Scope) -> IndicatorResult:
    admins = list(Administration.objects.filter(pk__in=scope.administration_ids).order_by("name"))
    settings_by = {
        (s.administration_id, s.dataset): s
        for s in DatasetSetting.objects.filter(administration__in=admins)
    }
    latest: dict[tuple[int, str], Publication] = {}
    for p in Publication.objects.filter(administration__in=admins).order_by("-version"):
        latest.setdefault((p.administration_id, p.dataset), p)
    rows, good = [], 0
    for admin in admins:
        for ds in datasets:
            setting = settings_by.get((admin.pk, ds.key))
            publication = latest.get((admin.pk, ds.key))
            problems = _problems(admin, setting, publication)
            good += not problems
            rows.append(
                [
                    admin.name,
                    str(ds.title),
                    str(setting.get_state_display()) if setting else _("Not published"),
                    publication.version if publication else None,
                    "; ".join(problems) or _("valid"),
                ]
            )
    total = len(rows)
    value, display = share(good, total)
    return IndicatorResult(
        value=value,
        display=display,
        numerator=good,
        denominator=total,
        columns=[_("Administration"), _("Dataset"), _("State"), _("Version"), _("Check")],
        rows=sorted(rows, key=lambda r: (r[4] == _("valid"), r[0], r[1])),
    )


def compute_open_apis(scope: Scope) -> IndicatorResult:
    services = list(
        published_services(scope)
        .select_related("administration")
        .order_by("administration__name", "name")
    )
    on_api = [s for s in services if "api" in (s.channels or [])]
    value, display = share(len(on_api), len(services))
    rows = [
        [s.administration.name, s.name, s.code, _("yes") if s in on_api else _("no")]
        for s in services
    ]
    return IndicatorResult(
        value=value,
        display=display,
        numerator=len(on_api),
        denominator=len(services),
        columns=[_("Administration"), _("Service"), _("Code"), _("On Open311 and the API")],
        rows=sorted(rows, key=lambda r: (r[3] == _("yes"), r[0], r[1])),
    )


INDICATORS = [
    Indicator(
        key="opendata-d3-datasets",
        cell="D3",
        title=gettext_lazy("Datasets published with valid metadata"),
        method=gettext_lazy(
            "Of the open datasets the platform offers each administration, the share that is "
            "published and generated, whose publisher has an IPA code (the identifier DCAT-AP_IT "
            "requires) and whose files are all there, at their recorded sizes."
        ),
        unit="share",
        compute=compute_datasets,
        app="opendata",
        better="higher",
    ),
    Indicator(
        key="opendata-d3-open-apis",
        cell="D3",
        title=gettext_lazy("Services on open APIs"),
        method=gettext_lazy(
            "Share of published services that Open311 clients and the REST API can file "
            "requests for (those offered on the API channel)."
        ),
        unit="share",
        compute=compute_open_apis,
        app="opendata",
        better="higher",
    ),
]
