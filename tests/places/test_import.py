"""Importing a street register: ANNCSU's CSV, a plain CSV, an OpenStreetMap GeoJSON extract;
idempotent re-imports, upserts by code and by name, --replace, line-numbered errors, the audit
entry, and the `insieme streets` command."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insieme.core.models import AuditEntry
from insieme.places import actions, parsers
from insieme.places.models import Address, Register, Street, StreetWord
from tests.places.conftest import register_csv, register_geojson

pytestmark = pytest.mark.django_db

ANNCSU_HEADER = (
    "CODICE_COMUNE;CODICE_ISTAT;PROGRESSIVO_NAZIONALE;CODICE_COMUNALE;ODONIMO;LOCALITA';"
    "DIZIONE_LINGUA1;DIZIONE_LINGUA2;PROGRESSIVO_ACCESSO;CODICE_COMUNALE_ACCESSO;CIVICO;"
    "ESPONENTE;SPECIFICITA;METRICO;PROGRESSIVO_SNC;COORD_X_COMUNE;COORD_Y_COMUNE;QUOTA;METODO"
)


def anncsu(*rows: str) -> str:
    return "\n".join([ANNCSU_HEADER, *rows]) + "\n"


def row(street_code, name, access, number, exponent="", x="11,1001", y="43,1001", istat="099102"):
    return f"X102;{istat};{street_code};;{name};;;;{access};;{number};{exponent};;;;{x};{y};;3"


ANNCSU_FILE = anncsu(
    row("5000001", "VIA DELL'UNITA' D'ITALIA", "7000001", "1"),
    row("5000001", "VIA DELL'UNITA' D'ITALIA", "7000002", "2", y="43,1002"),
    row("5000001", "VIA DELL'UNITA' D'ITALIA", "7000003", "3", "A", y="43,1003"),
    row("5000001", "VIA DELL'UNITA' D'ITALIA", "7000004", "", x="", y=""),  # no number (SNC)
    row("5000001", "VIA DELL'UNITA' D'ITALIA", "7000005", "9", x="", y=""),  # no coordinates
    row("5000002", "PIAZZA XX SETTEMBRE", "7000006", "1", x="abc"),
    row("5000002", "PIAZZA XX SETTEMBRE", "7000007", "2", x="1500000,0", y="4800000,0"),
    row("5000002", "PIAZZA XX SETTEMBRE", "7000008", "4", x="15,0", y="45,0"),
    row("5000002", "PIAZZA XX SETTEMBRE", "7000009", "5", y="43,1011"),
)


def test_anncsu_csv_is_read_with_line_numbered_errors(montalto):
    parsed = parsers.parse_csv(ANNCSU_FILE.encode("utf-8"))
    assert parsed.format == "anncsu"
    assert parsed.skipped == {"no house number": 1, "no coordinates": 1}
    assert [str(e) for e in parsed.errors] == [
        "line 7: coordinates: 'abc' is not a number",
        "line 8: coordinates must be latitude and longitude in degrees (WGS84/ETRF2000); "
        "4800000.0, 1500000.0 look like projected metres",
    ]
    result = actions.import_register(None, montalto, parsed)
    # the point in the Adriatic lies outside Montalto: refused with its line
    assert "line 9: 45.0, 15.0 is outside the boundary of Comune di Montalto" in [
        str(e) for e in result.errors
    ]
    street = Street.objects.get(code="5000001")
    assert street.name == "Via dell'Unità d'Italia"
    assert street.derived and street.geometry["type"] == "LineString"  # drawn through numbers
    assert sorted(a.house_number for a in Address.objects.filter(street=street)) == [
        "1",
        "2",
        "3/A",
    ]
    assert Address.objects.get(code="7000001").lat == pytest.approx(43.1001)
    assert Address.objects.filter(street__code="5000002").count() == 1
    assert set(StreetWord.objects.filter(street=street).values_list("word", flat=True)) == {
        "via",
        "unita",
        "italia",
    }
    register = Register.objects.get(administration=montalto)
    assert (register.street_count, register.address_count, register.version) == (2, 4, 1)
    assert register.source == "anncsu"


def test_a_second_import_of_the_same_file_changes_nothing(montalto):
    actions.import_register(None, montalto, parsers.parse_csv(ANNCSU_FILE))
    entries = AuditEntry.objects.count()
    ids = sorted(Address.objects.values_list("id", flat=True))
    result = actions.import_register(None, montalto, parsers.parse_csv(ANNCSU_FILE))
    assert not result.changed
    assert result.addresses_unchanged == 4 and result.streets_unchanged == 2
    assert sorted(Address.objects.values_list("id", flat=True)) == ids
    assert AuditEntry.objects.count() == entries
    assert Register.objects.get(administration=montalto).version == 1


def test_a_re_import_updates_by_official_code_and_replace_removes_the_rest(montalto):
    actions.import_register(None, montalto, parsers.parse_csv(ANNCSU_FILE))
    moved = anncsu(
        row("5000001", "VIA DELL'UNITA' D'ITALIA", "7000001", "1", y="43,1009"),
        row("5000001", "VIA DELL'UNITA' D'ITALIA", "7000002", "2", y="43,1002"),
    )
    result = actions.import_register(None, montalto, parsers.parse_csv(moved))
    assert result.addresses_updated == 1 and result.addresses_deleted == 0
    assert Address.objects.get(code="7000001").lat == pytest.approx(43.1009)
    assert Address.objects.count() == 4
    result = actions.import_register(None, montalto, parsers.parse_csv(moved), replace=True)
    assert result.addresses_deleted == 2 and result.streets_deleted == 1
    assert sorted(Address.objects.values_list("code", flat=True)) == ["7000001", "7000002"]
    assert list(Street.objects.values_list("code", flat=True)) == ["5000001"]
    entry = AuditEntry.objects.filter(action="places.register.import").latest("seq")
    assert entry.after["import"]["addresses"]["deleted"] == 2 and entry.after["replace"]


def test_geojson_lines_join_the_streets_a_csv_named(montalto):
    actions.import_register(None, montalto, parsers.parse_csv(register_csv()))
    roma = Street.objects.get(name="Via Roma")
    assert roma.derived
    result = actions.import_register(None, montalto, parsers.parse_geojson(register_geojson()))
    roma.refresh_from_db()
    assert not roma.derived and roma.geometry["coordinates"][0] == [11.1, 43.1]
    assert roma.code == "R1" and roma.rank == Street.Rank.LOCAL
    forno = Street.objects.get(name="Vicolo del Forno")
    assert forno.rank == Street.Rank.MINOR and not forno.addresses.exists()
    assert result.streets_created == 1 and result.streets_updated == 1
    assert Address.objects.filter(street=roma).count() == 21


def test_osm_extract_with_ways_house_numbers_and_buildings(montalto):
    def way(name, coords, **props):
        geometry = {"type": "LineString", "coordinates": coords}
        return {"type": "Feature", "properties": {"name": name, **props}, "geometry": geometry}

    building = {
        "type": "Polygon",
        "coordinates": [[[11.1, 43.1], [11.1002, 43.1], [11.1002, 43.1002], [11.1, 43.1]]],
    }
    doc = {
        "type": "FeatureCollection",
        "features": [
            way("Via Mazzini", [[11.1, 43.1], [11.101, 43.1]], highway="tertiary"),
            way("Via Mazzini", [[11.101, 43.1], [11.102, 43.1]], highway="tertiary"),
            way("", [[11.1, 43.1], [11.101, 43.101]], highway="service"),
            {
                "type": "Feature",
                "id": "node/1",
                "properties": {"addr:street": "Via Mazzini", "addr:housenumber": "3b"},
                "geometry": {"type": "Point", "coordinates": [11.1005, 43.1001]},
            },
            {
                "type": "Feature",
                "properties": {"addr:street": "Via Mazzini", "addr:housenumber": "5"},
                "geometry": building,
            },
            {"type": "Feature", "properties": {"addr:housenumber": "7"}, "geometry": building},
            {"type": "Feature", "properties": {"name": "Fontana"}, "geometry": None},
            {"type": "Feature", "properties": {"name": "Via"}, "geometry": {"type": "Point"}},
        ],
    }
    parsed = parsers.parse_geojson(json.dumps(doc))
    assert [str(e) for e in parsed.errors] == [
        "line 6: a house number without its street (addr:street)",
        "line 7: feature without a geometry",
        "line 8: neither a named street line nor a house number",
    ]
    assert parsed.skipped == {"unnamed line": 1}
    actions.import_register(None, montalto, parsed)
    mazzini = Street.objects.get()
    assert mazzini.rank == Street.Rank.MAIN
    assert mazzini.geometry == {  # the two ways merged into one line
        "type": "LineString",
        "coordinates": [[11.1, 43.1], [11.101, 43.1], [11.102, 43.1]],
    }
    assert sorted(a.house_number for a in mazzini.addresses.all()) == ["3/B", "5"]
    assert Address.objects.get(number=3).code == "node/1"


def test_strict_import_writes_nothing_when_a_line_is_wrong(montalto):
    with pytest.raises(ValidationError) as raised:
        actions.import_register(None, montalto, parsers.parse_csv(ANNCSU_FILE), strict=True)
    assert "line 7: coordinates: 'abc' is not a number" in raised.value.messages
    assert not Street.objects.exists() and not Register.objects.exists()


def test_a_file_with_nothing_to_write_is_refused(montalto):
    bad = anncsu(row("1", "VIA ROMA", "2", "1", x="15,0", y="45,0"))
    with pytest.raises(ValidationError):
        actions.import_register(None, montalto, parsers.parse_csv(bad))


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "The first line must name the columns"),
        ("number;lat;lon\n1;43.1;11.1\n", "No street column"),
        ("street;number\nVia Roma;1\n", "No coordinate columns"),
    ],
)
def test_csv_files_that_cannot_be_read_say_why(text, message):
    with pytest.raises(parsers.ParseError, match=message):
        parsers.parse_csv(text)


def test_a_regional_file_needs_the_municipality_code():
    two = anncsu(row("1", "VIA ROMA", "2", "1"), row("3", "VIA ROMA", "4", "1", istat="099103"))
    with pytest.raises(parsers.ParseError, match="2 municipalities"):
        parsers.parse_csv(two)
    parsed = parsers.parse_csv(two, municipality="099103")
    assert [a.code for a in parsed.addresses] == ["4"]
    assert parsed.skipped == {"other municipality": 1}


def test_a_plain_csv_with_commas_and_a_wkt_line():
    text = (
        "street,number,lat,lon,wkt\n"
        'Via Verdi,4,43.1,11.1,"LINESTRING (11.1 43.1, 11.2 43.1)"\n'
        "Via Verdi,6,43.1,11.1001,\n"
        'Via Nuova,,,,"POINT (11 43)"\n'
    )
    parsed = parsers.parse_csv(text)
    assert [str(e) for e in parsed.errors] == [
        "line 4: the street line cannot be read: a Point is not a line"
    ]
    assert parsed.streets["name:via verdi"].lines == [[(11.1, 43.1), (11.2, 43.1)]]
    assert [a.number for a in parsed.addresses] == [4, 6]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_csv_text_is_read_or_refused_with_a_reason(text):
    try:
        parsed = parsers.parse_csv(text)
    except parsers.ParseError:
        return
    for error in parsed.errors:
        assert error.line >= 2 and error.message


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
FEATURE = st.fixed_dictionaries(
    {
        "type": st.just("Feature"),
        "properties": st.dictionaries(
            st.sampled_from(["name", "addr:street", "addr:housenumber", "highway", "id"]),
            JSON_VALUES,
        ),
        "geometry": st.one_of(
            JSON_VALUES,
            st.fixed_dictionaries(
                {
                    "type": st.sampled_from(["Point", "LineString", "MultiLineString", "Polygon"]),
                    "coordinates": JSON_VALUES,
                }
            ),
        ),
    }
)


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(FEATURE | JSON_VALUES, max_size=6))
def test_any_geojson_is_read_or_refused_with_a_reason(features):
    doc = json.dumps({"type": "FeatureCollection", "features": features})
    parsed = parsers.parse_geojson(doc)
    assert parsed.rows == len(features)
    for error in parsed.errors:
        assert 1 <= error.line <= len(features) and error.message


def test_progress_is_reported_every_few_seconds_of_a_long_file():
    lines, now = [], [0.0]
    progress = parsers.Progress(lines.append, every=3.0, clock=lambda: now[0])
    for n in range(1, 11):
        now[0] = n * 1.0
        progress.tick(n * 1000, "lines read")
    assert lines == ["  … 3,000 lines read", "  … 6,000 lines read", "  … 9,000 lines read"]


def test_the_streets_command_imports_and_shows(montalto, tmp_path):
    path = tmp_path / "indirizzi.csv"
    path.write_text(ANNCSU_FILE, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("streets", "import", str(path), administration="montalto", stdout=out, stderr=err)
    assert "house numbers 4 new" in out.getvalue()
    assert "line 7: coordinates: 'abc' is not a number" in err.getvalue()
    assert AuditEntry.objects.filter(
        action="places.register.import", actor_label="command line"
    ).exists()
    out = io.StringIO()
    call_command("streets", "show", administration="montalto", stdout=out)
    assert "2 streets, 4 house numbers; source ANNCSU" in out.getvalue()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "streets", "import", str(path), administration="montalto", strict=True, stderr=err
        )
    with pytest.raises(CommandError, match="Unknown administration"):
        call_command("streets", "show", administration="nowhere")
    with pytest.raises(CommandError, match="No such file"):
        call_command("streets", "import", str(tmp_path / "x.csv"), administration="montalto")
