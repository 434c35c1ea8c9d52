"""What budgets add to other apps' pages: a panel on the public process page linking its budgets,
and the staff dashboard's sections."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from insieme.core.models import today_in
from insieme.core.permissions import Perm
from insieme.core.registry import PagePanel


def process_panel(request, process) -> dict | None:
    """The budgets of the process the visitor may see (one query for the budgets, one for the
    phases), each with its address and where it stands; None when there is none."""
    from insieme.budgets.access import visible_budgets

    budgets = list(visible_budgets(request.user, process).order_by("-created_at", "-pk"))
    if not budgets:
        return None
    phases = list(process.phases.all())
    today = today_in(process.administration)
    states = {
        "unset": _("voting dates not set yet"),
        "before": _("voting not open yet"),
        "open": _("voting open"),
        "closed": _("voting closed"),
    }
    rows = []
    for budget in budgets:
        budget.process = process
        state = budget.voting_state(today, phases)
        rows.append(
            {
                "title": budget.i18n.title,
                "total_cents": budget.total_cents,
                "state": _("results published") if budget.results_published else states[state],
                "url": reverse(
                    "budgets:budget",
                    args=[process.administration.slug, process.slug, budget.pk],
                ),
            }
        )
    return {"budgets": rows}


PROCESS_PANEL = PagePanel(
    key="budgets.process",
    page="participation.process",
    order=30,
    template="budgets/panels/process.html",
    context=process_panel,
    app="budgets",
)


def staff_sections(section_class) -> list:
    return [
        section_class(
            "budgets:staff_list",
            _("Participatory budgets"),
            _("Budgets of the processes: projects and costs, ballots, results."),
            Perm.BUDGET_MANAGE,
        ),
        section_class(
            "budgets:staff_register",
            _("Resident register"),
            _("Upload the register that citizens verify themselves against (stored hashed)."),
            Perm.REGISTER_MANAGE,
        ),
        section_class(
            "budgets:staff_counter",
            _("Verify voters at the counter"),
            _("Verify a person for participatory budgets after seeing a document."),
            Perm.VOTER_VERIFY,
        ),
    ]
