"""What the residents' community survey holds about a person, for the copy of their own data
(insieme.privacy.export): the rounds they took part in, which is all that is linked to them.
Their answers were added to anonymous counts per area with no row of their own (see
insieme.community.models), so there is nothing of theirs to find, and the section says so.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from insieme.community.models import Participation
from insieme.core.personal_data import ROUND_LABELS, rounds_taken
from insieme.core.registry import PersonalData

SECTIONS = (
    PersonalData(
        "community_rounds",
        _("Community survey rounds you took part in"),
        rounds_taken(Participation),
        app="community",
        labels=ROUND_LABELS,
        note=_(
            "Only the fact that you took part is kept, so that you answer once. Your answers "
            "were added to anonymous counts, with nothing that ties them to you: they cannot "
            "be found, so they are not part of this copy."
        ),
        order=70,
    ),
)
