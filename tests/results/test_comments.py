"""Comments on a result: participation's threads on the result's public page; an unpublished
result takes none (404: it is not seen), a cancelled one keeps its thread, closed."""

from __future__ import annotations

import pytest
from django.test import Client

from insieme.participation.models import Comment
from insieme.results import actions
from insieme.results.models import Status
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def page_url(result) -> str:
    return f"/results/{result.administration.slug}/{result.pk}/"


def post_url(result) -> str:
    return f"/participation/threads/results.result/{result.pk}/comments/"


def test_a_published_result_takes_comments(result, charlie):
    anonymous = Client().get(page_url(result)).content.decode()
    assert 'id="comments"' in anonymous and "Log in to comment" in anonymous
    client = sign_in(Client(), charlie)
    posted = client.post(post_url(result), {"body": "Quando arrivano?", "show_name": "on"})
    assert posted.status_code == 302 and posted["Location"] == page_url(result) + "#comments"
    comment = Comment.objects.get()
    assert (comment.target_type, comment.target_id) == ("results.result", result.pk)
    assert "Quando arrivano?" in Client().get(page_url(result)).content.decode()


def test_a_cancelled_result_keeps_its_thread_closed(result, charlie, carla):
    client = sign_in(Client(), charlie)
    client.post(post_url(result), {"body": "Bene.", "show_name": "on"})
    actions.set_progress(carla, result, progress=result.progress, status=Status.CANCELLED)
    page = client.get(page_url(result)).content.decode()
    assert "Bene." in page and "its comments are closed" in page
    assert client.post(post_url(result), {"body": "Perché?"}).status_code in (400, 403, 409)
    assert Comment.objects.count() == 1


def test_an_unpublished_result_takes_no_comment(montalto, carla, charlie):
    hidden = actions.create_result(carla, montalto, title="Bozza", is_published=False)
    client = sign_in(Client(), charlie)
    assert client.post(post_url(hidden), {"body": "Ciao"}).status_code == 404
    assert not Comment.objects.exists()
