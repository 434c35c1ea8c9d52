"""Publishing: the files of every format, versions, and what anonymisation leaves out."""

from __future__ import annotations

import csv
import io
import json

import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from insieme.core.models import AuditEntry
from insieme.opendata import catalogue, publish
from insieme.opendata.models import Publication, ServiceTextPolicy, TextReview
from tests.opendata.conftest import make_case

PERSONAL = ("Mario Rossi", "mario.rossi@example.org", "347 123", "Private request")


def files_of(publication) -> dict[str, bytes]:
    return {fmt: publish.file_path(publication, fmt).read_bytes() for fmt in publication.files}


def reports(admin) -> list[dict]:
    return json.loads(files_of(catalogue.entry(admin.slug, "public-reports").publication)["json"])


def test_every_format_holds_the_same_rows(opendata):
    publication = catalogue.entry(opendata.slug, "public-reports").publication
    files = files_of(publication)
    assert set(files) == {"csv", "json", "geojson", "parquet"}
    rows = json.loads(files["json"])
    assert len(rows) == publication.rows == 12  # the three private cases are not there
    table = list(csv.DictReader(io.StringIO(files["csv"].decode())))
    assert [r["reference"] for r in table] == [r["reference"] for r in rows]
    geo = json.loads(files["geojson"])
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 12
    first = geo["features"][0]
    assert first["geometry"]["coordinates"] == [rows[0]["lon"], rows[0]["lat"]]
    assert "lat" not in first["properties"]
    parquet = pq.read_table(io.BytesIO(files["parquet"]))
    assert parquet.num_rows == 12
    assert str(parquet.schema.field("submitted_on").type) == "date32[day]"
    assert str(parquet.schema.field("lat").type) == "double"
    for fmt, info in publication.files.items():
        assert info["bytes"] == len(files[fmt])


def test_no_personal_data_in_any_file(opendata):
    for entry in catalogue.entries(opendata):
        for fmt, data in files_of(entry.publication).items():
            if fmt == "parquet":
                data = pq.read_table(io.BytesIO(data)).to_pandas().to_csv().encode()
            text = data.decode()
            for needle in PERSONAL:
                assert needle not in text, (entry.name, fmt, needle)


def test_text_follows_the_service_policy(opendata):
    rows = reports(opendata)
    noise = [r for r in rows if r["service"] == "rumore"]
    potholes = [r for r in rows if r["service"] == "buche"]
    assert noise and all(r["description"] is None for r in noise)  # withheld by default
    assert all(r["description"].startswith("Buca profonda numero") for r in potholes)


def test_places_are_coarsened_and_sensitive_ones_scattered(opendata):
    rows = {r["reference"]: r for r in reports(opendata)}
    # MT-1 and MT-2 are 150 m apart in one 250 m square: one point for both.
    assert (rows["MT-1"]["lat"], rows["MT-1"]["lon"]) == (rows["MT-2"]["lat"], rows["MT-2"]["lon"])
    assert rows["MT-1"]["lat"] != 45.071
    from insieme.opendata.anonymise import coarsen

    # A noise report (sensitive) is not at its square's centre.
    centre = coarsen(45.07, 7.68, 250)
    assert (rows["MT-0"]["lat"], rows["MT-0"]["lon"]) != centre


def test_the_same_content_keeps_its_version_and_a_change_makes_a_new_one(opendata):
    first = catalogue.entry(opendata.slug, "public-reports").publication
    again = publish.publish(opendata, "public-reports")
    assert again.pk == first.pk and again.version == 1
    assert again.checked_at >= first.checked_at
    case = make_case(
        opendata,
        first.administration.services.get(code="buche"),
        99,
        first.created_at,
        is_public=True,
        public_description="Another hole",
    )
    changed = publish.publish(opendata, "public-reports")
    assert changed.version == 2 and changed.rows == 13
    assert publish.file_path(first, "csv").is_file()  # the old version stays downloadable
    assert AuditEntry.objects.filter(action="opendata.publish", object_id=str(changed.pk)).exists()
    case.delete()


def test_old_versions_are_pruned(opendata, monkeypatch):
    monkeypatch.setattr(publish, "KEEP_VERSIONS", 2)
    first = catalogue.entry(opendata.slug, "services").publication
    for _ in range(3):
        publish.publish(opendata, "services", force=True)
    versions = list(
        Publication.objects.filter(administration=opendata, dataset="services").values_list(
            "version", flat=True
        )
    )
    assert sorted(versions) == [3, 4]
    assert not (publish.root() / first.files["csv"]["path"]).exists()


def test_reviewed_text_waits_for_a_moderator(opendata, elena):
    from insieme.opendata import actions

    potholes = ServiceTextPolicy.objects.get(service__code="buche")
    potholes.text = ServiceTextPolicy.Text.REVIEWED
    potholes.save()
    publish.publish(opendata, "public-reports")
    assert all(r["description"] is None for r in reports(opendata))
    pending = TextReview.objects.filter(administration=opendata, state="pending")
    assert pending.count() == 8
    review = pending.get(record__endswith=":" + str(opendata.cases.get(reference="MT-1").pk))
    actions.decide_review(elena, review, approve=True)
    publish.publish(opendata, "public-reports")
    shown = [r for r in reports(opendata) if r["description"]]
    assert [r["reference"] for r in shown] == ["MT-1"]
    # The text changes: it waits again, and stays out meanwhile.
    opendata.cases.filter(reference="MT-1").update(public_description="Buca rifatta male")
    publish.publish(opendata, "public-reports")
    assert not [r for r in reports(opendata) if r["description"]]
    review.refresh_from_db()
    assert review.state == "pending" and review.text == "Buca rifatta male"


def test_small_counts_are_suppressed_in_the_monthly_table(opendata):
    entry = catalogue.entry(opendata.slug, "requests-monthly")
    rows = json.loads(files_of(entry.publication)["json"])
    # January: 4 noise reports and 8 + 3 pothole requests; the 4 and its partner go.
    by_service = {r["service"]: r for r in rows}
    assert by_service["rumore"]["received"] is None
    assert by_service["buche"]["received"] is None  # else rumore = total - buche
    assert entry.publication.suppressed >= 2


def test_the_command_publishes_and_refuses_unknown_names(opendata, capsys):
    call_command("opendata", "publish", "--administration", opendata.slug, "--dataset", "services")
    assert "montalto/services: version 1" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Unknown dataset"):
        call_command("opendata", "publish", "--dataset", "nope")
    with pytest.raises(CommandError, match="Unknown administration"):
        call_command("opendata", "publish", "--administration", "nowhere")
