"""Sign-in with a public digital identity over OpenID Connect (SPID and CIE through an OIDC
gateway, Keycloak, regional identity providers), built on mozilla-django-oidc.

- config: the settings (INSIEME_OIDC, from the environment) and the provider's endpoints;
- backend: the authentication backend (tokens checked, claims read, then `actions.sign_in`);
- actions: the one write path (match or create the account, link the identity, audit);
- voters: a sign-in that gives fiscal code and birth date verifies the person for ballots;
- views: the start of a sign-in, the provider's callback, and the page for each failure.

See docs/identity.md.
"""
