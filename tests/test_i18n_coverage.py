"""Every string a person sees goes through translation and has an Italian translation (issue 12,
item 9). tests/test_translations.py checks that the catalogue is complete; these check that the
strings reach it. The scanner is tests/i18n_scan.py; its allowlist (NOT_TRANSLATED) is short on
purpose: names, standards, units and language names written in their own language."""

from __future__ import annotations

import pytest

from tests import i18n_scan as scan

pytestmark = pytest.mark.once  # uses no database: CI's PostgreSQL pass leaves it out


@pytest.fixture(scope="module")
def italian():
    return scan.catalogue()


def _report(findings) -> str:
    return "\n".join(str(f) for f in findings[:40]) + (
        f"\n... and {len(findings) - 40} more" if len(findings) > 40 else ""
    )


def test_templates_mark_every_visible_string():
    findings = scan.scan_templates(scan.template_files())
    assert not findings, "text not marked for translation:\n" + _report(findings)


def test_python_marks_every_visible_string():
    findings, _msgids = scan.scan_python(scan.python_files())
    assert not findings, "text not wrapped in gettext:\n" + _report(findings)


def test_gettext_is_imported_under_a_name_makemessages_extracts():
    """Indicator titles were imported as `_lazy`, which xgettext does not read: they never
    reached the catalogue and stayed English on the Italian Scorecard."""
    _findings, msgids = scan.scan_python(scan.python_files())
    unread = [f"{where} {msgid!r}" for _c, msgid, _l, where in msgids if not _extracted(where)]
    assert not unread, "makemessages cannot see these:\n" + "\n".join(unread[:40])


def _extracted(where: str) -> bool:
    return where.rsplit(":", 1)[1] in scan.EXTRACTED


def test_every_python_msgid_has_an_italian_translation(italian):
    _findings, msgids = scan.scan_python(scan.python_files())
    missing = [
        f"{where.rsplit(':', 1)[0]}:{line} {msgid!r}"
        for context, msgid, line, where in msgids
        if not italian.get((context, msgid))
    ]
    assert not missing, "no Italian translation:\n" + "\n".join(missing[:40])


def test_every_template_msgid_has_an_italian_translation(italian):
    missing = [
        f"{scan._relative(path)}:{line} {msgid!r}"
        for path in scan.template_files()
        for context, msgid, line in scan.template_msgids(path)
        if not italian.get((context, msgid))
    ]
    assert not missing, "no Italian translation:\n" + "\n".join(missing[:40])


# --- the scanner finds what it should ----------------------------------------------------------


def test_scanner_finds_unmarked_text_in_a_template(tmp_path):
    template = tmp_path / "templates" / "x.html"
    template.parent.mkdir()
    template.write_text(
        "{% load i18n %}<h1>Welcome back</h1>\n"
        '<p title="More about it">{% translate "Fine" %} {{ name }} · 3</p>\n'
        "{% blocktranslate %}Also fine {{ x }}{% endblocktranslate %}\n"
        '<input type="submit" value="Send"><button name="do" value="assign">{% translate "Go" %}'
        "</button>\n"
        '<img alt="A photo"><a href="#" aria-label="Close">×</a>\n'
        "<code>manage.py</code> Insieme {# a comment #}{% comment %}Not shown{% endcomment %}\n"
    )
    found = {(f.line, f.why, f.text) for f in scan.scan_templates([template])}
    assert found == {
        (1, "text", "Welcome back"),
        (2, "p[title]", "More about it"),
        (4, "input[value]", "Send"),
        (5, "img[alt]", "A photo"),
        (5, "a[aria-label]", "Close"),
    }


def test_scanner_finds_unmarked_text_in_python(tmp_path):
    module = tmp_path / "views.py"
    module.write_text(
        "from django import forms\n"
        "from django.contrib import messages\n"
        "from django.core.exceptions import ValidationError\n"
        "from django.db import models\n"
        "from django.utils.translation import gettext as _, gettext_lazy as _lazy\n"
        "class Kind(models.TextChoices):\n"
        '    A = "a", "Apple"\n'
        '    B = "b", _("Banana")\n'
        "class F(forms.Form):\n"
        '    name = forms.CharField(label="Your name", help_text=_("Fine"))\n'
        '    size = models.CharField("size", max_length=3)\n'
        "def view(request):\n"
        '    messages.success(request, "Saved.")\n'
        '    messages.info(request, _("Fine."))\n'
        '    logger.info("Not for people")\n'
        '    raise ValidationError({"name": f"Bad {request}"})\n'
        'TITLE = _lazy("Read by nobody")\n'
    )
    findings, msgids = scan.scan_python([module])
    assert {(f.line, f.text) for f in findings} == {
        (7, "Apple"),
        (10, "Your name"),
        (11, "size"),
        (13, "Saved."),
        (16, "Bad "),
    }
    assert [(m, w.rsplit(":", 1)[1]) for _c, m, _l, w in msgids if not _extracted(w)] == [
        ("Read by nobody", "_lazy")
    ]


def test_a_msgid_missing_from_the_catalogue_is_found(tmp_path, italian):
    template = tmp_path / "templates" / "y.html"
    template.parent.mkdir()
    template.write_text(
        '{% load i18n %}{% translate "Log out" %}{% translate "Never translated, this" %}\n'
        "{% blocktranslate trimmed with when=day %}\n  Acknowledged on\n {{ when }}\n"
        "{% endblocktranslate %}"
    )
    msgids = scan.template_msgids(template)
    assert [m for _c, m, _l in msgids] == [
        "Log out",
        "Never translated, this",
        "Acknowledged on %(when)s",
    ]
    assert [m for c, m, _l in msgids if not italian.get((c, m))] == ["Never translated, this"]
