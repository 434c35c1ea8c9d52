"""The public side of open data: /opendata/ lists every published dataset (filterable by
administration and theme), /opendata/<administration>/<dataset>/ describes one (its columns,
anonymisation, licence, versions) and its files download from there. No sign-in needed; only
published datasets exist here (404 for the rest, whether they exist or not)."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from insieme.opendata import catalogue, publish
from insieme.opendata.models import Publication

THEMES = {
    "AGRI": gettext_lazy("Agriculture, fisheries, forestry and food"),
    "ECON": gettext_lazy("Economy and finance"),
    "EDUC": gettext_lazy("Education, culture and sport"),
    "ENER": gettext_lazy("Energy"),
    "ENVI": gettext_lazy("Environment"),
    "GOVE": gettext_lazy("Government and public sector"),
    "HEAL": gettext_lazy("Health"),
    "INTR": gettext_lazy("International issues"),
    "JUST": gettext_lazy("Justice, legal system and public safety"),
    "REGI": gettext_lazy("Regions and cities"),
    "SOCI": gettext_lazy("Population and society"),
    "TECH": gettext_lazy("Science and technology"),
    "TRAN": gettext_lazy("Transport"),
}


def theme_name(code: str) -> str:
    return str(THEMES.get(code, code))


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    found = catalogue.entries()
    admins = sorted({e.administration for e in found}, key=lambda a: a.name)
    chosen_admin = request.GET.get("administration", "")
    chosen_theme = request.GET.get("theme", "")
    status = 200
    if chosen_admin and chosen_admin not in {a.slug for a in admins}:
        status, chosen_admin = 400, ""
    if chosen_theme and chosen_theme not in THEMES:
        status, chosen_theme = 400, ""
    shown = [
        e
        for e in found
        if (not chosen_admin or e.administration.slug == chosen_admin)
        and (not chosen_theme or e.dataset.theme == chosen_theme)
    ]
    themes = sorted({e.dataset.theme for e in found})
    return render(
        request,
        "opendata/index.html",
        {
            "entries": shown,
            "administrations": admins,
            "themes": [(code, theme_name(code)) for code in themes],
            "chosen_admin": chosen_admin,
            "chosen_theme": chosen_theme,
            "bad_filter": status == 400,
            "total": len(found),
        },
        status=status,
    )


def _entry(admin_slug: str, key: str) -> catalogue.Entry:
    found = catalogue.entry(admin_slug, key)
    if found is None:
        raise Http404(_("There is no published dataset here."))
    return found


@require_GET
def dataset(request: HttpRequest, admin_slug: str, key: str) -> HttpResponse:
    entry = _entry(admin_slug, key)
    versions = list(
        Publication.objects.filter(administration=entry.administration, dataset=key).order_by(
            "-version"
        )
    )
    return render(
        request,
        "opendata/dataset.html",
        {
            "entry": entry,
            "dataset": entry.dataset,
            "administration": entry.administration,
            "publication": entry.publication,
            "versions": versions,
            "formats": publish.formats_of(entry.dataset),
            "theme": theme_name(entry.dataset.theme),
            "threshold": entry.setting.threshold,
            "grid": int(settings.INSIEME_OPENDATA_GRID_METRES),
        },
    )


def serve_file(publication: Publication, fmt: str, filename: str) -> FileResponse:
    path = publish.file_path(publication, fmt)
    if path is None:
        raise Http404(_("This dataset has no file in that format."))
    response = FileResponse(
        path.open("rb"),
        content_type=publish.MEDIA_TYPES[fmt],
        as_attachment=fmt == "parquet",
        filename=filename,
    )
    response["ETag"] = '"' + publication.files[fmt]["sha256"] + '"'
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def download(
    request: HttpRequest, admin_slug: str, key: str, fmt: str, version: str | None = None
) -> FileResponse:
    entry = _entry(admin_slug, key)
    publication = entry.publication
    if version is not None:
        publication = Publication.objects.filter(
            administration=entry.administration, dataset=key, version=int(version)
        ).first()
        if publication is None:
            raise Http404(_("This dataset has no such version."))
    name = f"{entry.name}-v{publication.version}.{fmt}"
    return serve_file(publication, fmt, name)
