"""The seventeen cells of the benefits-and-challenges table (DESIGN.md §1), as data."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Cell:
    code: str
    element: str
    kind: str  # "benefit" or "challenge"
    title: object
    summary: object


ELEMENTS = [
    ("data", _("Data")),
    ("interaction", _("Interaction")),
    ("tailoring", _("Tailoring")),
    ("simplification", _("Simplification")),
]

_CELLS = [
    Cell(
        "D1",
        "data",
        "benefit",
        _("Data volume"),
        _("Insight into citizens' preferences, behaviour and usage."),
    ),
    Cell("D2", "data", "benefit", _("Data quality"), _("Better, more timely data for decisions.")),
    Cell(
        "D3",
        "data",
        "challenge",
        _("Data issues"),
        _("Quality, confidentiality, interoperability, little open data."),
    ),
    Cell(
        "D4",
        "data",
        "challenge",
        _("Value left unexploited"),
        _("Data collected but not turned into service changes."),
    ),
    Cell(
        "I1",
        "interaction",
        "benefit",
        _("Collaboration"),
        _("Providers and users working together on a service."),
    ),
    Cell(
        "I2",
        "interaction",
        "benefit",
        _("New ideas"),
        _("Ideas from employees, citizens and partners."),
    ),
    Cell(
        "I3",
        "interaction",
        "challenge",
        _("Power dynamics"),
        _("New pressure on employees: workload, supervision, coordination."),
    ),
    Cell(
        "I4",
        "interaction",
        "challenge",
        _("Resistance"),
        _("Silo mentality, missing expertise, extra effort."),
    ),
    Cell(
        "T1",
        "tailoring",
        "benefit",
        _("Customisation"),
        _("Services adapted locally and to each person's needs."),
    ),
    Cell(
        "T2",
        "tailoring",
        "benefit",
        _("Accountability"),
        _("Public timelines, published performance, traced results."),
    ),
    Cell(
        "T3",
        "tailoring",
        "challenge",
        _("Out-of-date regulations"),
        _("Services resting on rules that are expired or overdue for review."),
    ),
    Cell(
        "T4",
        "tailoring",
        "challenge",
        _("Missing the mark"),
        _("Collected information does not meet staff's needs."),
    ),
    Cell(
        "T5",
        "tailoring",
        "challenge",
        _("Standardisation vs tailoring"),
        _("Shared templates against controlled local variation."),
    ),
    Cell(
        "S1",
        "simplification",
        "benefit",
        _("Reduced costs"),
        _("Cost per case by channel against the counter baseline."),
    ),
    Cell(
        "S2",
        "simplification",
        "benefit",
        _("Reduced times"),
        _("Time to acknowledge, to resolve, and for citizens to complete a form."),
    ),
    Cell(
        "S3",
        "simplification",
        "challenge",
        _("Higher burdens"),
        _("Complex rules and low technology acceptance."),
    ),
    Cell(
        "S4",
        "simplification",
        "challenge",
        _("Disconnected information architecture"),
        _("Form fields not traced to the provision or policy need requiring them."),
    ),
]

CELLS: dict[str, Cell] = {c.code: c for c in _CELLS}
