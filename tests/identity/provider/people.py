"""The people who can sign in at the test provider, and what it says about them (plain data, read
by the provider's claims and by the tests). Fiscal codes carry the right check character; the
provider sends them the way SPID and CIE do (`TINIT-` and the code)."""

from __future__ import annotations

PASSWORD = "provider-password-2026"
CLIENT_ID = "insieme-tests"
CLIENT_SECRET = "insieme-tests-secret-0123456789"
# The authentication context the provider reports (SPID level 2: password and a one-time code).
ACR = "https://www.spid.gov.it/SpidL2"

PEOPLE: dict[str, dict] = {
    # An existing citizen, linked earlier through another provider (same fiscal code).
    "mario": {
        "given_name": "Mario",
        "family_name": "Rossi",
        "email": "mario.rossi@provider.example",
        "email_verified": True,
        "fiscal_number": "TINIT-RSSMRA80A01H501U",
        "birthdate": "1980-01-01",
    },
    # An existing citizen whose address the provider has verified.
    "giulia": {
        "given_name": "Giulia",
        "family_name": "Bianchi",
        "email": "giulia.bianchi@example.org",
        "email_verified": True,
        "fiscal_number": "TINIT-BNCGLI85M41F205B",
        "birthdate": "1985-08-01",
    },
    # Claims an address that belongs to an account here, without having verified it.
    "paolo": {
        "given_name": "Paolo",
        "family_name": "Verdi",
        "email": "paolo.verdi@example.org",
        "email_verified": False,
        "fiscal_number": "TINIT-VRDPLA90C15L219B",
        "birthdate": "1990-03-15",
    },
    # Nobody here knows her yet.
    "anna": {
        "given_name": "Anna",
        "family_name": "Neri",
        "email": "anna.neri@example.org",
        "email_verified": True,
        "fiscal_number": "TINIT-NREANN92D50G273K",
        "birthdate": "1992-04-10",
    },
    # An employee (an administrator in the tests' Montalto).
    "alice": {
        "given_name": "Alice",
        "family_name": "Admin",
        "email": "alice@montalto.example",
        "email_verified": True,
        "fiscal_number": "TINIT-BLLLCU75E10H501A",
        "birthdate": "1975-05-10",
    },
    # Shares no e-mail address.
    "luce": {
        "given_name": "Luce",
        "family_name": "Russo",
        "email": "",
        "email_verified": False,
        "fiscal_number": "TINIT-RSSLCE70A41F205Z",
        "birthdate": "1970-01-01",
    },
}
