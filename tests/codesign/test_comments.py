"""Comments on a service change proposal: participation's threads on the proposal's public page,
open while the proposal is open for comments, closed (still readable) once it is adopted, and
never reachable where the proposal is not public."""

from __future__ import annotations

from insieme.codesign import actions
from insieme.participation.models import Comment
from tests.codesign.test_changes import _open, public_url


def post_url(change) -> str:
    return f"/participation/threads/codesign.change/{change.pk}/comments/"


def test_participants_comment_on_an_open_proposal(change, carla, charlie, client, persona_client):
    _open(change, carla)
    anonymous = client.get(public_url(change)).content.decode()
    assert 'id="comments"' in anonymous and "Log in to comment" in anonymous
    posted = persona_client(charlie).post(
        post_url(change), {"body": "Serve anche la foto del punto.", "show_name": "on"}
    )
    assert posted.status_code == 302
    assert posted["Location"] == public_url(change) + "#comments"
    comment = Comment.objects.get()
    assert (comment.target_type, comment.target_id) == ("codesign.change", change.pk)
    assert comment.administration_id == change.administration_id
    assert "Serve anche la foto del punto." in client.get(public_url(change)).content.decode()


def test_an_adopted_proposal_keeps_its_thread_closed(change, carla, charlie, persona_client):
    _open(change, carla)
    persona_client(charlie).post(post_url(change), {"body": "Bene così.", "show_name": "on"})
    actions.adopt(carla, change)
    page = persona_client(charlie).get(public_url(change)).content.decode()
    assert "Bene così." in page
    assert "its comments are closed" in page and post_url(change) not in page
    refused = persona_client(charlie).post(post_url(change), {"body": "Ancora uno."})
    assert refused.status_code in (400, 403, 409)
    assert Comment.objects.count() == 1


def test_a_draft_takes_no_comment(change, charlie, persona_client):
    response = persona_client(charlie).post(post_url(change), {"body": "Troppo presto."})
    assert response.status_code == 404
    assert not Comment.objects.exists()
