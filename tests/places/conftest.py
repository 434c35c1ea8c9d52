"""A small street register for Montalto (the SQUARE of tests/conftest.py), imported from CSV and
GeoJSON text through the one write path (insieme.places.actions.import_register).

Via Roma runs east along latitude 43.1 from longitude 11.1: numbers 1-20 every ~16 m, odd on
the north side, even on the south, plus 12/A. Via Giuseppe Garibaldi and Piazza Garibaldi share
a word; Piazza dell'Unità d'Italia has accents; Strada provinciale 12 has a number in its name;
Vicolo del Forno is a line without house numbers (from GeoJSON).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from insieme.places import actions, parsers

ROMA_LAT = 43.1
ROMA_LON = 11.1
STEP = 0.0002  # about 16 m of longitude at this latitude
SIDE = 0.00009  # about 10 m of latitude


def roma_point(number: int) -> tuple[float, float]:
    """(lat, lon) of Via Roma `number` in the fixture register."""
    k = (number - 1) // 2
    lat = ROMA_LAT + (SIDE if number % 2 else -SIDE)
    return round(lat, 7), round(ROMA_LON + 0.0001 + k * STEP, 7)


def register_csv() -> str:
    rows = ["street;number;exponent;lat;lon;street_code;code"]
    for n in range(1, 21):
        lat, lon = roma_point(n)
        rows.append(f"Via Roma;{n};;{lat};{lon};R1;R1-{n}")
    lat, lon = roma_point(12)
    rows.append(f"Via Roma;12;A;{lat};{lon + 0.00004};R1;R1-12A")
    for n in range(1, 9):
        rows.append(f"Via Giuseppe Garibaldi;{n};;{43.11 + n * 0.0001};11.11;G1;G1-{n}")
    for n in range(1, 5):
        rows.append(f"Piazza Garibaldi;{n};;43.12;{11.12 + n * 0.0001};G2;G2-{n}")
    for n in (1, 3, 5):
        rows.append(f"Piazza dell'Unità d'Italia;{n};;43.13;{11.13 + n * 0.0001};U1;U1-{n}")
    for n in (2, 40, 80):
        rows.append(f"Strada provinciale 12;{n};;{43.14 + n * 0.0001};11.14;SP12;SP12-{n}")
    return "\n".join(rows) + "\n"


def register_geojson() -> str:
    features = [
        {
            "type": "Feature",
            "properties": {"name": "Via Roma", "highway": "residential"},
            "geometry": {
                "type": "LineString",
                "coordinates": [[ROMA_LON, ROMA_LAT], [ROMA_LON + 0.002, ROMA_LAT]],
            },
        },
        {
            "type": "Feature",
            "properties": {"name": "Vicolo del Forno", "highway": "footway"},
            "geometry": {
                "type": "LineString",
                "coordinates": [[11.15, 43.15], [11.151, 43.1505]],
            },
        },
    ]
    return json.dumps({"type": "FeatureCollection", "features": features})


@dataclass
class Register:
    admin: object


@pytest.fixture
def register(montalto) -> Register:
    actions.import_register(None, montalto, parsers.parse_csv(register_csv()), source="test")
    actions.import_register(None, montalto, parsers.parse_geojson(register_geojson()))
    return Register(admin=montalto)
