"""Duplicate suggestions: open cases of the same or a related service, nearby, with similar text
(Italian and English, typos tolerated).

How it works, in four steps:

1. **Candidates from the index.** The new report's ~200 m grid cell and the eight around it are
   read through the partial index ``case_open_cell_idx`` (open public cases only; ``cell_row IN
   (3) AND cell_col IN (3) AND submitted_at >= now - MAX_AGE_DAYS``: nine index seeks), keeping
   only cases of the same administration and of a service in the same catalogue group. A problem
   still open after months is still the problem, so the window is a year. An exact distance
   check then drops anything farther than ``RADIUS_M``. At any realistic density this leaves a few
   dozen rows, so the check costs about as much as one indexed query.
2. **Text similarity.** Each text is folded (accents removed, lower case, punctuation dropped),
   common Italian and English function words are removed, and words from a small bilingual
   lexicon of civic problems are mapped to one Italian form ("pothole" -> "buca", "streetlight" ->
   "lampione"), so that an English and an Italian report share words. Place names ("via Roma",
   "Parco delle Rimembranze") and house numbers are dropped: the distance already says where, and
   a shared place name would make two problems at one place look alike. The text becomes the *set* of
   its character 3-, 4- and 5-grams taken inside word boundaries (like scikit-learn's ``char_wb``),
   and two texts are compared with the cosine of those binary vectors, |A∩B| / sqrt(|A|·|B|).
   Character n-grams survive typos ("bucca" still shares "buc", " bu", ...) and inflections
   ("buche"/"buca"); binary weights need no corpus statistics, so the score does not depend on
   what else is in the database, and stays deterministic.
3. **What staff merged.** Reports that staff merged into a case (status duplicate, public, filed
   in the last ``MERGED_MAX_AGE_DAYS``, through the partial index ``case_merged_cell_idx``) lend
   it their words: a candidate's text similarity is the best of its own and theirs. Once
   "containers full, nobody emptied them" was merged into "bins overflowing", a third report in
   either wording finds the kept case, not only the other repeats.
4. **One score.** ``score = text × (0.70 + 0.15·proximity + 0.15·service)``, where proximity is
   1 at the same spot falling linearly to 0 at ``RADIUS_M`` and service is 1 for the same service
   and 0.5 for a related one (same group). Text similarity is the factor that decides (two
   different problems at one spot must not match), place and service only lift or lower it by up
   to 30 %. The score lies in [0, 1] and is symmetric in the two texts. A candidate is suggested
   when its score reaches ``THRESHOLD``; ties are broken by distance then id (deterministic).
5. **A few metres away, place decides.** An open report of the *same* service within
   ``NEAR_RADIUS_M`` (5 m) scores at least ``NEAR_SCORE`` whatever its words: two people who
   stand at the same pothole describe it differently ("buca profonda" / "la macchina ha preso un
   colpo"), and no text measure joins those. Why 5 m: a phone in the open places a report within
   a few metres, a pin dropped on the map at street zoom lands within a few metres too, and the
   coordinates are stored as floats (far finer), so the reports of one spot fall within about 5 m
   of each other. Farther out a second thing of one service is common (bins in a row, potholes
   along a kerb, street lamps 20-40 m apart) and text must decide again: measured on the demo's
   ground truth, 10 m lowered the precision of suggestions from 0.864 to 0.835, 5 m to 0.861,
   while both found every planted report 3-4 m away in other words (``make bench``,
   ``dup_quality_near_recall_top5_synthetic``). ``NEAR_SCORE`` (0.6) ranks such a report above
   a somewhat similar text a street away but below a close match in words; a related service of
   the same group never gets it (a lamp post beside a pothole is another problem).
"""

from __future__ import annotations

import math
import re
import struct
import unicodedata
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import numpy as np
from django.db import connections, router, transaction
from django.utils import timezone

from insieme.cases import redact
from insieme.cases.models import _DEG_LAT_M, OPEN_STATUSES, Case, Status, grid_cell
from insieme.catalog.models import Service
from insieme.core import progress

RADIUS_M = 250.0
MAX_AGE_DAYS = 365  # open reports of the last year: a problem still open is still the problem
MERGED_MAX_AGE_DAYS = 90  # reports merged into another case lend it their words this long
THRESHOLD = 0.3
MAX_CANDIDATES = 2000  # newest first; a safety bound for extreme hotspots
# Two candidates describe the same problem when their texts are this similar, they are this
# close and of the same service: the check then suggests the earlier one (see _earliest).
SAME_PROBLEM_SIMILARITY = 0.6
SAME_PROBLEM_RADIUS_M = 150.0
EARLIEST_LOOKUP = 12  # how many of the best candidates look for an earlier report of theirs
NGRAM_SIZES = (3, 4, 5)
RELATED_SERVICE = 0.5
EMPTY_TEXT_SIMILARITY = 0.5  # a report without text: rely on service and place only
# An open report of the same service this close is a strong candidate whatever its words (step 5).
NEAR_RADIUS_M = 5.0
NEAR_SCORE = 0.6

_TOKEN = re.compile(r"[A-Za-z0-9]+")


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words of both languages (after folding); they carry no meaning about the problem.
STOPWORDS = _wordset(
    """a ad al alla alle allo ai agli c ce che ci con da dal dalla dai dei del della delle dello
    di e ed gli i il in l la le lo ma mi ne se si nel nella nelle nei negli non o per piu poi qui sono su
    sul sulla sui tra nell dell all sull dall un una uno anche ancora gia molto molti tutto tutti ho ha hanno
    the an and of on at to is are was were be been it its this that there here in into for from
    with near by our my your very please again still since not no or"""
)

# Words that name a street; the street's name is dropped with them (see words()).
STREET_BEFORE = _wordset("via viale vicolo corso piazza piazzale largo lungolago strada")
STREET_AFTER = _wordset("street st road rd avenue ave square lane")
# Kinds of place that are a name only when capitalised and followed by a name ("Parco delle
# Rimembranze", "Giardini Margherita"); in lower case they are a thing ("erba alta nel parco").
PLACE_BEFORE = _wordset(
    "parco giardino giardini ponte localita frazione contrada borgo quartiere rione villaggio"
)
# Phrases whose words, one by one, would say something else ("on and off" is not "off").
PHRASES = {"on and off": "intermittente", "off and on": "intermittente"}
_PHRASE = re.compile(
    "|".join(r"\b" + r"\s+".join(p.split()) + r"\b" for p in PHRASES), re.IGNORECASE
)

# A small bilingual thesaurus of the civic problems citizens report on the map: every word of a
# class (Italian, English, common variants) is replaced by the class's name, so that "lampione
# spento", "street light out" and "la luce non funziona" share words. Negations are function
# words, so "working" stands for "guasto": nobody reports that something works. Character n-grams
# take care of typos and inflections that the classes do not list.
CONCEPTS = {
    "buca": "buca buche pothole potholes hole holes voragine",
    "asfalto": "asfalto asphalt manto surface carreggiata pavimentazione",
    "crepa": "crepa crepe crack cracks cracked avvallamenti avvallamento",
    "tombino": "tombino tombini chiusino chiusini manhole drain caditoia grata",
    "sprofondato": "sprofondato sprofondata sceso ceduto sunk sunken",
    "pericolo": "pericolo pericolosa pericoloso dangerous danger rischia rischio cadere fall",
    "marciapiede": "marciapiede marciapiedi pavement sidewalk",
    "lampione": "lampione lampioni lampada luce luci light lights lamp lamps lamppost "
    "streetlight streetlights illuminazione",
    "guasto": "guasto guasta guasti rotto rotta rotti broken spento spenta spenti out off "
    "funziona funzionano working works danneggiato damaged",
    "intermittente": "intermittente lampeggia lampeggiante lampeggiano flickering flicker "
    "blinks blinking accende spegne switching",
    "semaforo": "semaforo semafori traffic trafficlight",
    "giallo": "giallo gialla amber yellow",
    "raccolta": "raccolta raccolti ritirato ritirata ritiro collect collected collection "
    "pickup missed saltata",
    "bidone": "bidone bidoni cassonetto cassonetti bin bins container containers dumpster",
    "pieno": "pieno piena pieni piene traboccano trabocca overflowing full",
    "svuotato": "svuotato svuotati svuotata emptied empty",
    "sacchi": "sacchi sacco sacchetti sacchetto bags bag",
    "rifiuti": "rifiuti rifiuto spazzatura immondizia rubbish garbage trash waste litter",
    "plastica": "plastica plastic",
    "abbandonati": "abbandonati abbandonato abbandonata abbandonate abandoned dumped "
    "scaricato scaricati lasciato lasciati",
    "mobili": "mobili mobile furniture divano sofa couch",
    "materasso": "materasso materassi mattress",
    "armadio": "armadio wardrobe",
    "sedie": "sedie sedia chairs chair",
    "frigo": "frigo frigorifero fridge refrigerator",
    "ingombranti": "ingombranti ingombrante bulky",
    "smaltire": "smaltire dispose disposal",
    "graffiti": "graffiti scritte scritta spray vernice imbrattato imbrattata writing tag",
    "muro": "muro muri wall walls facciata facade edificio building",
    "scuola": "scuola school",
    # Green areas: grass, lawns, verges, flower beds and hedges are one thing to maintain, and
    # "not mowed" is what "too high" means there (in other services "alta" is loud: harmless,
    # the check compares a service's reports with its own group's only).
    "erba": "erba grass prato prati lawn lawns aiuole aiuola verges verge flowerbeds siepe "
    "siepi hedge hedges",
    "alta": "alta alto altissima altissimo high tall overgrown incolto incolta incolti uncut "
    "tagliata tagliate tagliato tagliati mowed mown cut sfalcio",
    "ramo": "ramo rami branch branches",
    "caduto": "caduto caduta caduti fell fallen perso",
    "albero": "albero alberi tree trees",
    "parco": "parco park giardino garden",
    # Noise: the source (music, shouting, a party) is the same complaint to the office.
    "rumore": "rumore rumori noise noisy schiamazzi musica music loud chiasso baccano urla "
    "shouting festa party",
    "notte": "notte notti night nights tardi late",
    "auto": "auto macchina car cars vehicle automobile",
    "targa": "targa targhe plate plates",
    "tempo": "mesi months tempo ages settimane weeks giorni days",
    "riva": "riva rive sponda sponde shore bank banks",
    "bottiglie": "bottiglie bottiglia bottles bottle",
    "alghe": "alghe algae",
    "pesci": "pesci pesce fish",
    "morti": "morti morto dead",
    "odore": "odore puzza smell stink",
    "grande": "grande grosso grossa enorme big large huge",
    "profonda": "profonda profondo deep",
}
LEXICON = {word: concept for concept, text in CONCEPTS.items() for word in text.split()}


@dataclass
class Match:
    case: Case
    score: float
    distance_m: float


# --- text ------------------------------------------------------------------------------------


class _FoldTable(dict):
    """str.translate's table for fold: each character mapped once, on first sight, to its NFKD
    decomposition without combining marks ("à" -> "a", "ﬁ" -> "fi", a lone accent -> "")."""

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFKD", chr(code))
        self[code] = folded = "".join(c for c in decomposed if not unicodedata.combining(c))
        return folded


_FOLD = _FoldTable()


def fold(text: str, *, lower: bool = True) -> str:
    """Without accents and (by default) in lower case: 'Città' -> 'citta'."""
    text = text or ""
    if not text.isascii():
        text = text.translate(_FOLD)
    return text.lower() if lower else text


def words(text: str) -> list[str]:
    """Folded words without function words, English mapped to the Italian form of the lexicon.

    Place names are dropped too ("via Roma", "Roma street", "piazza Garibaldi", "Parco delle
    Rimembranze"): where the problem is, the distance already says; left in, a shared place name
    would make two different problems at one place look alike. So are e-mail addresses, phone
    numbers and tax codes (redact.strip): contact details say who, not what.
    """
    out: list[str] = []
    text = _PHRASE.sub(_phrase_form, fold(redact.strip(text), lower=False))
    tokens = _TOKEN.findall(text)
    # In a place name after "via": 1 = before its first word (always dropped), 2 = after it
    # (capitalised words go on dropping: "Via XX Settembre", "Piazza della Stazione").
    name = 0
    name_before = False  # the previous word was kept: it may be the name of "X street"
    for at, token in enumerate(tokens):
        word = token.lower()
        if word.isdigit():  # house numbers: the place, again
            continue
        if word in STREET_BEFORE:
            name, name_before = 1, False
            continue
        if word in PLACE_BEFORE and token[0].isupper() and _names_follow(tokens, at + 1):
            name, name_before = 2, False  # "Parco delle Rimembranze", not "parco giochi"
            continue
        if name == 1:
            name = 1 if word in STOPWORDS else 2
            continue
        if name == 2 and (word in STOPWORDS or token[0].isupper()):
            continue
        name = 0
        if word in STOPWORDS:
            name_before = False
            continue
        if word in STREET_AFTER:  # English: the name came just before ("Roma street")
            if name_before:
                out.pop()
            name_before = False
            continue
        out.append(lexicon_form(word))
        name_before = True
    return out


def _names_follow(tokens: list[str], at: int) -> bool:
    """The next word that is not a function word is capitalised (a proper name)."""
    for token in tokens[at:]:
        if token.lower() not in STOPWORDS:
            return token[0].isupper()
    return False


def _phrase_form(match: re.Match) -> str:
    return PHRASES[re.sub(r"\s+", " ", match.group(0).lower())]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


# Every lexicon word with one letter removed -> its form, to find misspelt English words too.
_NEAR_LEXICON: dict[str, str] = {}
for _word, _form in sorted(LEXICON.items()):
    if len(_word) >= 5:
        for _variant in sorted(_deletions(_word)):
            _NEAR_LEXICON.setdefault(_variant, _form)


@lru_cache(maxsize=8192)
def lexicon_form(word: str) -> str:
    """The lexicon's form of `word`, also when misspelt by one letter (dropped, doubled, wrong
    or swapped: the word, or the word less one letter, is a lexicon word less at most one
    letter); the word itself when the lexicon does not know it. Words under five letters are
    only looked up exactly (too many near neighbours)."""
    if word in LEXICON:
        return LEXICON[word]
    if len(word) < 5:
        return word
    if word in _NEAR_LEXICON:
        return _NEAR_LEXICON[word]
    for variant in sorted(_deletions(word)):
        if variant in LEXICON:
            return LEXICON[variant]
        if variant in _NEAR_LEXICON:
            return _NEAR_LEXICON[variant]
    return word


@lru_cache(maxsize=65536)
def word_grams(word: str) -> frozenset[str]:
    """The character 3-5-grams of one word, padded with one space on each side."""
    padded = f" {word} "
    return frozenset(
        padded[i : i + size]
        for size in NGRAM_SIZES
        if len(padded) >= size
        for i in range(len(padded) - size + 1)
    )


@lru_cache(maxsize=8192)
def features(text: str) -> frozenset[str]:
    """The set of character 3-5-grams inside word boundaries (words padded with one space)."""
    return frozenset().union(*(word_grams(word) for word in words(text)))


def text_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Cosine of two binary n-gram vectors: |A∩B| / sqrt(|A|·|B|), in [0, 1]."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


# --- place and service -----------------------------------------------------------------------


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance in metres; exact enough (< 0.1 %) at a few hundred metres."""
    dy = (lat2 - lat1) * _DEG_LAT_M
    dx = (lon2 - lon1) * _DEG_LAT_M * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, dy)


def related_service_ids(service) -> set[int]:
    """Services of the same administration in the same catalogue group (the service included)."""
    if not service.group:
        return {service.id}
    ids = set(
        Service.objects.filter(
            administration_id=service.administration_id, group=service.group
        ).values_list("id", flat=True)
    )
    return ids | {service.id}


def combined_score(text_sim: float, distance: float, same_service: bool) -> float:
    """text × (0.70 + 0.15·proximity + 0.15·service), at least NEAR_SCORE for the same service
    within NEAR_RADIUS_M; see the module docstring for why."""
    proximity = max(0.0, 1.0 - distance / RADIUS_M)
    service_term = 1.0 if same_service else RELATED_SERVICE
    score = text_sim * (0.70 + 0.15 * proximity + 0.15 * service_term)
    if same_service and distance <= NEAR_RADIUS_M:
        score = max(score, NEAR_SCORE)
    return score


# --- signatures ------------------------------------------------------------------------------

_GRAM = np.dtype("<u4")


def signature(text: str) -> bytes:
    """The text's n-grams (see features) as sorted, distinct 32-bit CRCs, packed little-endian.

    Stored with every located case (Case.match_grams), so that the check compares numbers
    instead of re-analysing the text of every nearby case. With a few dozen n-grams per text,
    two different n-grams sharing a CRC is rare enough (about 1 in 10^6 pairs of texts) not to
    move a score. Words repeat across texts, so their CRCs are cached per word.
    """
    crcs = sorted(frozenset().union(*(_word_crcs(word) for word in words(text))))
    return struct.pack(f"<{len(crcs)}I", *crcs)


@lru_cache(maxsize=65536)
def _word_crcs(word: str) -> frozenset[int]:
    return frozenset(zlib.crc32(gram.encode()) for gram in word_grams(word))


def clear_caches() -> None:
    """Forget every cached analysis (benchmarks: each check pays for its own text)."""
    for cached in (features, word_grams, _word_crcs, lexicon_form):
        cached.cache_clear()


def case_signature(title: str, description: str) -> bytes:
    """The signature of a case's text as the check sees it: its title, then its description."""
    return signature(f"{title or ''} {description or ''}")


def similarities(query: bytes, grams: list) -> np.ndarray:
    """Cosine of the query's signature with each of `grams` (bytes or memoryviews), vectorised:
    one concatenated array, one binary search of each n-gram in the query's sorted n-grams."""
    q = np.frombuffer(query, dtype=_GRAM)
    lengths = np.fromiter((len(g) // 4 for g in grams), dtype=np.int64, count=len(grams))
    if not len(q) or not len(grams):
        return np.zeros(len(grams))
    flat = np.frombuffer(b"".join(bytes(g) for g in grams), dtype=_GRAM)
    pos = np.searchsorted(q, flat)
    hit = q[np.minimum(pos, len(q) - 1)] == flat
    ends = np.cumsum(lengths)
    shared = np.concatenate(([0], np.cumsum(hit)))
    common = shared[ends] - shared[ends - lengths]
    with np.errstate(divide="ignore", invalid="ignore"):
        sims = common / np.sqrt(lengths * len(q))
    return np.where(lengths > 0, sims, 0.0)


# --- candidates ------------------------------------------------------------------------------

_COLUMNS = ("id", "service_id", "lat", "lon", "match_grams")


@lru_cache(maxsize=32)
def _candidate_sql(alias: str, by_group: bool, exclude: bool, past: bool) -> str:
    """The one candidate query, as SQL (the ORM took longer to build it than the database to
    run it). Only what scoring needs is read; the few suggested cases are read afterwards.

    Now (not `past`), the statuses and publicity are written into the SQL exactly as the index
    condition reads (literals, a bare boolean), so that SQLite and PostgreSQL can prove the
    partial index case_open_cell_idx applies (it holds open public cases only: a small share of
    a year of cases). `past`: open at a past moment (see as_of),
    through case_cell_idx."""
    qn = connections[alias].ops.quote_name
    case_t, service_t = qn(Case._meta.db_table), qn(Service._meta.db_table)
    columns = ", ".join(f"c.{qn(Case._meta.get_field(n).column)}" for n in _COLUMNS)
    statuses = ", ".join(f"'{s}'" for s in sorted(OPEN_STATUSES))  # constants, not input
    return (
        f"SELECT {columns} FROM {case_t} c"  # noqa: S608 (names from _meta; values are params)
        + (f" JOIN {service_t} s ON s.{qn('id')} = c.{qn('service_id')}" if by_group else "")
        + f" WHERE c.{qn('cell_row')} IN (%s, %s, %s) AND c.{qn('cell_col')} IN (%s, %s, %s)"
        # Unary plus: no index on the administration or the service alone is worth choosing
        # here (a planner without statistics otherwise walks a municipality's cases).
        f" AND c.{qn('submitted_at')} >= %s AND +c.{qn('administration_id')} = %s"
        + (
            f" AND c.{qn('submitted_at')} < %s"
            f" AND (c.{qn('resolved_at')} IS NULL OR c.{qn('resolved_at')} > %s)"
            f" AND (c.{qn('closed_at')} IS NULL OR c.{qn('closed_at')} > %s)"
            f" AND c.{qn('is_public')} = %s"
            if past
            else f" AND c.{qn('status')} IN ({statuses}) AND c.{qn('is_public')}"
        )
        + (
            f" AND (c.{qn('service_id')} = %s OR s.{qn('group')} = %s)"
            if by_group
            else f" AND +c.{qn('service_id')} = %s"
        )
        + (f" AND c.{qn('id')} <> %s" if exclude else "")
        + f" ORDER BY c.{qn('submitted_at')} DESC, c.{qn('id')} DESC LIMIT {MAX_CANDIDATES}"
    )


def candidate_rows(service, lat: float, lon: float, *, exclude_id=None, as_of=None) -> list[tuple]:
    """(id, service_id, lat, lon, match_grams) of open, recent, public cases of the same
    administration and a related service in the 3×3 grid cells around the point, newest first.

    One query: nine seeks on the grid index, the other conditions checked on the few rows
    found; related services through the service's group.
    """
    alias = router.db_for_read(Case)
    connection = connections[alias]
    by_group = bool(service.group)
    sql = _candidate_sql(alias, by_group, exclude_id is not None, as_of is not None)
    params = _area_params(connection, service, lat, lon, as_of, MAX_AGE_DAYS)
    if as_of is not None:
        params += [connection.ops.adapt_datetimefield_value(as_of)] * 3 + [True]
    params += [service.id]
    params += [service.group] if by_group else []
    params += [exclude_id] if exclude_id is not None else []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _area_params(connection, service, lat: float, lon: float, as_of, days: int) -> list:
    """The parameters both nearby queries start with: the 3×3 grid cells around the point
    (rows, then columns), the oldest submission time they read, the administration."""
    row, col = grid_cell(lat, lon)
    since = (as_of or timezone.now()) - timedelta(days=days)
    return [row - 1, row, row + 1, col - 1, col, col + 1] + [
        connection.ops.adapt_datetimefield_value(since),
        service.administration_id,
    ]


@lru_cache(maxsize=32)
def _merged_sql(alias: str, past: bool) -> str:
    """Reports already merged into another case (status duplicate) in the 3×3 cells: (the case
    they were merged into, their signature), through the partial index case_merged_cell_idx
    (its condition written as the index reads). `past`: merged before the moment replayed."""
    qn = connections[alias].ops.quote_name
    case_t = qn(Case._meta.db_table)
    into, grams = qn("duplicate_of_id"), qn(Case._meta.get_field("match_grams").column)
    return (
        f"SELECT c.{into}, c.{grams} FROM {case_t} c"  # noqa: S608 (names from _meta)
        f" WHERE c.{qn('cell_row')} IN (%s, %s, %s) AND c.{qn('cell_col')} IN (%s, %s, %s)"
        f" AND c.{qn('submitted_at')} >= %s AND c.{qn('status')} = '{Status.DUPLICATE.value}'"
        f" AND c.{qn('is_public')} AND +c.{qn('administration_id')} = %s"
        f" AND c.{into} IS NOT NULL"
        + (f" AND c.{qn('closed_at')} <= %s" if past else "")
        + f" ORDER BY c.{qn('submitted_at')} DESC LIMIT {MAX_CANDIDATES}"
    )


def merged_rows(service, lat: float, lon: float, *, as_of=None) -> list[tuple]:
    """(kept case id, signature) of public reports that staff merged into another case, filed in
    the last MERGED_MAX_AGE_DAYS in the 3×3 grid cells around the point (merged by `as_of` when
    replaying the past)."""
    alias = router.db_for_read(Case)
    connection = connections[alias]
    params = _area_params(connection, service, lat, lon, as_of, MERGED_MAX_AGE_DAYS)
    if as_of is not None:
        params.append(connection.ops.adapt_datetimefield_value(as_of))
    with connection.cursor() as cursor:
        cursor.execute(_merged_sql(alias, as_of is not None), params)
        return cursor.fetchall()


def score_candidates(
    service, lat: float, lon: float, text: str, rows, limit: int = 5, merged=()
) -> list:
    """(score, distance, id) of up to `limit` suggestions among the rows (newest first): the
    best-scoring rows within RADIUS_M that reach THRESHOLD, each replaced by the earliest open
    report of its problem (see _earliest), without repeats; everything computed for all rows at
    once (numpy)."""
    if not rows:
        return []
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    services = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
    lats = np.fromiter((r[2] for r in rows), dtype=float, count=len(rows))
    lons = np.fromiter((r[3] for r in rows), dtype=float, count=len(rows))
    same = services == service.id
    dist = _distances(lat, lon, lats, lons)
    query = signature(text)
    if query:
        sims = similarities(query, [r[4] for r in rows])
        if merged:
            _lift_by_merged(sims, ids, query, merged)
    else:
        sims = np.where(same, EMPTY_TEXT_SIMILARITY, 0.0)
    proximity = np.clip(1.0 - dist / RADIUS_M, 0.0, None)
    score = sims * (0.70 + 0.15 * proximity + 0.15 * np.where(same, 1.0, RELATED_SERVICE))
    # A few metres away, place and service decide (step 5 of the module docstring).
    score = np.where(same & (dist <= NEAR_RADIUS_M), np.maximum(score, NEAR_SCORE), score)
    keep = np.flatnonzero((dist <= RADIUS_M) & (score >= THRESHOLD))
    # Ties by distance, then by id: the same input always gives the same order.
    ranked = keep[np.lexsort((ids[keep], dist[keep], -score[keep]))]
    chosen: list[int] = []
    for i in ranked[:EARLIEST_LOOKUP] if query else ranked:
        j = _earliest(int(i), keep, rows, services, lats, lons) if query else int(i)
        if j not in chosen:
            chosen.append(j)
        if len(chosen) == limit:
            break
    if len(chosen) < limit and query:  # past the lookup, the rest in score order
        chosen += [int(i) for i in ranked[EARLIEST_LOOKUP:] if int(i) not in chosen][
            : limit - len(chosen)
        ]
    return [(float(score[j]), float(dist[j]), int(ids[j])) for j in chosen]


def _lift_by_merged(sims: np.ndarray, ids: np.ndarray, query: bytes, merged) -> None:
    """A candidate's text similarity becomes the best of its own and that of the reports merged
    into it: once staff merged "containers full, nobody emptied them" into "bins overflowing",
    a third report in either words finds the kept case."""
    position = {int(pk): i for i, pk in enumerate(ids)}
    kept = [(position[into], grams) for into, grams in merged if into in position]
    if not kept:
        return
    alias_sims = similarities(query, [grams for _i, grams in kept])
    for (i, _grams), sim in zip(kept, alias_sims, strict=True):
        if sim > sims[i]:
            sims[i] = sim


def _distances(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    dy = (lats - lat) * _DEG_LAT_M
    dx = (lons - lon) * _DEG_LAT_M * np.cos(np.radians((lats + lat) / 2))
    return np.hypot(dx, dy)


def _earliest(i: int, keep: np.ndarray, rows, services, lats, lons) -> int:
    """The earliest of the kept rows that describes the same problem as row `i` (same service,
    within SAME_PROBLEM_RADIUS_M of it, text similarity at least SAME_PROBLEM_SIMILARITY), or
    `i` itself. Where a problem was reported many times and nobody merged the reports yet, the
    citizen is pointed at the first report, the one the others repeat, rather than at one of
    the repeats that happens to be worded most like theirs."""
    older = keep[keep > i]  # rows come newest first
    if not len(older):
        return i
    near = _distances(lats[i], lons[i], lats[older], lons[older]) <= SAME_PROBLEM_RADIUS_M
    older = older[near & (services[older] == services[i])]
    if not len(older):
        return i
    sims = similarities(bytes(rows[i][4]), [rows[j][4] for j in older])
    same = older[sims >= SAME_PROBLEM_SIMILARITY]
    return int(same.max()) if len(same) else i


def find_duplicates(
    service,
    lat: float | None,
    lon: float | None,
    text: str,
    *,
    exclude_id: int | None = None,
    limit: int = 5,
    as_of: datetime | None = None,
) -> list[Match]:
    """Up to `limit` likely duplicates of a new report of `service` at (lat, lon), best first.

    Only open cases of the same administration, submitted in the last 90 days, public, of the
    same service or one of the same catalogue group, within 250 m; scored as the module docstring
    explains. A report without a location has no suggestions.

    `as_of` replays the check at a past moment (staff merging an old case, quality measured on
    history): cases submitted in the 90 days before it and neither resolved nor closed by then.
    """
    if lat is None or lon is None or limit <= 0:
        return []
    rows = candidate_rows(service, lat, lon, exclude_id=exclude_id, as_of=as_of)
    merged = merged_rows(service, lat, lon, as_of=as_of) if rows else ()
    best = score_candidates(service, lat, lon, text, rows, limit, merged)
    if not best:
        return []
    cases = Case.objects.in_bulk([pk for _s, _d, pk in best])
    for case in cases.values():
        if case.service_id == service.id:
            case.service = service
    return [Match(cases[pk], round(score, 6), distance) for score, distance, pk in best]


def refresh_signatures(model=None, using: str | None = None, batch: int = 5000) -> int:
    """Recompute the stored signature of every located case (after the text analysis changed:
    a new lexicon word, a new rule). One executemany per `batch` rows, walking the ids in order:
    an ORM save per row takes hours at a million. `model`: a migration's historical Case.
    Returns how many cases were rewritten."""
    model = model or Case
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    sql = f"UPDATE {table} SET {qn('match_grams')} = %s WHERE {qn('id')} = %s"  # noqa: S608
    located = model.objects.using(alias).filter(lat__isnull=False).order_by("id")
    last, done = 0, 0
    total = located.count() if progress.active() else None
    with progress.stage("case signatures", total=total, unit="cases") as bar:
        while True:
            rows = list(
                located.filter(id__gt=last).values_list("id", "title", "description")[:batch]
            )
            if not rows:
                return done
            with transaction.atomic(using=alias), connection.cursor() as cursor:
                cursor.executemany(sql, [(case_signature(t, d), pk) for pk, t, d in rows])
            bar.advance(len(rows))
            last, done = rows[-1][0], done + len(rows)
