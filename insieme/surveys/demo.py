"""Demo seed of surveys (order 65, after participation and deliberation): in the first
municipality, a satisfaction survey of one of its services (anyone may answer, results public)
and a survey of one of its public co-design processes (signed-in people only), both in Italian
with English translations, open, with about 60 responses to the first and 24 to the second,
drawn from a random source of its own derived from the seed. Everything goes through
insieme.surveys.actions, as the service manager (the structure) and the respondents (the
answers, without the rate limit, dated over the last weeks).
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from typing import TYPE_CHECKING

from insieme.catalog.models import Service
from insieme.core.models import User
from insieme.core.permissions import Role
from insieme.core.registry import DemoSeed
from insieme.participation.models import Audience, Process
from insieme.surveys import actions
from insieme.surveys.models import Question, Survey

if TYPE_CHECKING:
    from insieme.demo.context import DemoContext

ROME = zoneinfo.ZoneInfo("Europe/Rome")
SERVICE_RESPONSES = 60
PROCESS_RESPONSES = 24
RESIDENT_DOMAIN = "residenti.example"

# (kind, text it, text en, required, extra)
SERVICE_QUESTIONS = [
    (
        Question.Kind.SCALE,
        "Nel complesso, quanto sei soddisfatto del servizio?",
        "Overall, how satisfied are you with the service?",
        True,
        {
            "scale_min": 1,
            "scale_max": 5,
            "min_label": "Per niente",
            "max_label": "Moltissimo",
            "en": {"min_label": "Not at all", "max_label": "Very much"},
            "weights": [1, 2, 4, 6, 3],
        },
    ),
    (
        Question.Kind.SINGLE,
        "Come hai usato il servizio l'ultima volta?",
        "How did you use the service last time?",
        True,
        {
            "options": [
                ("online", "Online, dal sito", "Online, on the website"),
                ("sportello", "Allo sportello", "At the counter"),
                ("telefono", "Per telefono", "By phone"),
                ("app", "Con l'app", "With the app"),
            ],
            "weights": [8, 4, 2, 3],
        },
    ),
    (
        Question.Kind.MULTIPLE,
        "Che cosa miglioreresti?",
        "What would you improve?",
        False,
        {
            "options": [
                ("tempi", "I tempi di risposta", "Response times"),
                ("chiarezza", "La chiarezza delle informazioni", "Clearer information"),
                ("moduli", "I moduli da compilare", "The forms to fill in"),
                ("orari", "Gli orari di apertura", "Opening hours"),
            ],
            "weights": [0.5, 0.35, 0.3, 0.15],
        },
    ),
    (
        Question.Kind.TEXT,
        "Vuoi aggiungere un suggerimento?",
        "Would you like to add a suggestion?",
        False,
        {"max_length": 800, "chance": 0.3},
    ),
]

PROCESS_QUESTIONS = [
    (
        Question.Kind.SINGLE,
        "Come hai saputo di questo percorso?",
        "How did you hear about this process?",
        True,
        {
            "options": [
                ("sito", "Dal sito del Comune", "From the municipality's website"),
                ("social", "Dai social network", "From social media"),
                ("passaparola", "Dal passaparola", "By word of mouth"),
                ("associazione", "Da un'associazione", "From an association"),
            ],
            "weights": [5, 4, 3, 2],
        },
    ),
    (
        Question.Kind.SCALE,
        "Quanto è probabile che tu partecipi di nuovo?",
        "How likely are you to take part again?",
        True,
        {
            "scale_min": 0,
            "scale_max": 10,
            "min_label": "Per nulla probabile",
            "max_label": "Certamente",
            "en": {"min_label": "Not at all likely", "max_label": "Certainly"},
            "weights": [1, 1, 1, 1, 2, 3, 4, 6, 7, 5, 4],
        },
    ),
    (
        Question.Kind.TEXT,
        "Che cosa ti è piaciuto di più?",
        "What did you like most?",
        False,
        {"max_length": 1000, "chance": 0.4},
    ),
]

# Demo content in Italian and English (the administration's texts, not the interface's).
SERVICE_DESCRIPTION = (
    "Quattro domande, due minuti: ci aiutano a migliorare il servizio.",
    "Four questions, two minutes: they help us improve the service.",
)
PROCESS_TITLE = ("Com'è andato il percorso?", "How did the process go?")
PROCESS_DESCRIPTION = (
    "Raccontaci la tua esperienza: serve a organizzare meglio i prossimi percorsi.",
    "Tell us about your experience: it helps us organise the next processes better.",
)

SUGGESTIONS = [
    ("it", "Sarebbe utile poter seguire la pratica anche via SMS."),
    ("it", "Il modulo online è chiaro, ma gli orari dello sportello sono troppo brevi."),
    ("it", "Personale gentile e disponibile, grazie."),
    ("en", "The English version of the form would help foreign residents."),
    ("it", "Tempi di risposta migliorati rispetto all'anno scorso."),
    ("en", "Please add a way to upload more than one photo."),
    ("it", "Ho dovuto chiamare due volte per avere informazioni."),
]
PRAISE = [
    ("it", "Gli incontri in piazza, dove ci si confronta davvero."),
    ("it", "La possibilità di proporre idee anche online."),
    ("en", "Seeing the municipality answer each idea publicly."),
    ("it", "Le mappe per indicare i luoghi."),
]


def _question_kwargs(spec) -> dict:
    kind, it, en, required, extra = spec
    kwargs = {"kind": kind, "text": it, "required": required}
    translations = {"en": {"text": en, **extra.get("en", {})}}
    if "options" in extra:
        kwargs["options"] = [{"key": k, "label": label} for k, label, _en in extra["options"]]
        translations["en"]["options"] = {k: label_en for k, _it, label_en in extra["options"]}
    for name in ("scale_min", "scale_max", "min_label", "max_label", "max_length"):
        if name in extra:
            kwargs[name] = extra[name]
    kwargs["translations"] = translations
    return kwargs


def _draw(question: Question, spec, rng: random.Random, texts) -> list[str]:
    kind, _it, _en, _required, extra = spec
    if kind == Question.Kind.SINGLE:
        return rng.choices(question.option_keys(), weights=extra["weights"])
    if kind == Question.Kind.MULTIPLE:
        return [
            k
            for k, w in zip(question.option_keys(), extra["weights"], strict=True)
            if rng.random() < w
        ]
    if kind == Question.Kind.SCALE:
        return [str(rng.choices(question.scale_values(), weights=extra["weights"])[0])]
    if rng.random() < extra["chance"]:
        return [rng.choice(texts)[1]]
    return []


def _make(ctx, actor, admin, *, title, description, process=None, service=None, audience, specs):
    survey = actions.create_survey(
        actor,
        admin,
        title=title[0],
        description=description[0],
        language="it",
        translations={"en": {"title": title[1], "description": description[1]}},
        process=process,
        service=service,
        audience=audience,
        results_public=True,
    )
    questions = [actions.save_question(actor, survey, **_question_kwargs(s)) for s in specs]
    actions.set_status(actor, survey, Survey.Status.OPEN)
    return survey, questions


def _answer(survey, questions, specs, rng, people, count, texts, today) -> int:
    made = 0
    for n in range(count):
        person = people[n] if n < len(people) else None
        values = {
            q.field_name: _draw(q, spec, rng, texts)
            for q, spec in zip(questions, specs, strict=True)
        }
        day = today - dt.timedelta(days=rng.randint(1, 28))
        moment = dt.datetime.combine(day, dt.time(rng.randint(7, 22), rng.randint(0, 59)), ROME)
        actions.submit_response(
            person,
            survey,
            values,
            language="en" if rng.random() < 0.15 else "it",
            limit=False,
            now=moment,
        )
        made += 1
    return made


def run(ctx: DemoContext) -> None:
    admin = ctx.municipalities[0] if ctx.municipalities else ctx.administrations.get("region")
    if admin is None:
        return
    managers = ctx.staff_of(admin.slug, Role.SERVICE_MANAGER)
    actor = managers[0].user if managers else None
    rng = random.Random(f"surveys-{ctx.seed}")
    service = (
        Service.objects.filter(administration=admin, status=Service.Status.PUBLISHED)
        .order_by("pk")
        .first()
    )
    process = (
        Process.objects.filter(administration=admin, is_published=True, audience=Audience.PUBLIC)
        .order_by("pk")
        .first()
    )
    residents = list(User.objects.filter(email__endswith="@" + RESIDENT_DOMAIN).order_by("pk"))
    people = [*ctx.citizens, *residents]
    counts = {}
    if service is not None:
        # Demo content, in the two languages (not interface text).
        headings = (f"Soddisfazione: {service.name}", f"Satisfaction: {service.i18n.name}")
        survey, questions = _make(
            ctx,
            actor,
            admin,
            title=headings,
            description=SERVICE_DESCRIPTION,
            service=service,
            audience=Survey.Audience.ANYONE,
            specs=SERVICE_QUESTIONS,
        )
        signed = people[: SERVICE_RESPONSES // 4]
        counts["service"] = _answer(
            survey,
            questions,
            SERVICE_QUESTIONS,
            rng,
            signed,
            SERVICE_RESPONSES,
            SUGGESTIONS,
            ctx.today,
        )
        counts["service_survey"] = survey.pk
    if process is not None and people:
        survey, questions = _make(
            ctx,
            actor,
            admin,
            title=PROCESS_TITLE,
            description=PROCESS_DESCRIPTION,
            process=process,
            audience=Survey.Audience.SIGNED_IN,
            specs=PROCESS_QUESTIONS,
        )
        participants = people[-PROCESS_RESPONSES:]
        counts["process"] = _answer(
            survey,
            questions,
            PROCESS_QUESTIONS,
            rng,
            participants,
            len(participants),
            PRAISE,
            ctx.today,
        )
        counts["process_survey"] = survey.pk
    ctx.record("surveys", counts)
    if counts:
        ctx.say(
            f"Surveys: {counts.get('service', 0)} + {counts.get('process', 0)} responses "
            f"in {admin.slug}"
        )


SEED = DemoSeed(key="surveys", order=65, run=run, app="surveys")
