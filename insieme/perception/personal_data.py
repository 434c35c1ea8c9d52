"""What the staff perception survey holds about a person, for the copy of their own data
(insieme.privacy.export): the rounds they took part in, which is all that is linked to them.
Their answers are stored with no person, time or order that could tie them to the
participation (see insieme.perception.models), so there is nothing of theirs to find, and the
section says so.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from insieme.core.personal_data import ROUND_LABELS, rounds_taken
from insieme.core.registry import PersonalData
from insieme.perception.models import Participation

SECTIONS = (
    PersonalData(
        "perception_rounds",
        _("Staff survey rounds you took part in"),
        rounds_taken(Participation),
        app="perception",
        labels=ROUND_LABELS,
        note=_(
            "Only the fact that you took part is kept, so that you answer once. Your answers "
            "were stored anonymously, with nothing that ties them to you: they cannot be "
            "found, so they are not part of this copy."
        ),
        order=71,
    ),
)
