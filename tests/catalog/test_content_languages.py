"""Catalogue content in every language (issue 12, item 9: service names, descriptions and form
labels existed only in Italian, even in the English interface): each text in the reader's
language, or its source text marked with its language; one input per language on the staff
forms; a staff screen of what is missing; Open311 and the REST API in the language asked for."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insieme.catalog import actions, i18n
from insieme.catalog.models import Service
from insieme.core.models import AuditEntry

LIGHTS_ATTRIBUTES = [
    {
        "code": "guasto",
        "datatype": "singlevaluelist",
        "label": "Che cosa succede?",
        "help_text": "Scegli la voce più vicina.",
        "required": True,
        "order": 10,
        "values": [
            {"key": "spento", "name": "Spento"},
            {"key": "palo", "name": "Palo danneggiato"},
        ],
        "translations": {
            "en": {
                "label": "What is happening?",
                "help_text": "Choose the closest one.",
                "values": {"spento": "Off"},  # "palo" left untranslated
            }
        },
    },
    {"code": "numero", "datatype": "string", "label": "Numero del palo", "order": 20},
]


@pytest.fixture
def lights(cat, montalto):
    """An Italian service of Montalto, translated into English except one value and one
    question."""
    return actions.create_service(
        None,
        montalto,
        code="luci",
        name="Illuminazione pubblica guasta",
        description="Lampioni spenti o danneggiati.",
        group="Strade",
        keywords="lampione, luce",
        channels=["web", "api"],
        located=False,
        anonymous_allowed=True,
        department=cat.department,
        language="it",
        translations={
            "en": {
                "name": "Street light out",
                "description": "Street lights off or damaged.",
                "group": "Roads",
                "keywords": "street light, lamp",
            }
        },
        attributes=LIGHTS_ATTRIBUTES,
    )


def page(client, settings, url: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def public_url(service: Service) -> str:
    return reverse("catalogue_service", args=[service.administration.slug, service.code])


# --- reading ------------------------------------------------------------------------------------


def test_service_page_in_each_language(client, settings, lights):
    english = page(client, settings, public_url(lights), "en")
    assert "<h1>Street light out</h1>" in english
    assert "Street lights off or damaged." in english
    assert "Illuminazione pubblica guasta" not in english
    italian = page(client, settings, public_url(lights), "it")
    assert "<h1>Illuminazione pubblica guasta</h1>" in italian
    assert "Street light out" not in italian


def test_untranslated_text_falls_back_to_its_source_marked(client, settings, lights):
    """The question without English and the value without English show in Italian, each marked
    with its language for screen readers and with a note for everyone."""
    url = reverse("case_file", args=["montalto", "luci"])
    html = page(client, settings, url, "en")
    assert "What is happening?" in html and "Choose the closest one." in html
    assert (
        '<span lang="it">Numero del palo</span> <small class="lang-fallback">(in Italian)</small>'
        in html
    )
    assert "Off" in html and "Palo danneggiato" in html  # the untranslated value, as written


def test_catalogue_search_finds_a_service_by_its_english_words(client, settings, lights):
    html = page(client, settings, reverse("catalogue") + "?q=street+light", "en")
    assert "Street light out" in html


def test_values_in_the_readers_language_on_the_citizens_case(lights, charlie, client, settings):
    from insieme.cases.filing import actions as filing_actions

    case, _ = filing_actions.submit_case(
        charlie,
        filing_actions.Filing(lights, answers={"guasto": "spento"}, description="Spento da ieri"),
    )
    client.force_login(charlie)
    url = reverse("my_case", args=["montalto", case.reference])
    html = page(client, settings, url, "en")
    assert "What is happening?" in html and "Off" in html
    html = page(client, settings, url, "it")
    assert "Che cosa succede?" in html and "Spento" in html


# --- editing ------------------------------------------------------------------------------------


def test_staff_form_has_one_input_per_language(persona_client, carla, lights, settings):
    url = reverse("catalog_service_edit", args=["montalto", lights.pk])
    client = persona_client(carla)
    html = page(client, settings, url, "en")
    assert 'name="name"' in html and 'name="name__en"' in html
    assert 'name="description__en"' in html and 'lang="en"' in html
    assert "Name (Italian)" in html and "Name (English)" in html
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "department"}
    data.update(
        {
            "channels": ["web", "api"],
            "department": lights.department_id,
            "version": lights.version,
            "name__en": "Broken street light",
            "description__en": "",
            "group__en": "Roads",
            "keywords__en": "lamp",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    lights.refresh_from_db()
    assert lights.translations == {
        "en": {"name": "Broken street light", "group": "Roads", "keywords": "lamp"}
    }
    assert lights.name == "Illuminazione pubblica guasta"  # the source text is untouched
    entry = AuditEntry.objects.filter(action="service.update").latest("seq")
    assert entry.after["translations"]["en"]["name"] == "Broken street light"


def test_question_form_translates_value_names_by_key(persona_client, carla, lights, settings):
    attribute = lights.attributes.get(code="guasto")
    url = reverse("catalog_attribute_edit", args=["montalto", lights.pk, attribute.pk])
    client = persona_client(carla)
    html = page(client, settings, url, "en")
    assert 'name="values__en"' in html and "spento | Off" in html
    data = {
        "label": attribute.label,
        "code": "guasto",
        "datatype": "singlevaluelist",
        "help_text": attribute.help_text,
        "required": "on",
        "variable": "on",
        "order": 10,
        "values": "spento | Spento\npalo | Palo danneggiato",
        "label__en": "What is wrong?",
        "help_text__en": "",
        "values__en": "spento | Off\nrotto | Broken",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "These keys are not in the list: rotto." in response.content.decode()
    data["values__en"] = "spento | Off\npalo | Damaged pole"
    assert client.post(url, data).status_code == 302
    attribute.refresh_from_db()
    assert attribute.translations == {
        "en": {"label": "What is wrong?", "values": {"spento": "Off", "palo": "Damaged pole"}}
    }


def test_model_refuses_malformed_translations(lights):
    from django.core.exceptions import ValidationError

    for bad in ({"xx": {"name": "?"}}, {"en": {"code": "x"}}, {"en": "Street"}, ["en"]):
        with pytest.raises(ValidationError) as exc:
            actions.update_service(None, lights, translations=bad)
        assert "translations" in exc.value.error_dict
    attribute = lights.attributes.get(code="guasto")
    with pytest.raises(ValidationError):
        actions.save_attribute(
            None, lights, attribute, translations={"en": {"values": {"nope": "No"}}}
        )


def test_service_from_a_template_takes_its_language_and_translations(cat, montalto):
    template = actions.create_template(
        None,
        cat.region_template.owner,
        code="verde",
        name="Verde pubblico",
        channels=["web"],
        language="it",
        translations={"en": {"name": "Parks"}},
        attributes=[
            {
                "code": "dove",
                "datatype": "string",
                "label": "Dove?",
                "order": 10,
                "translations": {"en": {"label": "Where?"}},
            }
        ],
    )
    service = actions.create_service(None, montalto, template=template)
    assert (service.language, service.translations) == ("it", {"en": {"name": "Parks"}})
    assert service.attributes.get().translations == {"en": {"label": "Where?"}}
    assert service.overridden_fields == []


# --- what is missing ----------------------------------------------------------------------------


def test_missing_translations_screen(persona_client, carla, bob, oscar, charlie, lights, settings):
    url = reverse("catalog_translations", args=["montalto"])
    html = page(persona_client(carla), settings, url, "en")
    english = html.split('id="missing-en"')[1].split("</section>")[0]
    assert "Illuminazione pubblica guasta" not in english  # translated
    numero = lights.attributes.get(code="numero")
    guasto = lights.attributes.get(code="guasto")
    edit = reverse("catalog_attribute_edit", args=["montalto", lights.pk, numero.pk])
    assert f'href="{edit}"' in english and "Numero del palo" in english
    assert reverse("catalog_attribute_edit", args=["montalto", lights.pk, guasto.pk]) in english
    assert "names of the list values" in english
    # The fixture's services were written in Italian (Montalto's language) with no English.
    assert (
        f'href="{reverse("catalog_service_edit", args=["montalto", cat_pothole(lights)])}"'
        in english
    )
    # Officers read it, with links to the pages they may open; outsiders get nothing.
    officer = page(persona_client(bob), settings, url, "en")
    assert reverse("catalog_service_detail", args=["montalto", lights.pk]) in officer
    assert persona_client(oscar).get(url).status_code == 404
    assert persona_client(charlie).get(url).status_code == 404


def cat_pothole(lights) -> int:
    return Service.objects.get(administration=lights.administration, code="pothole").pk


# --- Open311 and the REST API -------------------------------------------------------------------


def open311(client, path: str, **params):
    return client.get(f"/open311/v2/{path}", {"jurisdiction_id": "montalto", **params})


def test_open311_services_in_the_locale_asked_for(client, lights):
    english = open311(client, "services.json", locale="en").json()
    row = next(s for s in english if s["service_code"] == "luci")
    assert (row["service_name"], row["group"]) == ("Street light out", "Roads")
    italian = open311(client, "services.json", locale="it_IT").json()
    assert next(s for s in italian if s["service_code"] == "luci")["service_name"] == (
        "Illuminazione pubblica guasta"
    )
    by_header = client.get(
        "/open311/v2/services.json", {"jurisdiction_id": "montalto"}, HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert next(s for s in by_header if s["service_code"] == "luci")["service_name"] == (
        "Street light out"
    )
    definition = open311(client, "services/luci.json", locale="en").json()
    first = definition["attributes"][0]
    assert first["description"] == "What is happening?"
    assert first["values"] == [
        {"key": "spento", "name": "Off"},
        {"key": "palo", "name": "Palo danneggiato"},
    ]
    bad = open311(client, "services.json", locale="xx")
    assert bad.status_code == 400 and "locale" in bad.json()[0]["description"]


def test_open311_requests_name_the_service_in_the_locale(client, lights, charlie):
    from insieme.cases.filing import actions as filing_actions

    filing_actions.submit_case(
        charlie,
        filing_actions.Filing(lights, answers={"guasto": "spento"}, description="Spento da ieri"),
    )
    rows = open311(client, "requests.json", locale="en", service_code="luci").json()
    assert rows and rows[0]["service_name"] == "Street light out"
    rows = open311(client, "requests.json", locale="it", service_code="luci").json()
    assert rows[0]["service_name"] == "Illuminazione pubblica guasta"


def test_rest_api_services_in_accept_language(client, lights):
    url = reverse("api:service", args=[lights.pk])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert (english["name"], english["language"]) == ("Street light out", "it")
    assert english["attributes"][0]["label"] == "What is happening?"
    assert english["translations"]["en"]["name"] == "Street light out"
    italian = client.get(url, HTTP_ACCEPT_LANGUAGE="it").json()
    assert italian["name"] == "Illuminazione pubblica guasta"


def test_localised_text_helper():
    class Row:
        language = "it"
        name = "Buche"
        translations = {"en": {"name": "Potholes"}}

    assert (i18n.text(Row, "name", "en"), i18n.text(Row, "name", "en").fallback) == (
        "Potholes",
        False,
    )
    fallback = i18n.text(Row, "name", "de")  # not a language of the installation: the first one
    assert fallback == "Potholes"
    Row.translations = {}
    untranslated = i18n.text(Row, "name", "en")
    assert (untranslated, untranslated.lang, untranslated.fallback) == ("Buche", "it", True)
    assert i18n.current("it-IT") == "it" and i18n.current("EN") == "en"
