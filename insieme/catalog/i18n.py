"""Catalogue content in several languages: each template, service and form question keeps its
texts in the language it was written in (its *source* language, the `language` of the template or
service) and, in `translations`, the same texts in the other languages of the installation:

    service.translations == {"en": {"name": "Potholes", "description": "...", "group": "...",
                                    "keywords": "..."}}
    attribute.translations == {"en": {"label": "How big is it?", "help_text": "...",
                                      "values": {"small": "Small (under 30 cm)"}}}

A reader gets a text in the language asked for, or else the source text, marked as a fallback
(`LocalText.fallback`, `LocalText.lang`) so that a page can say which language it is in. The
source texts stay in the model's own columns: queries, copies from templates and the deviation
report read them as before, and adding a language is a setting, not a migration.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import get_language, get_language_info, pgettext_lazy
from django.utils.translation import gettext as _

SERVICE_TEXTS = ("name", "description", "group", "keywords")
ATTRIBUTE_TEXTS = ("label", "help_text")
VALUES = "values"


class LocalText(str):
    """A text in the language it is shown in. `fallback` is true when the text is the source
    text shown because it has no translation in the language asked for."""

    lang: str
    fallback: bool

    def __new__(cls, text: str, lang: str, fallback: bool = False) -> LocalText:
        obj = super().__new__(cls, text or "")
        obj.lang = lang
        obj.fallback = fallback and bool(text)
        return obj


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


# Names as they read inside a sentence ("in Italian", "in italiano"): Italian writes them in
# lower case, which Django's own names ("Italiano") do not.
LANGUAGE_NAMES = {
    "en": pgettext_lazy("language name inside a sentence", "English"),
    "it": pgettext_lazy("language name inside a sentence", "Italian"),
}


def language_name(code: str) -> str:
    """The language's name in the active language ("Italian" in English, "italiano" in Italian)."""
    if code in LANGUAGE_NAMES:
        return str(LANGUAGE_NAMES[code])
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code


def current(language: str | None = None) -> str:
    """A supported language code: `language` (or the active one) reduced to its base ("it-it"
    is "it"); the first language of the installation when it is none of them."""
    code = (language or get_language() or settings.LANGUAGE_CODE).lower()
    supported = languages()
    for candidate in (code, code.split("-")[0]):
        if candidate in supported:
            return candidate
    return supported[0]


def source_language(obj: Any) -> str:
    """The language a template's, service's or question's own texts are written in."""
    if getattr(obj, "language", None):
        return obj.language
    for parent in ("service", "template"):
        owner_id = getattr(obj, f"{parent}_id", None)
        if owner_id is not None:
            return getattr(obj, parent).language
    return settings.LANGUAGE_CODE


def text(obj: Any, field: str, language: str | None = None) -> LocalText:
    """`obj`'s `field` in `language` (default: the active one), or its source text, marked."""
    source = source_language(obj)
    own = getattr(obj, field) or ""
    wanted = current(language)
    if wanted == source:
        return LocalText(own, source)
    translated = ((obj.translations or {}).get(wanted) or {}).get(field) or ""
    if translated:
        return LocalText(translated, wanted)
    return LocalText(own, source, fallback=True)


def options(attribute: Any, language: str | None = None) -> list[dict[str, Any]]:
    """A list question's values as [{"key", "name"}] with each name in `language` (or its
    source name, marked as a fallback)."""
    source = source_language(attribute)
    wanted = current(language)
    names = ((attribute.translations or {}).get(wanted) or {}).get(VALUES) or {}
    out = []
    for value in attribute.values or []:
        key, own = str(value.get("key", "")), str(value.get("name", ""))
        if wanted == source:
            name = LocalText(own, source)
        elif names.get(key):
            name = LocalText(names[key], wanted)
        else:
            name = LocalText(own, source, fallback=True)
        out.append({"key": key, "name": name})
    return out


def option_name(attribute: Any, key: str, language: str | None = None) -> str:
    for option in options(attribute, language):
        if option["key"] == key:
            return option["name"]
    return key


class Localised:
    """Attribute access to an object's texts in the active language, for templates:
    `{{ service.i18n.name }}`, `{{ attribute.i18n.label }}`, `{{ attribute.i18n.values }}`."""

    def __init__(self, obj: Any):
        self._obj = obj

    def __getattr__(self, field: str):
        if field == VALUES:
            return options(self._obj)
        if field.startswith("_"):
            raise AttributeError(field)
        return text(self._obj, field)


def missing(obj: Any, fields: tuple[str, ...], language: str) -> list[str]:
    """The fields of `obj` with a source text but no translation in `language`; for a list
    question, "values" when a value's name is untranslated."""
    if language == source_language(obj):
        return []
    have = (obj.translations or {}).get(language) or {}
    gaps = [f for f in fields if (getattr(obj, f) or "").strip() and not have.get(f)]
    if hasattr(obj, VALUES) and obj.values:
        names = have.get(VALUES) or {}
        if any(not names.get(str(v.get("key"))) for v in obj.values):
            gaps.append(VALUES)
    return gaps


def validate(translations: Any, fields: tuple[str, ...], keys: list[str] | None = None) -> list:
    """Error messages for a `translations` value that is not {language: {field: text}} over
    this installation's languages and `fields` (and, with `keys`, value names by key)."""
    if translations in (None, ""):
        return []
    if not isinstance(translations, dict):
        return [_("Translations must map each language to its texts.")]
    errors = []
    for lang, texts in translations.items():
        if lang not in languages():
            errors.append(_("Unknown language %(l)s.") % {"l": lang})
            continue
        if not isinstance(texts, dict):
            errors.append(_("Translations must map each language to its texts."))
            continue
        for field, value in texts.items():
            if field == VALUES and keys is not None:
                if not isinstance(value, dict) or not all(
                    isinstance(v, str) for v in value.values()
                ):
                    errors.append(_("Translated values must map each key to its name."))
                elif set(value) - set(keys):
                    errors.append(
                        _("Translated values name keys the list does not have: %(k)s.")
                        % {"k": ", ".join(sorted(set(value) - set(keys)))}
                    )
            elif field not in fields or not isinstance(value, str):
                errors.append(_("%(f)s cannot be translated here.") % {"f": field})
    return errors


def clean_translations(translations: dict) -> dict:
    """Without empty texts and languages left with nothing (an empty box means "not translated")."""
    out = {}
    for lang, texts in (translations or {}).items():
        kept = {}
        for field, value in (texts or {}).items():
            if isinstance(value, dict):
                value = {k: v.strip() for k, v in value.items() if str(v).strip()}
            elif isinstance(value, str):
                value = value.replace("\r\n", "\n").strip()
            if value:
                kept[field] = value
        if kept:
            out[lang] = kept
    return out


def all_texts(obj: Any, fields: tuple[str, ...]) -> list[str]:
    """Every language's texts of `fields`, for search."""
    texts = [getattr(obj, f) or "" for f in fields]
    for translated in (obj.translations or {}).values():
        texts += [str(translated.get(f) or "") for f in fields]
    return [t for t in texts if t]


def checked_translations(value: Any, fields: tuple[str, ...]) -> dict:
    """`value` validated (a ValidationError on "translations" listing every problem) and
    cleaned: what an actions module stores in a `translations` column."""
    from django.core.exceptions import ValidationError

    problems = validate(value, fields)
    if problems:
        raise ValidationError({"translations": problems})
    return clean_translations(value or {})
