"""Cursor pagination: stable under inserts, opaque `next`/`previous` links, no counting.

`CursorPagination` (DRF's) pages one queryset. `MergedCursorPagination` pages the union of
several querysets, each read through its own index and merged (the way the work queue reads a
person's cases, `insieme.cases.access.first_ids`): at a million cases an OR of a department's
branches makes the database read and sort the whole department for every page.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections import OrderedDict

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param


class CursorPagination(pagination.CursorPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-pk"
    invalid_cursor_message = _("Invalid cursor.")

    def _invalid(self):
        return exceptions.ValidationError({"cursor": [str(self.invalid_cursor_message)]})

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound as exc:
            raise self._invalid() from exc

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, DjangoValidationError, OverflowError) as exc:
            # A cursor whose position does not fit the ordering field.
            raise self._invalid() from exc


def first_ids(querysets, column: str, descending: bool, count: int) -> list[int]:
    """The first `count` ids of the union of `querysets` ordered by the non-null `column`, ties
    by id in the same direction: each read through its own index (`column`, id), merged.
    (insieme.cases.access.first_ids does the same for columns that may be null; its NULLS LAST
    keeps PostgreSQL from reading such an index backwards.)"""
    order = [f"-{column}", "-pk"] if descending else [column, "pk"]
    keys: dict[int, object] = {}
    for qs in querysets:
        keys.update(qs.order_by(*order).values_list("pk", column)[:count])
    ordered = sorted(((value, pk) for pk, value in keys.items()), reverse=descending)
    return [pk for _value, pk in ordered[:count]]


class MergedCursorPagination:
    """Keyset pages over the union of querysets ordered by one non-null datetime column, ties by
    id in the same direction. The cursor holds the (value, id) of the row the page starts after
    and a direction; each queryset is read from there through its own index, `page_size + 1`
    rows at most, and the ids merged. A page costs one query per queryset and one for its rows,
    whatever the size of the tables."""

    page_size = CursorPagination.page_size
    max_page_size = CursorPagination.max_page_size
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    invalid_cursor_message = CursorPagination.invalid_cursor_message

    def __init__(self, fields: list[str], default: str) -> None:
        self.fields = fields
        self.default = default

    def _invalid(self):
        return exceptions.ValidationError({"cursor": [str(self.invalid_cursor_message)]})

    def ordering(self, request) -> tuple[str, bool]:
        """(column, descending) from `?ordering=`; an unknown field falls back to the default,
        as DRF's OrderingFilter does."""
        wanted = (request.query_params.get("ordering") or "").split(",")[0].strip()
        if wanted.lstrip("-") not in self.fields:
            wanted = self.default
        return wanted.lstrip("-"), wanted.startswith("-")

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        try:
            size = int(raw) if raw is not None and len(raw) < 10 else self.page_size
        except ValueError:
            size = self.page_size
        return min(size, self.max_page_size) if size > 0 else self.page_size

    def decode_cursor(self, request) -> tuple[dt.datetime, int, bool] | None:
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")).decode("utf-8"))
            if not isinstance(data, dict):
                raise TypeError("a cursor is an object")
            value, pk, back = parse_datetime(data["v"]), int(data["p"]), bool(data.get("b"))
            value = value.astimezone(dt.UTC) if value is not None and value.tzinfo else None
        except (
            OverflowError,
            ValueError,
            TypeError,
            KeyError,
            UnicodeError,
            binascii.Error,
            json.JSONDecodeError,
        ) as exc:
            raise self._invalid() from exc
        if value is None or not 0 < pk < 2**63:
            raise self._invalid()
        return value, pk, back

    @staticmethod
    def encode_cursor(value: dt.datetime, pk: int, back: bool) -> str:
        data = {"v": value.isoformat(), "p": pk}
        if back:
            data["b"] = 1
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode("ascii")

    def paginate(self, querysets, request, fetch) -> list:
        """The page's rows: `fetch(ids)` returns the rows of those ids (any order)."""
        column, descending = self.ordering(request)
        size = self.get_page_size(request)
        cursor = self.decode_cursor(request)
        back = cursor is not None and cursor[2]
        # A page backwards is read forwards in the other direction, then turned round.
        reading_desc = descending != back
        if cursor is not None:
            value, pk = cursor[0], cursor[1]
            op = "lt" if reading_desc else "gt"
            after = Q(**{f"{column}__{op}": value}) | Q(**{column: value, f"pk__{op}": pk})
            querysets = [qs.filter(after) for qs in querysets]
        ids = first_ids(querysets, column, reading_desc, size + 1)
        more = len(ids) > size
        ids = ids[:size]
        rows = {row.pk: row for row in fetch(ids)}
        page = [rows[i] for i in ids if i in rows]
        if back:
            page.reverse()
        self._links(request, page, column, cursor is not None, more, back)
        return page

    def _links(self, request, page, column, has_cursor, more, back) -> None:
        url = request.build_absolute_uri()
        self.next_link = self.previous_link = None
        if not page:
            return
        first, last = page[0], page[-1]
        if more if not back else has_cursor:
            cursor = self.encode_cursor(getattr(last, column), last.pk, False)
            self.next_link = replace_query_param(url, self.cursor_query_param, cursor)
        if more if back else has_cursor:
            cursor = self.encode_cursor(getattr(first, column), first.pk, True)
            self.previous_link = replace_query_param(url, self.cursor_query_param, cursor)

    def response(self, data) -> Response:
        return Response(
            OrderedDict(
                [("next", self.next_link), ("previous", self.previous_link), ("results", data)]
            )
        )
