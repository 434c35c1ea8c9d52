"""get_scoped answers 404 for any id that is no row id of the administration, a number too large
for the database's integers included: an earlier note suspected an OverflowError (a 500) on the
data steward's open-data services form, which takes the service's id from the POST."""

from __future__ import annotations

import pytest
from django.http import Http404

from insieme.core.access import get_scoped
from insieme.core.models import Department


@pytest.mark.parametrize(
    "pk", ["99999999999999999999", str(2**63), "-1", "0", "1e3", "", None, "１２"]
)
def test_no_row_id_is_a_404(montalto, pk):
    with pytest.raises(Http404):
        get_scoped(Department.objects.all(), montalto, pk)


def test_a_huge_service_id_on_the_open_data_form_is_a_404_not_a_500(client, elena, montalto):
    from django.urls import reverse

    from tests.conftest import sign_in

    sign_in(client, elena)
    url = reverse("opendata:staff_services", args=["montalto"])
    response = client.post(url, {"service": "99999999999999999999", "text": "none"})
    assert response.status_code == 404
