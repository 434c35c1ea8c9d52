"""Personal data in free text, found and masked for public output (D3: PII detection).

`redact(text, names)` replaces, each with a placeholder in the current language:

- e-mail addresses, plain and obfuscated ("mario (at) example (dot) it", "mario chiocciola
  example punto it", "mario at example.it", "mario@example[dot]it");
- IBANs, with or without spaces, in any case, when their mod-97 check and their country's
  format hold (python-stdnum);
- payment card numbers: 13 to 19 digits, spaced or not, that pass the Luhn check;
- Italian fiscal codes (codice fiscale), omocodia included: one written in one piece with the
  code's exact shape whatever its check character (a typo does not make it less personal), one
  written with spaces, dots or dashes only when its check character is right;
- dates of birth, after the words that introduce one ("nato il", "nata a Roma il", "data di
  nascita", "born on", "date of birth", "DOB"); other dates stay;
- phone numbers: Italian landlines (0…, 6 to 15 digits) and mobiles (3…, 8 to 15 digits), and any
  number written with an international prefix (+ or 00); dates and amounts in euro stay;
- the names in `names` (the filer's own, from their account or what they typed): the whole name
  in any order of its parts, in any case, with or without accents, joined by spaces, dots,
  dashes or underscores (as in a link); a single part after a title ("sig. Rossi");
- a name that introduces itself ("mi chiamo …", "sono …", "segnalazione di …", "I'm …",
  "reported by …", "cordiali saluti, …"): one to three capitalised words.

It is a safety net for public output, not a guarantee: a name nobody announces stays.
The original text is never changed; staff read it as written.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from stdnum import iban as _iban
from stdnum import luhn as _luhn
from stdnum.exceptions import ValidationError as _InvalidNumber
from stdnum.it import codicefiscale as _codicefiscale

# What replaces each kind of personal data: stored in English, translated when shown.
EMAIL = gettext_noop("[e-mail hidden]")
PHONE = gettext_noop("[phone hidden]")
TAX_CODE = gettext_noop("[tax code hidden]")
IBAN = gettext_noop("[IBAN hidden]")
CARD = gettext_noop("[card number hidden]")
BIRTH_DATE = gettext_noop("[date of birth hidden]")
NAME = gettext_noop("[name hidden]")
PLACEHOLDERS = (EMAIL, PHONE, TAX_CODE, IBAN, CARD, BIRTH_DATE, NAME)
_DIGIT = re.compile(r"\d")

# --- e-mail addresses --------------------------------------------------------------------------

EMAIL_RE = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)

# "at" and "dot" as people write them to fool harvesters: in brackets, as bare words (also in
# Italian: chiocciola, punto), or an @ with spaces around it.
_OPEN, _CLOSE = r"[(\[{<]", r"[)\]}>]"
_AT = (
    rf"(?:\s*{_OPEN}\s*(?:at|chiocciola)\s*{_CLOSE}\s*"
    r"|\s+(?:at|chiocciola)\s+|\s*-at-\s*|\s*@\s*)"
)
_DOT = rf"(?:\s*{_OPEN}\s*(?:dot|punto)\s*{_CLOSE}\s*|\s+(?:dot|punto)\s+|\.)"
_LABEL = r"[\w+-]+"
# The last label: a country code, or a generic top-level domain.
_TLD = r"(?:[a-z]{2}|com|net|org|edu|gov|mil|int|info|biz|name|pro|eu|example|email|mail|online)"
OBFUSCATED_EMAIL_RE = re.compile(
    rf"(?<![\w.+-]){_LABEL}(?:{_DOT}{_LABEL})*{_AT}{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}{_TLD}(?!\w)",
    re.IGNORECASE,
)
_OBFUSCATION_HINT = re.compile(r"@|\bat\b|chiocciola", re.IGNORECASE)

# --- identifiers with a check ------------------------------------------------------------------

# Country, check digits, then 11 to 30 letters or digits; spaces or dashes anywhere between.
IBAN_CANDIDATE_RE = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{2}[ -]?[0-9][ -]?[0-9](?:[ -]?[A-Za-z0-9]){11,30}"
)
IBAN_MIN, IBAN_MAX = 15, 34

# 13 to 19 digits, spaces or dashes between; issuers' numbers start with 2 to 6.
CARD_CANDIDATE_RE = re.compile(r"(?<![\w+])[2-6](?:[ -]?[0-9]){12,18}(?!\w)")
CARD_MIN, CARD_MAX = 13, 19

# 6 letters (surname, name), year (2), month letter, day (2), town (letter + 3), check letter;
# digits may be replaced by LMNPQRSTUV when two people would share a code (omocodia).
_D = "[0-9LMNPQRSTUV]"
TAX_CODE_RE = re.compile(
    rf"(?<![A-Za-z0-9])[A-Z]{{6}}{_D}{{2}}[ABCDEHLMPRST]{_D}{{2}}[A-Z]{_D}{{3}}[A-Z](?![A-Za-z0-9])",
    re.IGNORECASE,
)
# The same shape with one space, dot or dash allowed between any two characters.
_TAX_CODE_SHAPE = "LLLLLLDDMDDLDDDL"
_TAX_CODE_CLASS = {"L": "[A-Z]", "D": _D, "M": "[ABCDEHLMPRST]"}
TAX_CODE_SPACED_RE = re.compile(
    r"(?<![A-Za-z0-9])"
    + "[ .-]?".join(_TAX_CODE_CLASS[c] for c in _TAX_CODE_SHAPE)
    + r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"[ .-]")

# --- dates of birth ----------------------------------------------------------------------------

_MONTHS = (
    "gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre|"
    "dicembre|january|february|march|april|may|june|july|august|september|october|november|"
    "december|gen|feb|mar|apr|mag|giu|lug|ago|set|sett|ott|nov|dic|jan|jun|jul|aug|sep|sept|"
    "oct|dec"
)
_DATE = (
    r"(?:\d{1,2}\s?[/.-]\s?\d{1,2}\s?[/.-]\s?\d{2,4}"
    r"|\d{4}\s?[/.-]\s?\d{1,2}\s?[/.-]\s?\d{1,2}"
    rf"|\d{{1,2}}(?:°|º|st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?,?\s+\d{{2,4}}"
    rf"|(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})(?!\d)"
)
# What introduces a date of birth; a birthplace may stand between ("nato a Roma il").
_PLACE = r"(?:\s+(?:a|ad|in|at)\s+[^\d\n,;:()]{1,40}?)?"
_BIRTH_CUE = (
    rf"\bnat[oaie](?:/[ao])?\b{_PLACE}(?:\s*,)?(?:\s+(?:il|in\s+data|nel|on))?"
    r"|\bdata\s+(?:di\s+)?nascita|\bborn\b"
    + _PLACE
    + r"(?:\s+on)?|\bdate\s+of\s+birth|\bbirth\s*date|\bbirthday|\bd\.?o\.?b\b\.?"
)
BIRTH_DATE_RE = re.compile(
    rf"(?P<cue>(?:{_BIRTH_CUE})\s*(?:[:=-]|\bè|\bis)?\s*)(?P<date>{_DATE})", re.IGNORECASE
)
_BIRTH_HINT = re.compile(r"\bnat[oaie]|nascita|\bborn|birth|\bd\.?o\.?b", re.IGNORECASE)

# --- phone numbers -----------------------------------------------------------------------------

# A candidate: an optional + or 00 prefix, then digits with single spaces, dots, dashes, slashes
# or brackets between them (never a line break).
PHONE_CANDIDATE_RE = re.compile(
    r"(?<![\w+])(?:\+|\(\+)?\(?\d(?:(?:[ .\-/]|\) ?| ?\()?\d)+\)?(?!\w)"
)
PHONE_MIN_DIGITS = 8
LANDLINE_MIN_DIGITS = 6  # Italian landlines: 0 and the area code, 6 to 11 digits in all
PHONE_MAX_DIGITS = 15

_DATE_LIKE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})")
_EURO_BEFORE = re.compile(r"(?:€|\beur|\beuro)\s?$", re.IGNORECASE)
_EURO_AFTER = re.compile(r"\s?(?:€|eur\b|euro\b)", re.IGNORECASE)


def _looks_like_phone(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    minimum = LANDLINE_MIN_DIGITS if digits.startswith("0") else PHONE_MIN_DIGITS
    if not minimum <= len(digits) <= PHONE_MAX_DIGITS:
        return False
    if candidate.startswith(("+", "(+")):
        return True
    # Italian numbers: landlines start with 0 (so does an international 00 prefix), mobiles
    # with 3. Dates (2026-01-31) and case references (2026-000123) start with 1 or 2 and stay.
    return digits.startswith(("0", "3"))


def _looks_like_date(candidate: str) -> bool:
    """A day and month, then a year of two digits or of this or the last century (05/03/2026)."""
    match = _DATE_LIKE.fullmatch(candidate)
    if match is None:
        return False
    day, month, year = (int(g) for g in match.groups())
    century_ok = len(match.group(3)) == 2 or 1900 <= year <= 2099
    return 1 <= day <= 31 and 1 <= month <= 12 and century_ok


# --- names -------------------------------------------------------------------------------------

_APOSTROPHES = "'’`´"
_NAME_PART = re.compile(rf"[^\W\d_]+(?:[{_APOSTROPHES}][^\W\d_]+)*")
# Between the parts of a name: spaces, a comma, or what links and file names use.
_NAME_JOIN = re.compile(r"(?:\s*,\s*|[\s._+-]+|%20)")
_NOT_LETTER_BEFORE = r"(?<![^\W\d_])"
_NOT_LETTER_AFTER = r"(?![^\W\d_])"
# Words before a surname alone: titles, and how addresses name a household ("c/o Rossi").
_TITLES = (
    r"sig\.ra|sig\.na|sigg|sig|signor|signora|signorina|dott\.ssa|dott|dottor|dottoressa|prof"
    r"|avv|ing|geom|arch|famiglia|fam|mr|mrs|ms|miss|dr|citofono|presso|c/o|care\s+of"
)
# A title ending where a name starts (the text is folded: lower case).
_TITLE_BEFORE = re.compile(rf"{_NOT_LETTER_BEFORE}(?:{_TITLES})\.?\Z")
_TITLE_REACH = 16  # the longest title with its dot ("care  of", "dottoressa.") fits
MIN_SINGLE_NAME = 3  # a name of one part is masked from three letters on


class _Folding(dict):
    """str.translate's table: each character to one character, its base letter in lower case
    ("À" → "a", "Ł" → "ł"), every apostrophe to "'"; filled as characters are first met."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char in _APOSTROPHES:
            folded = "'"
        else:
            decomposed = unicodedata.normalize("NFD", char)
            # Only a letter and its accents fold to the letter (a Hangul syllable stays whole).
            base = decomposed[0] if all(map(unicodedata.combining, decomposed[1:])) else char
            folded = base.lower()[0]  # "İ" lowers to two characters
        self[code] = folded
        return folded


_FOLDING = _Folding()


def _fold(text: str) -> str:
    """`text` with each character folded: same length, so positions match the original's."""
    return text.translate(_FOLDING)


# A word of the folded text: letters, each with any accents written as combining marks.
_WORD_RUN = re.compile(r"(?:[^\W\d_][\u0300-\u036f]*)+")
_MARKS = re.compile(r"[\u0300-\u036f]")


def name_parts(name: str) -> list[str]:
    """The words of a person's name that identify them (initials left out)."""
    return [p for p in _NAME_PART.findall(name or "") if len(p) >= 2]


class _NameMatcher:
    """Where the names of a set of people stand in a text, found by comparing folded words: no
    regular expression is built for the names (compiling one per case made redacting a
    million cases take hours).

    A name matches in any order of its parts ("Mario Rossi", "Rossi, Mario"), in any case, with
    or without accents, its parts joined as `_NAME_JOIN` allows; an apostrophe inside a part may
    be left out ("DAmico") and one may follow it ("Nicolo'"). A part alone matches after a
    title ("sig. Rossi")."""

    def __init__(self, names: tuple[str, ...]):
        # A part is the tuple of its letter runs, folded: "D'Amico" is ("d", "amico").
        wholes: set[tuple[tuple[str, ...], ...]] = set()
        singles: set[tuple[str, ...]] = set()
        for name in names:
            parts = [tuple(_fold(p).split("'")) for p in name_parts(name)]
            if not parts or (len(parts) == 1 and len(name_parts(name)[0]) < MIN_SINGLE_NAME):
                continue
            singles.update(parts)
            # Every rotation: "Mario Rossi" and "Rossi Mario", "Maria Grazia De Luca" and
            # "De Luca Maria Grazia" (where the surname starts is not known).
            wholes.update(tuple(parts[k:] + parts[:k]) for k in range(len(parts)))
        # Indexed by the word a match starts with: a part's first run, or its first runs
        # written together (the apostrophe left out).
        self.wholes: dict[str, list] = {}
        self.singles: dict[str, list] = {}
        for index, entries in ((self.wholes, wholes), (self.singles, ((p,) for p in singles))):
            for entry in entries:
                first = entry[0]
                for k in range(1, len(first) + 1):
                    index.setdefault("".join(first[:k]), []).append(entry)
        for index in (self.wholes, self.singles):
            for entries in index.values():  # the longest name first
                entries.sort(key=lambda e: (-sum(map(len, (r for p in e for r in p))), e))
        # Every match holds the first run of one of the parts: a text without any has no name.
        self.needles = tuple({part[0] for part in singles})

    def spans(self, folded: str) -> list[tuple[int, int]]:
        """The (start, end) of each name in `folded`, in order, none overlapping."""
        plain = folded if folded.isascii() else _MARKS.sub("", folded)
        if not any(needle in plain for needle in self.needles):
            return []
        words = [
            (m.start(), m.end(), _MARKS.sub("", m.group(0))) for m in _WORD_RUN.finditer(folded)
        ]
        found: list[tuple[int, int]] = []
        i = 0
        while i < len(words):
            match = self._match(folded, words, i, self.wholes)
            if (
                match is None
                and words[i][2] in self.singles
                and self._title_before(folded, words[i][0])
            ):
                match = self._match(folded, words, i, self.singles)
            if match is None:
                i += 1
                continue
            end_word, end = match
            found.append((words[i][0], end))
            i = end_word
        return found

    def _match(self, folded, words, i, index):
        for entry in index.get(words[i][2], ()):
            got = _match_parts(folded, words, i, entry)
            if got is not None:
                return got
        return None

    @staticmethod
    def _title_before(folded: str, start: int) -> bool:
        gap = start
        while gap > 0 and folded[gap - 1].isspace():
            gap -= 1
        if gap == start:
            return False  # a title is followed by a space
        return _TITLE_BEFORE.search(folded, max(0, gap - _TITLE_REACH), gap) is not None


def _match_parts(folded: str, words: list, i: int, parts) -> tuple[int, int] | None:
    """(index of the next word, end in the text) where `parts` are written from word `i` on."""
    end = words[i][0]
    for n, runs in enumerate(parts):
        if n:  # the join between two parts: an apostrophe may end the first
            if i >= len(words):
                return None
            gap = folded[end : words[i][0]]
            if gap.startswith("'"):
                gap = gap[1:]
            if not _NAME_JOIN.fullmatch(gap):
                return None
        k = 0
        while k < len(runs):  # the runs of a part: apart (after an apostrophe) or together
            if i >= len(words) or (k and folded[end : words[i][0]] != "'"):
                return None
            word = words[i][2]
            joined = runs[k]
            k += 1
            while len(joined) < len(word) and k < len(runs):
                joined += runs[k]
                k += 1
            if joined != word:
                return None
            end = words[i][1]
            i += 1
    if folded[end : end + 1] == "'" and not folded[end + 1 : end + 2].isalpha():
        end += 1  # "Nicolo'"
    return i, end


@functools.lru_cache(maxsize=4096)
def _name_matcher(names: tuple[str, ...]) -> _NameMatcher | None:
    matcher = _NameMatcher(names)
    return matcher if matcher.wholes else None


def _known_names(names: Iterable[str]) -> tuple[str, ...]:
    # Blank names are left to _names_pattern, which skips a name without letters.
    return tuple(sorted({" ".join(n.split()) for n in names if n}))


# A name announced by the words before it: one to three capitalised (or upper-case) words,
# "De Luca" and "D'Amico" included.
_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
_WORD = (
    rf"(?:[{_UPPER}]['’])?(?:[{_UPPER}][{_LOWER}]+|[{_UPPER}]{{2,}})(?:['’][{_UPPER}{_LOWER}]+)?"
)
_NAME_WORDS = rf"(?P<first>{_WORD})(?:[ -](?:(?:de|di|da|del|della|van|von)\s)?{_WORD}){{0,3}}"
_CUES = (
    r"mi\s+chiamo|il\s+mio\s+nome\s+è|sono|il\s+sottoscritto|la\s+sottoscritta|sottoscritt[oa]"
    r"|segnalazione\s+di|segnalat[oa]\s+da|a\s+nome\s+di|firmato|cordiali\s+saluti|distinti\s+saluti"
    r"|saluti|my\s+name\s+is|i\s+am|i['’]m|reported\s+by|filed\s+by|signed|regards|sincerely"
    r"|{titles}"
)
# Titles that announce a name: with their dot where the bare word is a common one ("ing").
_CUE_TITLES = (
    r"sig\.ra|sig\.na|sig\.|signor|signora|signorina|dott\.ssa|dott\.|dottor|dottoressa|prof\."
    r"|avv\.|ing\.|geom\.|mrs\.?|mr\.?|ms\.?|dr\.?"
)
_CUES = _CUES.replace("{titles}", _CUE_TITLES)
ANNOUNCED_NAME_RE = re.compile(
    rf"(?P<cue>{_NOT_LETTER_BEFORE}(?i:{_CUES})[ \t]*[,:]?\s+(?:(?i:{_CUE_TITLES})\s+)?)(?P<name>{_NAME_WORDS})"
    rf"{_NOT_LETTER_AFTER}"
)
# Capitalised words after a cue that are not names: places, articles, common words.
_NOT_A_NAME_WORDS = """via viale piazza piazzale corso largo vicolo strada contrada località frazione borgo
    lungomare san santa santo sant parco lago monte ponte comune municipio scuola chiesa
    il lo la i gli le un una uno l the a an in at on of per da di del della con qui qua here
    there ancora già stato stati stata state molto very not also anche sempre still just so
    sorry happy glad sure please grazie thanks residente resident cittadino citizen"""
NOT_A_NAME = frozenset(_NOT_A_NAME_WORDS.split())

# --- putting it together -----------------------------------------------------------------------


def _sub_checked(
    pattern: re.Pattern, text: str, accept: Callable[[re.Match], int | None], replacement: str
) -> str:
    """Replace what `pattern` finds where `accept(match)` gives an end (the match may be cut
    short there); where it refuses, look again from the next character, so a candidate that
    fails its check cannot hide one inside it."""
    out, pos, done = [], 0, 0
    while (match := pattern.search(text, pos)) is not None:
        end = accept(match)
        if end is None:
            pos = match.start() + 1
            continue
        out.append(text[done : match.start()])
        out.append(replacement)
        pos = done = end
    out.append(text[done:])
    return "".join(out)


def _checked_prefix(match: re.Match, shortest: int, longest: int, valid) -> int | None:
    """The end of the longest prefix of `match` that stops before a separator (or at the
    match's end), holds between `shortest` and `longest` letters and digits, and is `valid`."""
    raw = match.group(0)
    cuts = []
    count = 0
    for i, char in enumerate(raw):
        if char.isalnum():
            count += 1
            if i + 1 == len(raw) or not raw[i + 1].isalnum():
                cuts.append((count, i + 1))
    for count, end in reversed(cuts):
        if shortest <= count <= longest:
            compact = "".join(c for c in raw[:end] if c.isalnum())  # the checks fold case
            if valid(compact):
                return match.start() + end
    return None


def _valid_iban(compact: str) -> bool:
    try:
        _iban.validate(compact)
    except _InvalidNumber:
        return False
    return True


def _accept_iban(match: re.Match) -> int | None:
    return _checked_prefix(match, IBAN_MIN, IBAN_MAX, _valid_iban)


def _accept_card(match: re.Match) -> int | None:
    return _checked_prefix(match, CARD_MIN, CARD_MAX, _luhn.is_valid)


def _accept_tax_code(match: re.Match) -> int | None:
    raw = match.group(0)
    compact = _SEPARATORS.sub("", raw).upper()
    if compact == raw.upper() or _codicefiscale.is_valid(compact):
        return match.end()
    return None


def _mask_names(text: str, names: tuple[str, ...], placeholder: str) -> str:
    matcher = _name_matcher(names)
    if matcher is None:
        return text
    spans = matcher.spans(_fold(text))
    if not spans:
        return text
    out, done = [], 0
    for start, end in spans:
        out.append(text[done:start])
        out.append(placeholder)
        done = end
    out.append(text[done:])
    return "".join(out)


def _mask_announced_names(text: str, placeholder: str) -> str:
    def mask(match: re.Match) -> str:
        if match.group("first").casefold() in NOT_A_NAME:
            return match.group(0)
        return match.group("cue") + placeholder

    return ANNOUNCED_NAME_RE.sub(mask, text)


def _mask_phones(text: str, placeholder: str) -> str:
    def phone(match: re.Match) -> str:
        candidate = match.group(0)
        if not _looks_like_phone(candidate) or _looks_like_date(candidate):
            return candidate
        before = text[max(0, match.start() - 6) : match.start()]
        if _EURO_BEFORE.search(before) or _EURO_AFTER.match(text, match.end()):
            return candidate  # an amount
        return placeholder

    return PHONE_CANDIDATE_RE.sub(phone, text)


def redact(text: str, names: Iterable[str] = ()) -> str:
    """`text` with its personal data replaced by placeholders (in English, as stored: `localise`
    translates them for display); `names` are the people whose names must not appear (the
    filer's, as on their account or as they typed it)."""
    if not text:
        return text
    if "@" in text:
        text = EMAIL_RE.sub(EMAIL, text)
    if _OBFUSCATION_HINT.search(text):
        text = OBFUSCATED_EMAIL_RE.sub(EMAIL, text)
    if _DIGIT.search(text):
        text = _sub_checked(IBAN_CANDIDATE_RE, text, _accept_iban, IBAN)
        text = _sub_checked(CARD_CANDIDATE_RE, text, _accept_card, CARD)
    text = _sub_checked(TAX_CODE_SPACED_RE, text, _accept_tax_code, TAX_CODE)
    if _BIRTH_HINT.search(text):
        text = BIRTH_DATE_RE.sub(lambda m: m.group("cue") + BIRTH_DATE, text)
    if _DIGIT.search(text):
        text = _mask_phones(text, PHONE)
    text = _mask_names(text, _known_names(names), NAME)
    return _mask_announced_names(text, NAME)


def localise(text: str) -> str:
    """A redacted text with its placeholders in the active language."""
    if not text or "hidden]" not in text:
        return text
    for placeholder in PLACEHOLDERS:
        translated = _(placeholder)
        if translated != placeholder:
            text = text.replace(placeholder, translated)
    return text
