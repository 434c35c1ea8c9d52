"""Texts of the demo's moderated comments, for the spam filter and its benchmark: spam and abuse
that moderators hid, and fine comments (some reported and kept), in Italian and English, drawn
from parts so that no two are alike. Some fine comments are hard on purpose (a link to the
council's own page, an angry but fair complaint) and some spam is quiet (no shouting, one link),
so that the benchmark measures something. Every address is under .example."""

from __future__ import annotations

import random

SPAM_OFFERS = [
    ("it", "Compra {product} online a prezzi bassissimi"),
    ("it", "Offerta imperdibile su {product}, solo oggi"),
    ("it", "Sconti fino al 90% su {product}"),
    ("it", "Guadagna {money} euro al mese lavorando da casa"),
    ("it", "Prestiti veloci senza garanzie fino a {money} euro"),
    ("it", "Investi in {coin} e ottieni rendimenti del 300%"),
    ("it", "Hai vinto un buono da {money} euro"),
    ("en", "Buy {product} online at the lowest prices"),
    ("en", "Unbelievable deal on {product}, today only"),
    ("en", "Earn {money} dollars a month working from home"),
    ("en", "Fast loans with no credit check up to {money}"),
    ("en", "Invest in {coin} and get 300% returns"),
    ("en", "You won a {money} gift card"),
]
PRODUCTS = [
    "viagra",
    "cialis",
    "orologi replica",
    "borse firmate",
    "pillole dimagranti",
    "scarpe di marca",
    "follower Instagram",
    "replica watches",
    "diet pills",
    "designer bags",
]
COINS = ["bitcoin", "crypto", "NFT", "forex"]
CALLS = [
    ("it", "clicca qui: {url}"),
    ("it", "visita subito {url}"),
    ("it", "scrivi su WhatsApp al 333 000 0000 o vai su {url}"),
    ("it", "info su {url}"),
    ("en", "click here: {url}"),
    ("en", "visit {url} now"),
    ("en", "details at {url}"),
]
SPAM_DOMAINS = [
    "sconti-top",
    "farmacia-web",
    "soldi-facili",
    "casino-bonus",
    "crypto-rich",
    "best-deal",
    "easy-cash",
    "free-prize",
    "prestiti-ora",
    "vinci-subito",
]
SHOUT = ["", "!!!", " !!!", " ORA", " NOW", " 🔥🔥", ""]

ABUSE = [
    ("it", "Sei {insult}, {tail}"),
    ("it", "Chi scrive queste cose è {insult}, {tail}"),
    ("it", "{Insult} come te non dovrebbero poter votare, {tail}"),
    ("en", "You are {insult_en}, {tail_en}"),
    ("en", "Only {insult_en} would write this, {tail_en}"),
]
INSULTS = ["un idiota", "un incapace", "un parassita", "una vergogna", "un buffone"]
INSULTS_PLURAL = ["Idioti", "Parassiti", "Buffoni", "Incapaci"]
TAILS = [
    "vattene dal quartiere",
    "stai zitto",
    "nessuno ti vuole qui",
    "tornatene a casa tua",
    "fai schifo",
]
INSULTS_EN = ["an idiot", "a moron", "a parasite", "pathetic", "a clown"]
TAILS_EN = ["get out of here", "shut up", "nobody wants you here", "go away"]

FINE_OPENINGS = [
    ("it", "Sono d'accordo:"),
    ("it", "Non sono d'accordo:"),
    ("it", "Aggiungerei che"),
    ("it", "Secondo me"),
    ("it", "Abito in zona e"),
    ("it", "Ottima proposta,"),
    ("en", "I agree:"),
    ("en", "I disagree:"),
    ("en", "I would add that"),
    ("en", "Living nearby,"),
]
FINE_POINTS_IT = [
    "servono più panchine all'ombra vicino ai giochi",
    "la sera il parco è poco illuminato",
    "mancano i cestini lungo il viale",
    "la fontanella è rotta da mesi",
    "una pista ciclabile fino alla stazione aiuterebbe molto",
    "l'area cani andrebbe recintata",
    "i marciapiedi sono troppo stretti per i passeggini",
    "il bus 12 passa troppo di rado la domenica",
    "la mensa scolastica dovrebbe offrire più verdura",
    "il parcheggio per le bici è sempre pieno",
    "gli alberi del viale vanno potati prima dell'estate",
    "un orto comunitario coinvolgerebbe gli anziani",
]
FINE_POINTS_EN = [
    "we need more shaded benches near the playground",
    "the park is poorly lit in the evening",
    "there are not enough bins along the avenue",
    "the drinking fountain has been broken for months",
    "a cycle path to the station would help a lot",
    "the dog area should be fenced",
    "the pavements are too narrow for prams",
    "bus 12 runs too rarely on Sundays",
    "the bike racks are always full",
]
# Fine comments that look like spam to a careless filter, and angry but fair ones.
HARD_FINE = [
    ("it", "Gli orari sono su www.comune-montalto.example/parchi, conviene controllarli."),
    ("it", "Il regolamento è qui: www.comune.example/regolamenti, articolo 4."),
    ("it", "Che vergogna, sono tre anni che aspettiamo la fontana: il comune deve muoversi!"),
    ("it", "Basta promesse! Il viale è al buio da mesi e nessuno interviene."),
    ("it", "Offerta della biblioteca: corsi gratuiti per anziani, info allo sportello."),
    ("en", "Timetables are at www.council.example/buses, worth a look."),
    ("en", "This is a disgrace, we have waited three years for the fountain!"),
    ("en", "Free workshop at the library on Saturday, ask at the desk."),
]
# Spam that does not shout.
QUIET_SPAM = [
    ("it", "Per chi cerca lavoro da casa consiglio {url}, io mi trovo bene."),
    ("it", "Ho trovato ottimi prezzi per {product} su {url}."),
    ("en", "For anyone looking for {product}, {url} worked for me."),
    ("en", "Nice idea. By the way, great prices on {product} at {url}."),
]


def _url(rng: random.Random) -> str:
    return f"www.{rng.choice(SPAM_DOMAINS)}{rng.randint(1, 99)}.example"


def spam(rng: random.Random) -> tuple[str, str]:
    """(language, text) of a spam comment."""
    if rng.random() < 0.2:
        language, pattern = rng.choice(QUIET_SPAM)
        return language, pattern.format(product=rng.choice(PRODUCTS), url=_url(rng))
    language, offer = rng.choice(SPAM_OFFERS)
    _lang, call = rng.choice([c for c in CALLS if c[0] == language])
    text = offer.format(
        product=rng.choice(PRODUCTS), money=rng.choice([500, 2000, 5000]), coin=rng.choice(COINS)
    )
    text = f"{text}{rng.choice(SHOUT)} {call.format(url=_url(rng))}"
    return language, text.upper() if rng.random() < 0.15 else text


def abuse(rng: random.Random) -> tuple[str, str]:
    language, pattern = rng.choice(ABUSE)
    return language, pattern.format(
        insult=rng.choice(INSULTS),
        Insult=rng.choice(INSULTS_PLURAL),
        tail=rng.choice(TAILS),
        insult_en=rng.choice(INSULTS_EN),
        tail_en=rng.choice(TAILS_EN),
    )


def fine(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.12:
        return rng.choice(HARD_FINE)
    language, opening = rng.choice(FINE_OPENINGS)
    point = rng.choice(FINE_POINTS_IT if language == "it" else FINE_POINTS_EN)
    second = rng.choice(FINE_POINTS_IT if language == "it" else FINE_POINTS_EN)
    joiner = " e " if language == "it" else " and "
    text = f"{opening} {point}" + (f"{joiner}{second}" if rng.random() < 0.4 else "") + "."
    return language, text[0].upper() + text[1:]


HIDDEN_REASON = {
    "spam": "Pubblicità: i commenti servono a discutere le proposte.",
    "abuse": "Insulti: rispettiamo chi partecipa.",
}
