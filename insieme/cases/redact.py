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
    names = {contact_name, submitter.full_name if submitter is not None else ""}
    return {n for n in names if n and n.strip()}


def names_by_case(ids: Iterable[int], case_model, follower_model, using=None) -> dict:
    """{case id: the names its public texts must not show}, three queries for any number of
    cases. The models are the app's (`case_names`) or a migration's historical ones."""
    ids = list(ids)
    cases = case_model._default_manager.db_manager(using)
    followers = follower_model._default_manager.db_manager(using)
    fields = ("contact_name", "submitted_by__full_name")
    names: dict[int, set] = {pk: set() for pk in ids}
    for pk, *people in cases.filter(pk__in=ids).values_list("pk", *fields):
        names[pk].update(people)
    for into, *people in cases.filter(duplicate_of_id__in=ids).values_list(
        "duplicate_of_id", *fields
    ):
        names[into].update(people)
    me_too = followers.filter(case_id__in=ids, me_too=True)
    for pk, person in me_too.values_list("case_id", "user__full_name"):
        names[pk].add(person)
    # No account (None), no name given (""): nobody to mask.
    return {pk: {n for n in found if n and n.strip()} for pk, found in names.items()}


def case_names(case) -> set[str]:
    """The names public texts of `case` must not show."""
    from insieme.cases.models import Case, Follower

    return names_by_case([case.pk], Case, Follower)[case.pk]


def public_text(case, text: str) -> str:
    """`text`, written on `case`, as the public may read it (stored form: see `localise`).
    An empty text costs no query."""
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

    def cases(rows: list[tuple]) -> list[tuple]:
        names = names_by_case([r[0] for r in rows], case_model, follower_model, alias)
        return [(redact(d, names[pk]), redact(a, names[pk]), pk) for pk, d, a in rows]

    def events(rows: list[tuple]) -> list[tuple]:
        names = names_by_case({r[1] for r in rows}, case_model, follower_model, alias)
        return [(redact(text, names[case_id]), pk) for pk, case_id, text in rows]

    done = _rewrite(
        case_model._default_manager.using(alias),
        ("description", "address"),
        ("public_description", "public_address"),
        cases,
        batch,
    )
    return done + _rewrite(
        event_model._default_manager.using(alias).filter(is_public=True).exclude(text=""),
        ("case_id", "text"),
        ("public_text",),
        events,
        batch,
    )


def _rewrite(queryset, read: tuple, write: tuple, compute, batch: int) -> int:
    """Walk `queryset` in id order, `batch` rows at a time, reading `read` and writing the
    columns `write` with what `compute(rows)` gives (their values, then the id)."""
    model, alias = queryset.model, queryset.db
    connection = connections[alias]
    qn = connection.ops.quote_name
    columns = ", ".join(f"{qn(model._meta.get_field(f).column)} = %s" for f in write)
    sql = f"UPDATE {qn(model._meta.db_table)} SET {columns} WHERE {qn(model._meta.pk.column)} = %s"  # noqa: S608
    ordered = queryset.order_by("pk").values_list("pk", *read)
    rows, done = list(ordered[:batch]), 0
    while rows:
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.executemany(sql, compute(rows))
        done += len(rows)
        rows = list(ordered.filter(pk__gt=rows[-1][0])[:batch])
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
