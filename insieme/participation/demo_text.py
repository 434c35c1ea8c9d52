"""Texts of the participation demo, in Italian (the processes' own language) and English: plain
data, not interface text (tests/i18n_scan.py leaves demo_text modules out)."""

from __future__ import annotations

# One process per kind of phase running today, an employees' idea box and a round table with
# partner organisations: (slug, current phase index, audience, title it, title en,
# description it, description en, categories [(it, en)]).
PROCESSES = [
    (
        "regolamento-dehors",
        0,
        "public",
        "Nuove regole per i dehors",
        "New rules for outdoor seating",
        "Il Comune rivede il regolamento dei tavolini all'aperto: leggi la bozza e facci "
        "sapere cosa ne pensi prima che si aprano le proposte.",
        "The municipality is revising the rules for outdoor café seating: read the draft and "
        "tell us what you think before proposals open.",
        [("Commercio", "Shops"), ("Accessibilità", "Accessibility")],
    ),
    (
        "idee-per-i-parchi",
        1,
        "public",
        "Idee per i nostri parchi",
        "Ideas for our parks",
        "Come vorresti i parchi della città? Proponi, sostieni le idee degli altri, commenta.",
        "What would you like our parks to be? Propose, support other people's ideas, comment.",
        [("Giochi", "Playgrounds"), ("Verde", "Greenery"), ("Sicurezza", "Safety")],
    ),
    (
        "mobilita-sostenibile",
        2,
        "public",
        "Mobilità sostenibile in centro",
        "Sustainable mobility downtown",
        "Le idee raccolte sono in discussione: confrontiamoci sulle priorità.",
        "The ideas collected are under discussion: let's talk about priorities.",
        [("Bici", "Cycling"), ("Trasporto pubblico", "Public transport")],
    ),
    (
        "servizi-digitali",
        3,
        "public",
        "Servizi digitali del Comune",
        "The municipality's digital services",
        "Vota le proposte per semplificare i servizi online: le più sostenute saranno valutate.",
        "Support the proposals to simplify online services: the most supported will be assessed.",
        [("Sportello online", "Online desk"), ("Pagamenti", "Payments")],
    ),
    (
        "raccolta-differenziata",
        4,
        "public",
        "Raccolta differenziata: cosa migliorare",
        "Recycling: what to improve",
        "Le idee accolte sono in corso di realizzazione: segui i lavori.",
        "The accepted ideas are being carried out: follow the work.",
        [("Calendario", "Timetable"), ("Isole ecologiche", "Recycling points")],
    ),
    (
        "mensa-scolastica",
        5,
        "public",
        "Mensa scolastica",
        "School canteen",
        "Cosa è cambiato nella mensa dopo le proposte delle famiglie? Valutiamolo insieme.",
        "What changed in the canteen after the families' proposals? Let's assess it together.",
        [("Menù", "Menu"), ("Iscrizioni", "Enrolment")],
    ),
    (
        "cassetta-idee-dipendenti",
        1,
        "employees",
        "Cassetta delle idee dei dipendenti",
        "Employees' idea box",
        "Uno spazio interno: proposte dei dipendenti per lavorare meglio e servire meglio.",
        "An internal space: employees' proposals to work better and serve better.",
        [("Organizzazione", "Organisation"), ("Strumenti", "Tools")],
    ),
    (
        "tavolo-terzo-settore",
        1,
        "partners",
        "Tavolo con il terzo settore",
        "Round table with the third sector",
        "Le organizzazioni partner propongono come migliorare i servizi sociali e ambientali.",
        "Partner organisations propose how to improve social and environmental services.",
        [("Sociale", "Social"), ("Ambiente", "Environment")],
    ),
]

# Phase names by kind, in both languages (the kind names a phase when it has no name).
PHASE_NAMES = {
    "information": ("Informazione", "Information"),
    "ideation": ("Raccolta delle idee", "Collecting ideas"),
    "deliberation": ("Discussione", "Discussion"),
    "voting": ("Sostegni", "Supports"),
    "implementation": ("Realizzazione", "Carrying out"),
    "evaluation": ("Valutazione", "Assessment"),
}

# Ideas by who proposes them: (language, title, body). Citizens write in both languages.
CITIZEN_IDEAS = [
    (
        "it",
        "Più panchine all'ombra",
        "Servono panchine sotto gli alberi: d'estate al sole non ci si siede.",
    ),
    (
        "it",
        "Fontanella d'acqua potabile",
        "Una fontanella vicino ai giochi per i bambini e per i cani.",
    ),
    (
        "en",
        "Safer crossing near the school",
        "A raised crossing would slow cars down where children cross.",
    ),
    (
        "it",
        "Illuminazione dei vialetti",
        "La sera i vialetti sono bui: qualche lampione in più renderebbe tutto più sicuro.",
    ),
    (
        "en",
        "Bike racks at the station",
        "There is nowhere to lock a bike at the station; covered racks would help.",
    ),
    (
        "it",
        "Orari del bus la domenica",
        "La domenica il bus passa ogni due ore: almeno uno ogni ora.",
    ),
    (
        "it",
        "Pagare la mensa con l'app",
        "Poter pagare i buoni mensa dall'app senza andare allo sportello.",
    ),
    (
        "en",
        "Reminder before bin collection",
        "A text message the evening before the collection day would avoid missed bins.",
    ),
    (
        "it",
        "Area cani recintata",
        "Un'area recintata per i cani, così i prati restano puliti per tutti.",
    ),
    (
        "it",
        "Menù senza glutine più vario",
        "Il menù senza glutine è sempre uguale: più varietà per i bambini celiaci.",
    ),
    (
        "en",
        "Open data on air quality",
        "Publish the air quality readings every day, with a simple map.",
    ),
    (
        "it",
        "Prenotare l'isola ecologica online",
        "Prenotare il conferimento all'isola ecologica dal sito, senza telefonare.",
    ),
]
EMPLOYEE_IDEAS = [
    (
        "it",
        "Modulistica unica tra uffici",
        "Uffici diversi chiedono gli stessi dati con moduli diversi: un modulo unico.",
    ),
    (
        "it",
        "Formazione sui servizi online",
        "Un'ora al mese di formazione sui nuovi servizi online per chi sta allo sportello.",
    ),
    (
        "en",
        "Shared calendar for site visits",
        "Technical staff and the police could share one calendar for site inspections.",
    ),
    (
        "it",
        "Risposte tipo condivise",
        "Una raccolta di risposte tipo per le domande più frequenti dei cittadini.",
    ),
]
PARTNER_IDEAS = [
    (
        "it",
        "Volontari per la cura del verde",
        "La nostra associazione può adottare un'aiuola per quartiere con i volontari.",
    ),
    (
        "it",
        "Doposcuola nelle biblioteche",
        "Aprire le biblioteche il pomeriggio per il doposcuola della cooperativa.",
    ),
    (
        "en",
        "Repair café once a month",
        "We can run a repair café at the recycling point to cut bulky waste.",
    ),
    (
        "it",
        "Mappa dei servizi sociali",
        "Una mappa semplice di tutti i servizi sociali del territorio, anche su carta.",
    ),
]

# Comments: (language, text).
COMMENTS = [
    ("it", "Ottima idea, la sostengo!"),
    ("it", "Sono d'accordo, ma bisogna pensare anche alla manutenzione."),
    ("en", "I agree: this would help a lot of families."),
    ("it", "Nel mio quartiere servirebbe ancora di più."),
    ("en", "Has anyone checked how much it would cost?"),
    ("it", "Si potrebbe iniziare con una prova di sei mesi."),
]
REPLIES = [
    ("it", "Buona domanda: il costo andrebbe stimato con l'ufficio tecnico."),
    ("en", "A trial first sounds sensible."),
    ("it", "Concordo con la proposta di una prova."),
]
OFFICIAL_COMMENT = (
    "Grazie per le proposte: l'ufficio competente le sta esaminando e risponderà a ciascuna."
)
FLAGGED_COMMENT = "Comprate follower a poco prezzo su questo sito!!!"
HIDDEN_COMMENT = "Commento offensivo verso un altro partecipante."
HIDDEN_REASON = (
    "Linguaggio offensivo verso altri partecipanti (regole della partecipazione, art. 3)."
)

ANSWERS = {
    "accepted": "Accolta: l'intervento è inserito nel programma dei lavori dell'anno.",
    "evaluating": "In valutazione: l'ufficio tecnico sta verificando costi e tempi.",
    "rejected": "Non accolta: l'area è vincolata e non consente l'intervento proposto.",
}
NOTE = "Costo stimato circa 8.000 euro; verificare con l'ufficio bilancio."
SPLIT_PARTS = [
    ("Panchine nel parco centrale", "Panchine all'ombra nel parco centrale."),
    ("Panchine lungo il lago", "Panchine all'ombra lungo la passeggiata del lago."),
]
