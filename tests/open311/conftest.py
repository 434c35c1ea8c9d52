"""Open311 fixtures: Montalto's services on the API channel (realtime, batch, one that needs a
signed-in citizen), API keys of every kind, and JSON Schema validation against the Open311
conformance schemas (kept outside the repository: see tests/conformance/README.md)."""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from PIL import Image
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from insieme.catalog import actions as catalog_actions
from insieme.catalog.models import Service
from insieme.core import actions as core_actions
from tests.cases.conftest import INSIDE_MONTALTO, PII_DESCRIPTION, filed_case  # noqa: F401

# The JSON Schemas of open311/schema-validation carry no licence, so they are not copied into the
# repository: CI finds them in ../shared/conformance/open311 beside the clone, anyone else may
# point INSIEME_OPEN311_SCHEMAS at a copy. Without them the schema checks skip (fail under CI).
SCHEMAS = Path(
    os.environ.get("INSIEME_OPEN311_SCHEMAS")
    or Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "open311"
)

BASE = "/open311/v2/"

ATTRIBUTES = [
    {
        "code": "size",
        "datatype": "singlevaluelist",
        "label": "How big is it?",
        "required": True,
        "order": 10,
        "values": [{"key": "small", "name": "Small"}, {"key": "large", "name": "Large"}],
    },
    {
        "code": "kinds",
        "datatype": "multivaluelist",
        "label": "What is damaged?",
        "order": 20,
        "values": [
            {"key": "asphalt", "name": "Asphalt"},
            {"key": "kerb", "name": "Kerb"},
            {"key": "drain", "name": "Drain"},
        ],
    },
    {"code": "depth", "datatype": "number", "label": "Depth (cm)", "order": 30},
    {"code": "since", "datatype": "datetime", "label": "Since when?", "order": 40},
    {"code": "notes", "datatype": "text", "label": "Anything else?", "order": 50},
    {
        "code": "warning",
        "datatype": "string",
        "label": "If anyone is hurt, call 112.",
        "variable": False,
        "order": 60,
        "help_text": "Information only.",
    },
]


def _service(admin, code, **fields) -> Service:
    base = {
        "name": f"Service {code}",
        "description": "Reported through apps.",
        "group": "Roads",
        "keywords": "road, hole",
        "channels": ["web", "api"],
        "staff_minutes": {"web": 5, "api": 5},
        "anonymous_allowed": True,
        "status": Service.Status.PUBLISHED,
    }
    base.update(fields)
    return catalog_actions.create_service(None, admin, code=code, **base)


@dataclass
class Open311World:
    realtime: Service
    batch: Service
    signed: Service
    lv_api: Service
    key: str
    read_only_key: str
    revoked_key: str
    lv_key: str


@pytest.fixture
def world(cat, montalto, lagoverde) -> Open311World:
    realtime = _service(
        montalto, "road.hole", name="Road hole", attributes=ATTRIBUTES, department=cat.department
    )
    batch = _service(montalto, "bulky", name="Bulky waste", service_type="batch")
    signed = _service(montalto, "signed", name="Signed only", anonymous_allowed=False)
    lv_api = _service(lagoverde, "lv-api", name="Lake litter")
    _row, key = core_actions.create_api_key(
        None, montalto, name="Montalto app", scopes=["open311:write"]
    )
    _row, read_only = core_actions.create_api_key(
        None, montalto, name="Reader", scopes=["services:read", "cases:read"]
    )
    revoked_row, revoked = core_actions.create_api_key(
        None, montalto, name="Old app", scopes=["open311:write"]
    )
    core_actions.revoke_api_key(None, revoked_row)
    _row, lv_key = core_actions.create_api_key(
        None, lagoverde, name="Lago Verde app", scopes=["open311:write"]
    )
    return Open311World(realtime, batch, signed, lv_api, key, read_only, revoked, lv_key)


def png_bytes(colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, format="PNG")
    return out.getvalue()


# --- JSON Schema -------------------------------------------------------------------------------


def _registry(folder: Path) -> Registry:
    resources = []
    for path in folder.glob("*.json"):
        if path.name == "swagger.json":
            continue
        resources.append((path.name, Resource.from_contents(json.loads(path.read_text()), DRAFT4)))
    return Registry().with_resources(resources)


_REGISTRIES: dict[Path, Registry] = {}


def require_schemas() -> Path:
    """The folder of the Open311 schemas; skips the test when they are absent, or fails it under
    CI (CI=true), so that CI always runs the schema checks."""
    folder = SCHEMAS
    if (folder / "request.json").is_file():
        return folder
    reason = (
        f"Open311 conformance schemas not found at {folder} (they have no licence, so they are not "
        "in the repository; see tests/conformance/README.md, or set INSIEME_OPEN311_SCHEMAS)"
    )
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(reason)
    pytest.skip(reason)


def assert_schema(payload, schema_name: str) -> None:
    """Validate `payload` against the Open311 schema `schema_name` (draft 4)."""
    folder = require_schemas()
    if folder not in _REGISTRIES:
        _REGISTRIES[folder] = _registry(folder)
    schema = json.loads((folder / schema_name).read_text())
    validator = Draft4Validator(
        schema, registry=_REGISTRIES[folder], format_checker=Draft4Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(payload), key=str)
    assert not errors, [e.message for e in errors[:5]]


def file_request(client, world, *, fmt="json", **data):
    """POST a valid realtime request to Montalto (fields overridable, None removes one)."""
    body = {
        "jurisdiction_id": "montalto",
        "api_key": world.key,
        "service_code": world.realtime.code,
        "lat": str(INSIDE_MONTALTO["lat"]),
        "long": str(INSIDE_MONTALTO["lon"]),
        "attribute[size]": "large",
        "description": "A deep hole near the school.",
    }
    body.update(data)
    body = {k: v for k, v in body.items() if v is not None}
    return client.post(f"{BASE}requests.{fmt}", body)


def parse_xml(content: bytes):
    """Our own server's XML, parsed to check it (trusted: it comes from the code under test)."""
    import xml.etree.ElementTree as ET

    return ET.fromstring(content)  # noqa: S314
