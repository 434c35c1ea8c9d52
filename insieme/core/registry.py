"""Small registries that each app fills once, from its AppConfig.ready().

Adding a module must not mean editing a central list: an app declares its Scorecard indicators,
publishable datasets, demo seeds, home-page sections, the optional processing it asks consent for
and the permissions it owns here, and the readers (the Scorecard page, the open-data catalogue,
`insieme demo`, the consents page, the permission tests) iterate over what is registered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any


class Registry:
    """An ordered, keyed collection that refuses a key twice (two apps claiming one name is a bug)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._items: dict[str, Any] = {}

    def register(self, key: str, item: Any) -> Any:
        if key in self._items and self._items[key] is not item:
            raise ValueError(f"{self.name}: {key!r} is registered twice")
        self._items[key] = item
        return item

    def get(self, key: str) -> Any:
        return self._items[key]

    def unregister(self, key: str) -> None:
        """Take an item out again (a test's own registration, undone when it ends)."""
        self._items.pop(key, None)

    def __contains__(self, key: str) -> bool:
        return key in self._items

    def __iter__(self):
        return iter(self._items.values())

    def keys(self) -> list[str]:
        return list(self._items)

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True)
class Scope:
    """What an indicator is computed over: a set of administrations, as of a day, in the time
    zone of the administration the figures are for (its days and periods begin at its midnight).
    An empty `time_zone` is the installation's (settings.TIME_ZONE)."""

    administration_ids: tuple[int, ...]
    today: date
    label: str = ""
    time_zone: str = ""

    @classmethod
    def of(cls, administration, members=None, label: str = "") -> Scope:
        """The scope of `members` (default: `administration` alone) as of today where
        `administration` is, in its time zone."""
        from insieme.core.models import today_in

        members = list(members) if members is not None else [administration]
        return cls(
            administration_ids=tuple(a.pk for a in members),
            today=today_in(administration),
            label=label,
            time_zone=administration.timezone,
        )

    @property
    def zone(self):
        import zoneinfo

        from django.conf import settings

        return zoneinfo.ZoneInfo(self.time_zone or settings.TIME_ZONE)

    def earlier(self, days: int) -> Scope:
        """The same scope as of `days` days before: where an indicator's previous period is."""
        import dataclasses

        return dataclasses.replace(self, today=self.today - timedelta(days=days))

    def window(self, days: int, back: int = 0) -> tuple[datetime, datetime]:
        """[start, end) of the `days` days ending with the scope's day, shifted `back` windows,
        from midnight to midnight in the scope's time zone."""
        end_day = self.today + timedelta(days=1 - back * days)
        start = datetime.combine(end_day - timedelta(days=days), time(), tzinfo=self.zone)
        return start, datetime.combine(end_day, time(), tzinfo=self.zone)


@dataclass
class IndicatorResult:
    """A computed value with the numbers behind it, so the page can show a table and a CSV."""

    value: float | None
    display: str
    numerator: float | None = None
    denominator: float | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""
    # How many rows there are when `rows` holds only the first of them (a stored Scorecard
    # snapshot keeps those a page shows); None when `rows` holds them all.
    row_count: int | None = None


@dataclass(frozen=True)
class Indicator:
    """One measured figure for one cell of the benefits-and-challenges table (DESIGN.md §1)."""

    key: str
    cell: str
    title: Any  # str or lazy translation
    method: Any
    unit: str
    compute: Callable[[Scope], IndicatorResult]
    app: str = ""
    # "higher" or "lower" is better; None where neither is (a volume, a spread to be read).
    better: str | None = None
    # A headline figure: shown on the public home page too (an aggregate, never about a person).
    headline: bool = False
    # The length of the window it reads, ending on the scope's day: its previous period is the
    # same method as of that many days before. None for a state (open cases now, the catalogue
    # as it is), which has no earlier period to recompute.
    period_days: int | None = None


@dataclass(frozen=True)
class DemoSeed:
    """A step of `insieme demo`; seeds run by ascending order, each gets the shared DemoContext."""

    key: str
    order: int
    run: Callable[[Any], None]
    app: str = ""


@dataclass(frozen=True)
class Column:
    """One column of an open dataset.

    `type` is one of "string", "integer", "number", "date", "boolean". `role` tells the
    publisher (insieme.opendata) what anonymisation the column needs:

    - "" : published as the dataset gives it (never personal: the dataset's author vouches);
    - "count": a count of people's records, suppressed below the administration's threshold,
      with secondary suppression across the dataset's `margins`;
    - "part": a count that is part of the count named by `of` (resolved of received): also
      suppressed when the rest of `of` (received minus resolved) is small, or when `of` is;
    - "statistic": a figure computed over the records counted by `of` (a median, a mean):
      suppressed with it;
    - "lat" / "lon": a place, moved to the centre of its grid cell (and, for a sensitive
      service, to a random point within the cell);
    - "text": free text, published only as the service's text policy allows, redacted.
    """

    name: str
    type: str
    description: Any
    role: str = ""
    of: str = ""


@dataclass(frozen=True)
class Dataset:
    """An open dataset an app can publish, per administration (DESIGN.md §3, a manifest per
    module). `rows(administration)` yields one dict per row with the columns' names as keys,
    plus, where the anonymisation needs them and never published, "_service_id" (the row's
    service: its text policy and whether its places are sensitive) and "_names" (people whose
    names the redaction must hide). The publisher applies the anonymisation the columns'
    roles call for; `margins` lists the groups of columns whose totals a reader can know (each
    tuple: rows equal on those columns add up to a total), for secondary suppression.

    `kind` is "records" (one row per public record) or "aggregate" (counts per group).
    `theme` is a code of the EU data themes vocabulary (GOVE, SOCI, TRAN, ENVI, REGI, ...);
    `frequency` one of the EU frequency vocabulary (DAILY, WEEKLY, MONTHLY, ...)."""

    key: str
    title: Any
    description: Any
    rows: Callable[[Any], Iterable[dict]]
    columns: tuple[Column, ...] = ()
    kind: str = "aggregate"
    theme: str = "GOVE"
    frequency: str = "DAILY"
    keywords: tuple[Any, ...] = ()
    margins: tuple[tuple[str, ...], ...] = ()
    app: str = ""

    # Where each row has a place: the GeoJSON distribution is offered.
    @property
    def geographic(self) -> bool:
        return any(c.role == "lat" for c in self.columns)


@dataclass(frozen=True)
class Benchmark:
    """A figure of `make bench`: `run(size)` returns BenchLines measured against a same-run baseline."""

    key: str
    run: Callable[[str], list]
    app: str = ""
    # Optional: measured first on a default-size demo, for figures compared across data sizes.
    baseline: Callable[[str], None] | None = None


@dataclass
class BenchLine:
    name: str
    value: float
    unit: str
    n: int
    baseline: float | None = None

    def format(self) -> str:
        parts = [f"bench {self.name}", f"value={self.value:.6g}", f"unit={self.unit}"]
        if self.baseline is not None:
            ratio = self.value / self.baseline if self.baseline else float("inf")
            parts += [f"baseline={self.baseline:.6g}", f"ratio={ratio:.6g}"]
        parts.append(f"n={self.n}")
        return " ".join(parts)


@dataclass(frozen=True)
class HomeSection:
    """A part of the home page an app contributes, in ascending `order`: `template` is rendered
    with what `context(request)` returns, and the section is left out when that is None (nothing
    to show yet, e.g. no open process). Keep `context` to a query or two, cached where it
    aggregates: the home page is the busiest page of all."""

    key: str
    order: int
    template: str
    context: Callable[[Any], dict | None]
    app: str = ""


@dataclass(frozen=True)
class ApiRoutes:
    """Read endpoints an app adds to the REST API: `urls` (a module path) is included under
    /api/v1/`prefix`; its views use insieme.api's authentication, pagination and error format."""

    key: str
    prefix: str
    urls: str
    app: str = ""


@dataclass(frozen=True)
class PagePanel:
    """A part an app adds to another app's page (`page`, e.g. "catalog.service"), so that the
    page's owner never imports the later app: the page renders `{% page_panels "page" obj %}`,
    which renders `template` with what `context(request, obj)` returns, in ascending `order`,
    and leaves the panel out when that is None. Keep `context` to a query or two."""

    key: str
    page: str
    order: int
    template: str
    context: Callable[[Any, Any], dict | None]
    app: str = ""


@dataclass(frozen=True)
class FilingPrefill:
    """What an app fills in on the citizens' filing form from what the administration already
    knows (the once-only principle), so that the cases app never imports it.

    `offer(request, service)` answers initial values keyed by form field name: the filing form's
    own fields (contact_name, address, token, ...) and the service's questions
    (`citizen_field_name(attribute)`); the first provider to offer a field wins. `record(request,
    service, case)` notes, after a successful filing, what became of what was offered.
    `hints(request, service, forms)`, optional, answers {field name: a short note} for the
    fields shown filled in, put under each field after its own help text."""

    key: str
    offer: Callable[[Any, Any], dict]
    record: Callable[[Any, Any, Any], None]
    hints: Callable[[Any, Any, tuple], dict[str, Any]] | None = None
    app: str = ""


indicators = Registry("indicators")
home_sections = Registry("home sections")
benchmarks = Registry("benchmarks")
datasets = Registry("datasets")
demo_seeds = Registry("demo seeds")
permission_owners = Registry("permission owners")
api_routes = Registry("api routes")
page_panels = Registry("page panels")
filing_prefills = Registry("filing prefills")
# What employees report per cell (the staff perception survey): providers called with a Scope,
# answering {cell code: what they found, or None below the anonymity threshold}.
perception_providers = Registry("perception providers")
# What residents say per cell (the residents' community survey): providers called with a Scope,
# answering {cell code: what they found, or None below the anonymity threshold}.
community_providers = Registry("community providers")


def register_indicator(indicator: Indicator) -> Indicator:
    from insieme.core.cells import CELLS

    if indicator.cell not in CELLS:
        raise ValueError(f"indicator {indicator.key!r} names unknown cell {indicator.cell!r}")
    return indicators.register(indicator.key, indicator)


def register_demo_seed(seed: DemoSeed) -> DemoSeed:
    return demo_seeds.register(seed.key, seed)


def register_benchmark(benchmark: Benchmark) -> Benchmark:
    return benchmarks.register(benchmark.key, benchmark)


def register_home_section(section: HomeSection) -> HomeSection:
    return home_sections.register(section.key, section)


def register_api_routes(routes: ApiRoutes) -> ApiRoutes:
    return api_routes.register(routes.key, routes)


def register_page_panel(panel: PagePanel) -> PagePanel:
    return page_panels.register(panel.key, panel)


def panels_for(page: str) -> list[PagePanel]:
    return sorted((p for p in page_panels if p.page == page), key=lambda p: (p.order, p.key))


def register_prefill(prefill: FilingPrefill) -> FilingPrefill:
    return filing_prefills.register(prefill.key, prefill)


def prefill_offer(request, service) -> dict:
    """The initial values of `service`'s filing form from every provider (the first wins)."""
    initial: dict = {}
    for provider in filing_prefills:
        for name, value in provider.offer(request, service).items():
            initial.setdefault(name, value)
    return initial


def prefill_record(request, service, case) -> None:
    """After `case` was filed: each provider notes what became of its offer. The case is
    already saved, so a provider's failure is logged, never shown to the citizen as an error."""
    import logging

    for provider in filing_prefills:
        try:
            provider.record(request, service, case)
        except Exception:  # noqa: BLE001 - a measurement must not turn a filing into a 500
            logging.getLogger(__name__).exception("prefill %s: record failed", provider.key)


def prefill_hints(request, service, *forms) -> None:
    """Each field a provider filled in carries its hint, after the field's own help text."""
    from django.utils.html import format_html

    hints: dict[str, Any] = {}
    for provider in filing_prefills:
        if provider.hints is not None:
            for name, text in provider.hints(request, service, forms).items():
                hints.setdefault(name, text)
    for form in forms:
        for name, text in hints.items():
            field = form.fields.get(name)
            if field is not None:
                hint = format_html('<span class="d-block prefill-hint">{}</span>', text)
                field.help_text = format_html("{}{}", field.help_text, hint)
                form[name].help_text = field.help_text  # a bound form has read it already


def register_perception(key: str, provider: Callable[[Scope], dict[str, Any]]) -> Callable:
    return perception_providers.register(key, provider)


def perceived(scope: Scope) -> dict[str, Any]:
    """Every cell's perceived value from the registered providers (the first that has one)."""
    found: dict[str, Any] = {}
    for provider in perception_providers:
        for cell, value in provider(scope).items():
            if found.get(cell) is None:
                found[cell] = value
    return found


def register_community(key: str, provider: Callable[[Scope], dict[str, Any]]) -> Callable:
    return community_providers.register(key, provider)


def community(scope: Scope) -> dict[str, Any]:
    """Every cell's residents' value from the registered providers (the first that has one)."""
    found: dict[str, Any] = {}
    for provider in community_providers:
        for cell, value in provider(scope).items():
            if found.get(cell) is None:
                found[cell] = value
    return found


def register_dataset(dataset: Dataset) -> Dataset:
    return datasets.register(dataset.key, dataset)


def register_permissions(app_label: str, perms: Iterable[str]) -> None:
    """An app claims the permissions it defines; each permission has exactly one owner."""
    for perm in perms:
        permission_owners.register(str(perm), app_label)


# --- a person's own data (the right of access and portability) ---------------------------------


@dataclass(frozen=True)
class PersonalData:
    """A part of a person's own data that an app holds, for the copy they download
    (insieme.privacy.export). `collect(user)` answers one record (a dict) or a list of records,
    only ever about `user`: never another person's data, never staff-internal notes. A record's
    values are plain values, dates and datetimes, or lists and dicts of them; a text someone
    wrote is best given as a catalog LocalText, so that the page can mark its language. Keys
    are stable names (the JSON's); `labels` names each key, nested ones too, for the readable
    page. `note` tells, on the page and in the JSON, what the section leaves out and why (answers
    kept without any link to the person, say). Sections come in ascending `order`.
    `erase(user)`, optional, removes what the app holds about the person when their account is
    erased (insieme.privacy.erase), inside the erasure's transaction."""

    key: str
    title: Any  # str or lazy translation
    collect: Callable[[Any], list[dict] | dict]
    app: str = ""
    labels: dict[str, Any] = field(default_factory=dict)
    note: Any = ""
    order: int = 100
    erase: Callable[[Any], Any] | None = None


personal_data = Registry("personal data")


def register_personal_data(data: PersonalData) -> PersonalData:
    return personal_data.register(data.key, data)


# --- consent to optional processing (GDPR art. 6(1)(a), art. 7) --------------------------------


@dataclass(frozen=True)
class ConsentPurpose:
    """An optional processing an app does only with a person's consent: being contacted to
    take part in co-design, say. Never the handling of what the person asked for, nor what an
    existing feature needs: a public administration rests those on its public task (GDPR
    recital 43), and asking consent for them would misstate the law.

    `title` and `description` are the words the person agrees to; when they change in
    substance, raise `version`: consents given to an earlier version are no longer in force
    (the person saw other words) until they agree again. `key` is stored with each decision
    (at most 40 characters: lower-case letters, digits, dots, dashes and underscores)."""

    key: str
    title: Any  # str or lazy translation
    description: Any
    version: int = 1
    app: str = ""


consent_purposes = Registry("consent purposes")
# Who answers whether a person consented (insieme.core.consent): the data protection app, which
# holds the decisions, registers itself here; apps ask through insieme.core.consent.
consent_providers = Registry("consent providers")

_PURPOSE_KEY = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")


def register_consent_purpose(purpose: ConsentPurpose) -> ConsentPurpose:
    if not _PURPOSE_KEY.match(purpose.key):
        raise ValueError(f"consent purpose key {purpose.key!r} is not a short lower-case name")
    if purpose.version < 1:
        raise ValueError(f"consent purpose {purpose.key!r}: versions start at 1")
    return consent_purposes.register(purpose.key, purpose)
