"""Plain data of the cases demo seed: what people write per service, in Italian and English,
streets per municipality, and the seasonal shape of each service's demand. Read by `cases.demo`.

Each service has a few *issues*; each issue has two Italian and two English phrasings of the same
problem, so a planted duplicate can say the same thing in other words (or the other language).
"""

from __future__ import annotations

# (month weights Jan..Dec), relative; 1.0 is an average month.
FLAT = (1,) * 12
SEASONS: dict[str, tuple[float, ...]] = {
    # Potholes open up after frost and rain: late winter and early spring.
    "buche-stradali": (1.5, 2.2, 2.4, 1.8, 1.1, 0.7, 0.6, 0.5, 0.7, 0.9, 1.1, 1.3),
    # Parks and verges: spring and summer growth.
    "verde-pubblico": (0.4, 0.4, 0.8, 1.4, 1.9, 2.0, 1.8, 1.4, 1.0, 0.6, 0.4, 0.4),
    "sponde-lago": (0.3, 0.3, 0.5, 0.9, 1.5, 2.2, 2.6, 2.6, 1.3, 0.6, 0.3, 0.3),
    # Waste after holidays (January, after Easter, August) is handled by HOLIDAY_BOOST too.
    "rifiuti-mancata-raccolta": (1.5, 1.0, 0.9, 1.0, 0.9, 1.0, 1.1, 1.4, 0.9, 0.9, 0.9, 1.4),
    "abbandono-rifiuti": (1.3, 0.9, 0.9, 1.0, 1.0, 1.1, 1.2, 1.4, 1.0, 0.9, 0.9, 1.2),
    "ingombranti": (0.9, 0.8, 1.1, 1.3, 1.3, 1.1, 0.9, 0.7, 1.0, 1.1, 1.0, 0.9),
    # Dark evenings: street lights fail in autumn and winter.
    "illuminazione": (1.5, 1.3, 1.0, 0.8, 0.6, 0.5, 0.5, 0.6, 0.9, 1.3, 1.6, 1.6),
    "rumore": (0.6, 0.6, 0.7, 0.9, 1.2, 1.7, 2.0, 1.8, 1.0, 0.7, 0.6, 0.8),
    # School: canteen and transport enrolment in late summer, peak in September.
    "iscrizione-mensa": (0.3, 0.3, 0.3, 0.4, 0.6, 0.9, 1.4, 2.5, 4.0, 0.9, 0.3, 0.2),
    "trasporto-scolastico": (0.3, 0.3, 0.3, 0.4, 0.6, 1.0, 1.5, 2.6, 3.6, 0.8, 0.3, 0.2),
    "occupazione-suolo": (0.5, 0.6, 0.9, 1.2, 1.5, 1.6, 1.5, 1.0, 1.1, 0.9, 0.6, 0.6),
    "riduzione-tari": (1.0, 1.2, 1.8, 2.0, 1.3, 0.8, 0.6, 0.5, 0.7, 0.8, 0.7, 0.6),
    "contributo-affitto": (0.6, 0.7, 1.0, 1.2, 1.4, 1.2, 1.0, 0.6, 1.0, 1.2, 1.1, 0.8),
}
# Relative volume per service (reports are most of the traffic).
VOLUME: dict[str, float] = {
    "buche-stradali": 10,
    "illuminazione": 7,
    "rifiuti-mancata-raccolta": 8,
    "ingombranti": 6,
    "abbandono-rifiuti": 6,
    "verde-pubblico": 6,
    "graffiti": 3,
    "rumore": 3,
    "semafori": 2,
    "veicoli-abbandonati": 2,
    "sponde-lago": 3,
    "certificato-residenza": 4,
    "cambio-residenza": 2,
    "permesso-sosta-residenti": 2,
    "iscrizione-mensa": 2,
    "trasporto-scolastico": 1.5,
    "occupazione-suolo": 1.5,
    "cila": 1,
    "contrassegno-disabili": 0.7,
    "contributo-affitto": 1,
    "riduzione-tari": 1.2,
}
DEFAULT_VOLUME = 1.0

# Services a citizen may pick for the same problem (a duplicate may land on one of these).
RELATED: dict[str, tuple[str, ...]] = {
    "rifiuti-mancata-raccolta": ("abbandono-rifiuti", "ingombranti"),
    "abbandono-rifiuti": ("rifiuti-mancata-raccolta", "ingombranti", "sponde-lago"),
    "ingombranti": ("abbandono-rifiuti",),
    "illuminazione": ("semafori",),
    "semafori": ("illuminazione",),
    "sponde-lago": ("abbandono-rifiuti", "verde-pubblico"),
    "verde-pubblico": ("sponde-lago",),
}

# issues per service: [((it_a, it_b), (en_a, en_b)), ...]; {place} is the street or spot.
ISSUES: dict[str, list[tuple[tuple[str, str], tuple[str, str]]]] = {
    "buche-stradali": [
        (
            (
                "Buca profonda in {place}, pericolosa per moto e bici",
                "In {place} c'è una buca enorme sulla carreggiata, ci si rischia di cadere",
            ),
            (
                "Deep pothole in {place}, dangerous for bikes and scooters",
                "There is a huge hole in the road at {place}, someone will fall",
            ),
        ),
        (
            (
                "Asfalto sollevato e crepe lungo {place}",
                "Manto stradale rovinato in {place}, pieno di crepe e avvallamenti",
            ),
            (
                "Broken asphalt and cracks along {place}",
                "Road surface in {place} is all cracked and sunken",
            ),
        ),
        (
            (
                "Tombino sprofondato in {place}",
                "Il chiusino in {place} è sceso di qualche centimetro, le auto ci sbattono",
            ),
            (
                "Sunken manhole cover in {place}",
                "The drain cover at {place} has sunk, cars keep hitting it",
            ),
        ),
    ],
    "illuminazione": [
        (
            ("Lampione spento in {place} da giorni", "In {place} la luce pubblica non funziona"),
            ("Street light out in {place} for days", "The street lamp at {place} is not working"),
        ),
        (
            (
                "Lampione che lampeggia in {place}",
                "La luce in {place} si accende e si spegne di continuo",
            ),
            ("Flickering street light in {place}", "Lamp in {place} keeps switching on and off"),
        ),
    ],
    "rifiuti-mancata-raccolta": [
        (
            (
                "Non hanno ritirato la plastica in {place}",
                "Raccolta della plastica saltata in {place}, sacchi ancora fuori",
            ),
            (
                "Plastic collection missed in {place}",
                "Plastic bags still out in {place}, nobody collected them",
            ),
        ),
        (
            (
                "Cassonetti pieni e non svuotati in {place}",
                "In {place} i bidoni traboccano, nessuno è passato",
            ),
            ("Overflowing bins not emptied in {place}", "Bins at {place} are full, no pickup"),
        ),
    ],
    "abbandono-rifiuti": [
        (
            (
                "Rifiuti abbandonati in {place}",
                "Qualcuno ha lasciato sacchi di spazzatura in {place}",
            ),
            ("Rubbish dumped in {place}", "Someone left bags of rubbish at {place}"),
        ),
        (
            (
                "Materasso e mobili abbandonati in {place}",
                "In {place} hanno scaricato un divano e un materasso",
            ),
            ("Mattress and furniture dumped in {place}", "A sofa and a mattress dumped at {place}"),
        ),
    ],
    "ingombranti": [
        (
            (
                "Vorrei il ritiro di un armadio e due sedie in {place}",
                "Richiedo ritiro ingombranti: vecchio armadio, {place}",
            ),
            (
                "Please collect a wardrobe and two chairs at {place}",
                "Bulky waste pickup: old wardrobe, {place}",
            ),
        ),
        (
            ("Ritiro frigorifero vecchio in {place}", "Devo smaltire un frigo, sono in {place}"),
            ("Pickup of an old fridge at {place}", "I need to dispose of a fridge, {place}"),
        ),
    ],
    "graffiti": [
        (
            ("Scritte sui muri in {place}", "Graffiti sulla facciata in {place}"),
            ("Graffiti on the walls in {place}", "Spray paint on the building at {place}"),
        ),
    ],
    "verde-pubblico": [
        (
            ("Erba altissima nel parco in {place}", "Aiuole non tagliate in {place}"),
            ("Grass very high in the park at {place}", "Verges not mowed in {place}"),
        ),
        (
            ("Ramo caduto in {place}", "Un albero ha perso un grosso ramo in {place}"),
            ("Fallen branch in {place}", "A large branch fell off a tree at {place}"),
        ),
    ],
    "rumore": [
        (
            ("Musica alta tutte le notti in {place}", "Schiamazzi fino a tardi in {place}"),
            ("Loud music every night in {place}", "Noise until late at night in {place}"),
        ),
    ],
    "semafori": [
        (
            ("Semaforo guasto in {place}", "Il semaforo in {place} è sempre giallo lampeggiante"),
            ("Traffic light broken at {place}", "The traffic light at {place} only blinks amber"),
        ),
    ],
    "veicoli-abbandonati": [
        (
            (
                "Auto abbandonata da mesi in {place}",
                "Macchina senza targa ferma da tempo in {place}",
            ),
            (
                "Car abandoned for months in {place}",
                "Car without plates parked for ages at {place}",
            ),
        ),
    ],
    "sponde-lago": [
        (
            ("Plastica sulla riva in {place}", "Bottiglie e sacchetti sulle sponde in {place}"),
            ("Plastic on the shore at {place}", "Bottles and bags along the bank at {place}"),
        ),
        (
            ("Alghe e pesci morti in {place}", "Odore forte e alghe sulla riva in {place}"),
            ("Algae and dead fish at {place}", "Strong smell and algae on the shore at {place}"),
        ),
    ],
}
GENERIC_ISSUE = (
    ("Richiesta per {service}", "Domanda: {service}, grazie"),
    ("Request for {service}", "Application: {service}, thanks"),
)

# Street names per municipality; hotspots pick a few of them.
STREETS: dict[str, list[str]] = {
    "lago-verde": [
        "Via Roma",
        "Corso Garibaldi",
        "Via del Lago",
        "Lungolago Marconi",
        "Piazza della Stazione",
        "Via Mazzini",
        "Viale dei Pini",
        "Via Cavour",
        "Via Dante Alighieri",
        "Piazza del Mercato",
        "Via delle Vigne",
        "Via Verdi",
        "Via Leopardi",
        "Parco delle Rimembranze",
        "Via della Repubblica",
        "Via XX Settembre",
    ],
    "montalto": [
        "Via del Castello",
        "Piazza San Michele",
        "Via dei Colli",
        "Via Fontana Vecchia",
        "Via Roma",
        "Strada vicinale delle Querce",
        "Via Matteotti",
        "Largo della Pieve",
        "Via del Mulino",
        "Viale della Rimembranza",
    ],
    "san-pietro-al-colle": [
        "Piazza della Chiesa",
        "Via del Borgo",
        "Strada provinciale 12",
        "Via della Fonte",
        "Via degli Orti",
        "Via San Rocco",
    ],
}
DEFAULT_STREETS = ["Via Roma", "Piazza del Comune", "Via Garibaldi", "Via Mazzini"]

PII_FIRST = ["Mario", "Giuseppe", "Lucia", "Paola", "Francesco", "Antonella", "Sergio", "Carla"]
PII_LAST = [
    "Bellini",
    "Cattaneo",
    "Orlando",
    "Benedetti",
    "Testa",
    "Montanari",
    "Guerra",
    "Sartori",
]
# Phrases that put personal data inside free text (what the redaction work must catch).
PII_IT = [
    " Sono {name}, chiamatemi al {phone}.",
    " Per info scrivete a {email}",
    " Segnalazione di {name} (CF {cf}).",
    " Il mio numero è {phone}, {name}",
]
PII_EN = [
    " I'm {name}, call me on {phone}.",
    " Please write to {email}",
    " Reported by {name}, tax code {cf}.",
]
# Personal data the redaction recognises by the identifier's own check or by the words before
# it; each phrase holds one {value} of its kind.
PII_MORE_IT = {
    "iban": " IBAN per il rimborso: {value}.",
    "card": " Ho pagato con la carta {value}.",
    "birth_date": " Sono nato il {value}.",
    "obfuscated_email": " Scrivetemi a {value}.",
    "cf_spaced": " Il mio codice fiscale è {value}.",
}
PII_MORE_EN = {
    "iban": " Refund to IBAN {value}.",
    "card": " I paid with card {value}.",
    "birth_date": " I was born on {value}.",
    "obfuscated_email": " Write to {value}.",
    "cf_spaced": " My tax code is {value}.",
}
REPLIES_IT = [
    "Abbiamo preso in carico la segnalazione, grazie.",
    "La squadra interverrà nei prossimi giorni.",
    "Intervento programmato.",
]
REPLIES_EN = [
    "We have taken charge of your report, thank you.",
    "The team will be there in the next few days.",
    "Work scheduled.",
]
DONE_IT = "Intervento eseguito. Grazie per la segnalazione."
DONE_EN = "The work is done. Thank you for reporting it."
REFUSED_IT = "La strada è provinciale e non di competenza del Comune: rivolgersi alla Provincia."
REFUSED_EN = "The road belongs to the province, not to the municipality: please contact it."
REFUSAL_REASONS = "Requisiti non soddisfatti."
INFO_IT = "Ci serve un'informazione in più: può indicarci il punto preciso o allegare una foto?"
INFO_EN = "We need one more detail: can you give the exact spot or attach a photo?"
ANSWER_IT = "Davanti al civico indicato, vicino alla fermata dell'autobus."
ANSWER_EN = "In front of the house number given, next to the bus stop."
RATING_IT = ["Veloci, grazie!", "Tutto ok", "Ci avete messo troppo", "Non risolto davvero", ""]
RATING_EN = ["Quick, thanks!", "All fine", "Took too long", "Not really fixed", ""]
