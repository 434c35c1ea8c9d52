"""The DCAT-AP 3.0.1 description of the open data, with the Italian profile DCAT-AP_IT.

One `dcat:Catalog` lists every published dataset (catalogue.entries()), paged with Hydra so that
harvesters (dati.gov.it's CKAN, the European Data Portal) walk it page by page; each dataset
also has its own graph. The graphs describe administrations, datasets and files only: never a
person.

Values from the EU controlled vocabularies (themes, frequencies, file types, languages, licence
types) are described in the graph too (their class, scheme and, for skos:Concept, a label):
validators and harvesters check them against their scheme without fetching the vocabulary.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Min
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, SKOS

from insieme.core.models import Administration
from insieme.opendata.catalogue import Entry
from insieme.opendata.models import Publication
from insieme.opendata.publish import FORMATS, MEDIA_TYPES, formats_of

PAGE_SIZE = 50
# The languages of the metadata: every title, description and keyword is given in each.
LANGUAGES = ("it", "en")

DCT = DCTERMS
# rdflib's own DCAT namespace predates DCAT 3 (it lacks dcat:version): an open one instead.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
DCATAPIT = Namespace("http://dati.gov.it/onto/dcatapit#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")

PREFIXES = {
    "dcat": DCAT,
    "dct": DCT,
    "dcatap": DCATAP,
    "dcatapit": DCATAPIT,
    "foaf": FOAF,
    "hydra": HYDRA,
    "skos": SKOS,
    "spdx": SPDX,
    "vcard": VCARD,
    "xsd": XSD,
}

CONTENT_TYPES = {"ttl": "text/turtle; charset=utf-8", "jsonld": "application/ld+json"}

AUTHORITY = "http://publications.europa.eu/resource/authority/"
THEMES = URIRef(AUTHORITY + "data-theme")
FREQUENCIES = URIRef(AUTHORITY + "frequency")
FILE_TYPES = URIRef(AUTHORITY + "file-type")
LANGUAGE_TABLE = URIRef(AUTHORITY + "language")
AVAILABILITY = URIRef(AUTHORITY + "planned-availability")
LICENCE_TYPES = URIRef("http://purl.org/adms/licencetype/1.0")
PUBLISHER_TYPES = URIRef("http://purl.org/adms/publishertype/1.0")
IANA = "https://www.iana.org/assignments/media-types/"

LANGUAGE_CODES = {"it": "ITA", "en": "ENG"}
FILE_TYPE_CODES = {"csv": "CSV", "json": "JSON", "geojson": "GEOJSON", "parquet": "PARQUET"}
FORMAT_LABELS = {"csv": "CSV", "json": "JSON", "geojson": "GeoJSON", "parquet": "Parquet"}

# The labels the EU data-theme table gives its concepts (copied as data, not our own text).
THEME_LABELS = {
    "AGRI": ("Agricoltura, pesca, silvicoltura e prodotti alimentari",
             "Agriculture, fisheries, forestry and food"),
    "ECON": ("Economia e finanze", "Economy and finance"),
    "EDUC": ("Istruzione, cultura e sport", "Education, culture and sport"),
    "ENER": ("Energia", "Energy"),
    "ENVI": ("Ambiente", "Environment"),
    "GOVE": ("Governo e settore pubblico", "Government and public sector"),
    "HEAL": ("Salute", "Health"),
    "INTR": ("Tematiche internazionali", "International issues"),
    "JUST": ("Giustizia, sistema giuridico e sicurezza pubblica",
             "Justice, legal system and public safety"),
    "REGI": ("Regioni e città", "Regions and cities"),
    "SOCI": ("Popolazione e società", "Population and society"),
    "TECH": ("Scienza e tecnologia", "Science and technology"),
    "TRAN": ("Trasporti", "Transport"),
}  # fmt: skip
# ADMS licence types of the licences a steward can choose (models.LICENCES).
LICENCE_KINDS = {
    "CC-BY-4.0": ("Attribution", "Attribution"),
    "CC0-1.0": ("PublicDomain", "Public domain"),
    "IODL-2.0": ("Attribution", "Attribution"),
}
# ADMS publisher types; "other" public bodies have none that fits, so they go without.
PUBLISHER_KINDS = {
    Administration.Kind.NATIONAL: ("NationalAuthority", "National authority"),
    Administration.Kind.REGION: ("RegionalAuthority", "Regional authority"),
    Administration.Kind.MUNICIPALITY: ("LocalAuthority", "Local authority"),
}


# --- addresses ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """Where the installation is reached: every IRI and link in the graphs starts here."""

    base: str  # scheme://host, no trailing slash

    @classmethod
    def configured(cls) -> Site:
        return cls(settings.BASE_URL.rstrip("/"))

    @classmethod
    def of_request(cls, request) -> Site:
        return cls(request.build_absolute_uri("/").rstrip("/"))

    def url(self, name: str, **kwargs) -> str:
        return self.base + reverse(name, kwargs=kwargs or None)


# --- paging ------------------------------------------------------------------------------------


class PageError(Exception):
    """A page that cannot be answered: `status` is 400 (not a page number) or 404 (no such)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Page:
    number: int
    total: int  # datasets in the whole catalogue
    size: int = PAGE_SIZE

    @property
    def last(self) -> int:
        # An empty catalogue still has its first page, which says so.
        return max(1, -(-self.total // self.size))

    def of(self, items: list) -> list:
        start = (self.number - 1) * self.size
        return items[start : start + self.size]


def parse_page(raw: str | None, total: int, size: int | None = None) -> Page:
    """The page `?page=` asks for (the first without it); PageError when there is none."""
    size = size or PAGE_SIZE
    if raw is None:
        return Page(1, total, size)
    digits = raw.lstrip("0")
    if not raw.isascii() or not raw.isdigit() or not digits:
        raise PageError(_("The page must be a whole number, 1 or more."), 400)
    last = Page(1, total, size).last
    # Counted before converted: a thousand-digit number is simply past the end.
    if len(digits) > 9 or int(digits) > last:
        raise PageError(
            _("There is no such page: the last page is %(last)s.") % {"last": last}, 404
        )
    return Page(int(digits), total, size)


# --- building the graphs -----------------------------------------------------------------------


def new_graph() -> Graph:
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def serialize(graph: Graph, fmt: str) -> bytes:
    if fmt == "ttl":
        return graph.serialize(format="turtle", encoding="utf-8")
    context = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    return graph.serialize(format="json-ld", context=context, auto_compact=True, encoding="utf-8")


def _in_languages(graph: Graph, node, predicate, text) -> None:
    """`text` (a lazy translation, or a function of no arguments) once per metadata language."""
    for lang in LANGUAGES:
        with translation.override(lang):
            value = text() if callable(text) else str(text)
        graph.add((node, predicate, Literal(value, lang=lang)))


def _when(moment: dt.datetime) -> Literal:
    return Literal(moment.astimezone(dt.UTC).replace(microsecond=0), datatype=XSD.dateTime)


def _concept(graph: Graph, iri: URIRef, scheme: URIRef, kind: URIRef, labels=None) -> URIRef:
    graph.add((iri, RDF.type, kind))
    graph.add((iri, SKOS.inScheme, scheme))
    if labels:
        graph.add((iri, RDF.type, SKOS.Concept))
        for lang, label in labels.items():
            graph.add((iri, SKOS.prefLabel, Literal(label, lang=lang)))
    return iri


def _theme(graph: Graph, code: str) -> URIRef:
    italian, english = THEME_LABELS.get(code, (code, code))
    labels = {"it": italian, "en": english}
    return _concept(graph, URIRef(f"{THEMES}/{code}"), THEMES, SKOS.Concept, labels)


def _language(graph: Graph, code: str) -> URIRef:
    iri = URIRef(f"{LANGUAGE_TABLE}/{LANGUAGE_CODES.get(code, 'ITA')}")
    return _concept(graph, iri, LANGUAGE_TABLE, DCT.LinguisticSystem)


def agent(graph: Graph, administration: Administration, site: Site) -> URIRef:
    """The administration as publisher and rights holder (DCAT-AP_IT: identified by IPA code)."""
    node = URIRef(site.url("opendata:index") + f"#administration-{administration.slug}")
    graph.add((node, RDF.type, FOAF.Agent))
    graph.add((node, RDF.type, DCATAPIT.Agent))
    graph.add((node, FOAF.name, Literal(administration.name)))
    graph.add((node, DCT.identifier, Literal(administration.ipa_code or administration.slug)))
    kind = PUBLISHER_KINDS.get(administration.kind)
    if kind is not None:
        iri = URIRef(f"http://purl.org/adms/publishertype/{kind[0]}")
        graph.add(
            (node, DCT.type, _concept(graph, iri, PUBLISHER_TYPES, SKOS.Concept, {"en": kind[1]}))
        )
        _scheme(graph, PUBLISHER_TYPES, "Publisher type")
    return node


def _scheme(graph: Graph, iri: URIRef, title: str) -> URIRef:
    graph.add((iri, RDF.type, SKOS.ConceptScheme))
    graph.add((iri, DCT.title, Literal(title, lang="en")))
    return iri


def contact_point(graph: Graph, administration: Administration, site: Site) -> URIRef:
    """Whom to ask about a dataset: the administration, reached through the open-data portal
    (administrations keep no public e-mail address of their own)."""
    node = URIRef(site.url("opendata:index") + f"#contact-{administration.slug}")
    for kind in (VCARD.Kind, VCARD.Organization, DCATAPIT.Organization):
        graph.add((node, RDF.type, kind))
    graph.add((node, VCARD.fn, Literal(administration.name)))
    graph.add((node, VCARD.hasURL, URIRef(site.url("opendata:index"))))
    return node


def _document(graph: Graph, url: str) -> URIRef:
    node = URIRef(url)
    graph.add((node, RDF.type, FOAF.Document))
    return node


def licence(graph: Graph, entry: Entry) -> URIRef:
    title, uri, _text = entry.licence
    node = URIRef(uri)
    graph.add((node, RDF.type, DCT.LicenseDocument))
    graph.add((node, RDF.type, DCATAPIT.LicenseDocument))
    graph.add((node, FOAF.name, Literal(title)))
    code, label = LICENCE_KINDS.get(entry.setting.licence, ("Attribution", "Attribution"))
    kind = URIRef(f"http://purl.org/adms/licencetype/{code}")
    graph.add((node, DCT.type, _concept(graph, kind, LICENCE_TYPES, SKOS.Concept, {"en": label})))
    _scheme(graph, LICENCE_TYPES, "Licence type")
    return node


def _checksum(graph: Graph, sha256: str) -> BNode:
    node = BNode()
    algorithm = SPDX.checksumAlgorithm_sha256
    graph.add((algorithm, RDF.type, SPDX.ChecksumAlgorithm))
    graph.add((node, RDF.type, SPDX.Checksum))
    graph.add((node, SPDX.algorithm, algorithm))
    graph.add((node, SPDX.checksumValue, Literal(sha256, datatype=XSD.hexBinary)))
    return node


def distribution(graph: Graph, entry: Entry, fmt: str, site: Site) -> URIRef:
    """One file of the latest version. accessURL always gives the latest version's file;
    downloadURL is this version's own, so that the checksum and size stay true of it."""
    info = entry.publication.files[fmt]
    where = {"admin_slug": entry.administration.slug, "key": entry.dataset.key}
    node = URIRef(site.url("opendata:dataset", **where) + f"#distribution-{fmt}")
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, RDF.type, DCATAPIT.Distribution))
    label = FORMAT_LABELS[fmt]
    _in_languages(graph, node, DCT.title, lambda: f"{entry.dataset.title} ({label})")
    _in_languages(
        graph,
        node,
        DCT.description,
        lambda: (
            _("Version %(version)s of the dataset, as %(format)s.")
            % {"version": entry.publication.version, "format": label}
        ),
    )
    graph.add((node, DCAT.accessURL, URIRef(site.url("opendata:download", fmt=fmt, **where))))
    exact = site.url(
        "opendata:download_version", version=entry.publication.version, fmt=fmt, **where
    )
    graph.add((node, DCAT.downloadURL, URIRef(exact)))
    file_type = URIRef(f"{FILE_TYPES}/{FILE_TYPE_CODES[fmt]}")
    graph.add((node, DCT.format, _concept(graph, file_type, FILE_TYPES, DCT.MediaTypeOrExtent)))
    media_type = URIRef(IANA + MEDIA_TYPES[fmt])
    graph.add((media_type, RDF.type, DCT.MediaType))
    graph.add((node, DCAT.mediaType, media_type))
    graph.add((node, DCAT.byteSize, Literal(info["bytes"], datatype=XSD.nonNegativeInteger)))
    graph.add((node, SPDX.checksum, _checksum(graph, info["sha256"])))
    graph.add((node, DCT.license, licence(graph, entry)))
    graph.add((node, DCT.issued, _when(entry.publication.created_at)))
    graph.add((node, DCT.modified, _when(entry.publication.created_at)))
    stable = URIRef(f"{AVAILABILITY}/STABLE")
    labels = {"en": "stable", "it": "stabile"}
    graph.add(
        (node, DCATAP.availability, _concept(graph, stable, AVAILABILITY, SKOS.Concept, labels))
    )
    return node


def identifier(entry: Entry) -> str:
    """DCAT-AP_IT prefixes a dataset's identifier with its holder's IPA code."""
    return f"{entry.administration.ipa_code or entry.administration.slug}:{entry.name}"


def first_published(found: list[Entry]) -> dict[tuple[int, str], dt.datetime]:
    """When each dataset's oldest version still kept was made, in one query."""
    if not found:
        return {}
    rows = (
        Publication.objects.filter(
            administration_id__in={e.administration.pk for e in found},
            dataset__in={e.dataset.key for e in found},
        )
        .values("administration_id", "dataset")
        .annotate(first=Min("created_at"))
    )
    return {(row["administration_id"], row["dataset"]): row["first"] for row in rows}


def dataset(graph: Graph, entry: Entry, site: Site, first: dt.datetime | None = None) -> URIRef:
    """Adds `entry` with its publisher, contact point and distributions; returns its node."""
    where = {"admin_slug": entry.administration.slug, "key": entry.dataset.key}
    landing = site.url("opendata:dataset", **where)
    node = URIRef(landing + "#dataset")
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, RDF.type, DCATAPIT.Dataset))
    graph.add((node, DCT.identifier, Literal(identifier(entry))))
    _in_languages(graph, node, DCT.title, entry.dataset.title)
    _in_languages(graph, node, DCT.description, entry.dataset.description)
    for keyword in entry.dataset.keywords:
        _in_languages(graph, node, DCAT.keyword, keyword)
    holder = agent(graph, entry.administration, site)
    graph.add((node, DCT.publisher, holder))
    graph.add((node, DCATAPIT.rightsHolder, holder))
    graph.add((node, DCAT.contactPoint, contact_point(graph, entry.administration, site)))
    graph.add((node, DCAT.theme, _theme(graph, entry.dataset.theme)))
    frequency = URIRef(f"{FREQUENCIES}/{entry.dataset.frequency}")
    graph.add(
        (node, DCT.accrualPeriodicity, _concept(graph, frequency, FREQUENCIES, DCT.Frequency))
    )
    graph.add((node, DCT.issued, _when(_issued(entry, first))))
    graph.add((node, DCT.modified, _when(entry.publication.created_at)))
    graph.add((node, DCAT.landingPage, _document(graph, landing)))
    graph.add((node, DCT.language, _language(graph, entry.administration.locale)))
    graph.add((node, DCAT.version, Literal(str(entry.publication.version))))
    for fmt in FORMATS:
        if fmt in formats_of(entry.dataset) and fmt in entry.publication.files:
            graph.add((node, DCAT.distribution, distribution(graph, entry, fmt, site)))
    return node


def dataset_graph(entry: Entry, site: Site) -> Graph:
    graph = new_graph()
    dataset(graph, entry, site, first_published([entry]).get(_key(entry)))
    return graph


def _key(entry: Entry) -> tuple[int, str]:
    return (entry.administration.pk, entry.dataset.key)


def _issued(entry: Entry, first: dt.datetime | None) -> dt.datetime:
    return entry.setting.issued_at or first or entry.publication.created_at


def installation_publisher() -> Administration | None:
    """Who publishes the catalogue: the region hosting the others, else the first body."""
    regions = Administration.objects.filter(kind=Administration.Kind.REGION).order_by("pk")
    return regions.first() or Administration.objects.order_by("pk").first()


def _catalogue_text(graph: Graph, node: URIRef, publisher: Administration | None) -> None:
    name = publisher.name if publisher is not None else "Insieme"
    _in_languages(
        graph, node, DCT.title, lambda: _("Open data catalogue of %(name)s") % {"name": name}
    )
    _in_languages(
        graph,
        node,
        DCT.description,
        lambda: _(
            "Anonymised open datasets published by the public administrations on this platform."
        ),
    )


def paging(graph: Graph, catalogue: URIRef, page: Page, site: Site, fmt: str) -> URIRef:
    """The Hydra description of this page. Current Hydra terms (first, next, ...) for the
    European Data Portal's harvester, and the older PagedCollection ones (firstPage,
    nextPage, ...) that CKAN's DCAT harvester, dati.gov.it's, still reads."""
    address = site.url("opendata:catalog", fmt=fmt) + "?page={}"
    node = URIRef(address.format(page.number))
    graph.add((node, RDF.type, HYDRA.PartialCollectionView))
    graph.add((node, RDF.type, HYDRA.PagedCollection))
    graph.add((node, HYDRA.totalItems, Literal(page.total, datatype=XSD.integer)))
    graph.add((node, HYDRA.itemsPerPage, Literal(page.size, datatype=XSD.integer)))
    links = {"first": 1, "last": page.last}
    if page.number > 1:
        links["previous"] = page.number - 1
    if page.number < page.last:
        links["next"] = page.number + 1
    for term, number in links.items():
        graph.add((node, HYDRA[term], URIRef(address.format(number))))
        graph.add((node, HYDRA[term + "Page"], Literal(address.format(number))))
    graph.add((catalogue, HYDRA.view, node))
    return node


def catalogue_graph(found: list[Entry], page: Page, site: Site, fmt: str) -> Graph:
    """The catalogue with the datasets of `page` (of `found`, every published one)."""
    graph = new_graph()
    node = URIRef(site.url("opendata:index") + "#catalog")
    graph.add((node, RDF.type, DCAT.Catalog))
    graph.add((node, RDF.type, DCATAPIT.Catalog))
    publisher = installation_publisher()
    _catalogue_text(graph, node, publisher)
    if publisher is not None:
        graph.add((node, DCT.publisher, agent(graph, publisher, site)))
    for lang in LANGUAGES:
        graph.add((node, DCT.language, _language(graph, lang)))
    graph.add((node, DCAT.themeTaxonomy, _scheme(graph, THEMES, "Data theme")))
    graph.add((node, FOAF.homepage, _document(graph, site.url("opendata:index"))))
    firsts = first_published(found)
    if found:
        # The catalogue is as old as its oldest dataset still listed, as new as its newest.
        issued = min(_issued(e, firsts.get(_key(e))) for e in found)
        graph.add((node, DCT.issued, _when(issued)))
        graph.add((node, DCT.modified, _when(max(e.publication.created_at for e in found))))
    for entry in page.of(found):
        graph.add((node, DCAT.dataset, dataset(graph, entry, site, firsts.get(_key(entry)))))
    paging(graph, node, page, site, fmt)
    return graph
