"""Being contacted to take part in co-design: the consent people give for it, and the list the
staff who run co-design read.

Inviting a resident to an interview, a test of a new form or a workshop is not part of handling
their requests (the public task, GDPR recital 43): it is done only with their consent, which
they give and withdraw on their consents page (insieme.privacy). Staff of an administration
holding codesign:change:propose see the people whose consent is in force and who made a request
to that administration or proposed an idea in one of its processes: their name, their preferred
contact channel and the address or number to reach them by. Nobody else is listed, and nothing
else about them is shown.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from insieme.cases.models import Case
from insieme.core import consent
from insieme.core.models import Administration, User
from insieme.core.registry import ConsentPurpose
from insieme.participation.models import Idea

PURPOSE = ConsentPurpose(
    key="codesign.contact",
    title=_("Being invited to co-design services"),
    description=_(
        "The administrations you made a request to, or proposed an idea to, may contact you "
        "through your preferred contact channel to invite you to help improve their services: "
        "an interview, a test of a new form, a workshop. The staff who run co-design see your "
        "name and how to reach you, for this and nothing else. Taking part is up to you each "
        "time."
    ),
    version=1,
    app="codesign",
)


def people(admin: Administration) -> QuerySet[User]:
    """The people staff of `admin` may invite to co-design, by name."""
    requested = Case.objects.filter(administration=admin, submitted_by=OuterRef("pk"))
    proposed = Idea.objects.filter(process__administration=admin, author=OuterRef("pk"))
    return (
        User.objects.filter(pk__in=consent.holders(PURPOSE.key), is_active=True)
        .filter(Exists(requested) | Exists(proposed))
        .only("full_name", "email", "phone", "contact_channel")
        .order_by("full_name", "pk")
    )


def reach(user: User) -> str:
    """The address or number to use: the phone for text messages, else the e-mail address."""
    if user.contact_channel == User.ContactChannel.SMS and user.phone:
        return user.phone
    return user.email
