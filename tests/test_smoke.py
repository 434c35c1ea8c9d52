import json


def test_healthz_reports_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"


def test_home_renders_in_both_languages(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert b'lang="en"' in response.content
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="it")
    assert b'lang="it"' in response.content
    assert "Vai al contenuto principale" in response.content.decode()
