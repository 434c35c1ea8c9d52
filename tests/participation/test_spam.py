"""The spam and abuse filter: cold start (nothing held), training on the moderators' decisions,
held comments and ideas invisible everywhere, release and hide (both audited), retraining by the
periodic task and the command."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from insieme.core import audit
from insieme.core.models import AuditEntry
from insieme.participation import actions, display, spam, tasks
from insieme.participation.models import Idea, ModerationAction, SpamModel
from tests.conftest import sign_in
from tests.participation.conftest import idea_url, make_idea, process_url

SPAM = [
    "Compra VIAGRA online a prezzi bassissimi, clicca subito su www.farmacia-sconti.example",
    "Guadagna 5000 euro al mese da casa!!! Visita www.soldi-facili.example ORA",
    "CASINO ONLINE bonus 200% senza deposito www.casino-bonus.example clicca qui",
    "Cheap pills no prescription, buy now at www.pills-cheap.example best price",
    "Make money fast working from home, click www.easy-cash.example today!!!",
    "Offerta imperdibile: Rolex replica a 99 euro su www.orologi-falsi.example",
    "Prestiti veloci senza garanzie, chiama ora o visita www.prestiti-ora.example",
    "Win a free iPhone!!! Click www.free-prizes.example and enter your card",
    "Sei un idiota e un incapace, vergognati, nessuno ti vuole qui",
    "Crypto bitcoin investi ora rendimento 300% www.crypto-rich.example",
    "SCONTI PAZZESCHI su scarpe firmate www.scarpe-low.example clicca clicca",
    "Dating online ragazze sole nella tua zona www.incontri-hot.example",
]
FINE = [
    "Servono più panchine all'ombra vicino al laghetto.",
    "Sono d'accordo, d'estate il parco è troppo assolato.",
    "Aggiungerei anche una fontanella per l'acqua potabile.",
    "I giochi per bambini sono vecchi e andrebbero sostituiti.",
    "We need better lighting on the path at night.",
    "Una pista ciclabile che colleghi il parco alla stazione sarebbe utile.",
    "Il prato è spesso pieno di rifiuti dopo il fine settimana.",
    "More bins near the entrance would help keep it clean.",
    "Propongo un'area cani recintata, lontana dai giochi.",
    "Gli alberi vicino alla scuola hanno bisogno di potatura.",
    "Un piccolo orto comunitario coinvolgerebbe gli anziani del quartiere.",
    "The fountain has been broken since spring.",
    "Servirebbe un bagno pubblico aperto anche la domenica.",
    "Le siepi lungo il viale coprono la visuale agli incroci.",
    "Ottima idea, la sostengo anche io.",
    "Could the opening hours be extended in summer?",
    "Il parcheggio delle biciclette è sempre pieno.",
    "Sarebbe bello organizzare concerti all'aperto d'estate.",
    "Manca una rampa per le carrozzine all'ingresso nord.",
    "Le panchine esistenti vanno riverniciate.",
    "A shaded area for older people to play cards would be lovely.",
    "Il campo da basket ha il canestro rotto.",
    "Grazie al comune per aver ascoltato le proposte.",
    "Più controlli la sera per evitare atti vandalici.",
]


@pytest.fixture
def trained(idea, sara, charlie, carla, montalto):
    """Montalto's moderators hid SPAM as spam and kept FINE; the filter is trained."""
    for text in SPAM:
        comment = actions.add_comment(sara, idea=idea, body=text, limit=False)
        actions.hide_comment(carla, comment, "Pubblicità", ground="spam")
    for text in FINE:
        actions.add_comment(charlie, idea=idea, body=text, limit=False)
    row = actions.retrain_spam_filter(carla, montalto)
    assert row is not None
    return row


@pytest.fixture
def fresh(process, sara):
    """Another idea, whose thread fits in one page."""
    return make_idea(process, sara, title="Un'altra idea", body="Un parco giochi nuovo.")


def test_cold_start_holds_nothing(idea, sara, carla, montalto):
    for text in SPAM[:5]:
        comment = actions.add_comment(sara, idea=idea, body=text, limit=False)
        actions.hide_comment(carla, comment, "Pubblicità", ground="spam")
    assert actions.retrain_spam_filter(None, montalto) is None
    assert not SpamModel.objects.exists()
    comment = actions.add_comment(sara, idea=idea, body=SPAM[0], limit=False)
    assert comment.held_at is None and comment.spam_score is None


def test_training_reads_the_decisions(trained, montalto):
    texts, labels = spam.training_data(montalto.pk)
    assert sum(labels) == len(SPAM) and len(labels) - sum(labels) == len(FINE)
    assert trained.positives == len(SPAM) and trained.negatives == len(FINE)
    assert 0 < trained.threshold < 1
    assert trained.precision is not None and trained.recall is not None
    entry = AuditEntry.objects.filter(action="participation.spam_filter.trained").latest("seq")
    assert entry.after["positives"] == len(SPAM) and "pipeline" not in entry.after
    assert audit.verify().ok


def test_hidden_for_other_grounds_teach_nothing(idea, sara, carla, montalto):
    comment = actions.add_comment(
        sara, idea=idea, body="Mario Rossi abita in via Roma 3", limit=False
    )
    actions.hide_comment(carla, comment, "Dati personali", ground="personal")
    texts, labels = spam.training_data(montalto.pk)
    assert "Mario Rossi abita in via Roma 3" not in texts


def test_a_spam_comment_is_held_and_shown_nowhere(trained, fresh, process, piero, sara, carla):
    idea = fresh
    held = actions.add_comment(
        piero,
        idea=idea,
        body="VIAGRA a prezzi bassi, clicca www.farmacia-sconti.example",
        limit=False,
    )
    fine = actions.add_comment(
        piero, idea=idea, body="Servono più alberi vicino al laghetto.", limit=False
    )
    assert held.held_at is not None and held.spam_score >= trained.threshold
    assert fine.held_at is None
    for client in (Client(), sign_in(Client(), sara), sign_in(Client(), piero)):
        page = client.get(idea_url(idea))
        assert b"farmacia-sconti" not in page.content
        assert b"alberi vicino al laghetto" in page.content
    _page, views = display.threads(idea, sara, 1)
    shown = [v.pk for v in views]
    assert held.pk not in shown and fine.pk in shown
    # its reply and report pages answer 404, as for a comment that does not exist
    client = sign_in(Client(), sara)
    assert client.get(f"/participation/montalto/comments/{held.pk}/reply/").status_code == 404
    assert client.get(f"/participation/montalto/comments/{held.pk}/report/").status_code == 404
    # the list of ideas does not count it
    listing = Client().get(process_url(process) + "ideas/")
    assert listing.status_code == 200
    # the moderators see it first, with its score
    queue = sign_in(Client(), carla).get("/staff/montalto/participation/moderation/")
    body = queue.content.decode()
    assert body.index("farmacia-sconti") < body.index("Reported comments waiting")
    assert f"{held.spam_score:.2f}" in body


def test_official_comments_are_never_held(trained, idea, carla):
    comment = actions.add_comment(carla, idea=idea, body=SPAM[0], official=True, limit=False)
    assert comment.held_at is None


def test_releasing_publishes_and_teaches_the_filter(trained, fresh, piero, carla, montalto):
    idea = fresh
    held = actions.add_comment(piero, idea=idea, body=SPAM[1] + " davvero", limit=False)
    assert held.is_held
    response = sign_in(Client(), carla).post(
        f"/staff/montalto/participation/moderation/comments/{held.pk}/",
        {"action": "release", "reason": "Falso allarme"},
    )
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.held_at is None
    assert ModerationAction.objects.filter(comment=held, kind="released").exists()
    assert AuditEntry.objects.filter(
        action="participation.comment.released", object_id=str(held.pk)
    ).exists()
    assert SPAM[1].encode() in Client().get(idea_url(idea)).content
    texts, labels = spam.training_data(montalto.pk)
    assert labels[texts.index(held.body)] == 0
    log = sign_in(Client(), carla).get("/staff/montalto/participation/moderation/log/")
    assert b"Released after review" in log.content and b"Held for review" in log.content


def test_hiding_a_held_comment(trained, fresh, piero, carla):
    idea = fresh
    held = actions.add_comment(piero, idea=idea, body=SPAM[2], limit=False)
    sign_in(Client(), carla).post(
        f"/staff/montalto/participation/moderation/comments/{held.pk}/",
        {"action": "hide", "reason": "Pubblicità", "ground": "spam"},
    )
    held.refresh_from_db()
    assert held.is_hidden and not held.is_held and held.hidden_ground == "spam"
    page = Client().get(idea_url(idea))
    assert b"Hidden by the moderators: Pubblicit" in page.content
    assert b"casino-bonus" not in page.content


def test_releasing_needs_the_moderators(trained, idea, piero, bob, charlie):
    held = actions.add_comment(piero, idea=idea, body=SPAM[3], limit=False)
    for user in (bob, charlie):
        response = sign_in(Client(), user).post(
            f"/staff/montalto/participation/moderation/comments/{held.pk}/", {"action": "release"}
        )
        assert response.status_code in (403, 404)
    held.refresh_from_db()
    assert held.is_held


def test_a_spam_idea_is_held_until_released(
    trained, process, piero, sara, carla, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        idea = make_idea(
            process, piero, title="Offerta VIAGRA", body="Clicca www.farmacia-sconti.example subito"
        )
    assert idea.held_at is not None
    assert Idea.objects.visible().filter(pk=idea.pk).count() == 0
    assert Client().get(idea_url(idea)).status_code == 404
    assert sign_in(Client(), sara).get(idea_url(idea)).status_code == 404
    own = sign_in(Client(), piero).get(idea_url(idea))
    assert own.status_code == 200 and b"waits for a moderator" in own.content
    for url in (process_url(process), process_url(process) + "ideas/"):
        assert b"Offerta VIAGRA" not in Client().get(url).content
    queue = sign_in(Client(), carla).get("/staff/montalto/participation/moderation/")
    assert b"Offerta VIAGRA" in queue.content
    response = sign_in(Client(), carla).post(
        f"/staff/montalto/participation/moderation/ideas/{idea.pk}/", {"action": "release"}
    )
    assert response.status_code == 302
    assert Client().get(idea_url(idea)).status_code == 200
    assert AuditEntry.objects.filter(action="participation.idea.released").exists()


def test_hiding_a_held_idea_keeps_it_out(trained, process, piero, carla):
    idea = make_idea(process, piero, title="CASINO ONLINE", body=SPAM[2])
    assert idea.held_at is not None
    response = sign_in(Client(), carla).post(
        f"/staff/montalto/participation/moderation/ideas/{idea.pk}/",
        {"action": "hide", "reason": "Pubblicità"},
    )
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.hidden_at is not None and idea.held_at is None
    assert Client().get(idea_url(idea)).status_code == 404
    assert b"CASINO ONLINE" not in Client().get(process_url(process)).content


def test_retraining_by_task_and_command(trained, montalto, idea, sara, carla):
    first = trained.trained_at
    more = actions.add_comment(
        sara, idea=idea, body="Lotteria truccata www.vinci.example", limit=False
    )
    actions.hide_comment(carla, more, "Truffa", ground="abuse")
    assert tasks.retrain_spam_filters() == 1  # Montalto only: the others have no decisions
    row = SpamModel.objects.get(administration=montalto)
    assert row.positives == len(SPAM) + 1 and row.trained_at > first
    out = io.StringIO()
    call_command("participation_spam_filter", "--administration", "montalto", stdout=out)
    assert "montalto: trained on" in out.getvalue()
    out = io.StringIO()
    call_command("participation_spam_filter", stdout=out)
    assert "too few decisions" in out.getvalue()


def test_every_process_reads_the_stored_model(trained, montalto):
    """A process whose copy is stale reloads the stored one when trained_at moved."""
    spam._loaded.clear()
    assert spam.verdict(montalto.pk, SPAM[0]) is not None
    SpamModel.objects.filter(pk=trained.pk).update(threshold=1.01)
    assert spam.verdict(montalto.pk, SPAM[0]) is not None  # same trained_at: the cached copy
    SpamModel.objects.filter(pk=trained.pk).update(trained_at=trained.trained_at.replace(year=2030))
    assert spam.verdict(montalto.pk, SPAM[0]) is None  # reloaded: the new threshold


def test_retraining_needs_the_moderators(montalto, bob):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.retrain_spam_filter(bob, montalto)


def test_no_mail_for_held_content(trained, idea, piero):
    mail.outbox.clear()
    actions.add_comment(piero, idea=idea, body=SPAM[4], limit=False)
    assert mail.outbox == []
