"""The brand of an administration as the browser fetches it: a stylesheet and a logo, public,
cached, and versioned by their content (the pages link them with ?v=<version>)."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_GET

from insieme.core.branding import brand_of, stylesheet
from insieme.core.models import Administration

MAX_AGE = 24 * 3600  # the URL changes with the content, so a day is safe


def _administration(slug: str) -> Administration:
    fields = ("slug", "name", "brand_name", "primary_colour", "secondary_colour", "logo")
    return get_object_or_404(Administration.objects.only(*fields), slug=slug)


def _cacheable(response, version: str):
    response["ETag"] = f'"{version}"'
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


def _not_modified(request: HttpRequest, version: str) -> HttpResponse | None:
    """A 304 when the browser holds this version already (If-None-Match), else None."""
    response = get_conditional_response(request, etag=f'"{version}"')
    return _cacheable(response, version) if response is not None else None


@require_GET
def branding_css(request: HttpRequest, slug: str) -> HttpResponse:
    brand = brand_of(_administration(slug))
    if (cached := _not_modified(request, brand.version)) is not None:
        return cached
    response = HttpResponse(stylesheet(brand), content_type="text/css; charset=utf-8")
    return _cacheable(response, brand.version)


@require_GET
def branding_logo(request: HttpRequest, slug: str) -> HttpResponse:
    admin = _administration(slug)
    version = brand_of(admin).logo_version
    if not version:
        raise Http404
    if (cached := _not_modified(request, version)) is not None:
        return cached
    try:
        handle = admin.logo.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    return _cacheable(FileResponse(handle, content_type="image/png"), version)
