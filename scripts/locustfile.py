"""The load test's people (locust): citizens browsing and filing, officers working their queues,
API clients, and Open311 integrations polling and posting. Run by scripts/loadtest.py, which
starts production mode, sets the mix's size and length, and checks the database afterwards.

Every submission carries a unique marker in its text; each one the server acknowledged (a
redirect to the filed page, a 201, an Open311 request id) is appended to LOADTEST_ACKS, so the
check can find each in the database exactly once.

The people are FastHttpUsers (geventhttpclient, the lighter of locust's two clients): the load
generator runs on the same cores as the server, and what it spends is taken from the server.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
import uuid

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

ACKS = os.environ.get("LOADTEST_ACKS", "var/prod/loadtest-acks.jsonl")
REQUESTS = os.environ.get("LOADTEST_REQUESTS", "")
API_KEY = os.environ.get("LOADTEST_API_KEY", "")
PASSWORD = os.environ.get("LOADTEST_PASSWORD", "Valdoro-Insieme-2026!")
CITIZENS = [
    "sara.martini@posta.example",
    "monica.giordano@posta.example",
    "james.whitfield@posta.example",
    "beatrice.monti@posta.example",
    "andrea.galli@posta.example",
    "alessia.bianchi@posta.example",
]
OFFICERS = {
    "elisa.marini@comune.lagoverde.example": "lago-verde",
    "monica.vitale@comune.montalto.example": "montalto",
    "nicola.conte@comune.sanpietroalcolle.example": "san-pietro-al-colle",
}
ADMIN = "lago-verde"
SERVICE = "buche-stradali"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="(token|started)" value="([^"]*)"')
CASE_LINK = re.compile(r'href="(/staff/[a-z0-9-]+/cases/[0-9][^"/]*/)"')
WORDS = [
    *("buca", "profonda", "strada", "asfalto", "marciapiede"),
    *("pericolo", "auto", "bici", "scuola", "incrocio"),
]


def marker() -> str:
    return f"lt-{uuid.uuid4().hex[:16]}"


def text(tag: str) -> str:
    words = " ".join(random.choices(WORDS, k=8))
    return f"{words.capitalize()} [{tag}]"


def place() -> tuple[float, float]:
    return 43.142 + random.uniform(-0.002, 0.002), 12.142 + random.uniform(-0.002, 0.002)


def acknowledge(channel: str, tag: str, ref: str) -> None:
    with open(ACKS, "a", encoding="utf-8") as out:
        out.write(json.dumps({"channel": channel, "marker": tag, "ref": ref}) + "\n")


@events.request.add_listener
def record_request(request_type, name, response_time, response_length, exception=None, **kw):
    """Every request with its moment, status and time (LOADTEST_REQUESTS), so the fault test
    can tell what happened during each outage it caused."""
    if not REQUESTS:
        return
    response = kw.get("response")
    row = {
        "at": time.time() - response_time / 1000,
        "name": name,
        "status": getattr(response, "status_code", 0) or 0,
        "ms": response_time,
        "ok": exception is None,
        "error": str(exception)[:200] if exception is not None else "",
    }
    with open(REQUESTS, "a", encoding="utf-8") as out:
        out.write(json.dumps(row) + "\n")


class Citizen(FastHttpUser):
    """Browses the public site; now and then signs in and files a report through the form."""

    weight = 10
    wait_time = between(2, 8)

    def on_start(self) -> None:
        self.signed_in = False
        self.references: list[str] = []

    @task(6)
    def home(self) -> None:
        self.client.get("/", name="home")

    @task(4)
    def catalogue(self) -> None:
        self.client.get("/services/", name="catalogue")
        self.client.get(f"/services/{ADMIN}/{SERVICE}/", name="service page")

    @task(3)
    def public_cases(self) -> None:
        with self.client.get(
            f"/api/v1/public-cases/?administration={ADMIN}&page_size=10",
            name="api public cases",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return
            refs = [row.get("reference") for row in response.json().get("results", [])]
            self.references = [r for r in refs if r] or self.references
        if self.references:
            ref = random.choice(self.references)
            self.client.get(f"/cases/{ADMIN}/{ref}/", name="public case page")

    @task(2)
    def map_and_open_data(self) -> None:
        self.client.get("/services/map/", name="services map")
        self.client.get("/opendata/", name="open data catalogue")

    @task(2)
    def file_report(self) -> None:
        if not self.signed_in:
            self.signed_in = sign_in(self.client, random.choice(CITIZENS))
            if not self.signed_in:
                return
        form_url = f"/services/{ADMIN}/{SERVICE}/file/"
        page = self.client.get(form_url, name="filing form")
        hidden = dict(HIDDEN.findall(page.text))
        csrf = CSRF.search(page.text)
        if page.status_code != 200 or not csrf or "token" not in hidden:
            return
        tag = marker()
        lat, lon = place()
        data = {
            "csrfmiddlewaretoken": csrf.group(1),
            "token": hidden["token"],
            "started": hidden.get("started", ""),
            "attr_dimensione": random.choice(["piccola", "media", "grande"]),
            "attr_pericolo": random.choice(["si", "no"]),
            "description": text(tag),
            "lat": f"{lat:.6f}",
            "lon": f"{lon:.6f}",
        }
        for attempt in range(2):  # the second time past the duplicate suggestions
            with self.client.post(
                form_url,
                data=data,
                name="file report (web)",
                allow_redirects=False,
                catch_response=True,
                headers={"Referer": self.host + form_url},
            ) as response:
                if response.status_code == 302 and "/filed/" in response.headers.get(
                    "Location", ""
                ):
                    ref = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
                    acknowledge("web", tag, ref)
                    return
                if response.status_code == 200 and attempt == 0:
                    data["checked"] = "on"  # duplicates shown; "file anyway"
                    continue
                response.failure(f"status {response.status_code}")
                return


def sign_in(client, email: str) -> bool:
    page = client.get("/accounts/login/", name="sign-in form")
    csrf = CSRF.search(page.text)
    if not csrf:
        return False
    response = client.post(
        "/accounts/login/",
        data={"csrfmiddlewaretoken": csrf.group(1), "email": email, "password": PASSWORD},
        name="sign in",
        headers={"Referer": client.base_url + "/accounts/login/"},
        allow_redirects=False,
    )
    return response.status_code == 302


class Officer(FastHttpUser):
    """Signs in and works the queue: the list, a case, the workload."""

    weight = 3
    wait_time = between(3, 10)

    def on_start(self) -> None:
        email = random.choice(list(OFFICERS))
        self.admin = OFFICERS[email]
        self.signed_in = sign_in(self.client, email)
        self.cases: list[str] = []

    @task(5)
    def queue(self) -> None:
        if not self.signed_in:
            return
        page = self.client.get(f"/staff/{self.admin}/cases/", name="staff queue")
        self.cases = CASE_LINK.findall(page.text) or self.cases

    @task(4)
    def case(self) -> None:
        if self.signed_in and self.cases:
            self.client.get(random.choice(self.cases), name="staff case page")

    @task(1)
    def staff_home(self) -> None:
        if self.signed_in:
            self.client.get("/staff/", name="staff home")


class ApiClient(FastHttpUser):
    """An integration using the REST API with a key: lists cases, files some."""

    weight = 2
    wait_time = between(2, 6)

    default_headers = {"Authorization": f"Bearer {API_KEY}"}

    def on_start(self) -> None:
        self.service_id = None

    def _service(self) -> int | None:
        if self.service_id is None:
            response = self.client.get(
                f"/api/v1/services/?administration={ADMIN}&page_size=50", name="api services"
            )
            if response.status_code == 200:
                for row in response.json().get("results", []):
                    if row.get("code") == SERVICE:
                        self.service_id = row["id"]
        return self.service_id

    @task(5)
    def list_cases(self) -> None:
        self.client.get("/api/v1/cases/?page_size=20", name="api cases")

    @task(1)
    def file_case(self) -> None:
        service = self._service()
        if service is None:
            return
        tag = marker()
        lat, lon = place()
        body = {
            "service": service,
            "lat": round(lat, 6),
            "lon": round(lon, 6),
            "description": text(tag),
            "answers": {"dimensione": "media", "pericolo": "no"},
        }
        with self.client.post(
            "/api/v1/cases/",
            json=body,
            headers={"Idempotency-Key": tag},
            name="file case (api)",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                acknowledge("api", tag, str(response.json().get("reference", "")))
            else:
                response.failure(f"status {response.status_code}: {response.text[:200]}")


class Open311Client(FastHttpUser):
    """An Open311 GeoReport v2 integration: polls recent requests, posts some."""

    weight = 2
    wait_time = between(2, 6)

    @task(5)
    def poll(self) -> None:
        self.client.get(
            f"/open311/v2/requests.json?jurisdiction_id={ADMIN}&api_key={API_KEY}",
            name="open311 requests",
        )

    @task(1)
    def services(self) -> None:
        self.client.get(
            f"/open311/v2/services.json?jurisdiction_id={ADMIN}", name="open311 services"
        )

    @task(1)
    def post(self) -> None:
        tag = marker()
        lat, lon = place()
        with self.client.post(
            "/open311/v2/requests.json",
            data={
                "jurisdiction_id": ADMIN,
                "api_key": API_KEY,
                "service_code": SERVICE,
                "lat": f"{lat:.6f}",
                "long": f"{lon:.6f}",
                "attribute[dimensione]": "piccola",
                "attribute[pericolo]": "no",
                "description": text(tag),
            },
            name="file request (open311)",
            catch_response=True,
        ) as response:
            if response.status_code in (200, 201):
                rows = response.json()
                ref = rows[0].get("service_request_id") if rows else None
                if ref:
                    acknowledge("open311", tag, str(ref))
                    return
            response.failure(f"status {response.status_code}: {response.text[:200]}")
