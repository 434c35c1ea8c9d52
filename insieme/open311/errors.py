"""The one exception Open311 views raise for a bad request; rendered in the spec's error format."""

from __future__ import annotations


class Open311Error(Exception):
    """An error answered as `errors` / `[{"code", "description"}]` with `status`."""

    def __init__(self, *descriptions: str, status: int = 400):
        super().__init__(*descriptions)
        self.descriptions = [str(d) for d in descriptions]
        self.status = status


class NotFound(Open311Error):
    def __init__(self, *descriptions: str):
        super().__init__(*descriptions, status=404)


class Forbidden(Open311Error):
    def __init__(self, *descriptions: str):
        super().__init__(*descriptions, status=403)


# The filing action's field names, as an Open311 client knows them.
OPEN311_NAMES = {
    "contact_email": "email",
    "contact_phone": "phone",
    "contact_name": "first_name/last_name",
    "attachments": "media",
    "channel": "service_code",
    "location": "lat/long/address_string",
    "idempotency_key": "Idempotency-Key",
}


def validation_messages(exc) -> list[str]:
    """A ValidationError (or PermissionDenied) of the filing action as error descriptions,
    each prefixed with the Open311 parameter it is about (`attribute[CODE]` for answers)."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    if isinstance(exc, PermissionDenied):
        return [_("This request may not be filed.")]
    if not hasattr(exc, "error_dict"):
        return [str(m) for m in exc.messages]
    known = {"description", "lat", "lon", "address", "title", "reference", "answers"}
    result = []
    for key, messages in exc.message_dict.items():
        if key == "__all__":
            name = ""
        elif key in OPEN311_NAMES:
            name = OPEN311_NAMES[key]
        elif key in known:
            name = {"lon": "long", "address": "address_string"}.get(key, key)
        else:
            name = f"attribute[{key}]"
        result.extend(f"{name}: {m}" if name else str(m) for m in messages)
    return result
