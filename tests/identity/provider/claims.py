"""What the test provider says about a person: standard claims, the fiscal code under the name
SPID and CIE use (`fiscal_number`), and the authentication context (`acr`) in the id token."""

from __future__ import annotations

from oidc_provider.lib.claims import ScopeClaims

from tests.identity.provider.people import ACR, PEOPLE


def _person(user) -> dict:
    return PEOPLE.get(user.username, {})


def subject(user) -> str:
    """A pairwise-looking subject, stable per person (not the row id)."""
    return f"op-{user.username}"


def userinfo(claims: dict, user) -> dict:
    person = _person(user)
    claims["given_name"] = person.get("given_name", "")
    claims["family_name"] = person.get("family_name", "")
    claims["name"] = f"{claims['given_name']} {claims['family_name']}".strip()
    claims["email"] = person.get("email", "")
    # The library drops empty values, False among them: say it as text, as some providers do.
    claims["email_verified"] = "true" if person.get("email_verified") else "false"
    claims["birthdate"] = person.get("birthdate", "")
    return claims


class ItalianClaims(ScopeClaims):
    info_profile = ("Profile", "Your name, birth date and fiscal code.")

    def scope_profile(self):
        return {"fiscal_number": _person(self.user).get("fiscal_number", "")}


def id_token_hook(id_token: dict, user=None, token=None, request=None, **kwargs) -> dict:
    id_token["acr"] = ACR
    return id_token
