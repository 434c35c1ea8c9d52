"""Languages as people meet them (issue 12, item 9): the language menu names each language in
that language, whatever language the page is in."""

from __future__ import annotations

import re

import pytest


@pytest.mark.parametrize("current", ["en", "it"])
def test_language_menu_names_each_language_in_itself(client, settings, current, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = current
    html = client.get("/").content.decode()
    menu = re.search(r'<select id="language-select".*?</select>', html, re.S).group(0)
    options = re.findall(r'<option value="(\w+)" lang="(\w+)"[^>]*>([^<]+)</option>', menu)
    assert [(value, lang, name.strip()) for value, lang, name in options] == [
        ("en", "en", "English"),
        ("it", "it", "Italiano"),
    ]
    assert "Inglese" not in menu
