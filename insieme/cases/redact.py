"""The public copies of cases' texts (D3: PII detection and redaction), and the duplicate check's
cleaner.

Every text of a case that the public may read — a report's description and its free-text
address, staff's public replies and status notes, information requests, decisions — is stored
twice: as written (staff, and the filer, read that) and redacted by `insieme.core.pii.redact`
(`Case.public_description`, `Case.public_address`, `CaseEvent.public_text`). The redacted copy
is computed once, when the text is written, so public pages, Open311, the REST API and webhooks
read it as a column: a page of a thousand requests costs no redaction at all.

The names masked are those of the people behind the case: its filer (their account's name, and
the name they typed or sent as Open311 `first_name`/`last_name`), the people who said "me too",
and the filers of the reports merged into it. When the redaction rules change, the migration
that ships them (or `insieme redact_public`) recomputes every copy with `refresh_public_texts`.

`strip` is what the duplicate check compares: the text without e-mail addresses, phone numbers
and tax codes. It keeps its three patterns (the stored text signatures depend on them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import connections, router, transaction

from insieme.core.pii import (  # noqa: F401 - the duplicate check's patterns, re-exported
    EMAIL_RE,
    PHONE_CANDIDATE_RE,
    TAX_CODE_RE,
    _looks_like_phone,
    localise,
    redact,
)


def filer_names(submitter, contact_name: str = "") -> set[str]:
    """The filer's names: their account's, and the one given with the filing."""
    names = {getattr(submitter, "full_name", "") or "", contact_name or ""}
    return {n for n in names if n.strip()}


def names_by_case(ids: Iterable[int], *, models=None, using: str | None = None) -> dict:
    """{case id: the names its public texts must not show}, three queries for any number of
    cases. `models`: (Case, Follower) of a migration's historical state."""
    if models is None:
        from insieme.cases.models import Case, Follower

        models = (Case, Follower)
    case_model, follower_model = models
    ids = list(ids)
    names: dict[int, set[str]] = {pk: set() for pk in ids}
    cases = case_model.objects.using(using) if using else case_model.objects
    followers = follower_model.objects.using(using) if using else follower_model.objects
    fields = ("contact_name", "submitted_by__full_name")
    for pk, contact, account in cases.filter(pk__in=ids).values_list("pk", *fields):
        names[pk] |= {contact or "", account or ""}
    merged = cases.filter(duplicate_of_id__in=ids).values_list("duplicate_of_id", *fields)
    for into, contact, account in merged:
        names[into] |= {contact or "", account or ""}
    me_too = followers.filter(case_id__in=ids, me_too=True).values_list(
        "case_id", "user__full_name"
    )
    for pk, account in me_too:
        names[pk].add(account or "")
    return {pk: {n for n in found if n.strip()} for pk, found in names.items()}


def case_names(case) -> set[str]:
    """The names public texts of `case` must not show."""
    return names_by_case([case.pk]).get(case.pk, set())


def public_text(case, text: str) -> str:
    """`text`, written on `case`, as the public may read it (stored form: see `localise`)."""
    return redact(text, case_names(case)) if text else ""


def refresh_public_texts(models=None, using: str | None = None, batch: int = 2000) -> int:
    """Recompute every stored public copy (after the redaction rules changed), in batches of
    `batch` rows walked in id order, one executemany each. `models`: (Case, CaseEvent, Follower)
    of a migration's historical state. Returns how many rows were rewritten."""
    if models is None:
        from insieme.cases.models import Case, CaseEvent, Follower

        models = (Case, CaseEvent, Follower)
    case_model, event_model, follower_model = models
    alias = using or router.db_for_write(case_model)
    connection = connections[alias]
    qn = connection.ops.quote_name
    done = 0
    cases = case_model.objects.using(alias).order_by("id")
    case_sql = (
        f"UPDATE {qn(case_model._meta.db_table)} SET {qn('public_description')} = %s, "  # noqa: S608
        f"{qn('public_address')} = %s WHERE {qn('id')} = %s"
    )
    last = 0
    while rows := list(
        cases.filter(id__gt=last).values_list("id", "description", "address")[:batch]
    ):
        names = names_by_case([r[0] for r in rows], models=models[::2], using=alias)
        params = [(redact(d, names[pk]), redact(a, names[pk]), pk) for pk, d, a in rows]
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.executemany(case_sql, params)
        last, done = rows[-1][0], done + len(rows)
    events = event_model.objects.using(alias).filter(is_public=True).exclude(text="")
    event_sql = (
        f"UPDATE {qn(event_model._meta.db_table)} SET {qn('public_text')} = %s "  # noqa: S608
        f"WHERE {qn('id')} = %s"
    )
    last = 0
    while rows := list(
        events.filter(id__gt=last).order_by("id").values_list("id", "case_id", "text")[:batch]
    ):
        names = names_by_case({r[1] for r in rows}, models=models[::2], using=alias)
        params = [(redact(text, names[case_id]), pk) for pk, case_id, text in rows]
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.executemany(event_sql, params)
        last, done = rows[-1][0], done + len(rows)
    return done


def strip(text: str) -> str:
    """`text` without its e-mail addresses, phone numbers and tax codes (a space for each): what
    the duplicate check compares, where contact details are noise, not the problem. Each pattern
    runs only where a cheap test says it may match (this runs for every case the demo loads)."""
    if not text:
        return text
    if "@" in text:
        text = EMAIL_RE.sub(" ", text)
    if _SIXTEEN.search(text):
        text = TAX_CODE_RE.sub(" ", text)
    if _DIGIT.search(text):
        text = PHONE_CANDIDATE_RE.sub(_strip_phone, text)
    return text


# A tax code is 16 letters and digits in a row (case folded as TAX_CODE_RE folds it).
_SIXTEEN = re.compile(r"[A-Z0-9]{16}", re.IGNORECASE)
_DIGIT = re.compile(r"\d")


def _strip_phone(match: re.Match) -> str:
    return " " if _looks_like_phone(match.group(0)) else match.group(0)
