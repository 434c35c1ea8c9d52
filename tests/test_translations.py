"""The Italian catalogues are complete: every entry translated, none left fuzzy, placeholders kept.
The central catalogue (insieme/locale) and each app's own (insieme/<app>/locale) are read alike."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.once  # uses no database: CI's PostgreSQL pass leaves it out


PACKAGE = Path(__file__).resolve().parents[1] / "insieme"
PO = PACKAGE / "locale" / "it" / "LC_MESSAGES" / "django.po"
CATALOGUES = sorted(PACKAGE.glob("**/locale/it/LC_MESSAGES/django.po"))
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sd]")


def _entries(text: str):
    for block in text.strip().split("\n\n")[1:]:
        if block.lstrip().startswith("#~"):
            continue  # obsolete
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block.splitlines())
        msgid = _joined(block, "msgid")
        plural = _joined(block, "msgid_plural")
        msgstrs = [_joined(block, key) for key in ("msgstr", "msgstr[0]", "msgstr[1]")]
        yield msgid, plural, [m for m in msgstrs if m is not None], fuzzy


def _joined(block: str, key: str) -> str | None:
    match = re.search(rf'^{re.escape(key)} "(.*)"\n((?:".*"\n?)*)', block + "\n", re.M)
    if not match:
        return None
    return match.group(1) + "".join(re.findall(r'^"(.*)"$', match.group(2), re.M))


def test_the_central_catalogue_is_among_those_read():
    assert PO in CATALOGUES


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_italian_entry_is_translated_and_keeps_its_placeholders(po):
    problems = []
    for msgid, plural, msgstrs, fuzzy in _entries(po.read_text()):
        if fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        if not msgstrs or any(not m for m in msgstrs):
            problems.append(f"untranslated: {msgid!r}")
        expected = set(PLACEHOLDER.findall(msgid))
        for m in msgstrs:
            found = set(PLACEHOLDER.findall(m or ""))
            if plural is not None:  # a form may leave out the count, never invent a name
                ok = found <= expected | set(PLACEHOLDER.findall(plural))
            else:
                ok = found == expected
            if m and not ok:
                problems.append(f"placeholders differ: {msgid!r}")
    assert not problems, "\n".join(problems[:20])
