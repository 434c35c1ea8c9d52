"""Dashboard fixtures: a handful of cases with known times, made as rows (the dashboards only
read them), so every panel's figure is known in advance.

The clock stands at Tuesday 3 March 2026, 10:00 in Rome. The period asked for is Monday 2 to
Sunday 29 February... of 2026: four whole weeks, 2 Feb – 1 Mar. In Montalto:

A  web, Roads, in the locality "Borgo"   filed Mon 2 Feb 08:30, acknowledged after 2 h,
   resolved after 3 days; both promises kept; handed off to Parks and sent back
B  web, Roads, assigned to Olga           filed Mon 9 Feb 00:30 (still Sunday in UTC),
   acknowledged after 30 h, open; its resolution fell due on 24 Feb: broken
C  phone, no department                   filed Wed 18 Feb 10:15, acknowledged after 5 h,
   resolved after a day and closed; handed off to Parks and accepted
D  counter, Roads, assigned to Olga       filed Tue 20 Jan 09:00 (the period before),
   acknowledged after 24 h, open; its resolution fell due on 4 Feb: broken
and in Lago Verde E, web, filed Tue 10 Feb 11:00.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from insieme.cases.models import Case, Handoff, Rating, Status, TimeLog
from insieme.catalog import actions as catalog_actions
from insieme.catalog.models import Service
from insieme.core import actions as core_actions
from insieme.core.models import PartnerMember
from insieme.core.permissions import Role
from insieme.participation.models import AuthorType, Comment, Idea, Process, Support
from insieme.perception.models import Answer, Participation, Round
from insieme.places.models import Address, Street
from tests.catalog.conftest import cat  # noqa: F401 (the catalogue fixture)
from tests.conftest import make_staff, make_user

ROME = zoneinfo.ZoneInfo("Europe/Rome")
NOW = dt.datetime(2026, 3, 3, 10, 0, tzinfo=ROME)
PERIOD = {"start": "2026-02-02", "end": "2026-03-01"}


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ROME)


H, D = dt.timedelta(hours=1), dt.timedelta(days=1)


def make_case(admin, service, submitted, number, **fields) -> Case:
    fields.setdefault("kind", service.kind)
    fields.setdefault("updated_at", submitted)
    return Case.objects.create(
        administration=admin,
        service=service,
        reference=f"T-{number}",
        submitted_at=submitted,
        **fields,
    )


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


class Known:
    """The hand-made cases, people and departments (attributes named as in the docstring)."""


@pytest.fixture
def known(clock, cat, montalto, lagoverde):  # noqa: F811 (the imported fixture)
    k = Known()
    k.cat = cat
    k.roads = cat.department
    k.parks = core_actions.create_department(None, montalto, name="Parks", code="parks")
    k.olga = make_staff(
        montalto, Role.OFFICER, "olga@montalto.example", "Olga", department=k.roads, capacity=4
    )
    k.piero = make_staff(
        montalto, Role.OFFICER, "piero@montalto.example", "Piero", department=k.roads, capacity=4
    )
    street = Street.objects.create(
        administration=montalto, name="Via del Borgo", folded="via del borgo", locality="Borgo"
    )
    for n, (lat, lon) in enumerate([(43.050, 11.050), (43.052, 11.053)], start=1):
        Address.objects.create(
            administration=montalto,
            street=street,
            number=n,
            lat=lat,
            lon=lon,
            cell_row=0,
            cell_col=0,
        )
    pothole = cat.pothole
    a_at = at(2026, 2, 2, 8, 30)
    k.a = make_case(
        montalto,
        pothole,
        a_at,
        1,
        channel="web",
        department=k.roads,
        lat=43.051,
        lon=11.051,
        status=Status.RESOLVED,
        acknowledged_at=a_at + 2 * H,
        first_public_response_at=a_at + 2 * H,
        resolved_at=a_at + 3 * D,
        acknowledge_due_at=a_at + 2 * D,
        resolve_due_at=a_at + 15 * D,
    )
    b_at = at(2026, 2, 9, 0, 30)
    k.b = make_case(
        montalto,
        pothole,
        b_at,
        2,
        channel="web",
        department=k.roads,
        lat=43.15,
        lon=11.15,
        status=Status.ACKNOWLEDGED,
        acknowledged_at=b_at + 30 * H,
        first_public_response_at=b_at + 30 * H,
        acknowledge_due_at=b_at + 2 * D,
        resolve_due_at=b_at + 15 * D,
        assignee=k.olga,
    )
    c_at = at(2026, 2, 18, 10, 15)
    k.c = make_case(
        montalto,
        pothole,
        c_at,
        3,
        channel="phone",
        status=Status.CLOSED,
        acknowledged_at=c_at + 5 * H,
        first_public_response_at=c_at + 5 * H,
        resolved_at=c_at + D,
        closed_at=c_at + 2 * D,
        acknowledge_due_at=c_at + 2 * D,
        resolve_due_at=c_at + 15 * D,
    )
    d_at = at(2026, 1, 20, 9, 0)
    k.d = make_case(
        montalto,
        pothole,
        d_at,
        4,
        channel="counter",
        department=k.roads,
        status=Status.IN_PROGRESS,
        acknowledged_at=d_at + 24 * H,
        first_public_response_at=d_at + 24 * H,
        acknowledge_due_at=d_at + 2 * D,
        resolve_due_at=d_at + 15 * D,
        assignee=k.olga,
    )
    k.e = make_case(lagoverde, cat.lv_service, at(2026, 2, 10, 11, 0), 5, channel="web")
    Handoff.objects.create(
        case=k.a,
        from_department=k.roads,
        to_department=k.parks,
        reason="Trees",
        state=Handoff.State.RETURNED,
        created_at=a_at + H,
        decided_at=a_at + 5 * H,
    )
    Handoff.objects.create(
        case=k.c,
        from_department=k.roads,
        to_department=k.parks,
        reason="Trees",
        state=Handoff.State.ACCEPTED,
        created_at=c_at + H,
        decided_at=c_at + 2 * H,
    )
    return k


# --- the later panels: cost, satisfaction, data quality, the catalogue, participation -----------
#
# `insight` adds to `known`, in Montalto (the pothole service costs 32 EUR an hour, its citizens
# need 10 minutes; "Street lighting", built from scratch, 40 EUR and 30 minutes):
#
# case  service   channel  status        info  staff min  time logged (channel of the case)
# A     pothole   web      resolved      1     45         30 on 3 Feb, 15 on 4 Feb; rated 5 on 6 Feb
# B     pothole   web      acknowledged  0     15         15 on 10 Feb
# C     pothole   phone    closed        2     60         60 on 19 Feb; rated 2 on 21 Feb (C was
#                                                         moved by an accepted hand-off)
# D     pothole   counter  in progress   0     110        20 on 25 Jan, 90 on 5 Feb; rated 4 on
#                                                         25 Jan (the period before)
# F     lighting  app      resolved      0     30         30 on 25 Feb; rated 3 on 27 Feb
# G     pothole   web      duplicate of A, filed Tue 3 Feb 09:00
# H     lighting  web      submitted (nobody opened it), filed Fri 27 Feb 12:00
# and E of Lago Verde: 600 minutes logged on 12 Feb, rated 1 on 12 Feb.
#
# "Noise at night" is built on Montalto's noise template, changing its name and days to resolve.
# The staff survey of Montalto (10-20 Feb): alice, bob, carla, dario and elena took part, and
# answered 5, 4, 4, 2, 3 to the T4s statement (expected satisfaction); Lago Verde's round had only two people.
#
# Processes: "Piazza verde" (aims to change Street lighting) and "Bilancio" in Montalto, "Lago"
# in Lago Verde. Ideas (1 Mar 00:30 in Rome is still 28 Feb in UTC):
#   P1: I1 charlie (citizen) 5 Feb; I2 bob (employee) 12 Feb; I3 charlie 20 Jan (before the
#       period); I4 charlie 6 Feb, hidden
#   P2: I5 paola (partner) 15 Feb; I6 charlie 1 Mar 00:30
#   Lago: I7 charlie 10 Feb
# Comments: sara on I1 7 Feb, charlie on I1 8 Feb, bob on P2 16 Feb, a held one on I1 9 Feb.
# Supports: sara → I1 7 Feb, dario → I1 8 Feb, paola → I1 9 Feb, dario → I3 10 Feb,
#           charlie → I5 16 Feb.


def _log(case, minutes: int, when: dt.datetime) -> None:
    TimeLog.objects.create(case=case, minutes=minutes, channel=case.channel, created_at=when)


@pytest.fixture
def insight(known, montalto, lagoverde, alice, bob, carla, dario, elena, charlie):
    k = known
    catalogue = k.cat
    k.lighting = catalog_actions.create_service(
        None,
        montalto,
        code="lighting",
        name="Street lighting",
        channels=["web", "app"],
        citizen_minutes=30,
        hourly_cost="40.00",
        department=k.parks,
    )
    k.noise = catalog_actions.create_service(
        None,
        montalto,
        template=catalogue.montalto_template,
        name="Noise at night",
        sla_resolve_days=5,
        department=k.parks,
    )
    updates = {
        k.a: {"info_requests": 1, "staff_minutes": 45},
        k.b: {"staff_minutes": 15},
        k.c: {"info_requests": 2, "staff_minutes": 60},
        k.d: {"staff_minutes": 110},
        k.e: {"staff_minutes": 600},
    }
    for case, fields in updates.items():
        Case.objects.filter(pk=case.pk).update(**fields)
    f_at = at(2026, 2, 24, 9, 0)
    k.f = make_case(
        montalto,
        k.lighting,
        f_at,
        6,
        channel="app",
        department=k.parks,
        status=Status.RESOLVED,
        acknowledged_at=f_at + H,
        resolved_at=f_at + 2 * D,
        staff_minutes=30,
    )
    k.g = make_case(
        montalto,
        catalogue.pothole,
        at(2026, 2, 3, 9, 0),
        7,
        channel="web",
        department=k.roads,
        status=Status.DUPLICATE,
        duplicate_of=k.a,
    )
    k.h = make_case(
        montalto,
        k.lighting,
        at(2026, 2, 27, 12, 0),
        8,
        channel="web",
        department=k.parks,
        complete_at_submission=False,
    )
    _log(k.a, 30, at(2026, 2, 3, 10, 0))
    _log(k.a, 15, at(2026, 2, 4, 10, 0))
    _log(k.b, 15, at(2026, 2, 10, 10, 0))
    _log(k.c, 60, at(2026, 2, 19, 10, 0))
    _log(k.d, 20, at(2026, 1, 25, 10, 0))
    _log(k.d, 90, at(2026, 2, 5, 10, 0))
    _log(k.f, 30, at(2026, 2, 25, 10, 0))
    _log(k.e, 600, at(2026, 2, 12, 10, 0))
    for case, score, when in [
        (k.a, 5, at(2026, 2, 6, 10, 0)),
        (k.c, 2, at(2026, 2, 21, 10, 0)),
        (k.f, 3, at(2026, 2, 27, 10, 0)),
        (k.d, 4, at(2026, 1, 25, 10, 0)),
        (k.e, 1, at(2026, 2, 12, 10, 0)),
    ]:
        Rating.objects.create(case=case, score=score, created_at=when)

    survey = Round.objects.create(
        administration=montalto,
        opens_on=dt.date(2026, 2, 10),
        closes_on=dt.date(2026, 2, 20),
        created_at=at(2026, 2, 9, 9, 0),
    )
    for person in (alice, bob, carla, dario, elena):
        Participation.objects.create(round=survey, user=person)
    for score in (5, 4, 4, 2, 3):
        Answer.objects.create(round=survey, statement="T4s", score=score)
        Answer.objects.create(round=survey, statement="T3", score=1)  # another statement
    small = Round.objects.create(
        administration=lagoverde,
        opens_on=dt.date(2026, 2, 10),
        closes_on=dt.date(2026, 2, 20),
        created_at=at(2026, 2, 9, 9, 0),
    )
    for n in range(2):
        person = make_user(f"lv{n}@lagoverde.example", f"LV {n}")
        Participation.objects.create(round=small, user=person)
        Answer.objects.create(round=small, statement="T4s", score=5)

    sara = make_user("sara@example.org", "Sara Citizen")
    paola = make_user("paola@example.org", "Paola Partner")
    dan = make_user("dan@example.org", "Dan Held")
    partner = core_actions.create_partner(None, montalto, name="Girasole")
    PartnerMember.objects.create(organisation=partner, user=paola)
    k.p1 = Process.objects.create(administration=montalto, slug="piazza", title="Piazza verde")
    k.p1.services.add(k.lighting)
    k.p2 = Process.objects.create(administration=montalto, slug="bilancio", title="Bilancio")
    k.p3 = Process.objects.create(administration=lagoverde, slug="lago", title="Lago")

    def idea(process, author, kind, when, **extra):
        return Idea.objects.create(
            process=process,
            title="Un'idea",
            body="Testo",
            author=author,
            author_type=kind,
            partner=partner if kind == AuthorType.PARTNER else None,
            created_at=when,
            updated_at=when,
            **extra,
        )

    citizen, employee = AuthorType.CITIZEN, AuthorType.EMPLOYEE
    i1 = idea(k.p1, charlie, citizen, at(2026, 2, 5, 10, 0))
    idea(k.p1, bob, employee, at(2026, 2, 12, 10, 0))
    i3 = idea(k.p1, charlie, citizen, at(2026, 1, 20, 10, 0))
    idea(k.p1, charlie, citizen, at(2026, 2, 6, 10, 0), hidden_at=at(2026, 2, 6, 11, 0))
    i5 = idea(k.p2, paola, AuthorType.PARTNER, at(2026, 2, 15, 10, 0))
    idea(k.p2, charlie, citizen, at(2026, 3, 1, 0, 30))
    idea(k.p3, charlie, citizen, at(2026, 2, 10, 10, 0))

    def comment(author, kind, when, **where):
        return Comment.objects.create(
            administration=montalto,
            author=author,
            author_type=kind,
            body="Sono d'accordo",
            created_at=when,
            **where,
        )

    comment(sara, citizen, at(2026, 2, 7, 10, 0), idea=i1)
    comment(charlie, citizen, at(2026, 2, 8, 10, 0), idea=i1)
    comment(bob, employee, at(2026, 2, 16, 10, 0), process=k.p2)
    comment(dan, citizen, at(2026, 2, 9, 10, 0), idea=i1, held_at=at(2026, 2, 9, 10, 0))
    for who, what, when in [
        (sara, i1, at(2026, 2, 7, 11, 0)),
        (dario, i1, at(2026, 2, 8, 11, 0)),
        (paola, i1, at(2026, 2, 9, 11, 0)),
        (dario, i3, at(2026, 2, 10, 11, 0)),
        (charlie, i5, at(2026, 2, 16, 11, 0)),
    ]:
        Support.objects.create(idea=what, user=who, created_at=when)
    assert Service.objects.get(pk=k.noise.pk).overridden_fields == ["name", "sla_resolve_days"]
    return k
