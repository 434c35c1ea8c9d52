"""The D3 indicators of open data, on hand-made data with known answers."""

from __future__ import annotations

from insieme.core.registry import Scope, indicators
from insieme.opendata import publish
from insieme.opendata.models import DatasetSetting


def compute(key, admin):
    return indicators.get(key).compute(Scope.of(admin))


def test_datasets_with_valid_metadata(opendata):
    from insieme.core.registry import datasets

    offered = len(datasets)
    result = compute("opendata-d3-datasets", opendata)
    assert (result.numerator, result.denominator) == (offered, offered)
    # One withdrawn, one file lost: two fewer.
    DatasetSetting.objects.filter(administration=opendata, dataset="ideas").update(
        state="withdrawn"
    )
    entry = publish.Publication.objects.filter(administration=opendata, dataset="services").latest(
        "version"
    )
    publish.file_path(entry, "csv").unlink()
    result = compute("opendata-d3-datasets", opendata)
    assert (result.numerator, result.denominator) == (offered - 2, offered)
    checks = {row[1]: row[4] for row in result.rows}
    assert checks["Ideas"] == "not published"
    assert checks["Services"] == "CSV file missing or changed"
    # Without an IPA code nothing is valid.
    opendata.ipa_code = ""
    opendata.save(update_fields=["ipa_code"])
    assert compute("opendata-d3-datasets", opendata).numerator == 0


def test_services_on_open_apis(opendata):
    from tests.opendata.conftest import make_service

    result = compute("opendata-d3-open-apis", opendata)
    assert (result.numerator, result.denominator) == (0, 2)  # both offered on the web only
    make_service(opendata, "api-one", "Via API", channels=["web", "api"])
    result = compute("opendata-d3-open-apis", opendata)
    assert (result.numerator, result.denominator) == (1, 3)
    assert result.display == "33% (1 of 3)"
