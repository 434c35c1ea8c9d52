"""The personal-data scanner (issue 15; Scorecard D3): stored free text read with the detector
of `insieme.core.pii`, each text that holds personal data recorded as a `Finding` for the data
steward, who redacts it or dismisses it (`insieme.privacy.actions`).

What is scanned (`SOURCES`), public texts first, because public pages, Open311, the REST API and
open data show them:

- a case's public description and its events' public texts (computed by `pii.redact` when they
  were written: a finding there means the rules changed since, or the copy was written another
  way), the title and body of ideas and the body of comments (shown as their authors wrote them);
- a case's description, which only staff and the filer read ("staff only" on the screen): it
  often holds the filer's own contact details, which the data steward may leave.

The detector is `pii.redact` itself: a text holds personal data when its redaction differs, and
the placeholders that appeared tell which kinds. The names masked are those the public copy of
the same text would mask: a case's filer and the people behind it; an idea's or a comment's
author when they chose not to show their name.

A finding never copies the personal data: its excerpt is cut from the redacted text. Scanning
again is idempotent: a text whose hash is the one recorded is left as it is; a text that changed
reopens a resolved or dismissed finding only if it still holds personal data; an open finding
whose text holds none any more is closed (redacted).

Rows are read in id order, `CHUNK` at a time (one `values_list` query each, the id as the key),
and the findings of each chunk are read and written in one transaction, in bulk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from insieme.cases.models import Case, CaseEvent, Follower
from insieme.cases.redact import names_by_case
from insieme.core import pii
from insieme.participation.models import Comment, Idea
from insieme.privacy.models import Finding

CHUNK = 2000
# The excerpt: this many characters of the redacted text before the first placeholder, and
# after it (about 160 in all).
BEFORE, AFTER = 60, 100
# Moving an excerpt's ends to the nearest space, so it starts and stops on whole words, only
# when a space is this close.
SNAP = 20

# What each placeholder of pii.redact says was there.
KINDS = {
    pii.EMAIL: "email",
    pii.PHONE: "phone",
    pii.TAX_CODE: "tax_code",
    pii.IBAN: "iban",
    pii.CARD: "card",
    pii.BIRTH_DATE: "birth_date",
    pii.NAME: "name",
}
KIND_LABELS = {
    "email": _("E-mail address"),
    "phone": _("Phone number"),
    "tax_code": _("Tax code"),
    "iban": _("IBAN"),
    "card": _("Payment card number"),
    "birth_date": _("Date of birth"),
    "name": _("Name"),
}

# A row as read for scanning: (id, administration id, text, *what the source's names need).
Row = tuple


@dataclass(frozen=True)
class Source:
    """A field of free text the scanner reads. `key` is "<app_label>.<model>.<field>", as
    findings store it; `administration` the lookup from the row to its administration;
    `since` the filter of rows written after a time; `extra` the values `names` reads from each
    row to answer {row id: the names its text must not show}."""

    key: str
    model: type[models.Model]
    field: str
    public: bool
    label: object
    administration: str
    since: Callable[[dt.datetime], models.Q]
    extra: tuple[str, ...] = ()
    names: Callable[[Sequence[Row]], dict[int, Iterable[str]]] | None = None

    def queryset(self, administration=None, since: dt.datetime | None = None):
        """The rows with a text to scan, of one administration and written after `since` when
        given."""
        qs = self.model._default_manager.exclude(**{self.field: ""})
        if administration is not None:
            qs = qs.filter(**{self.administration: administration.pk})
        if since is not None:
            qs = qs.filter(self.since(since))
        return qs

    def rows(self, qs) -> list[Row]:
        return list(qs.values_list("pk", self.administration, self.field, *self.extra))

    def names_of(self, rows: Sequence[Row]) -> dict[int, Iterable[str]]:
        return self.names(rows) if self.names is not None else {}


# Cases whose names are read in one go. With a longer list SQLite's planner read every person
# for the followers' query instead of the followers of these cases (1 s for 2,000 cases of the
# 5,000-case demo instead of 0.05 s).
NAMES_BATCH = 250


def _case_names(rows: Sequence[Row]) -> dict[int, Iterable[str]]:
    """The names behind each row's case (its last value is the case's id): three queries per
    NAMES_BATCH cases."""
    cases = sorted({row[-1] for row in rows})
    by_case: dict[int, set[str]] = {}
    for i in range(0, len(cases), NAMES_BATCH):
        by_case.update(names_by_case(cases[i : i + NAMES_BATCH], Case, Follower))
    return {row[0]: by_case.get(row[-1], ()) for row in rows}


def _hidden_author(rows: Sequence[Row]) -> dict[int, Iterable[str]]:
    """An author who chose not to show their name must not be named by their own text either
    (the row ends with show_name and the author's name); one who shows it is named anyway."""
    return {row[0]: (row[-1],) for row in rows if not row[-2] and row[-1]}


def _updated_since(when: dt.datetime) -> models.Q:
    return models.Q(updated_at__gte=when)


def _created_since(when: dt.datetime) -> models.Q:
    # Events and comments are never edited: their creation is their last write.
    return models.Q(created_at__gte=when)


_AUTHOR = ("show_name", "author__full_name")

# Public texts first: when a run is cut short, they are the ones done.
SOURCES: tuple[Source, ...] = (
    Source(
        "cases.case.public_description",
        Case,
        "public_description",
        True,
        _("Case, public description"),
        "administration_id",
        _updated_since,
        ("pk",),
        _case_names,
    ),
    Source(
        "cases.caseevent.public_text",
        CaseEvent,
        "public_text",
        True,
        _("Case, public reply or note"),
        "case__administration_id",
        _created_since,
        ("case_id",),
        _case_names,
    ),
    Source(
        "participation.idea.title",
        Idea,
        "title",
        True,
        _("Idea, title"),
        "process__administration_id",
        _updated_since,
        _AUTHOR,
        _hidden_author,
    ),
    Source(
        "participation.idea.body",
        Idea,
        "body",
        True,
        _("Idea, text"),
        "process__administration_id",
        _updated_since,
        _AUTHOR,
        _hidden_author,
    ),
    Source(
        "participation.comment.body",
        Comment,
        "body",
        True,
        _("Comment"),
        "administration_id",
        _created_since,
        _AUTHOR,
        _hidden_author,
    ),
    Source(
        "cases.case.description",
        Case,
        "description",
        False,
        _("Case, description (staff only)"),
        "administration_id",
        _updated_since,
        ("pk",),
        _case_names,
    ),
)
SOURCES_BY_KEY = {s.key: s for s in SOURCES}


# --- detecting ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Detection:
    kinds: tuple[str, ...]
    excerpt: str


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def kinds_in(text: str, redacted: str) -> tuple[str, ...]:
    """The kinds whose placeholder the redaction added (a text may quote a placeholder
    already: a public copy redacted before is no finding)."""
    return tuple(
        kind for holder, kind in KINDS.items() if redacted.count(holder) > text.count(holder)
    )


def excerpt(text: str, redacted: str) -> str:
    """About 160 characters of the redacted text around where it first differs from `text`
    (the first placeholder), on one line: never a character the redaction removed."""
    at = len(os.path.commonprefix([text, redacted]))
    start, end = max(0, at - BEFORE), min(len(redacted), at + AFTER)
    if start > 0:
        space = redacted.find(" ", start, at)
        start = space + 1 if 0 <= space - start < SNAP else start
    if end < len(redacted):
        space = redacted.rfind(" ", at, end)
        end = space if 0 <= end - space < SNAP else end
    cut = " ".join(redacted[start:end].split())
    return ("…" if start > 0 else "") + cut + ("…" if end < len(redacted) else "")


# Folding for `_may_name`: what pii's name patterns treat as the same letter (case, accents,
# ø for o, apostrophes that may be left out) made equal.
_FOLD = str.maketrans({"ø": "o", "Ø": "o", **dict.fromkeys("'’`´", "")})


def _fold(text: str) -> str:
    text = text.translate(_FOLD)
    if text.isascii():  # most texts: nothing to decompose
        return text.casefold()
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _may_name(text: str, names: Iterable[str]) -> tuple[str, ...]:
    """The names of `names` that `text` may mention: those with a part of theirs in it, letter
    for letter once folded. pii.redact matches no name without one of its parts, and compiles
    one pattern per set of names (about 25 ms): most texts mention nobody, and cost none."""
    names = tuple(n for n in names if n)
    if not names:
        return ()
    folded = _fold(text)
    return tuple(n for n in names if any(_fold(p) in folded for p in pii.name_parts(n)))


def detect(text: str, names: Iterable[str] = ()) -> Detection | None:
    """What personal data `text` holds by the rules of `pii.redact` (masking `names`), or
    None."""
    redacted = pii.redact(text, _may_name(text, names))
    if redacted == text:
        return None
    kinds = kinds_in(text, redacted)
    return Detection(kinds, excerpt(text, redacted)) if kinds else None


# --- recording ---------------------------------------------------------------------------------

NEW, REOPENED, UPDATED, CLOSED, UNCHANGED = "new", "reopened", "updated", "closed", "unchanged"


def outcome(finding: Finding | None, found: Detection | None, digest: str) -> str:
    """What a scan does to `finding` (None: there is none yet) for a text of hash `digest`
    in which `found` was detected (None: no personal data)."""
    if found is None:
        # An open finding whose text is clean now was redacted at the source; a resolved or
        # dismissed one stays as the steward left it.
        return CLOSED if finding is not None and finding.state == Finding.State.OPEN else UNCHANGED
    if finding is None:
        return NEW
    if finding.text_hash != digest:
        return UPDATED if finding.state == Finding.State.OPEN else REOPENED
    # The same text: the steward's decision on it stands; an open finding follows the rules.
    same = list(found.kinds) == finding.kinds and found.excerpt == finding.excerpt
    return UNCHANGED if same or finding.state != Finding.State.OPEN else UPDATED


def _apply(finding: Finding, what: str, found: Detection | None, digest: str, now) -> None:
    finding.text_hash = digest
    if what == CLOSED:
        finding.state, finding.resolved_by, finding.resolved_at = Finding.State.REDACTED, None, now
        return
    finding.kinds, finding.excerpt = list(found.kinds), found.excerpt
    if what == REOPENED:
        finding.state, finding.resolved_by, finding.resolved_at = Finding.State.OPEN, None, None
        finding.found_at = now


_WRITTEN = ["text_hash", "kinds", "excerpt", "state", "resolved_by", "resolved_at", "found_at"]


def record_chunk(source: Source, rows: Sequence[Row], now: dt.datetime | None = None) -> Counter:
    """Detect in `rows` (read by `source.rows`, in id order) and write their findings: one
    transaction, one read of the findings and one bulk write of each kind."""
    now = now or timezone.now()
    names = source.names_of(rows)
    seen = [(row, detect(row[2], names.get(row[0], ())), text_hash(row[2])) for row in rows]
    counts: Counter = Counter(scanned=len(rows))
    with transaction.atomic():
        # The unique index (source, object_id) answers the id range; findings of rows outside
        # this chunk (a scan `since`) are read but left alone.
        existing = {
            f.object_id: f
            for f in Finding.objects.select_for_update().filter(
                source=source.key, object_id__gte=rows[0][0], object_id__lte=rows[-1][0]
            )
        }
        created, changed = [], []
        for row, found, digest in seen:
            finding = existing.get(row[0])
            what = outcome(finding, found, digest)
            counts[what] += 1
            if what == NEW:
                created.append(_new(source, row, found, digest, now))
            elif what != UNCHANGED:
                _apply(finding, what, found, digest, now)
                changed.append(finding)
        Finding.objects.bulk_create(created)
        Finding.objects.bulk_update(changed, _WRITTEN)
    return counts


def _new(source: Source, row: Row, found: Detection, digest: str, now) -> Finding:
    return Finding(
        administration_id=row[1],
        source=source.key,
        object_id=row[0],
        kinds=list(found.kinds),
        excerpt=found.excerpt,
        text_hash=digest,
        found_at=now,
    )


def scan_source(
    source: Source, administration=None, since: dt.datetime | None = None, chunk: int = CHUNK
) -> Counter:
    """Scan one source, `chunk` rows at a time in id order (each chunk its own query: no cursor
    stays open while the findings are written)."""
    qs = source.queryset(administration, since).order_by("pk")
    counts: Counter = Counter()
    last = 0
    while rows := source.rows(qs.filter(pk__gt=last)[:chunk]):
        counts += record_chunk(source, rows)
        last = rows[-1][0]
    return counts


def scan(
    administration=None, since: dt.datetime | None = None, sources: Iterable[Source] = SOURCES
) -> dict[str, Counter]:
    """Scan every source (of one administration, rows written after `since`, when given):
    {source key: {"scanned": n, "new": n, "reopened": n, "updated": n, "closed": n,
    "unchanged": n}}."""
    return {s.key: scan_source(s, administration, since) for s in sources}
