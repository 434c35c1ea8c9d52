"""The state of the regulations (T3) and the deviation from templates (T5), now, over the
published services: the catalogue of tests/catalog/conftest.py with the services `insight` adds
(tests/dashboards/conftest.py). The period, area and channel filters do not apply, and the page
says so beside the panel when they are chosen."""

from __future__ import annotations

from django.urls import reverse

from tests.conftest import sign_in
from tests.dashboards.conftest import PERIOD
from tests.dashboards.test_panels import rows_of
from tests.dashboards.test_satisfaction import sentence


def test_services_resting_on_out_of_date_rules(client, insight, dario):
    sign_in(client, dario)
    rows = rows_of(client, "montalto", "regulations")
    # The pothole service rests on the region's art. 5 (expired on 1 January 2020) and on
    # Montalto's art. 2 (review due on 30 June 2021); its art. 1 is in force. As of 3 March 2026.
    assert rows == [
        [
            "Service",
            "Administration",
            "Most overdue provision",
            "Status",
            "Days overdue",
            "Out-of-date provisions",
            "The others",
        ],
        ["Pothole", "Comune di Montalto", "L.R. 12/2019 art. 5", "Expired", "2253", "2"]
        + ["Reg. 1/2020 art. 2"],
    ]
    assert sentence(client, "montalto", "regulations") == (
        "1 of the 3 published services (33%) rests on out-of-date rules. The longest overdue is "
        "Pothole: L.R. 12/2019 art. 5 (expired, 2253 days overdue)."
    )


def test_regulations_by_service_and_department(client, insight, dario):
    sign_in(client, dario)
    assert rows_of(client, "montalto", "regulations", service=insight.lighting.pk)[1:] == []
    assert sentence(client, "montalto", "regulations", service=insight.lighting.pk) == (
        "The one published service rests on no out-of-date rule."
    )
    # The department filter selects the services the department owns: Roads owns the pothole.
    assert len(rows_of(client, "montalto", "regulations", department=insight.roads.pk)) == 2
    assert len(rows_of(client, "montalto", "regulations", department=insight.parks.pk)) == 1


def test_deviation_from_templates(client, insight, dario):
    sign_in(client, dario)
    rows = rows_of(client, "montalto", "templates")
    assert rows == [
        ["Service", "Administration", "Template", "Fields and questions changed", "What changed"],
        ["Noise at night", "Comune di Montalto", "Montalto noise", "2"] + ["Name, Days to resolve"],
        ["Pothole", "Comune di Montalto", "Pothole", "0", ""],
        ["Street lighting", "Comune di Montalto", "(built from scratch)", "", ""],
    ]
    assert sentence(client, "montalto", "templates") == (
        "2 of the 3 published services (67%) are built on shared templates; they change 1.0 of "
        "the template&#x27;s fields and questions each on average (2 changes). Changed most "
        "often: name (in 1 of them)."
    )


def test_filters_that_do_not_apply_leave_the_figures_and_say_so(client, insight, dario):
    sign_in(client, dario)
    url = reverse("dashboards:page", args=["montalto"])
    for key in ("regulations", "templates"):
        plain = client.get(url, {"format": "csv", "panel": key}).content
        # A period, a channel and an area that select none of the cases change nothing here.
        other = {"start": "2020-01-01", "end": "2020-01-31", "channel": "email"}
        other["area"] = f"{insight.a.administration_id}:Borgo"
        assert client.get(url, {**other, "format": "csv", "panel": key}).content == plain
        html = client.get(url, other).content.decode()
        note = html[html.index(f'id="ignored-{key}"') :].split("</p>", 1)[0]
        assert "do not apply to this panel (see what it counts): period, area, channel." in note
    # Chosen filters that apply raise no note; no filter chosen, no note either.
    html = client.get(url, {"service": insight.lighting.pk}).content.decode()
    assert 'id="ignored-regulations"' not in html
    html = client.get(url, PERIOD).content.decode()
    assert 'id="ignored-regulations"' in html  # the period is chosen
    assert 'id="ignored-ideas-monthly"' not in html
