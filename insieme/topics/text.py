"""What the topic model reads of a text: folded words, without stop words or personal data.

A text is folded (lower case, accents stripped: "città" and "citta" are one word, as a typing
slip without accents is common), redaction placeholders ("[e-mail hidden]") are taken out, and
words are runs of three or more letters: numbers (house numbers, references, the digits of a
phone number that escaped redaction) never become terms. Italian and English stop words are
dropped; so are the words of an address ("via", "piazza"), since a street names a place, not a
subject. Slips of the keyboard are rare by nature: a term must appear in MIN_DF texts.

Most texts are Italian and some English: a short glossary of our own turns the commonest English
words of requests to a municipality into their Italian term ("pothole" -> "buca", "night" ->
"notte"), so that an English report joins the topic of the same problem written in Italian
instead of making one of its own. English words outside the glossary stay as they are.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

# Redaction placeholders of insieme.core.pii, in English as stored ("[name hidden]").
_PLACEHOLDER = re.compile(r"\[[^\[\]]{1,40} hidden\]")
_WORD = re.compile(r"(?u)\b[^\W\d_]{3,}\b")

# Short lists of our own: articles, prepositions, pronouns, auxiliaries and the fillers of a
# request ("please", "grazie"), folded like the texts (no accents).
ITALIAN = """
abbiamo agli al alla alle allo anche ancora avere aveva che chi come con contro cosa cui dal dalla dalle
dallo degli dei del dell della delle dello dentro dopo dove ecco essere fare fino gli grazie
hanno il in invece io lei loro lui mai mia mio molto nei nel nell nella nelle nello noi non nostra
nostro ogni oppure per perche piu poco poi prima qua qualche quale quando quanto quasi quella quelle
quello questa queste questo qui sara sarebbe sei sempre senza sia siamo sono sopra sotto
sta stata stato sto su sua sue sui sul sull sulla sulle suo tra tutte tutti tutto una uno vorrei
vostro buongiorno salve gentile cordiali saluti segnalo segnalazione richiedo richiesta chiedo
"""
ENGLISH = """
about after again all also and any are because been before being but can could did does
doing down for from had has have having her here him his how into its just more most not
now off once only other our out over own please same she should some such than that the
their them then there these they this those through too under until very was were what
when where which while who why will with would you your thanks thank hello dear regards
"""
# A street or a square names where, not what (demo and real texts name them all the time).
ADDRESS = """
via viale piazza piazzale corso largo vicolo strada lungolago street road square avenue lane
"""

# English -> Italian, for words of requests to a municipality (folded, singular and plural).
GLOSSARY = {
    **dict.fromkeys(("pothole", "potholes", "hole", "holes"), "buca"),
    **dict.fromkeys(("asphalt", "tarmac"), "asfalto"),
    **dict.fromkeys(("crack", "cracks", "cracked"), "crepe"),
    **dict.fromkeys(("manhole", "drain"), "tombino"),
    **dict.fromkeys(("lamp", "lamps", "streetlight", "streetlights"), "lampione"),
    **dict.fromkeys(("light", "lights", "lighting"), "luce"),
    **dict.fromkeys(("dark", "darkness"), "buio"),
    **dict.fromkeys(("night", "nights"), "notte"),
    **dict.fromkeys(("flickering", "flickers", "blinking"), "lampeggia"),
    **dict.fromkeys(("rubbish", "garbage", "trash", "waste", "litter"), "rifiuti"),
    **dict.fromkeys(("bin", "bins"), "cassonetti"),
    **dict.fromkeys(("plastic",), "plastica"),
    **dict.fromkeys(("collection", "pickup", "collected"), "raccolta"),
    **dict.fromkeys(("dumped", "abandoned"), "abbandonati"),
    **dict.fromkeys(("mattress",), "materasso"),
    **dict.fromkeys(("furniture",), "mobili"),
    **dict.fromkeys(("wardrobe",), "armadio"),
    **dict.fromkeys(("fridge", "refrigerator"), "frigorifero"),
    **dict.fromkeys(("bulky",), "ingombranti"),
    **dict.fromkeys(("wall", "walls"), "muri"),
    **dict.fromkeys(("grass", "lawn"), "erba"),
    **dict.fromkeys(("park", "parks"), "parco"),
    **dict.fromkeys(("tree", "trees"), "albero"),
    **dict.fromkeys(("branch", "branches"), "ramo"),
    **dict.fromkeys(("noise", "noisy"), "rumore"),
    **dict.fromkeys(("music",), "musica"),
    **dict.fromkeys(("traffic",), "traffico"),
    **dict.fromkeys(("car", "cars", "vehicle"), "auto"),
    **dict.fromkeys(("shore", "bank", "lakeside"), "riva"),
    **dict.fromkeys(("school",), "scuola"),
    **dict.fromkeys(("canteen", "meals"), "mensa"),
    **dict.fromkeys(("parking",), "sosta"),
    **dict.fromkeys(("residence", "resident", "residents"), "residenza"),
    **dict.fromkeys(("certificate",), "certificato"),
    **dict.fromkeys(("dangerous", "danger"), "pericolosa"),
    **dict.fromkeys(("deep",), "profonda"),
}

STOP_WORDS = frozenset((ITALIAN + ENGLISH + ADDRESS).split())
MIN_DF = 2  # a term in fewer texts is a slip or a one-off
MAX_DF = 0.5  # a term in more than half of the texts says nothing about any of them


def fold(text: str) -> str:
    """Lower case, no accents, no redaction placeholders."""
    text = _PLACEHOLDER.sub(" ", text or "")
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def terms(text: str) -> list[str]:
    """The words of `text` the model counts: folded, English ones of the glossary in Italian,
    without stop words."""
    words = (GLOSSARY.get(w, w) for w in _WORD.findall(fold(text)))
    return [w for w in words if w not in STOP_WORDS]


def vectoriser(n_documents: int) -> TfidfVectorizer:
    """TF-IDF over `terms`; `min_df` is relaxed for a handful of texts so that a small
    administration still gets terms."""
    return TfidfVectorizer(
        analyzer=terms,
        min_df=MIN_DF if n_documents >= 10 else 1,
        max_df=MAX_DF if n_documents >= 10 else 1.0,
        sublinear_tf=True,
        dtype=np.float64,
    )
