"""Demo content of participatory budgets, in Italian and English (data, not interface text)."""

# (title, title in English, description, description in English, cost in euro, popularity)
STAFF_PROJECTS = [
    (
        "Nuova illuminazione LED in via Roma",
        "New LED street lighting on Via Roma",
        "Sostituire i 40 lampioni della via con luci LED a basso consumo.",
        "Replace the street's 40 lamps with low-energy LED lights.",
        48_000,
        6,
    ),
    (
        "Area giochi inclusiva al parco comunale",
        "Inclusive playground in the town park",
        "Giochi accessibili anche ai bambini con disabilità, con pavimentazione antitrauma.",
        "Play equipment that children with disabilities can use too, on a safety surface.",
        65_000,
        9,
    ),
    (
        "Pista ciclabile verso la stazione",
        "Cycle lane to the station",
        "Un chilometro di pista protetta tra il centro e la stazione.",
        "One kilometre of protected cycle lane between the centre and the station.",
        90_000,
        7,
    ),
    (
        "Orti urbani in via dei Mulini",
        "Community gardens on Via dei Mulini",
        "Trenta orti con irrigazione e un capanno per gli attrezzi.",
        "Thirty plots with watering and a tool shed.",
        22_000,
        5,
    ),
    (
        "Wi-Fi gratuito in biblioteca e in piazza",
        "Free Wi-Fi in the library and the square",
        "Rete pubblica gratuita nei luoghi più frequentati.",
        "A free public network in the busiest places.",
        15_000,
        6,
    ),
    (
        "Panchine e ombra lungo il fiume",
        "Benches and shade along the river",
        "Venti panchine e quaranta alberi lungo la passeggiata.",
        "Twenty benches and forty trees along the riverside walk.",
        30_000,
        4,
    ),
    (
        "Attraversamenti pedonali rialzati davanti alle scuole",
        "Raised pedestrian crossings outside the schools",
        "Quattro attraversamenti rialzati e illuminati.",
        "Four raised, lit crossings.",
        36_000,
        8,
    ),
]
IDEA_COSTS = [18_000, 27_000, 12_000]  # for the process's accepted ideas, in euro

PAST_PROJECTS = [
    (
        "Frutta fresca a merenda",
        "Fresh fruit at snack time",
        "Frutta di stagione ogni giorno nelle scuole primarie.",
        "Seasonal fruit every day in the primary schools.",
        14_000,
        8,
    ),
    (
        "Nuovi arredi per il refettorio",
        "New furniture for the dining hall",
        "Tavoli e sedie più silenziosi e adatti ai più piccoli.",
        "Quieter tables and chairs sized for young children.",
        25_000,
        5,
    ),
    (
        "Menù senza plastica",
        "Plastic-free menus",
        "Stoviglie lavabili al posto di quelle usa e getta.",
        "Washable tableware instead of disposable.",
        18_000,
        7,
    ),
    (
        "Orto didattico della scuola",
        "The school's teaching garden",
        "Un orto curato dagli alunni, che fornisce la mensa.",
        "A garden the pupils look after, supplying the canteen.",
        9_000,
        6,
    ),
    (
        "Corsi di cucina per le famiglie",
        "Cooking classes for families",
        "Sei serate con i cuochi della mensa.",
        "Six evenings with the canteen's cooks.",
        6_000,
        3,
    ),
]

OPEN_BUDGET = {
    "title": "Bilancio partecipativo 2026",
    "description": (
        "Il Comune mette a disposizione 250.000 euro: scegli i progetti da finanziare, "
        "fino a esaurimento del budget. Un voto per residente."
    ),
    "translations": {
        "en": {
            "title": "Participatory budget 2026",
            "description": "The municipality sets aside €250,000: choose the projects to "
            "fund, up to the total. One ballot per resident.",
        }
    },
}
PAST_BUDGET = {
    "title": "Bilancio partecipativo per la mensa scolastica",
    "description": "50.000 euro per migliorare la mensa: ogni residente sceglie fino a 3 progetti.",
    "translations": {
        "en": {
            "title": "Participatory budget for the school canteen",
            "description": "€50,000 to improve the canteen: each resident chooses up "
            "to 3 projects.",
        }
    },
}
