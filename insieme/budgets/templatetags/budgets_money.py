"""`{{ cents|euro }}`: an amount in euro cents as the visitor's language writes money."""

from django import template

from insieme.budgets.money import euro

register = template.Library()


@register.filter(name="euro")
def euro_filter(cents) -> str:
    if cents is None or cents == "":
        return ""
    return euro(int(cents))
