"""What results hold about a person, for the copy of their own data (insieme.privacy.export):
the results they follow. Their comments on results are participation's comments, exported
there; the updates staff write on results are the administration's work, not about them.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from insieme.core.registry import PersonalData
from insieme.results.models import ResultFollow

LABELS = {"result": _("Result"), "since": _("Since")}


def follows(user) -> list[dict]:
    rows = (
        ResultFollow.objects.filter(user=user).select_related("result").order_by("created_at", "pk")
    )
    return [{"result": f.result.i18n.title, "since": f.created_at} for f in rows]


SECTIONS = (
    PersonalData(
        "result_follows",
        _("Results you follow"),
        follows,
        app="results",
        labels=LABELS,
        order=80,
    ),
)
