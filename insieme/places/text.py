"""Street names and house numbers as people write them: folding, Italian abbreviations, the word
index, the display form of an official (often upper-case) name, and house numbers with exponents.

Folding keeps only ASCII letters and digits, so that the word index can be searched by prefix
through an ordinary b-tree range (see `prefix_range`) with the same order on SQLite and on
PostgreSQL whatever its collation.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Abbreviations of the generic part of a street name (DUG) and of common words, written with or
# without their dots ("p.za", "pza", "P.zza"), to the full folded word.
ABBREVIATIONS = {
    "v": "via",
    "vle": "viale",
    "vl": "viale",
    "pza": "piazza",
    "pzza": "piazza",
    "pz": "piazza",
    "p": "piazza",
    "pta": "piazzetta",
    "ple": "piazzale",
    "pzle": "piazzale",
    "pzale": "piazzale",
    "cso": "corso",
    "c": "corso",
    "lgo": "largo",
    "vic": "vicolo",
    "vco": "vicolo",
    "str": "strada",
    "sda": "strada",
    "sp": "strada provinciale",
    "ss": "strada statale",
    "sc": "strada comunale",
    "sv": "strada vicinale",
    "loc": "localita",
    "fraz": "frazione",
    "bgo": "borgo",
    "lgomare": "lungomare",
    "lungom": "lungomare",
    "lgolago": "lungolago",
    "s": "san",
    "sta": "santa",
    "sto": "santo",
    "flli": "fratelli",
    "gen": "generale",
    "prof": "professore",
    "dott": "dottore",
}
# Words that carry no meaning for search ("Via dei Mille" is found by "via mille").
STOPWORDS = frozenset(
    [
        "a",
        "al",
        "alla",
        "alle",
        "allo",
        "agli",
        "ai",
        "all",
        "d",
        "da",
        "dal",
        "dall",
        "dalla",
        "dalle",
        "dai",
        "de",
        "del",
        "dell",
        "della",
        "delle",
        "dello",
        "dei",
        "degli",
        "di",
        "e",
        "ed",
        "i",
        "il",
        "in",
        "l",
        "la",
        "le",
        "lo",
        "gli",
        "nell",
        "per",
        "sul",
        "sull",
        "sulla",
        "sui",
    ]
)
# Written in lower case inside a displayed name ("Piazza della Repubblica").
_LOWER_WORDS = frozenset(
    [
        "a",
        "al",
        "alla",
        "alle",
        "allo",
        "agli",
        "ai",
        "da",
        "dal",
        "dalla",
        "dalle",
        "dai",
        "de",
        "del",
        "della",
        "delle",
        "dello",
        "dei",
        "degli",
        "di",
        "e",
        "ed",
        "in",
        "la",
        "le",
        "lo",
        "gli",
        "per",
        "sul",
        "sulla",
        "sui",
    ]
)
_ROMAN = re.compile(r"^(?=[ivxlcdm]+$)m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_GRAVE = {"A": "À", "E": "È", "I": "Ì", "O": "Ò", "U": "Ù"}
_TOKEN = re.compile(r"[a-z0-9]+")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower case, accents removed, everything but letters and digits turned into single spaces:
    'Piazza dell’Unità d’Italia' -> 'piazza dell unita d italia'."""
    text = strip_accents(text or "").lower()
    return " ".join(_TOKEN.findall(text))


def _abbreviation(token: str) -> list[str] | None:
    bare = strip_accents(token).lower()
    key = bare.replace(".", "")
    # One-letter forms ("v.", "p.", "c.", "s.") only with their dot: alone they are initials.
    if key in ABBREVIATIONS and (len(key) > 1 or bare.endswith(".")):
        return ABBREVIATIONS[key].split()
    return None


def query_words(text: str) -> list[str]:
    """The folded words of what a person typed, abbreviations expanded, stop words dropped:
    'P.za dell'Unità' -> ['piazza', 'unita']; 'v.Roma' -> ['via', 'roma']."""
    words: list[str] = []
    for token in re.split(r"[\s,;:/\\()\[\]\"«»_\-–—'’`]+", text or ""):
        if not token:
            continue
        expanded = _abbreviation(token)
        if expanded is not None:
            words.extend(expanded)
            continue
        for piece in re.findall(r"[^.]+\.?", token) if "." in token else [token]:
            expanded = _abbreviation(piece)
            words.extend(expanded if expanded is not None else fold(piece).split())
    return [w for w in words if w not in STOPWORDS]


def name_words(name: str) -> list[str]:
    """The words of a street name that the index holds (distinct, in order)."""
    seen: list[str] = []
    for word in query_words(name):
        if word not in seen:
            seen.append(word)
    return seen


def prefix_range(prefix: str) -> tuple[str, str | None]:
    """(low, high) such that low <= word < high holds exactly for the folded words starting
    with `prefix` (high None: no upper bound). Words hold only [0-9a-z], in which both databases
    order strings byte by byte."""
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    chars = list(prefix)
    while chars:
        last = chars.pop()
        i = alphabet.find(last)
        if 0 <= i < len(alphabet) - 1:
            return prefix, "".join(chars) + alphabet[i + 1]
    return prefix, None


def display_name(name: str) -> str:
    """An official name written all in capitals ('VIA DEI MILLE') as people write it ('Via dei
    Mille'); a name already in mixed case is only tidied of extra spaces."""
    name = " ".join((name or "").split())
    if not name or name != name.upper() or not any(c.isalpha() for c in name):
        return name
    # Registers in capitals write accents as apostrophes: "UNITA'" is "Unità", "NICOLO'" "Nicolò".
    name = re.sub(r"([AEIOU])['’](?=\s|$)", lambda m: _GRAVE[m[1]], name)
    out = []
    for i, word in enumerate(name.split(" ")):
        parts = re.split(r"(['’])", word.lower())
        cased = []
        for part in parts:
            if part in ("'", "’") or not part:
                cased.append(part)
            elif _ROMAN.match(part) and part not in ("di", "mi", "vi", "ci", "li", "il"):
                cased.append(part.upper())
            elif i > 0 and part in _LOWER_WORDS:
                cased.append(part)
            else:
                cased.append(part[:1].upper() + part[1:])
        word = "".join(cased)
        # "dell'Unità": an elided article stays lower case after the first word
        if i > 0 and re.match(r"^(Dell|Dall|Nell|Sull|All|Dell|D|L)['’]", word):
            word = word[:1].lower() + word[1:]
        out.append(word)
    return " ".join(out)


# --- house numbers -------------------------------------------------------------------------

WORD_EXPONENTS = ("bis", "ter", "quater", "quinquies", "sexies")
# A letter or word may follow the number directly ("12a", "12 bis"); a number needs its slash
# or dash ("12/1"): "12 40" is no house number.
_HOUSE = re.compile(
    r"^\s*(?P<number>\d{1,6})\s*(?:[/\-]?\s*(?P<exp>[A-Za-z]{1,9})|[/\-]\s*(?P<num>\d{1,3}))?\s*$",
)


@dataclass(frozen=True)
class HouseNumber:
    number: int
    exponent: str = ""

    def __str__(self) -> str:
        return format_house_number(self.number, self.exponent)


def normalise_exponent(exponent: str) -> str:
    exponent = fold(exponent).replace(" ", "")
    if exponent in WORD_EXPONENTS:
        return exponent
    return exponent.upper()


def format_house_number(number: int, exponent: str = "") -> str:
    """12, 12/A, 12 bis, 12/1 — the forms Italian registers use."""
    if not exponent:
        return str(number)
    if exponent.lower() in WORD_EXPONENTS:
        return f"{number} {exponent.lower()}"
    return f"{number}/{exponent}"


def parse_house_number(text: str) -> HouseNumber | None:
    """'12', '12A', '12/a', '12 bis', '12-1' -> HouseNumber; None when it is not one."""
    match = _HOUSE.match(text or "")
    if not match:
        return None
    number = int(match["number"])
    if number == 0:
        return None
    exponent = match["exp"] or match["num"] or ""
    if exponent.isalpha() and len(exponent) > 2 and exponent.lower() not in WORD_EXPONENTS:
        return None
    return HouseNumber(number, normalise_exponent(exponent))


_TRAILING_NUMBER = re.compile(
    r"^(?P<street>.*?\D)?[\s,]*(?:n\.?|nr\.?|num\.?|numero|civico)?\s*"
    r"(?P<house>\d{1,6}(?:\s*[/\-]?\s*(?:bis|ter|quater|[A-Za-z])|\s*[/\-]\s*\d{1,3})?)\s*$",
    re.IGNORECASE,
)
_LEADING_NUMBER = re.compile(
    r"^\s*(?P<house>\d{1,6}(?:\s*/\s*[A-Za-z0-9]{1,3}|[A-Za-z])?)\s*,?\s+(?P<street>\D.*)$"
)


def split_address(text: str) -> tuple[str, HouseNumber | None]:
    """'Via Roma 12/A' -> ('Via Roma', 12/A); '12 Via Roma' -> ('Via Roma', 12); 'Via Roma'
    -> ('Via Roma', None). A number that ends a street's own name ('Strada provinciale 12') is
    read as a house number here; the search also tries it as part of the name."""
    text = " ".join((text or "").split())
    match = _TRAILING_NUMBER.match(text)
    if match and match["street"] and fold(match["street"]):
        house = parse_house_number(match["house"])
        if house is not None:
            street = re.sub(
                r"[\s,]*(?:n\.?|nr\.?|num\.?|numero|civico)?[\s,]*$", "", match["street"]
            )
            return street.strip(" ,"), house
    match = _LEADING_NUMBER.match(text)
    if match:
        house = parse_house_number(match["house"])
        if house is not None:
            return match["street"].strip(" ,"), house
    return text.strip(" ,"), None
