"""Issue 15's promise, checked end to end: personal data filed through every channel (the web form
signed in and anonymously, Open311 POST, the REST API, assisted filing at the counter) and
written into participation (an idea, comments) never appears on a public page, in an anonymous
API answer or in an open-data file.

One world is built for the module: each channel files a report as a person of its own whose
name, e-mail address, phone number, tax code, IBAN and home address would never occur by chance:
in the contact fields (Open311's first and last name, e-mail, phone), in the description (each
filer writes their data another way: spaced, packed, obfuscated, in upper case, in English) and
in the answer to the service's free-text question; the web filer attaches a photo whose file
name and EXIF name them. Staff acknowledge every report with a public note naming the filer and
reply in public quoting their phone and e-mail; one filer without an account is asked for more
and answers on their tracking page. Open data is published with the service's free text in it
(after redaction, the strictest policy). Then an anonymous visitor requests every route that
takes no argument and the pages, API answers (Open311 in JSON and XML, REST, CKAN, DCAT) and
downloads of what was filed, following every same-site link (in HTML and in JSON) two steps
deep; every open-data file is read as `publish` wrote it, Parquet through pyarrow. Each answer is
searched, case- and accent-insensitively and with separators removed, for every marker and for
the filers' private tracking links. A server error anywhere fails too.

By design the public does see some of what people write: the place of a report (an address the
filer gives for the problem; a home address written into a description is not detected, as
nothing tells it from the place of the problem, so the filers here write theirs only in the
service's question and their answers to staff), the first name and initial of an idea's or a
comment's author who chose to show their name, and the texts of ideas and comments (on
processes, ideas and public cases) as their authors wrote them until the data steward redacts
them: the personal-data scanner (`insieme.privacy.scanner`) files a finding for each. The world
plays that step as the steward would, and the promise is checked after it. A filer's own
tracking page (`/track/<token>/`) shows them what they wrote: it is private, and its link must
never appear in public output.
"""

from __future__ import annotations

import html
import io
import json
import re
import time
import unicodedata
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pyarrow.parquet as pq
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from PIL import Image
from stdnum import iban as stdnum_iban
from stdnum.it import codicefiscale

from insieme.cases import tracking
from insieme.cases.handling import actions as handling_actions
from insieme.cases.models import OPEN_STATUSES, Case, CaseEvent, Status
from insieme.catalog import actions as catalog_actions
from insieme.catalog.models import Service
from insieme.core import actions as core_actions
from insieme.core.models import Administration
from insieme.core.permissions import Role
from insieme.opendata import publish
from insieme.opendata.models import ServiceTextPolicy
from insieme.participation import actions as participation_actions
from insieme.participation.models import Idea
from insieme.privacy import actions as privacy_actions
from insieme.privacy import scanner
from insieme.privacy.models import Finding
from tests.catalog.conftest import POTHOLE_ATTRIBUTES
from tests.conftest import SQUARE, make_staff, make_user, sign_in, suite_settings
from tests.demo_site import read_page, same_site_path
from tests.opendata.conftest import publish_everything
from tests.participation.conftest import idea_url, make_process, process_url

MAX_URLS = 400  # the crawl's safety net; the world needs fewer
DEPTH = 2  # links followed from the start pages
PER_QUERY = 5  # URLs of one path with the same query parameters reached by links
OPEN311 = "/open311/v2/"
SKIP_ROUTES = {"logout", "set_language"}  # signing out, choosing a language: no page to read


# --- the people and their markers --------------------------------------------------------------


def tax_code(stem: str) -> str:
    """A codice fiscale with the right check character (`stem`: its first 15 characters)."""
    return stem + codicefiscale.calc_check_digit(stem)


def italian_iban(bban: str) -> str:
    """An Italian IBAN with the right check digits, written in groups of four as banks print it."""
    digits = stdnum_iban.calc_check_digits(f"IT00{bban}")
    number = f"IT{digits}{bban}"
    assert stdnum_iban.is_valid(number)
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


@dataclass
class Person:
    """Someone who files, and the personal data they write."""

    channel: str
    first: str
    surname: str
    email: str
    phone: str  # +39 and spaces, as people write it
    tax_code: str
    iban: str
    home: str  # street and house number

    @property
    def name(self) -> str:
        return f"{self.first} {self.surname}"

    def description(self, problem: str) -> str:
        """`problem`, then their personal data as they write it: each channel's filer writes it
        another way (spaced or not, obfuscated, upper or lower case, in Italian or English)."""
        local, domain = self.email.split("@")
        digits = re.sub(r"\D", "", self.phone)
        cf = self.tax_code
        written = {
            "web": f"Sono {self.name}, chiamatemi al {self.phone} o scrivete a {self.email}; "
            f"codice fiscale {cf}, per il rimborso IBAN {self.iban}.",
            "web, anonymous": f"Firmato {self.surname.upper()} {self.first.upper()}: cell. "
            f"+{digits}, mail {local} (at) {domain.replace('.', ' (dot) ')}, cf {cf.lower()}, "
            f"iban {pack(self.iban)}.",
            "Open311": f"Reported by {self.name}, call me on {self.phone.replace(' ', '-')} or "
            f"write to {self.email}. Tax code {cf[:3]} {cf[3:6]} {cf[6:11]} {cf[11:]}, refund "
            f"to IBAN {self.iban}.",
            "REST API": f"{self.name} - tel. 00{digits}, {self.email}, CF {cf}, "
            f"IBAN {self.iban.lower()}",
            "assisted": f"La signora {self.name} chiede di essere richiamata al {self.phone}; "
            f"e-mail {self.email}; CF {cf}; IBAN {self.iban}.",
        }
        default = (
            f"Sono {self.name}, chiamatemi al {self.phone} o scrivete a {self.email}; "
            f"codice fiscale {cf}, IBAN {self.iban}."
        )
        return f"{problem} {written.get(self.channel, default)}"

    def notes(self) -> str:
        return f"Abito in {self.home}, citofono {self.surname}. Telefono {self.phone}."

    def needles(self) -> dict[str, str]:
        """{what: needle}, each searched folded (see `fold`)."""
        return {
            "name": self.name,
            "surname": self.surname,
            "e-mail": self.email,
            "e-mail local part": self.email.split("@")[0],
            "phone": self.phone,
            "tax code": self.tax_code,
            "IBAN": self.iban,
            "home address": self.home,
        }

    def packed_needles(self) -> dict[str, str]:
        """{what: needle}, each searched in the answer with every separator removed."""
        digits = re.sub(r"\D", "", self.phone)
        return {
            "phone digits": digits,
            "phone digits without +39": digits.removeprefix("39"),
            "tax code": pack(self.tax_code),
            "IBAN": pack(self.iban),
            "e-mail local part": pack(self.email.split("@")[0]),
        }


def _person(n: int, channel: str, first: str, surname: str, street: str) -> Person:
    return Person(
        channel=channel,
        first=first,
        surname=surname,
        email=f"{first.lower()}.{surname.lower()}{1950 + n}@posta-riservata.example",
        phone=f"+39 328 91{n} 70{n}3",
        tax_code=tax_code(f"{surname[:3].upper()}{first[:3].upper()}5{n}C14H50{n}"),
        iban=italian_iban(f"X0542811101{n:03d}00{n}12345{n}"),
        home=f"{street} {40 + n}",
    )


PEOPLE = {
    p.channel: p
    for p in [
        _person(1, "web", "Zebedeo", "Quattrocchi", "Via Ludovico Cavalcaselle"),
        _person(2, "web, anonymous", "Ermenegilda", "Sbaraglini", "Vicolo dei Pignattari"),
        _person(3, "Open311", "Casimiro", "Fantuzzoli", "Via Bartolomeo Gosio"),
        _person(4, "REST API", "Ildebranda", "Scapigliati", "Via Gualtiero Sacchetti"),
        _person(5, "assisted", "Gaudenzio", "Pennacchietti", "Via Tranquillo Cremona"),
        _person(6, "idea", "Eufrasia", "Tornabuoni", "Via Anselmo Zuccari"),
        _person(7, "comment", "Policarpo", "Sgargabonzi", "Vicolo delle Conce"),
    ]
}


# What each report is about: public, and looked for on the pages to show they were read.
PROBLEMS = {
    "web": "Buca profonda davanti alla fontana.",
    "web, anonymous": "Radici di pino hanno sollevato il marciapiede.",
    "Open311": "Manhole cover missing near the school.",
    "REST API": "Asfalto crepato lungo la pista ciclabile.",
    "assisted": "Buca sulle strisce pedonali.",
}


# --- reading answers ---------------------------------------------------------------------------


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def pack(text: str) -> str:
    return "".join(c for c in fold(text) if c.isalnum())


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def decode(body: bytes, content_type: str, name: str) -> str:
    """What a reader (or a program) gets out of an answer or a file named `name`: entities and
    JSON escapes decoded, a Parquet file as its rows, an image as its bytes (its metadata)."""
    if name.endswith(".parquet") or "parquet" in content_type:
        rows = pq.read_table(io.BytesIO(body)).to_pylist()
        return json.dumps(rows, ensure_ascii=False, default=str)
    if content_type.startswith("image/") or name.endswith((".png", ".ico", ".jpg")):
        return body.decode("latin-1")  # metadata (EXIF, text chunks) is stored as bytes
    text = body.decode("utf-8", "replace")
    if "json" in content_type or name.endswith((".json", ".geojson", ".jsonld")):
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return html.unescape(text)


def markers_in(text: str, person: Person) -> list[str]:
    """Which of `person`'s markers `text` holds (as `needles` and `packed_needles` name them)."""
    folded, packed = fold(text), pack(text)
    found = [
        f"{what} {needle!r}" for what, needle in person.needles().items() if fold(needle) in folded
    ]
    found += [
        f"{what} {needle!r} (separators removed)"
        for what, needle in person.packed_needles().items()
        if needle in packed
    ]
    return found


def leaks(text: str, secrets: list[str]) -> list[str]:
    """Every marker of every person `text` holds, and the `secrets` (searched as written)."""
    found = [f"{p.channel}: {m}" for p in PEOPLE.values() for m in markers_in(text, p)]
    return found + [f"private tracking link {s!r}" for s in secrets if s in text]


# --- building the world ------------------------------------------------------------------------


@dataclass
class World:
    montalto: Administration
    service: Service
    cases: dict[str, Case]  # by channel
    ideas: list[Idea]
    tracking_tokens: list[str]  # the secret part of the filers' private tracking links


@dataclass
class Scan:
    """What the anonymous visitor and the open-data reader met."""

    world: World
    answers: dict[str, int] = field(default_factory=dict)  # url: status
    texts: dict[str, str] = field(default_factory=dict)  # url or file: its text
    files: list[str] = field(default_factory=list)  # open-data files read from storage
    leaks: dict[str, list[str]] = field(default_factory=dict)  # url or file: what leaked
    seconds: float = 0.0  # building, crawling and reading


INSIDE = [(43.02 + 0.03 * i, 11.02 + 0.03 * i) for i in range(6)]  # within SQUARE, far apart


def _form_fields(client: Client, url: str) -> dict:
    """The hidden fields (token, signed start time) of a freshly rendered filing form."""
    body = client.get(url).content.decode()
    return {
        name: re.search(rf'name="{name}" value="([^"]+)"', body).group(1)
        for name in ("token", "started")
    }


def photo(person: Person) -> SimpleUploadedFile:
    """A photo whose file name and EXIF name the filer (the upload is rewritten without them)."""
    exif = Image.Exif()
    exif[0x013B] = person.name  # Artist
    exif[0x010E] = f"{person.phone} {person.email}"  # ImageDescription
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (120, 90, 60)).save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile(
        f"{person.name} {person.tax_code}.jpg", out.getvalue(), content_type="image/jpeg"
    )


def _file_on_the_web(service: Service, person: Person, place, *, signed_in: bool) -> Case:
    client = Client()
    if signed_in:
        sign_in(client, make_user(person.email, person.name))
    url = f"/services/{service.administration.slug}/{service.code}/file/"
    data = {
        **_form_fields(client, url),
        "attr_size": "large",
        "attr_notes": person.notes(),
        "description": person.description(PROBLEMS[person.channel]),
        "lat": str(place[0]),
        "lon": str(place[1]),
        "address": f"Piazza della Fontana, davanti a casa di {person.name}",
        "contact_name": person.name,
        "contact_email": person.email,
        "contact_phone": person.phone,
        "attachments": [photo(person)],
        "checked": "on",  # the reports nearby were shown already
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Case.objects.filter(contact_email=person.email).get()


def _file_through_open311(service: Service, key: str, person: Person, place) -> Case:
    response = Client().post(
        f"{OPEN311}requests.json",
        {
            "jurisdiction_id": service.administration.slug,
            "api_key": key,
            "service_code": service.code,
            "lat": str(place[0]),
            "long": str(place[1]),
            "attribute[size]": "large",
            "attribute[notes]": person.notes(),
            "description": person.description(PROBLEMS[person.channel]),
            "first_name": person.first,
            "last_name": person.surname,
            "email": person.email,
            "phone": person.phone,
            "address_string": f"Via del Mulino, citofono {person.surname}",
            "media_url": f"https://foto.example/{person.email.split('@')[0]}/tombino.jpg",
        },
    )
    assert response.status_code == 200, response.content
    return Case.objects.get(reference=response.json()[0]["service_request_id"])


def _file_through_the_api(service: Service, key: str, person: Person, place) -> Case:
    response = Client().post(
        "/api/v1/cases/",
        {
            "service": service.pk,
            "description": person.description(PROBLEMS[person.channel]),
            "answers": {"size": "large", "notes": person.notes()},
            "address": f"Viale dei Tigli (chiamatemi al {person.phone})",
            "contact_name": person.name,
            "contact_email": person.email,
            "contact_phone": person.phone,
            "lat": place[0],
            "lon": place[1],
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 201, response.content
    return Case.objects.get(reference=response.json()["reference"])


def _file_assisted(service: Service, officer, person: Person, place) -> Case:
    client = sign_in(Client(), officer)
    url = f"/staff/{service.administration.slug}/assisted/{service.code}/"
    response = client.post(
        url,
        {
            **_form_fields(client, url),
            "citizen_email": "",  # someone without an account, on the phone
            "channel": "phone",
            "consent_noted": "on",
            "attr_size": "large",
            "attr_notes": person.notes(),
            "description": person.description(PROBLEMS[person.channel]),
            "lat": str(place[0]),
            "lon": str(place[1]),
            "address": f"Largo del Teatro, scrivete a {person.email}",
            "contact_name": person.name,
            "contact_email": person.email,
            "contact_phone": person.phone,
            "checked": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Case.objects.filter(contact_email=person.email).get()


def _ask_for_information(officer, case: Case, person: Person) -> None:
    """Staff ask the filer (who has no account) for more, quoting their e-mail address; the filer
    answers on their private tracking page with their data again."""
    handling_actions.request_information(
        officer, case, text=f"Gentile {person.name}, ci scriva a {person.email} il civico esatto."
    )
    response = Client().post(
        f"/track/{tracking.token_for(case)}/information/",
        {"info-text": f"Il civico è il 7. {person.notes()} {person.description('')}"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def _participate(montalto, manager, steward, case: Case) -> list[Idea]:
    """An idea and comments (on the idea, on the process, on a public case) whose texts hold
    their authors' data, and the data steward's redaction of what the scanner found in them:
    the designed path for texts the public reads as their authors wrote them."""
    process = make_process(montalto, manager)
    author, commenter = PEOPLE["idea"], PEOPLE["comment"]
    idea_author = make_user(author.email, author.name)
    idea = participation_actions.create_idea(
        idea_author,
        process,
        title=f"Panchine all'ombra, scrivete a {author.email}",
        body=author.description("Servono panchine all'ombra nel parco."),
        limit=False,
    )
    commenter_account = make_user(commenter.email, commenter.name)
    comments = [
        participation_actions.add_comment(
            commenter_account, idea=idea, body=commenter.description("D'accordo!"), limit=False
        ),
        participation_actions.add_comment(
            commenter_account,
            process=process,
            body=commenter.description("Quando si comincia?"),
            show_name=False,
            limit=False,
        ),
        participation_actions.add_comment(
            commenter_account, target=case, body=commenter.description("Anche qui!"), limit=False
        ),
    ]
    assert idea.held_at is None and all(c.held_at is None for c in comments)  # shown to all
    scanner.scan(montalto)
    # The steward redacts what the scanner found in participation texts, and leaves the cases'
    # descriptions (staff only) as written: the public must not see those anyway.
    found = Finding.objects.filter(state=Finding.State.OPEN, source__startswith="participation.")
    assert found.count() == 5  # the idea's title and text, the three comments
    for finding in found:
        privacy_actions.resolve_finding(steward, finding, privacy_actions.REDACT)
    idea.refresh_from_db()
    return [idea]


def build_world() -> World:
    region = core_actions.create_administration(
        None, name="Regione Valdoro", slug="valdoro", kind=Administration.Kind.REGION
    )
    montalto = core_actions.create_administration(
        None,
        name="Comune di Montalto",
        slug="montalto",
        kind=Administration.Kind.MUNICIPALITY,
        parent=region,
        boundary=SQUARE,
    )
    montalto.ipa_code = "c_m001"
    montalto.save(update_fields=["ipa_code"])
    roads = core_actions.create_department(None, montalto, name="Roads", code="roads")
    officer = make_staff(montalto, Role.OFFICER, "bob@montalto.example", "Bob Officer")
    manager = make_staff(montalto, Role.SERVICE_MANAGER, "carla@montalto.example", "Carla M")
    steward = make_staff(montalto, Role.DATA_STEWARD, "elena@montalto.example", "Elena S")
    service = catalog_actions.create_service(
        None,
        montalto,
        code="pothole",
        name="Pothole",
        description="A hole in the road.",
        group="Roads",
        kind="report",
        located=True,
        anonymous_allowed=True,
        channels=["web", "app", "api", "phone"],
        attributes=POTHOLE_ATTRIBUTES,
        department=roads,
        status=Service.Status.PUBLISHED,
    )
    # Free text goes into open data after redaction: the strictest test of it.
    ServiceTextPolicy.objects.create(service=service, text=ServiceTextPolicy.Text.REDACTED)
    _row, key = core_actions.create_api_key(
        None, montalto, name="App", scopes=["open311:write", "cases:write"]
    )
    cases = {
        "web": _file_on_the_web(service, PEOPLE["web"], INSIDE[0], signed_in=True),
        "web, anonymous": _file_on_the_web(
            service, PEOPLE["web, anonymous"], INSIDE[1], signed_in=False
        ),
        "Open311": _file_through_open311(service, key, PEOPLE["Open311"], INSIDE[2]),
        "REST API": _file_through_the_api(service, key, PEOPLE["REST API"], INSIDE[3]),
        "assisted": _file_assisted(service, officer, PEOPLE["assisted"], INSIDE[4]),
    }
    for channel, case in cases.items():
        person = PEOPLE[channel]
        case = handling_actions.change_status(
            officer,
            case,
            Status.ACKNOWLEDGED,
            note=f"Presa in carico, gentile {person.name}.",
        )
        handling_actions.reply(
            officer,
            case,
            f"Gentile {person.name}, la richiameremo al {person.phone} o le scriveremo a "
            f"{person.email}.",
        )
        cases[channel] = Case.objects.get(pk=case.pk)
    _ask_for_information(officer, cases["web, anonymous"], PEOPLE["web, anonymous"])
    ideas = _participate(montalto, manager, steward, cases["web"])
    publish_everything(montalto)
    tokens = [tracking.token_for(c) for c in cases.values() if c.tracking_nonce]
    return World(montalto, service, cases, ideas, tokens)


# --- where an anonymous visitor goes -----------------------------------------------------------


def _routes(patterns, prefix: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


_ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>([^)]*)\)")


def every_route(values: dict[str, str]) -> list[str]:
    """A path for every URL pattern that takes no argument, and for every one outside the staff
    area whose arguments `values` can fill (each choice of a pattern that lists its choices, as
    `(?P<fmt>csv|json)`); patterns with other arguments are left to the object pages and the
    links. (The staff area sends an anonymous visitor to the sign-in page, whatever the path.)"""
    paths: set[str] = set()
    for route, pattern in _routes(get_resolver().url_patterns):
        if pattern.name in SKIP_ROUTES or (route.startswith("staff/") and _ARGUMENT.search(route)):
            continue
        filled = [route.replace("^", "").replace("$", "").replace("\\.", ".")]
        for match in _ARGUMENT.finditer(route):
            name = match.group(1) or match.group(2)
            choices = (match.group(3) or "").split("|")
            if name not in values and not all(re.fullmatch(r"[\w-]+", c) for c in choices):
                filled = []
                break
            options = [values[name]] if name in values else choices
            filled = [f.replace(match.group(0), o, 1) for f in filled for o in options]
        paths.update("/" + f for f in filled if not re.search(r"[\\^$*+?()\[\]]", f))
    return sorted(paths)


def route_values(world: World) -> dict[str, str]:
    """What fills the URL patterns' arguments: the world's administration, service, web report,
    process and open dataset. Never a tracking link: those pages are the filer's own."""
    case, idea = world.cases["web"], world.ideas[0]
    return {
        "admin_slug": world.montalto.slug,
        "code": world.service.code,
        "reference": case.reference,
        "request_id": case.reference,
        "process_slug": idea.process.slug,
        "key": "public-reports",
        "version": "1",
    }


def object_pages(world: World) -> list[str]:
    """The pages, API answers and downloads of what the world filed and published."""
    slug = world.montalto.slug
    j = f"jurisdiction_id={slug}"
    urls = [
        "/",
        "/services/",
        f"/services/{slug}/{world.service.code}/",
        f"/services/{slug}/{world.service.code}/file/",
        "/opendata/",
        "/opendata/catalog.ttl",
        "/opendata/catalog.jsonld",
        f"/participation/{slug}/",
        f"/results/{slug}/",
        "/api/schema/",
        f"/places/search.json?{urlencode({'q': 'Fontana', 'administration': slug})}",
        f"/places/nearest.json?lat={INSIDE[0][0]}&lon={INSIDE[0][1]}",
    ]
    for lat, lon in INSIDE:
        urls.append(f"/services/map/?lat={lat}&lon={lon}")
    for fmt in ("json", "xml"):
        urls += [
            f"{OPEN311}discovery.{fmt}",
            f"{OPEN311}services.{fmt}?{j}",
            f"{OPEN311}services/{world.service.code}.{fmt}?{j}",
            f"{OPEN311}requests.{fmt}?{j}&extensions=true",
            f"{OPEN311}requests.{fmt}?{j}&extensions=true&status=open",
            f"{OPEN311}requests.{fmt}?{j}&service_code={world.service.code}",
        ]
    urls += [
        f"/api/v1/administrations/{slug}/",
        f"/api/v1/services/{world.service.pk}/",
        f"/api/v1/public-cases/?administration={slug}",
        "/api/v1/processes/",
        f"/api/v1/results/?administration={slug}",
    ]
    for case in world.cases.values():
        ref = case.reference
        urls += [
            f"/cases/{slug}/{ref}/",
            f"/api/v1/public-cases/{slug}/{ref}/",
            f"/api/v1/public-cases/{slug}/{ref}/events/",
            f"/api/v1/public-cases/{slug}/{ref}/attachments/",
        ]
        urls += [f"{OPEN311}requests/{ref}.{fmt}?{j}&extensions=true" for fmt in ("json", "xml")]
    for idea in world.ideas:
        process = idea.process
        urls += [
            process_url(process),
            process_url(process) + "ideas/",
            idea_url(idea),
            f"/api/v1/processes/{slug}/{process.slug}/",
            f"/api/v1/processes/{slug}/{process.slug}/ideas/",
            f"/api/v1/processes/{slug}/{process.slug}/comments/",
            f"/api/v1/ideas/{idea.pk}/",
            f"/api/v1/ideas/{idea.pk}/comments/",
        ]
    return urls


def ckan_pages(client: Client) -> list[str]:
    """The CKAN Action API: every package and every resource it lists."""
    urls = [
        "/api/3/action/status_show",
        "/api/3/action/package_list",
        "/api/3/action/package_search?rows=1000",
        "/api/3/action/organization_list?all_fields=true",
    ]
    for name in client.get("/api/3/action/package_list").json()["result"]:
        urls.append(f"/api/3/action/package_show?{urlencode({'id': name})}")
        package = client.get(urls[-1]).json()["result"]
        urls.append(f"/api/3/action/organization_show?{urlencode({'id': package['owner_org']})}")
        urls += [
            f"/api/3/action/resource_show?{urlencode({'id': r['id']})}"
            for r in package["resources"]
        ]
    return urls


_URL_IN_JSON = re.compile(r'"(?:https?://testserver)?(/[^"\s<>]*)"')


def links_of(url: str, content_type: str, text: str) -> list[str]:
    """Same-site links of an answer: HTML anchors, and paths or testserver URLs in JSON."""
    if "html" in content_type:
        hrefs, _forms = read_page(text)
    elif "json" in content_type:
        hrefs = _URL_IN_JSON.findall(text)
    else:
        return []
    return [p for p in (same_site_path(url, h) for h in hrefs) if p]


def crawl(client: Client, starts: list[str], scan: Scan, secrets: list[str]) -> None:
    """Breadth-first from `starts`, following links DEPTH steps deep, at most MAX_URLS answers.
    Links found on the way are followed to every path, but to PER_QUERY queries of each (the
    sign-in page with each `next` is one page)."""
    queue = deque((url, 0) for url in starts)
    seen: set[str] = set()
    per: Counter = Counter()
    while queue and len(scan.answers) < MAX_URLS:
        url, depth = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        parts = urlsplit(url)
        key = (parts.path, tuple(sorted(k for k, _v in parse_qsl(parts.query))))
        if depth and per[key] >= PER_QUERY:
            continue
        per[key] += 1
        response = client.get(url)
        scan.answers[url] = response.status_code
        for header in ("Location", "Content-Disposition", "Link"):
            if response.has_header(header):
                found = leaks(response[header], secrets)
                if found:
                    scan.leaks[f"{url} ({header})"] = found
        if response.status_code in (301, 302, 303, 307, 308):
            target = same_site_path(url, response["Location"])
            if target and depth < DEPTH:
                queue.append((target, depth + 1))
            continue
        content_type = response.get("Content-Type", "")
        body = body_of(response)
        text = decode(body, content_type, urlsplit(url).path)
        scan.texts[url] = text
        found = leaks(text, secrets)
        if found:
            scan.leaks[url] = found
        if depth < DEPTH and response.status_code == 200:
            raw = text if "json" in content_type else body.decode("utf-8", "replace")
            queue.extend((link, depth + 1) for link in links_of(url, content_type, raw))


def read_open_data(scan: Scan, secrets: list[str]) -> None:
    """Every file `publish` wrote, read from its storage."""
    root = publish.root()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = str(path.relative_to(root))
        text = decode(path.read_bytes(), "", path.name)
        scan.files.append(name)
        scan.texts[f"file {name}"] = text
        found = leaks(text, secrets)
        if found:
            scan.leaks[f"file {name}"] = found


# --- the module's world and its scan -----------------------------------------------------------


@pytest.fixture(scope="module")
def scan(django_db_setup, django_db_blocker, tmp_path_factory) -> Scan:
    """The world built, crawled and its open data read, once for the module (inside a
    transaction rolled back at the module's end, with the suite's settings)."""
    media: Path = tmp_path_factory.mktemp("no-public-leak")
    from django.conf import settings

    generous = "100000/minute"
    rest = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(
            settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], generous
        ),
    }
    with (
        django_db_blocker.unblock(),
        override_settings(
            **suite_settings(media),
            REST_FRAMEWORK=rest,
            OPEN311_RATE_ADDRESS=generous,
            OPEN311_RATE_KEY=generous,
            RATELIMIT_KEY_PREFIX="insieme-test-no-public-leak",
        ),
        transaction.atomic(),
    ):
        cache.clear()
        started = time.perf_counter()
        world = build_world()
        result = Scan(world)
        secrets = world.tracking_tokens
        visitor = Client(raise_request_exception=False)
        starts = every_route(route_values(world)) + object_pages(world) + ckan_pages(visitor)
        crawl(visitor, starts, result, secrets)
        read_open_data(result, secrets)
        result.seconds = time.perf_counter() - started
        cache.clear()
        yield result
        transaction.set_rollback(True)


# --- the promise -------------------------------------------------------------------------------


def test_every_channel_filed_a_public_report_the_scan_read(scan, db):
    """The scan is worth something: every report is public, acknowledged and answered, its
    staff-only copy still holds the personal data, and its public page, API record and
    open-data row were read with their redacted text."""
    world, slug = scan.world, scan.world.montalto.slug
    assert set(world.cases) == set(PEOPLE) - {"idea", "comment"}
    assert {c.channel for c in world.cases.values()} == {"web", "api", "phone"}
    assert len(world.tracking_tokens) == 4  # each filer without an account has a private link
    rows = json.loads(scan.texts[f"/opendata/{slug}/public-reports/download.json"])
    published = {r["reference"]: r["description"] or "" for r in rows}
    for channel, case in world.cases.items():
        person = PEOPLE[channel]
        stored = Case.objects.get(pk=case.pk)
        assert stored.is_public and stored.status in OPEN_STATUSES, channel
        assert stored.acknowledged_at and stored.first_public_response_at, channel
        # What the public must not see is there, for staff: every kind of it.
        private = " ".join(markers_in(f"{stored.description} {stored.answers}", person))
        for kind in ("surname", "phone digits", "tax code", "IBAN", "e-mail local part", "home"):
            assert kind in private, (channel, kind)
        visible = PROBLEMS[channel]
        assert stored.public_description.startswith(visible), channel
        for url in (
            f"/cases/{slug}/{case.reference}/",
            f"/api/v1/public-cases/{slug}/{case.reference}/",
            f"{OPEN311}requests/{case.reference}.xml?jurisdiction_id={slug}&extensions=true",
        ):
            assert scan.answers[url] == 200 and visible in scan.texts[url], (channel, url)
        page = scan.texts[f"/cases/{slug}/{case.reference}/"]
        assert "[phone hidden]" in page, channel
        street = re.split(r"[,(]", stored.public_address)[0].strip()  # the place is public
        assert street and street in page, channel
        assert visible in published[case.reference], channel
    photo = Case.objects.get(pk=world.cases["web"].pk).attachments.get()
    assert not photo.is_public and PEOPLE["web"].surname in photo.original_name
    idea = world.ideas[0]
    assert scan.answers[idea_url(idea)] == 200
    assert "Servono panchine all" in scan.texts[idea_url(idea)]
    assert "Quando si comincia?" in scan.texts[process_url(idea.process)]
    assert "Anche qui!" in scan.texts[f"/cases/{slug}/{world.cases['web'].reference}/"]
    answered = world.cases["web, anonymous"].events.filter(kind=CaseEvent.Kind.INFO_PROVIDED)
    assert PEOPLE["web, anonymous"].home in answered.get().text  # kept, for staff


def test_no_personal_data_on_any_public_page_or_anonymous_api_answer(scan, db):
    pages = {url: found for url, found in scan.leaks.items() if not url.startswith("file ")}
    assert not pages, json.dumps(pages, indent=1, ensure_ascii=False)


def test_no_personal_data_in_any_open_data_file(scan, db):
    assert {Path(f).suffix for f in scan.files} == {".csv", ".json", ".geojson", ".parquet"}
    files = {name: found for name, found in scan.leaks.items() if name.startswith("file ")}
    assert not files, json.dumps(files, indent=1, ensure_ascii=False)


def test_no_server_error_anywhere(scan, db, capsys):
    errors = {url: status for url, status in scan.answers.items() if status >= 500}
    assert not errors, errors
    assert len(scan.answers) < MAX_URLS, "the crawl stopped at its safety net"
    with capsys.disabled():
        print(
            f"\nno public leak: {len(scan.answers)} URLs requested (by status: "
            f"{dict(sorted(Counter(scan.answers.values()).items()))}), {len(scan.files)} "
            f"open-data files read, in {scan.seconds:.1f} s"
        )
