"""A fresh clone stands alone: the conformance data whose licence allows it is in the repository
with its attribution, and the Open311 checks whose schemas are not skip outside CI, fail in CI."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.open311 import conftest as open311

CONFORMANCE = Path(__file__).resolve().parent / "conformance"


@pytest.mark.parametrize("folder", ["dcat-ap", "polis"])
def test_licensed_conformance_data_is_in_the_repository_with_its_attribution(folder):
    source = (CONFORMANCE / folder / "SOURCE.txt").read_text()
    assert "CC BY 4.0" in source.replace("CC-BY", "CC BY")
    readme = (CONFORMANCE / "README.md").read_text()
    assert f"`{folder}/`" in readme
    assert not (CONFORMANCE / "open311").exists(), "the Open311 schemas have no licence"


def test_dcat_ap_shapes_are_there():
    shapes = sorted(p.name for p in (CONFORMANCE / "dcat-ap").rglob("*.ttl"))
    assert "dcat-ap-SHACL.ttl" in shapes and "dcat-ap_2.1.1_shacl_shapes.ttl" in shapes
    for path in (CONFORMANCE / "dcat-ap").rglob("*shape*.ttl"):
        assert "NodeShape" in path.read_text(encoding="utf-8"), path.name


@pytest.mark.parametrize("conversation", ["15-per-hour-seattle", "brexit-consensus"])
def test_polis_exports_are_readable(conversation):
    with (CONFORMANCE / "polis" / conversation / "participants-votes.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert rows and "group-id" in rows[0]


def test_missing_open311_schemas_skip_with_a_reason_outside_ci(monkeypatch, tmp_path):
    monkeypatch.setattr(open311, "SCHEMAS", tmp_path / "nowhere")
    monkeypatch.setattr(open311, "REGISTRY", None, raising=False)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as exc:
        open311.assert_schema([], "services.json")
    assert "INSIEME_OPEN311_SCHEMAS" in str(exc.value)


def test_missing_open311_schemas_fail_under_ci(monkeypatch, tmp_path):
    monkeypatch.setattr(open311, "SCHEMAS", tmp_path / "nowhere")
    monkeypatch.setattr(open311, "REGISTRY", None, raising=False)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception) as exc:
        open311.assert_schema([], "services.json")
    assert "not found" in str(exc.value)
