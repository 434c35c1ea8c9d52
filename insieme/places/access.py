"""Reads of the street register from requests. The register is public data (street names,
house numbers and where they are): anyone may read any administration's register, so the only
answer besides the data is 404 for an administration that does not exist."""

from __future__ import annotations

from django.http import Http404

from insieme.core.models import Administration


def get_administration_or_404(slug: str) -> Administration:
    admin = Administration.objects.filter(slug=slug).first()
    if admin is None:
        raise Http404
    return admin
