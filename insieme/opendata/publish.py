"""Publishing the registered datasets: rows from their app, anonymised, written as CSV, JSON,
GeoJSON (where rows have a place) and Parquet, and versioned.

A run reads every dataset of an administration whatever its state: the data steward reviews a
dataset's files before publishing it; the catalogue, the CKAN API and the public downloads show
only published ones. A run whose content matches the latest version's keeps that version (its
`checked_at` moves); otherwise it writes version n + 1 beside the older ones, which stay
downloadable until `KEEP_VERSIONS` newer ones exist.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from insieme.core import audit
from insieme.core.csvsafe import neutralise
from insieme.core.models import Administration
from insieme.core.pii import redact
from insieme.core.registry import Dataset, datasets
from insieme.opendata.anonymise import coarsen, suppress
from insieme.opendata.models import (
    DEFAULT_THRESHOLD,
    DatasetSetting,
    Publication,
    ServiceTextPolicy,
    TextReview,
)

KEEP_VERSIONS = 5
FORMATS = ("csv", "json", "geojson", "parquet")
MEDIA_TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "geojson": "application/geo+json",
    "parquet": "application/vnd.apache.parquet",
}


def root() -> Path:
    return Path(settings.INSIEME_OPENDATA_ROOT)


def setting_for(administration: Administration, key: str) -> DatasetSetting:
    """The steward's settings of a dataset (defaults until they change one: not published)."""
    found = DatasetSetting.objects.filter(administration=administration, dataset=key).first()
    return found or DatasetSetting(administration=administration, dataset=key)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Prepared:
    rows: list[dict]
    suppressed: int
    texts_held: int  # texts waiting for a moderator's approval, left out meanwhile


def _text_policies(administration: Administration) -> dict[int, ServiceTextPolicy]:
    return {
        p.service_id: p
        for p in ServiceTextPolicy.objects.filter(service__administration=administration)
    }


def _approved(administration, reviews: dict, record: str, text: str) -> bool:
    """Whether a moderator approved this very text; files it for a decision when nobody has
    decided on it yet (or on its current wording)."""
    digest = text_hash(text)
    review = reviews.get(record)
    if review is not None and review.text_hash == digest:
        return review.state == TextReview.State.APPROVED
    if review is None:
        reviews[record] = TextReview.objects.create(
            administration=administration, record=record, text=text, text_hash=digest
        )
    else:
        review.text, review.text_hash = text, digest
        review.state, review.decided_by, review.decided_at = TextReview.State.PENDING, None, None
        review.save(update_fields=["text", "text_hash", "state", "decided_by", "decided_at"])
    return False


def prepare(dataset: Dataset, administration: Administration, threshold: int) -> Prepared:
    """The dataset's rows for `administration`, anonymised as its columns' roles ask."""
    rows = list(dataset.rows(administration))
    policies = _text_policies(administration)
    lat = next((c.name for c in dataset.columns if c.role == "lat"), None)
    lon = next((c.name for c in dataset.columns if c.role == "lon"), None)
    texts = [c.name for c in dataset.columns if c.role == "text"]
    metres = settings.INSIEME_OPENDATA_GRID_METRES
    reviews: dict[str, TextReview] | None = None
    held = 0
    for row in rows:
        policy = policies.get(row.get("_service_id"))
        if lat and lon:
            scatter = ""
            if policy is not None and policy.sensitive_places:
                scatter = f"{dataset.key}:{row.get('_id')}"
            row[lat], row[lon] = coarsen(row.get(lat), row.get(lon), metres, scatter_key=scatter)
        if texts:
            # Text of a record with no service (an idea, a comment) is public already on the
            # site: redacted as there. A service's text is withheld unless its policy says.
            mode = (
                policy.text
                if policy is not None
                else ("redacted" if row.get("_service_id") is None else "withheld")
            )
            for name in texts:
                original = row.get(name) or ""
                if mode == ServiceTextPolicy.Text.WITHHELD or not original:
                    row[name] = None
                    continue
                clean = redact(original, row.get("_names", ()))
                if mode == ServiceTextPolicy.Text.REVIEWED:
                    if reviews is None:
                        reviews = {
                            r.record: r
                            for r in TextReview.objects.filter(administration=administration)
                        }
                    record = f"{dataset.key}:{row.get('_id')}"
                    if not _approved(administration, reviews, record, clean):
                        row[name] = None
                        held += 1
                        continue
                row[name] = clean
    for row in rows:
        for key in [k for k in row if k.startswith("_")]:
            del row[key]
    suppressed = 0
    if any(c.role in ("count", "part") for c in dataset.columns):
        suppressed = suppress(rows, dataset.columns, dataset.margins, threshold)
    return Prepared(rows=rows, suppressed=suppressed, texts_held=held)


# --- writing the files -------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _csv(dataset: Dataset, rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = [c.name for c in dataset.columns]
    writer.writerow(names)
    for row in rows:
        writer.writerow(
            ["" if row.get(n) is None else neutralise(str(_plain(row.get(n)))) for n in names]
        )
    return out.getvalue().encode()


def _json(dataset: Dataset, rows: list[dict]) -> bytes:
    names = [c.name for c in dataset.columns]
    data = [{n: _plain(row.get(n)) for n in names} for row in rows]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _geojson(dataset: Dataset, rows: list[dict]) -> bytes:
    lat = next(c.name for c in dataset.columns if c.role == "lat")
    lon = next(c.name for c in dataset.columns if c.role == "lon")
    others = [c.name for c in dataset.columns if c.name not in (lat, lon)]
    features = []
    for row in rows:
        geometry = None
        if row.get(lat) is not None and row.get(lon) is not None:
            geometry = {"type": "Point", "coordinates": [row[lon], row[lat]]}
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {n: _plain(row.get(n)) for n in others},
            }
        )
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()


def _parquet(dataset: Dataset, rows: list[dict]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {
        "string": pa.string(),
        "integer": pa.int64(),
        "number": pa.float64(),
        "date": pa.date32(),
        "boolean": pa.bool_(),
    }
    arrays, fields = [], []
    for col in dataset.columns:
        values = [row.get(col.name) for row in rows]
        if col.type == "date":
            values = [dt.date.fromisoformat(v) if isinstance(v, str) else v for v in values]
        fields.append(pa.field(col.name, types[col.type]))
        arrays.append(pa.array(values, type=types[col.type]))
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


WRITERS = {"csv": _csv, "json": _json, "geojson": _geojson, "parquet": _parquet}


def formats_of(dataset: Dataset) -> list[str]:
    return [f for f in FORMATS if f != "geojson" or dataset.geographic]


def content_hash(dataset: Dataset, rows: list[dict]) -> str:
    return hashlib.sha256(_json(dataset, rows)).hexdigest()


def publish(
    administration: Administration, key: str, *, actor=None, force: bool = False
) -> Publication:
    """Regenerate one dataset of one administration; returns its current version."""
    dataset = datasets.get(key)
    setting = setting_for(administration, key)
    started = time.perf_counter()
    prepared = prepare(dataset, administration, setting.threshold or DEFAULT_THRESHOLD)
    as_json = _json(dataset, prepared.rows)
    digest = hashlib.sha256(as_json).hexdigest()
    latest = (
        Publication.objects.filter(administration=administration, dataset=key)
        .order_by("-version")
        .first()
    )
    now = timezone.now()
    if latest is not None and latest.content_hash == digest and not force:
        Publication.objects.filter(pk=latest.pk).update(checked_at=now)
        latest.checked_at = now
        return latest
    version = (latest.version + 1) if latest else 1
    folder = Path(administration.slug) / key / f"v{version}"
    target = root() / folder
    if target.exists():  # left by a run that failed before recording it
        shutil.rmtree(target)
    target.mkdir(parents=True)
    files = {}
    for fmt in formats_of(dataset):
        data = as_json if fmt == "json" else WRITERS[fmt](dataset, prepared.rows)
        name = f"{key}.{fmt}"
        (target / name).write_bytes(data)
        files[fmt] = {
            "path": str(folder / name),
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    with transaction.atomic():
        publication = Publication.objects.create(
            administration=administration,
            dataset=key,
            version=version,
            created_at=now,
            checked_at=now,
            rows=len(prepared.rows),
            suppressed=prepared.suppressed,
            content_hash=digest,
            files=files,
            seconds=time.perf_counter() - started,
        )
        audit.record(
            actor=actor,
            action="opendata.publish",
            obj=publication,
            administration=administration,
            after={
                "dataset": key,
                "version": version,
                "rows": len(prepared.rows),
                "suppressed": prepared.suppressed,
                "texts_held": prepared.texts_held,
            },
        )
    _prune(administration, key)
    return publication


def _prune(administration: Administration, key: str) -> None:
    old = list(
        Publication.objects.filter(administration=administration, dataset=key).order_by("-version")[
            KEEP_VERSIONS:
        ]
    )
    for publication in old:
        shutil.rmtree(root() / administration.slug / key / f"v{publication.version}", True)
        publication.delete()


def publish_all(*, actor=None, administration: Administration | None = None) -> list:
    """Every registered dataset of every administration (or of one)."""
    admins = [administration] if administration else list(Administration.objects.order_by("pk"))
    return [publish(admin, ds.key, actor=actor) for admin in admins for ds in datasets]


def file_path(publication: Publication, fmt: str) -> Path | None:
    info = publication.files.get(fmt)
    if not info:
        return None
    path = (root() / info["path"]).resolve()
    if root().resolve() not in path.parents or not path.is_file():
        return None
    return path
