"""Data of the catalogue's demo seed: the regulation register, the region's shared service
templates and the plan of each municipality's services. Plain data, read by `catalog.demo`.

Provision keys are "<regulation key>:<article>"; "local:<key>:<article>" names a municipality's own
regulation and resolves per municipality. A field's trace is a provision key, "need:<text>" for a
stated policy need, or None for a field deliberately left untraced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

_NORMATTIVA = "https://www.normattiva.it/uri-res/N2Ls?urn:nir:"


@dataclass(frozen=True)
class ProvSpec:
    article: str
    title: str
    in_force_until: date | None = None
    review_due: date | None = None


@dataclass(frozen=True)
class RegSpec:
    key: str
    kind: str
    reference: str
    title: str
    issuer: str
    in_force_from: date
    provisions: tuple[ProvSpec, ...]
    review_due: date | None = None
    superseded_by: str | None = None
    url: str = ""


@dataclass(frozen=True)
class Question:
    code: str
    datatype: str
    label: str
    trace: str | None = None
    required: bool = False
    help_text: str = ""
    values: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ServiceSpec:
    """A shared template, or a municipality's service built from scratch."""

    code: str
    name: str
    description: str
    group: str
    keywords: str
    kind: str
    located: bool
    channels: tuple[str, ...]
    ack: int
    resolve: int
    staff_minutes: dict[str, int]
    citizen_minutes: int
    department: str
    basis: tuple[str, ...]
    questions: tuple[Question, ...]
    day_type: str = "working"
    anonymous: bool = False
    hourly_cost: Decimal = Decimal("32.00")
    status: str = "published"
    # Open311: a booking confirmed later answers a token first (a "batch" request type).
    service_type: str = "realtime"


@dataclass(frozen=True)
class ServicePlan:
    """A municipality's service from a template, with its local deviations."""

    template: str
    fields: dict = field(default_factory=dict)
    add: tuple[Question, ...] = ()
    drop: tuple[str, ...] = ()
    change: dict[str, dict] = field(default_factory=dict)
    basis: tuple[str, ...] | None = None


def _yes_no() -> tuple[tuple[str, str], ...]:
    return (("si", "Sì"), ("no", "No"))


# --- the regulation register -----------------------------------------------------------------

NATIONAL = [
    RegSpec(
        "l241",
        "law",
        "L. 241/1990",
        "Nuove norme in materia di procedimento amministrativo e di diritto di accesso",
        "Parlamento italiano",
        date(1990, 9, 2),
        (
            ProvSpec("art. 2", "Conclusione del procedimento"),
            ProvSpec("art. 8", "Comunicazione di avvio del procedimento"),
            ProvSpec("art. 10-bis", "Comunicazione dei motivi ostativi all'accoglimento"),
            ProvSpec("art. 22", "Definizioni e princìpi in materia di accesso"),
        ),
        url=_NORMATTIVA + "stato:legge:1990-08-07;241",
    ),
    RegSpec(
        "dpr445",
        "decree",
        "D.P.R. 445/2000",
        "Testo unico delle disposizioni in materia di documentazione amministrativa",
        "Presidente della Repubblica",
        date(2001, 3, 7),
        (
            ProvSpec("art. 43", "Accertamenti d'ufficio"),
            ProvSpec("art. 46", "Dichiarazioni sostitutive di certificazioni"),
            ProvSpec("art. 47", "Dichiarazioni sostitutive dell'atto di notorietà"),
        ),
        url=_NORMATTIVA + "presidente.repubblica:decreto:2000-12-28;445",
    ),
    RegSpec(
        "cds",
        "decree",
        "D.Lgs. 285/1992",
        "Nuovo codice della strada",
        "Governo della Repubblica",
        date(1993, 1, 1),
        (
            ProvSpec("art. 7", "Regolamentazione della circolazione nei centri abitati"),
            ProvSpec("art. 14", "Poteri e compiti degli enti proprietari delle strade"),
            ProvSpec("art. 159", "Rimozione e blocco dei veicoli"),
            ProvSpec(
                "art. 188", "Circolazione e sosta dei veicoli al servizio di persone invalide"
            ),
        ),
        url=_NORMATTIVA + "stato:decreto.legislativo:1992-04-30;285",
    ),
    RegSpec(
        "dpr495",
        "decree",
        "D.P.R. 495/1992",
        "Regolamento di esecuzione e di attuazione del nuovo codice della strada",
        "Presidente della Repubblica",
        date(1993, 1, 1),
        (ProvSpec("art. 381", "Strutture e segnaletica per la mobilità delle persone invalide"),),
        url=_NORMATTIVA + "presidente.repubblica:decreto:1992-12-16;495",
    ),
    RegSpec(
        "dlgs152",
        "decree",
        "D.Lgs. 152/2006",
        "Norme in materia ambientale",
        "Governo della Repubblica",
        date(2006, 4, 29),
        (
            ProvSpec("art. 192", "Divieto di abbandono"),
            ProvSpec("art. 198", "Competenze dei comuni"),
        ),
        url=_NORMATTIVA + "stato:decreto.legislativo:2006-04-03;152",
    ),
    RegSpec(
        "dpr380",
        "decree",
        "D.P.R. 380/2001",
        "Testo unico delle disposizioni legislative e regolamentari in materia edilizia",
        "Presidente della Repubblica",
        date(2003, 6, 30),
        (
            ProvSpec(
                "art. 6-bis", "Interventi subordinati a comunicazione di inizio lavori asseverata"
            ),
            ProvSpec("art. 27", "Vigilanza sull'attività urbanistico-edilizia"),
        ),
        url=_NORMATTIVA + "presidente.repubblica:decreto:2001-06-06;380",
    ),
    RegSpec(
        "dpr223",
        "decree",
        "D.P.R. 223/1989",
        "Approvazione del nuovo regolamento anagrafico della popolazione residente",
        "Presidente della Repubblica",
        date(1989, 6, 23),
        (
            ProvSpec("art. 13", "Dichiarazioni anagrafiche"),
            ProvSpec("art. 33", "Rilascio di certificati anagrafici"),
        ),
        url=_NORMATTIVA + "presidente.repubblica:decreto:1989-05-30;223",
    ),
    RegSpec(
        "dl47",
        "decree",
        "D.L. 47/2014",
        "Misure urgenti per l'emergenza abitativa",
        "Governo della Repubblica",
        date(2014, 3, 28),
        (ProvSpec("art. 5", "Lotta all'occupazione abusiva di immobili"),),
        url=_NORMATTIVA + "stato:decreto.legge:2014-03-28;47",
    ),
    RegSpec(
        "l447",
        "law",
        "L. 447/1995",
        "Legge quadro sull'inquinamento acustico",
        "Parlamento italiano",
        date(1995, 11, 15),
        (ProvSpec("art. 6", "Competenze dei comuni"),),
        url=_NORMATTIVA + "stato:legge:1995-10-26;447",
    ),
    RegSpec(
        "l431",
        "law",
        "L. 431/1998",
        "Disciplina delle locazioni e del rilascio degli immobili adibiti ad uso abitativo",
        "Parlamento italiano",
        date(1998, 12, 30),
        (
            ProvSpec(
                "art. 11",
                "Fondo nazionale per il sostegno all'accesso alle abitazioni in locazione",
            ),
        ),
        url=_NORMATTIVA + "stato:legge:1998-12-09;431",
    ),
    RegSpec(
        "l147",
        "law",
        "L. 147/2013",
        "Legge di stabilità 2014",
        "Parlamento italiano",
        date(2014, 1, 1),
        (
            ProvSpec("art. 1 c. 641", "TARI: presupposto"),
            ProvSpec("art. 1 c. 659", "TARI: riduzioni tariffarie"),
        ),
        url=_NORMATTIVA + "stato:legge:2013-12-27;147",
    ),
    RegSpec(
        "l160",
        "law",
        "L. 160/2019",
        "Bilancio di previsione dello Stato per il 2020",
        "Parlamento italiano",
        date(2020, 1, 1),
        (
            ProvSpec(
                "art. 1 c. 816",
                "Canone patrimoniale di concessione, autorizzazione o esposizione pubblicitaria",
            ),
        ),
        url=_NORMATTIVA + "stato:legge:2019-12-27;160",
    ),
    RegSpec(
        "dlgs63",
        "decree",
        "D.Lgs. 63/2017",
        "Effettività del diritto allo studio",
        "Governo della Repubblica",
        date(2017, 5, 31),
        (
            ProvSpec("art. 5", "Servizi di trasporto e forme di agevolazione della mobilità"),
            ProvSpec("art. 6", "Servizi di mensa"),
        ),
        url=_NORMATTIVA + "stato:decreto.legislativo:2017-04-13;63",
    ),
    RegSpec(
        "cad",
        "decree",
        "D.Lgs. 82/2005",
        "Codice dell'amministrazione digitale",
        "Governo della Repubblica",
        date(2006, 1, 1),
        (
            ProvSpec("art. 3-bis", "Identità digitale e domicilio digitale"),
            ProvSpec("art. 64", "Sistema pubblico per la gestione delle identità digitali"),
        ),
        url=_NORMATTIVA + "stato:decreto.legislativo:2005-03-07;82",
    ),
    RegSpec(
        "dlgs196",
        "decree",
        "D.Lgs. 196/2003",
        "Codice in materia di protezione dei dati personali",
        "Governo della Repubblica",
        date(2004, 1, 1),
        (ProvSpec("art. 2-ter", "Base giuridica per il trattamento nell'interesse pubblico"),),
        url=_NORMATTIVA + "stato:decreto.legislativo:2003-06-30;196",
    ),
    RegSpec(
        "gdpr",
        "eu",
        "Reg. (UE) 2016/679",
        "Regolamento generale sulla protezione dei dati (GDPR)",
        "Parlamento europeo e Consiglio",
        date(2018, 5, 25),
        (
            ProvSpec("art. 6", "Liceità del trattamento"),
            ProvSpec("art. 13", "Informazioni da fornire all'interessato"),
        ),
        url="https://eur-lex.europa.eu/eli/reg/2016/679/oj",
    ),
]

REGIONAL = [
    RegSpec(
        "lr12",
        "regional_law",
        "L.R. 12/2019",
        "Norme per la tutela e la valorizzazione del verde urbano",
        "Regione Valdoro",
        date(2019, 7, 1),
        (
            ProvSpec("art. 5", "Manutenzione del verde pubblico"),
            ProvSpec("art. 9", "Abbattimento e sostituzione delle alberature"),
        ),
        review_due=date(2024, 6, 30),
    ),
    RegSpec(
        "lr7",
        "regional_law",
        "L.R. 7/2021",
        "Disciplina della gestione integrata dei rifiuti urbani",
        "Regione Valdoro",
        date(2021, 4, 1),
        (
            ProvSpec("art. 9", "Raccolta domiciliare e dei rifiuti ingombranti"),
            ProvSpec("art. 15", "Abbandono di rifiuti e vigilanza"),
        ),
        review_due=date(2029, 3, 31),
    ),
    RegSpec(
        "lr3",
        "regional_law",
        "L.R. 3/2008",
        "Norme regionali in materia di rifiuti",
        "Regione Valdoro",
        date(2008, 3, 1),
        (ProvSpec("art. 14", "Raccolta dei rifiuti ingombranti"),),
        superseded_by="lr7",
    ),
    RegSpec(
        "lr18",
        "regional_law",
        "L.R. 18/2016",
        "Norme sul diritto allo studio",
        "Regione Valdoro",
        date(2016, 9, 1),
        (
            ProvSpec("art. 4", "Trasporto scolastico"),
            ProvSpec("art. 7", "Ristorazione scolastica"),
        ),
        review_due=date(2027, 12, 31),
    ),
    RegSpec(
        "lr22",
        "regional_law",
        "L.R. 22/2020",
        "Interventi di sostegno all'accesso alle abitazioni in locazione",
        "Regione Valdoro",
        date(2020, 10, 1),
        (
            ProvSpec("art. 3", "Destinatari e requisiti"),
            ProvSpec("art. 6", "Soglie ISEE e misura del contributo"),
        ),
        review_due=date(2025, 12, 31),
    ),
    RegSpec(
        "dgr1140",
        "resolution",
        "D.G.R. 1140/2023",
        "Linee guida regionali per la segnalazione dei disservizi urbani",
        "Giunta regionale Valdoro",
        date(2023, 11, 15),
        (
            ProvSpec("art. 2", "Contenuto minimo delle segnalazioni"),
            ProvSpec("art. 4", "Tempi di presa in carico"),
        ),
        review_due=date(2028, 12, 31),
    ),
]

_PU = (
    ProvSpec("art. 10", "Decoro urbano, scritte e graffiti"),
    ProvSpec("art. 18", "Quiete pubblica e attività rumorose"),
    ProvSpec("art. 22", "Veicoli in stato di abbandono"),
)

LOCAL: dict[str, list[RegSpec]] = {
    "lago-verde": [
        RegSpec(
            "polizia-urbana",
            "local",
            "Reg. polizia urbana (DCC 45/2016)",
            "Regolamento comunale di polizia urbana",
            "Consiglio comunale di Lago Verde",
            date(2016, 9, 1),
            _PU,
            review_due=date(2027, 6, 30),
        ),
        RegSpec(
            "mense",
            "local",
            "Reg. ristorazione scolastica (DCC 31/2022)",
            "Regolamento del servizio di mensa scolastica",
            "Consiglio comunale di Lago Verde",
            date(2022, 9, 1),
            (
                ProvSpec("art. 4", "Iscrizione al servizio"),
                ProvSpec("art. 8", "Tariffe e agevolazioni"),
            ),
            review_due=date(2027, 8, 31),
        ),
        RegSpec(
            "canone",
            "local",
            "Reg. canone unico (DCC 5/2021)",
            "Regolamento per il canone unico patrimoniale",
            "Consiglio comunale di Lago Verde",
            date(2021, 1, 1),
            (ProvSpec("art. 5", "Occupazioni temporanee di suolo pubblico"),),
            review_due=date(2025, 3, 31),
        ),
        RegSpec(
            "sosta",
            "local",
            "Reg. sosta residenti (DCC 60/2018)",
            "Regolamento dei permessi di sosta per residenti",
            "Consiglio comunale di Lago Verde",
            date(2018, 11, 1),
            (ProvSpec("art. 3", "Zone e requisiti"),),
            review_due=date(2023, 12, 31),
        ),
        RegSpec(
            "tari",
            "local",
            "Reg. TARI (DCC 22/2020)",
            "Regolamento della tassa sui rifiuti",
            "Consiglio comunale di Lago Verde",
            date(2020, 7, 1),
            (ProvSpec("art. 15", "Riduzioni tariffarie"),),
            review_due=date(2027, 12, 31),
        ),
    ],
    "montalto": [
        RegSpec(
            "polizia-urbana",
            "local",
            "Reg. polizia urbana (DCC 12/2009)",
            "Regolamento comunale di polizia urbana",
            "Consiglio comunale di Montalto",
            date(2009, 5, 1),
            _PU,
            review_due=date(2019, 12, 31),
        ),
        RegSpec(
            "mense",
            "local",
            "Reg. mensa scolastica (DCC 7/2020)",
            "Regolamento mense scolastiche",
            "Consiglio comunale di Montalto",
            date(2020, 9, 1),
            (
                ProvSpec("art. 4", "Iscrizione al servizio"),
                # The demo's one expired provision: the tariff article ran out in 2025.
                ProvSpec(
                    "art. 8",
                    "Tariffe per gli anni scolastici 2022/23–2024/25",
                    in_force_until=date(2025, 8, 31),
                ),
            ),
            review_due=date(2028, 8, 31),
        ),
        RegSpec(
            "verde",
            "local",
            "Reg. del verde (DCC 14/2015)",
            "Regolamento del verde pubblico e privato",
            "Consiglio comunale di Montalto",
            date(2015, 4, 1),
            (ProvSpec("art. 7", "Segnalazioni e interventi sul verde pubblico"),),
            review_due=date(2020, 12, 31),
        ),
        RegSpec(
            "tari",
            "local",
            "Reg. TARI (DCC 18/2021)",
            "Regolamento della tassa sui rifiuti",
            "Consiglio comunale di Montalto",
            date(2021, 6, 1),
            (ProvSpec("art. 15", "Riduzioni tariffarie"),),
            review_due=date(2028, 6, 30),
        ),
    ],
    "san-pietro-al-colle": [
        RegSpec(
            "polizia-urbana",
            "local",
            "Reg. polizia urbana (DCC 8/2018)",
            "Regolamento comunale di polizia urbana",
            "Consiglio comunale di San Pietro al Colle",
            date(2018, 3, 1),
            _PU[:2],
            review_due=date(2028, 12, 31),
        ),
        RegSpec(
            "tari",
            "local",
            "Reg. TARI (DCC 4/2020)",
            "Regolamento della tassa sui rifiuti",
            "Consiglio comunale di San Pietro al Colle",
            date(2020, 6, 1),
            (ProvSpec("art. 15", "Riduzioni tariffarie"),),
            review_due=date(2024, 12, 31),
        ),
    ],
}

# --- shared templates (owned by the region) ----------------------------------------------------

_REPORT = ("web", "app", "api", "phone", "counter")
_REPORT_MIN = {"web": 12, "app": 10, "api": 10, "phone": 18, "counter": 22}
_APPLY = ("web", "app", "counter", "email")
_APPLY_MIN = {"web": 25, "app": 22, "counter": 40, "email": 35}

# No template asks for a description among its questions: every filing form has its own
# description box (FilingForm.description), and a second one confused citizens.
TEMPLATES = [
    ServiceSpec(
        "buche-stradali",
        "Buche stradali",
        "Segnala una buca o un dissesto del manto stradale.",
        "Strade e viabilità",
        "buca, strada, asfalto, pothole",
        "report",
        True,
        _REPORT,
        2,
        20,
        _REPORT_MIN,
        4,
        "lavori-pubblici",
        ("cds:art. 14", "dgr1140:art. 2"),
        (
            Question(
                "dimensione",
                "singlevaluelist",
                "Quanto è grande la buca?",
                trace="need:Dare priorità agli interventi secondo il pericolo",
                required=True,
                values=(
                    ("piccola", "Piccola (meno di 30 cm)"),
                    ("media", "Media (30–100 cm)"),
                    ("grande", "Grande (oltre 1 m)"),
                ),
            ),
            Question(
                "pericolo",
                "singlevaluelist",
                "È un pericolo immediato per chi passa?",
                trace="cds:art. 14",
                required=True,
                values=_yes_no(),
            ),
            Question("profondita", "number", "Profondità stimata (cm)"),
        ),
        anonymous=True,
        hourly_cost=Decimal("31.50"),
    ),
    ServiceSpec(
        "illuminazione",
        "Illuminazione pubblica guasta",
        "Lampioni spenti, intermittenti o danneggiati.",
        "Strade e viabilità",
        "lampione, luce, buio",
        "report",
        True,
        _REPORT,
        2,
        10,
        _REPORT_MIN,
        3,
        "lavori-pubblici",
        ("cds:art. 14",),
        (
            Question(
                "guasto",
                "singlevaluelist",
                "Che cosa succede?",
                trace="dgr1140:art. 2",
                required=True,
                values=(
                    ("spento", "Spento"),
                    ("intermittente", "Si accende e si spegne"),
                    ("danneggiato", "Palo danneggiato"),
                ),
            ),
            Question(
                "codice_palo",
                "string",
                "Numero del palo (se visibile)",
                trace="need:Individuare il punto luce senza sopralluogo",
            ),
            Question("dal", "datetime", "Da quando l'hai notato?"),
        ),
        anonymous=True,
    ),
    ServiceSpec(
        "rifiuti-mancata-raccolta",
        "Mancata raccolta dei rifiuti",
        "Il contenitore esposto non è stato svuotato nel giorno previsto.",
        "Rifiuti e pulizia",
        "rifiuti, raccolta, spazzatura, bidone",
        "report",
        True,
        _REPORT,
        1,
        3,
        _REPORT_MIN,
        3,
        "ambiente",
        ("lr7:art. 9", "dlgs152:art. 198"),
        (
            Question(
                "frazione",
                "singlevaluelist",
                "Quale raccolta è mancata?",
                trace="lr7:art. 9",
                required=True,
                values=(
                    ("organico", "Organico"),
                    ("carta", "Carta"),
                    ("plastica", "Plastica e metalli"),
                    ("vetro", "Vetro"),
                    ("residuo", "Indifferenziato"),
                ),
            ),
            Question(
                "esposto_il",
                "datetime",
                "Quando hai esposto il contenitore?",
                trace="lr7:art. 9",
                required=True,
            ),
            Question("note", "text", "Altro da aggiungere"),
        ),
        day_type="calendar",
    ),
    ServiceSpec(
        "ingombranti",
        "Ritiro rifiuti ingombranti",
        "Prenota il ritiro gratuito a domicilio di mobili, elettrodomestici e altri ingombranti.",
        "Rifiuti e pulizia",
        "ingombranti, mobili, materasso, elettrodomestici",
        "application",
        True,
        (*_APPLY, "api"),  # bookable by apps through Open311 (a batch request type)
        2,
        15,
        _APPLY_MIN,
        6,
        "ambiente",
        ("lr7:art. 9",),
        (
            Question(
                "oggetti",
                "multivaluelist",
                "Cosa devi smaltire?",
                trace="lr7:art. 9",
                required=True,
                values=(
                    ("mobili", "Mobili"),
                    ("elettrodomestici", "Grandi elettrodomestici"),
                    ("materassi", "Materassi"),
                    ("raee", "Apparecchi elettronici"),
                    ("altro", "Altro"),
                ),
            ),
            Question(
                "pezzi",
                "number",
                "Quanti pezzi?",
                trace="lr7:art. 9",
                required=True,
                help_text="Al massimo 5 pezzi per ritiro.",
            ),
            Question(
                "data_preferita",
                "datetime",
                "Giorno preferito per il ritiro",
                trace="need:Organizzare i giri di raccolta",
            ),
        ),
        service_type="batch",
        anonymous=True,  # a booking by phone number or e-mail, no account needed
    ),
    ServiceSpec(
        "graffiti",
        "Graffiti e scritte sui muri",
        "Scritte o disegni su edifici e arredi pubblici.",
        "Decoro urbano",
        "graffiti, scritte, vandalismo",
        "report",
        True,
        _REPORT,
        3,
        30,
        _REPORT_MIN,
        3,
        "lavori-pubblici",
        ("local:polizia-urbana:art. 10",),
        (
            Question(
                "superficie",
                "singlevaluelist",
                "Dove si trova la scritta?",
                trace="local:polizia-urbana:art. 10",
                required=True,
                values=(
                    ("pubblica", "Edificio o arredo pubblico"),
                    ("privata", "Edificio privato"),
                ),
            ),
            Question(
                "offensiva",
                "singlevaluelist",
                "Il contenuto è offensivo?",
                trace="need:Rimuovere prima i contenuti offensivi",
                values=_yes_no(),
            ),
        ),
        anonymous=True,
    ),
    ServiceSpec(
        "verde-pubblico",
        "Verde pubblico e alberi",
        "Rami pericolanti, erba alta, alberi malati nei parchi e nelle aiuole.",
        "Ambiente e verde",
        "albero, parco, erba, giardino",
        "report",
        True,
        _REPORT,
        2,
        20,
        _REPORT_MIN,
        4,
        "ambiente",
        ("lr12:art. 5",),
        (
            Question(
                "problema",
                "multivaluelist",
                "Che cosa hai notato?",
                trace="lr12:art. 5",
                required=True,
                values=(
                    ("ramo", "Ramo pericolante"),
                    ("erba", "Erba alta"),
                    ("malato", "Albero malato o secco"),
                    ("irrigazione", "Irrigazione guasta"),
                ),
            ),
            Question(
                "pericolo",
                "singlevaluelist",
                "È un pericolo immediato?",
                trace="lr12:art. 9",
                values=_yes_no(),
            ),
        ),
    ),
    ServiceSpec(
        "rumore",
        "Rumori molesti",
        "Rumori che disturbano il riposo o le attività.",
        "Ambiente e verde",
        "rumore, musica, cantiere, schiamazzi",
        "report",
        True,
        ("web", "app", "phone"),
        2,
        30,
        {"web": 15, "app": 15, "phone": 20},
        5,
        "polizia-locale",
        ("l447:art. 6", "local:polizia-urbana:art. 18"),
        (
            Question(
                "fonte",
                "singlevaluelist",
                "Da dove viene il rumore?",
                trace="l447:art. 6",
                required=True,
                values=(
                    ("locale", "Locale pubblico"),
                    ("cantiere", "Cantiere"),
                    ("abitazione", "Abitazione"),
                    ("traffico", "Traffico"),
                    ("altro", "Altro"),
                ),
            ),
            Question(
                "orario",
                "datetime",
                "Quando si sente?",
                trace="local:polizia-urbana:art. 18",
                required=True,
            ),
            Question("ricorrente", "singlevaluelist", "Succede spesso?", values=_yes_no()),
        ),
    ),
    ServiceSpec(
        "veicoli-abbandonati",
        "Veicoli abbandonati",
        "Auto, moto o rimorchi lasciati a lungo sulla strada.",
        "Strade e viabilità",
        "auto abbandonata, rottame, targa",
        "report",
        True,
        _REPORT,
        5,
        60,
        _REPORT_MIN,
        4,
        "polizia-locale",
        ("cds:art. 159", "local:polizia-urbana:art. 22"),
        (
            Question("targa", "string", "Targa (se leggibile)", trace="cds:art. 159"),
            Question(
                "tipo",
                "singlevaluelist",
                "Che veicolo è?",
                trace="cds:art. 159",
                required=True,
                values=(
                    ("auto", "Auto"),
                    ("moto", "Moto"),
                    ("rimorchio", "Rimorchio"),
                    ("altro", "Altro"),
                ),
            ),
            Question("giorni", "number", "Da quanti giorni circa è lì?"),
        ),
    ),
    ServiceSpec(
        "abbandono-rifiuti",
        "Abbandono di rifiuti",
        "Rifiuti abbandonati su strade, campi o sponde.",
        "Rifiuti e pulizia",
        "discarica abusiva, sacchi, abbandono",
        "report",
        True,
        _REPORT,
        2,
        15,
        _REPORT_MIN,
        4,
        "ambiente",
        ("dlgs152:art. 192", "lr7:art. 15"),
        (
            Question(
                "tipo",
                "multivaluelist",
                "Che rifiuti vedi?",
                trace="dlgs152:art. 192",
                required=True,
                values=(
                    ("sacchi", "Sacchi"),
                    ("ingombranti", "Ingombranti"),
                    ("inerti", "Macerie"),
                    ("amianto", "Possibile amianto"),
                    ("pneumatici", "Pneumatici"),
                ),
            ),
            Question(
                "quantita",
                "singlevaluelist",
                "Quanti sono?",
                trace="need:Mandare il mezzo adatto",
                values=(("poca", "Pochi"), ("media", "Un furgone"), ("molta", "Un camion")),
            ),
        ),
        anonymous=True,
    ),
    ServiceSpec(
        "semafori",
        "Semaforo guasto",
        "Semafori spenti, lampeggianti o danneggiati.",
        "Strade e viabilità",
        "semaforo, incrocio",
        "report",
        True,
        _REPORT,
        1,
        2,
        _REPORT_MIN,
        2,
        "mobilita",
        ("cds:art. 14",),
        (
            Question(
                "guasto",
                "singlevaluelist",
                "Che cosa succede?",
                trace="cds:art. 14",
                required=True,
                values=(
                    ("spento", "Spento"),
                    ("lampeggiante", "Giallo lampeggiante"),
                    ("lampada", "Una luce non funziona"),
                    ("danneggiato", "Palo danneggiato"),
                ),
            ),
            Question(
                "incrocio",
                "string",
                "Incrocio (nomi delle vie)",
                trace="need:Trovare l'impianto senza sopralluogo",
            ),
        ),
        day_type="calendar",
        anonymous=True,
    ),
    ServiceSpec(
        "certificato-residenza",
        "Certificato di residenza",
        "Richiedi il certificato di residenza, in carta libera o in bollo.",
        "Anagrafe",
        "certificato, residenza, anagrafe",
        "application",
        False,
        ("web", "app", "counter"),
        1,
        3,
        {"web": 4, "app": 4, "counter": 12},
        5,
        "demografici",
        ("dpr223:art. 33", "cad:art. 64"),
        (
            Question(
                "uso",
                "singlevaluelist",
                "Per quale uso?",
                trace="dpr445:art. 46",
                required=True,
                values=(("generico", "Uso generico (in bollo)"), ("esente", "Uso esente da bollo")),
            ),
            Question(
                "codice_fiscale",
                "string",
                "Codice fiscale dell'intestatario",
                trace="dpr223:art. 33",
                required=True,
            ),
            Question("copie", "number", "Numero di copie"),
        ),
        hourly_cost=Decimal("29.80"),
    ),
    ServiceSpec(
        "cambio-residenza",
        "Cambio di residenza",
        "Dichiara il trasferimento di residenza da un "
        "altro comune, dall'estero o all'interno del comune.",
        "Anagrafe",
        "residenza, trasloco, indirizzo",
        "application",
        True,
        ("web", "counter", "email"),
        2,
        45,
        {"web": 35, "counter": 55, "email": 45},
        25,
        "demografici",
        ("dpr223:art. 13", "l241:art. 2"),
        (
            Question(
                "provenienza",
                "singlevaluelist",
                "Da dove ti trasferisci?",
                trace="dpr223:art. 13",
                required=True,
                values=(
                    ("stesso", "Da un altro indirizzo del comune"),
                    ("altro", "Da un altro comune"),
                    ("estero", "Dall'estero"),
                ),
            ),
            Question(
                "componenti",
                "number",
                "Quante persone si trasferiscono con te?",
                trace="dpr223:art. 13",
                required=True,
            ),
            Question(
                "titolo",
                "singlevaluelist",
                "A che titolo occupi l'abitazione?",
                trace="dl47:art. 5",
                required=True,
                values=(
                    ("proprieta", "Proprietà"),
                    ("locazione", "Locazione"),
                    ("comodato", "Comodato"),
                    ("altro", "Altro"),
                ),
            ),
            Question(
                "dal",
                "datetime",
                "Da quando abiti al nuovo indirizzo?",
                trace="dpr223:art. 13",
                required=True,
            ),
        ),
        day_type="calendar",
        hourly_cost=Decimal("29.80"),
    ),
    ServiceSpec(
        "permesso-sosta-residenti",
        "Permesso di sosta per residenti",
        "Permesso annuale per sostare nelle zone a pagamento del proprio quartiere.",
        "Mobilità",
        "parcheggio, sosta, permesso, ZTL",
        "application",
        False,
        _APPLY,
        2,
        15,
        _APPLY_MIN,
        10,
        "mobilita",
        ("cds:art. 7",),
        (
            Question("targa", "string", "Targa del veicolo", trace="cds:art. 7", required=True),
            Question(
                "zona",
                "singlevaluelist",
                "Zona di residenza",
                trace="local:sosta:art. 3",
                required=True,
                values=(("a", "Zona A"), ("b", "Zona B"), ("c", "Zona C")),
            ),
            Question(
                "leasing",
                "singlevaluelist",
                "Il veicolo è in leasing o aziendale?",
                values=_yes_no(),
            ),
        ),
    ),
    ServiceSpec(
        "contrassegno-disabili",
        "Contrassegno di parcheggio per persone con disabilità",
        "Rilascio e rinnovo del contrassegno europeo (CUDE).",
        "Mobilità",
        "disabili, CUDE, parcheggio",
        "application",
        False,
        ("web", "counter", "email"),
        2,
        30,
        {"web": 30, "counter": 45, "email": 40},
        20,
        "polizia-locale",
        ("cds:art. 188", "dpr495:art. 381"),
        (
            Question(
                "tipo",
                "singlevaluelist",
                "Permanente o temporaneo?",
                trace="dpr495:art. 381",
                required=True,
                values=(("permanente", "Permanente"), ("temporaneo", "Temporaneo")),
            ),
            Question(
                "certificato",
                "string",
                "Numero del certificato medico-legale",
                trace="dpr495:art. 381",
                required=True,
            ),
            Question(
                "delegato",
                "singlevaluelist",
                "Chi presenta la domanda?",
                trace="dpr445:art. 47",
                values=(
                    ("interessato", "La persona interessata"),
                    ("delegato", "Un familiare o delegato"),
                ),
            ),
        ),
        day_type="calendar",
    ),
    ServiceSpec(
        "iscrizione-mensa",
        "Iscrizione alla mensa scolastica",
        "Iscrivi tuo figlio al servizio di mensa della scuola dell'infanzia o primaria.",
        "Scuola",
        "mensa, scuola, pranzo, dieta",
        "application",
        False,
        _APPLY,
        3,
        20,
        _APPLY_MIN,
        15,
        "istruzione",
        ("dlgs63:art. 6", "lr18:art. 7", "local:mense:art. 4"),
        (
            Question(
                "scuola",
                "singlevaluelist",
                "Scuola",
                trace="local:mense:art. 4",
                required=True,
                values=(("infanzia", "Scuola dell'infanzia"), ("primaria", "Scuola primaria")),
            ),
            Question("classe", "string", "Classe e sezione", trace="local:mense:art. 4"),
            Question(
                "dieta",
                "multivaluelist",
                "Esigenze alimentari",
                trace="need:Pasti sicuri per allergie e scelte alimentari",
                values=(
                    ("nessuna", "Nessuna"),
                    ("celiachia", "Celiachia"),
                    ("lattosio", "Senza lattosio"),
                    ("vegetariana", "Vegetariana"),
                    ("religiosa", "Motivi religiosi"),
                ),
            ),
            Question(
                "isee",
                "number",
                "Valore ISEE (per la tariffa agevolata)",
                trace="local:mense:art. 8",
            ),
        ),
    ),
    ServiceSpec(
        "trasporto-scolastico",
        "Trasporto scolastico",
        "Iscrizione allo scuolabus per l'anno scolastico.",
        "Scuola",
        "scuolabus, trasporto, scuola",
        "application",
        False,
        _APPLY,
        3,
        20,
        _APPLY_MIN,
        12,
        "istruzione",
        ("dlgs63:art. 5", "lr18:art. 4"),
        (
            Question("scuola", "string", "Scuola frequentata", trace="lr18:art. 4", required=True),
            Question(
                "fermata",
                "string",
                "Fermata richiesta",
                trace="need:Pianificare i percorsi dello scuolabus",
            ),
            Question(
                "tratte",
                "singlevaluelist",
                "Andata, ritorno o entrambi?",
                trace="lr18:art. 4",
                values=(
                    ("andata", "Solo andata"),
                    ("ritorno", "Solo ritorno"),
                    ("entrambi", "Andata e ritorno"),
                ),
            ),
            Question("isee", "number", "Valore ISEE (per la tariffa agevolata)"),
        ),
    ),
    ServiceSpec(
        "cila",
        "Comunicazione di inizio lavori asseverata (CILA)",
        "Comunica l'inizio di lavori "
        "di manutenzione straordinaria che non toccano le parti strutturali.",
        "Edilizia",
        "CILA, lavori, ristrutturazione, edilizia",
        "application",
        True,
        ("web", "email"),
        5,
        30,
        {"web": 45, "email": 60},
        90,
        "edilizia",
        ("dpr380:art. 6-bis",),
        (
            Question(
                "intervento",
                "multivaluelist",
                "Tipo di intervento",
                trace="dpr380:art. 6-bis",
                required=True,
                values=(
                    ("straordinaria", "Manutenzione straordinaria"),
                    ("interne", "Modifiche interne"),
                    ("frazionamento", "Frazionamento o accorpamento"),
                    ("restauro", "Restauro e risanamento"),
                ),
            ),
            Question(
                "tecnico",
                "string",
                "Tecnico asseverante (nome e numero d'albo)",
                trace="dpr380:art. 6-bis",
                required=True,
            ),
            Question(
                "inizio",
                "datetime",
                "Data di inizio dei lavori",
                trace="dpr380:art. 6-bis",
                required=True,
            ),
            Question("importo", "number", "Importo stimato dei lavori (EUR)"),
            Question("relazione", "text", "Relazione tecnica sintetica", trace="dpr380:art. 6-bis"),
        ),
        day_type="calendar",
        hourly_cost=Decimal("36.00"),
    ),
    ServiceSpec(
        "occupazione-suolo",
        "Occupazione di suolo pubblico",
        "Autorizzazione a occupare "
        "temporaneamente strade o piazze (dehors, cantieri, traslochi, eventi).",
        "Commercio e attività",
        "suolo pubblico, dehors, trasloco, ponteggio",
        "application",
        True,
        ("web", "counter", "email"),
        3,
        30,
        {"web": 40, "counter": 60, "email": 50},
        30,
        "polizia-locale",
        ("l160:art. 1 c. 816", "local:canone:art. 5"),
        (
            Question(
                "motivo",
                "singlevaluelist",
                "Motivo dell'occupazione",
                trace="local:canone:art. 5",
                required=True,
                values=(
                    ("dehors", "Dehors"),
                    ("cantiere", "Cantiere o ponteggio"),
                    ("trasloco", "Trasloco"),
                    ("evento", "Evento"),
                    ("altro", "Altro"),
                ),
            ),
            Question(
                "superficie",
                "number",
                "Superficie occupata (m²)",
                trace="l160:art. 1 c. 816",
                required=True,
            ),
            Question("dal", "datetime", "Dal", trace="l160:art. 1 c. 816", required=True),
            Question("al", "datetime", "Al", trace="l160:art. 1 c. 816", required=True),
            Question("note", "text", "Note"),
        ),
    ),
    ServiceSpec(
        "contributo-affitto",
        "Contributo per l'affitto",
        "Domanda di contributo regionale per il pagamento del canone di locazione.",
        "Sostegno e welfare",
        "affitto, contributo, locazione, sostegno",
        "application",
        False,
        ("web", "counter"),
        5,
        60,
        {"web": 50, "counter": 70},
        45,
        "sociali",
        ("l431:art. 11", "lr22:art. 3"),
        (
            Question(
                "isee", "number", "Valore ISEE del nucleo", trace="lr22:art. 6", required=True
            ),
            Question("canone", "number", "Canone annuo (EUR)", trace="l431:art. 11", required=True),
            Question(
                "registrato",
                "singlevaluelist",
                "Il contratto è registrato?",
                trace="l431:art. 11",
                required=True,
                values=_yes_no(),
            ),
            Question("iban", "string", "IBAN per l'accredito", trace="need:Pagare il contributo"),
            Question(
                "morosita", "singlevaluelist", "Sei in ritardo con l'affitto?", values=_yes_no()
            ),
        ),
        day_type="calendar",
        hourly_cost=Decimal("30.40"),
    ),
    ServiceSpec(
        "riduzione-tari",
        "Riduzione della tassa sui rifiuti (TARI)",
        "Chiedi una riduzione "
        "della TARI per compostaggio, unico occupante o abitazione stagionale.",
        "Tributi",
        "TARI, rifiuti, tassa, riduzione",
        "application",
        False,
        ("web", "counter", "email"),
        5,
        60,
        {"web": 20, "counter": 35, "email": 30},
        20,
        "tributi",
        ("l147:art. 1 c. 659", "local:tari:art. 15"),
        (
            Question(
                "motivo",
                "singlevaluelist",
                "Per quale motivo?",
                trace="local:tari:art. 15",
                required=True,
                values=(
                    ("compostaggio", "Compostaggio domestico"),
                    ("unico", "Unico occupante"),
                    ("stagionale", "Abitazione a uso stagionale"),
                ),
            ),
            Question(
                "superficie",
                "number",
                "Superficie dell'abitazione (m²)",
                trace="l147:art. 1 c. 641",
                required=True,
            ),
            Question("decorrenza", "datetime", "Da quando?", trace="l147:art. 1 c. 659"),
            Question("note", "text", "Note"),
        ),
        day_type="calendar",
    ),
]

# --- each municipality's services ---------------------------------------------------------------

PLANS: dict[str, list[ServicePlan]] = {
    "lago-verde": [
        ServicePlan(
            "buche-stradali", fields={"name": "Buche e dissesti stradali", "sla_resolve_days": 10}
        ),
        ServicePlan("illuminazione"),
        ServicePlan("rifiuti-mancata-raccolta"),
        ServicePlan("ingombranti", add=(Question("piano", "string", "Piano e ascensore"),)),
        ServicePlan("graffiti"),
        ServicePlan("verde-pubblico"),
        ServicePlan("rumore"),
        ServicePlan("semafori"),
        ServicePlan("veicoli-abbandonati"),
        ServicePlan(
            "certificato-residenza", fields={"channels": ["web", "app", "counter", "email"]}
        ),
        ServicePlan("cambio-residenza"),
        ServicePlan(
            "permesso-sosta-residenti",
            change={
                "zona": {
                    "values": [
                        {"key": "centro", "name": "Centro storico (ZTL)"},
                        {"key": "lago", "name": "Lungolago"},
                        {"key": "stazione", "name": "Stazione"},
                    ]
                }
            },
        ),
        ServicePlan("iscrizione-mensa"),
        ServicePlan("occupazione-suolo"),
    ],
    "montalto": [
        ServicePlan(
            "buche-stradali",
            drop=("profondita",),
            fields={"description": "Buche e avvallamenti su strade comunali e vicinali."},
        ),
        ServicePlan("illuminazione"),
        ServicePlan("ingombranti"),
        ServicePlan("abbandono-rifiuti"),
        ServicePlan("verde-pubblico", basis=("lr12:art. 5", "local:verde:art. 7")),
        ServicePlan(
            "iscrizione-mensa",
            change={
                "scuola": {
                    "values": [
                        {"key": "rodari", "name": "Scuola primaria G. Rodari"},
                        {"key": "glicine", "name": "Scuola dell'infanzia Il Glicine"},
                    ]
                }
            },
        ),
        ServicePlan("trasporto-scolastico"),
        ServicePlan("cila", fields={"sla_acknowledge_days": 3}),
        ServicePlan("contrassegno-disabili"),
        ServicePlan("rumore"),
    ],
    "san-pietro-al-colle": [
        ServicePlan("buche-stradali"),
        # The village still cites the old regional waste law that L.R. 7/2021 replaced.
        ServicePlan("ingombranti", basis=("lr3:art. 14",)),
        ServicePlan(
            "certificato-residenza",
            fields={"channels": ["web", "counter"], "staff_minutes": {"web": 4, "counter": 10}},
        ),
        ServicePlan(
            "contributo-affitto",
            add=(
                Question(
                    "sfratto",
                    "singlevaluelist",
                    "Hai ricevuto un'intimazione di sfratto?",
                    trace="lr22:art. 3",
                    values=_yes_no(),
                ),
            ),
        ),
        ServicePlan("riduzione-tari"),
    ],
}

SCRATCH: dict[str, list[ServiceSpec]] = {
    "lago-verde": [
        ServiceSpec(
            "sponde-lago",
            "Pulizia delle sponde del lago",
            "Rifiuti o alghe sulle rive e sui pontili del lago.",
            "Ambiente e verde",
            "lago, sponde, rive, pontile",
            "report",
            True,
            _REPORT,
            2,
            7,
            _REPORT_MIN,
            3,
            "ambiente",
            ("dlgs152:art. 192", "need:Programma di tutela del lago 2025–2027"),
            (
                Question(
                    "cosa",
                    "multivaluelist",
                    "Che cosa hai visto?",
                    trace="need:Mandare la squadra giusta",
                    required=True,
                    values=(
                        ("plastica", "Plastica"),
                        ("alghe", "Alghe"),
                        ("pesci", "Pesci morti"),
                        ("altro", "Altro"),
                    ),
                ),
                Question(
                    "accesso",
                    "singlevaluelist",
                    "Si raggiunge da riva?",
                    values=(("riva", "Sì, da riva"), ("barca", "Solo in barca")),
                ),
            ),
            day_type="calendar",
            anonymous=True,
        ),
        ServiceSpec(
            "bonus-nuovi-nati",
            "Bonus comunale nuovi nati",
            "Contributo una tantum per le famiglie con un nuovo nato o adottato.",
            "Sostegno e welfare",
            "bonus, nascita, famiglia",
            "application",
            False,
            ("web", "counter"),
            5,
            60,
            {"web": 30, "counter": 45},
            20,
            "sociali",
            ("need:Sostegno alla natalità (DUP 2026–2028, obiettivo 4.2)",),
            (
                Question(
                    "nascita",
                    "datetime",
                    "Data di nascita o di adozione",
                    trace="need:Verificare i requisiti del bonus",
                    required=True,
                ),
                Question("isee", "number", "Valore ISEE"),
                Question(
                    "iban",
                    "string",
                    "IBAN per l'accredito",
                    trace="need:Pagare il bonus",
                    required=True,
                ),
            ),
            day_type="calendar",
            status="draft",
        ),
    ],
    "montalto": [
        ServiceSpec(
            "mercato-settimanale",
            "Posteggio al mercato settimanale",
            "Domanda di posteggio giornaliero al mercato del martedì e del venerdì.",
            "Commercio e attività",
            "mercato, posteggio, ambulante",
            "application",
            False,
            ("web", "counter"),
            2,
            10,
            {"web": 20, "counter": 30},
            15,
            "polizia-locale",
            ("l160:art. 1 c. 816",),
            (
                Question(
                    "merceologia",
                    "singlevaluelist",
                    "Settore merceologico",
                    trace="need:Assegnare i posteggi per settore",
                    required=True,
                    values=(("alimentare", "Alimentare"), ("non_alimentare", "Non alimentare")),
                ),
                Question(
                    "giorni",
                    "multivaluelist",
                    "Giorni",
                    required=True,
                    trace="need:Assegnare i posteggi per giorno",
                    values=(("mar", "Martedì"), ("ven", "Venerdì")),
                ),
                Question(
                    "metri",
                    "number",
                    "Metri lineari richiesti",
                    trace="l160:art. 1 c. 816",
                    required=True,
                ),
                Question(
                    "partita_iva",
                    "string",
                    "Partita IVA",
                    trace="need:Verificare l'iscrizione al registro delle imprese",
                    required=True,
                ),
            ),
        ),
    ],
}
