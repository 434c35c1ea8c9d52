"""On the demo region, the topics recover what the case texts are about: each case's dominant
topic against the category of the service its text describes (the demo's ground truth)."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from insieme.core.models import Administration
from insieme.topics import quality
from insieme.topics.models import Run

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_run_per_municipality(loaded_demo):
    for admin in Administration.objects.filter(kind=Administration.Kind.MUNICIPALITY):
        run = Run.objects.filter(administration=admin).first()
        assert run is not None and run.seed == loaded_demo.seed, admin.slug
        assert run.topics.count() >= 2


def test_topics_recover_the_services_categories(loaded_demo):
    truth = json.loads(loaded_demo.ground_truth.read_text())["topics"]
    now = timezone.now()
    measured = 0
    for slug, categories in truth.items():
        admin = Administration.objects.get(slug=slug)
        found = quality.measure(admin, categories, seed=loaded_demo.seed, now=now)
        if found["n"] < 100:
            continue  # too few cases to tell
        measured += 1
        # A model that found nothing scores the shuffled baseline; ours is far above it.
        assert found["nmi"] >= 0.25, (slug, found)
        assert found["nmi"] >= found["shuffled_nmi"] + 0.2, (slug, found)
        assert found["purity"] >= 0.6, (slug, found)
    assert measured >= 2
