"""Small faults of issue 12 (item 13): /favicon.ico, and a breadcrumb on the invitation pages."""

from __future__ import annotations

import re

from django.test import Client

from tests.core.test_invitations import (  # noqa: F401  (fixtures)
    _fresh_throttle_and_chain,
    invited,
    roads,
    send,
)


def test_favicon_is_served_where_browsers_look(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/vnd.microsoft.icon"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "max-age=86400" in response["Cache-Control"]
    page = client.get("/").content.decode()
    assert re.search(r'<link rel="icon" href="[^"]+favicon[^"]*\.ico"', page)


def _breadcrumb(html: str) -> str:
    match = re.search(r'<nav class="breadcrumb-container"[^>]*>(.*?)</nav>', html, re.S)
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).strip() if match else ""


def test_invitation_pages_have_a_breadcrumb(invited, persona_client, charlie):  # noqa: F811
    anonymous = Client().get(invited)  # the new person's sign-up form
    assert anonymous.status_code == 200
    crumbs = _breadcrumb(anonymous.content.decode())
    assert crumbs.startswith("Home") and "Invitation to join" in crumbs
    assert 'aria-current="page">Invitation to join' in anonymous.content.decode()
    wrong = persona_client(charlie).get(invited)  # signed in as someone else
    assert "Invitation to join" in _breadcrumb(wrong.content.decode())
