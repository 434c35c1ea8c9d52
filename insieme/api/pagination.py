"""Cursor pagination: stable under inserts, opaque `next`/`previous` links, no counting."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination


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
