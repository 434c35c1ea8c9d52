"""What the public sees of open data: the published datasets, each with its latest version.

The portal pages, the DCAT-AP catalogue and the CKAN Action API all read this one list, so
they never disagree on what is published. A dataset is listed when its administration's data
steward has published it and a publication run has written its files.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max

from insieme.core.models import Administration
from insieme.core.registry import Dataset, datasets
from insieme.opendata.models import LICENCES, DatasetSetting, Publication


@dataclass
class Entry:
    administration: Administration
    dataset: Dataset
    setting: DatasetSetting
    publication: Publication  # the latest version

    @property
    def name(self) -> str:
        """The dataset's name in the CKAN API and its identifier in the catalogue."""
        return f"{self.administration.slug}-{self.dataset.key}"

    @property
    def licence(self) -> tuple[str, str, str]:
        """(title, EU vocabulary URI, URL of the text)."""
        return LICENCES[self.setting.licence]


def entries(administration: Administration | None = None) -> list[Entry]:
    """Every published dataset (of one administration, or of all), by administration and key."""
    settings_qs = DatasetSetting.objects.filter(
        state=DatasetSetting.State.PUBLISHED
    ).select_related("administration")
    if administration is not None:
        settings_qs = settings_qs.filter(administration=administration)
    chosen = [s for s in settings_qs if s.dataset in datasets]
    if not chosen:
        return []
    latest = (
        Publication.objects.filter(
            administration_id__in={s.administration_id for s in chosen},
            dataset__in={s.dataset for s in chosen},
        )
        .values("administration_id", "dataset")
        .annotate(top=Max("version"))
    )
    tops = {(row["administration_id"], row["dataset"]): row["top"] for row in latest}
    publications = {
        (p.administration_id, p.dataset): p
        for p in Publication.objects.filter(
            administration_id__in={s.administration_id for s in chosen},
            dataset__in={s.dataset for s in chosen},
            version__in=set(tops.values()),
        )
        if tops.get((p.administration_id, p.dataset)) == p.version
    }
    found = []
    for s in chosen:
        publication = publications.get((s.administration_id, s.dataset))
        if publication is not None:
            found.append(Entry(s.administration, datasets.get(s.dataset), s, publication))
    found.sort(key=lambda e: (e.administration.slug, e.dataset.key))
    return found


def entry(admin_slug: str, key: str) -> Entry | None:
    """One published dataset, or None (unknown, not published, or never generated)."""
    if key not in datasets:
        return None
    admin = Administration.objects.filter(slug=admin_slug).first()
    if admin is None:
        return None
    return next((e for e in entries(admin) if e.dataset.key == key), None)


def by_name(name: str) -> Entry | None:
    """The dataset a CKAN name ("<administration>-<dataset>") stands for."""
    for key in sorted(datasets.keys(), key=len, reverse=True):
        if name.endswith("-" + key):
            return entry(name[: -len(key) - 1], key)
    return None
