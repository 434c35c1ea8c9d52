"""Sending e-mail from templates, in the recipient's language, once the write has committed.

The interface is `send_templated_email`. The implementation behind it is Django's pluggable
`EMAIL_BACKEND`, which `insieme.settings` derives from the `EMAIL_URL` environment variable:

- unset or ``consolemail://`` (the default): messages are printed to the console;
- ``filemail:///path/to/folder``: each message is written to a file in that folder;
- ``smtp://user:password@host:587`` (``smtp+tls://``, ``smtp+ssl://``): real delivery over SMTP;
- tests use Django's in-memory ``locmem`` backend and read ``django.core.mail.outbox``.

So the console/file backend is the null implementation for laptops and tests, and a deployment
switches to SMTP by configuration alone, with no code change.

Templates live in ``insieme/core/templates/email/`` (or any app's ``templates/email/``):
``<prefix>_subject.txt`` (one line), ``<prefix>_body.txt`` and, optionally, ``<prefix>_body.html``.
The subject and the text body are plain text: they render without HTML escaping (a title such as
"all'ombra" stays as written); the HTML body escapes as every page does.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import translation

from insieme.core.background import worker as background_worker

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    """`path` (from reverse()) prefixed with the public address of this installation
    (settings.BASE_URL, from INSIEME_BASE_URL)."""
    return settings.BASE_URL.rstrip("/") + path


def _recipient(to) -> tuple[str, str | None]:
    """(address, preferred language or None) for a User or a bare address."""
    if isinstance(to, str):
        return to, None
    return to.email, getattr(to, "preferred_language", None) or None


def _language(explicit: str | None, preferred: str | None) -> str:
    """The first of explicit, preferred, default that is one of the site's languages."""
    known = {code for code, _name in settings.LANGUAGES}
    for lang in (explicit, preferred):
        if lang and lang in known:
            return lang
    return settings.LANGUAGE_CODE


def _render_plain(name: str, context: dict[str, Any]) -> str:
    """A plain-text template rendered without HTML escaping (no request: e-mail has none)."""
    return get_template(name).template.render(Context(context, autoescape=False))


def render_email(
    template_prefix: str, context: dict[str, Any], language: str
) -> tuple[str, str, str | None]:
    """(subject, text body, html body or None) rendered in `language`."""
    base = f"email/{template_prefix}"
    with translation.override(language):
        subject = _render_plain(f"{base}_subject.txt", context)
        text = _render_plain(f"{base}_body.txt", context)
        try:
            html = render_to_string(f"{base}_body.html", context)
        except TemplateDoesNotExist:
            html = None
    # A newline in a subject would be a header injection; Django refuses it, we flatten it.
    subject = " ".join(subject.split())
    return subject, text, html


def _deliver(message: EmailMultiAlternatives) -> None:
    """Send now; a failing mail server is logged, never turned into an error for the person."""
    try:
        message.send()
    except Exception:  # noqa: BLE001 - the write has committed; losing the page over mail is worse
        logger.exception("e-mail to %s could not be sent", message.to)


def _drop(message: EmailMultiAlternatives) -> None:
    """Serialise the message as a backend would, and send nothing."""
    message.message().as_bytes()


def send_templated_email(
    to,
    template_prefix: str,
    context: dict[str, Any] | None = None,
    language: str | None = None,
    *,
    background: bool = False,
    drop: bool = False,
) -> None:
    """Render `template_prefix` for `to` (a User or an address) and send it after commit.

    The language is `language` if given, else the user's `preferred_language`, else the site
    default. Rendering happens now (so the message shows the data as of this write); sending waits
    for the surrounding transaction to commit, so a rolled-back write never mails anyone. Outside
    a transaction it sends at once. Delivery is whatever EMAIL_BACKEND (from EMAIL_URL) says:
    console, file or SMTP, see the module docstring. With `background`, the message is handed to
    the mail server by a worker thread after the answer (insieme.core.background): for mail whose
    sending time must not reveal whether an account exists. With `drop`, the message is made and
    handed over all the same, then dropped unsent: for an address with no account, so that not
    sending costs what sending does.
    """
    address, preferred = _recipient(to)
    lang = _language(language, preferred)
    ctx = {"site_url": settings.BASE_URL.rstrip("/"), "recipient": to, **(context or {})}
    subject, text, html = render_email(template_prefix, ctx, lang)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [address], headers={"Content-Language": lang}
    )
    if html is not None:
        message.attach_alternative(html, "text/html")
    deliver = partial(_drop if drop else _deliver, message)
    if background:
        deliver = partial(background_worker.submit, deliver)
    transaction.on_commit(deliver)
