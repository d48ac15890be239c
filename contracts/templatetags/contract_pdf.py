"""Filters of the printed contract (contracts/templates/contracts/pdf/contract.html)."""

from django import template

from contracts import pdf

register = template.Library()


@register.filter
def breakable(value) -> str:
    """Very long words get invisible break opportunities (see contracts.pdf.breakable). Apply
    before `linebreaksbr`, which escapes the result."""
    return pdf.breakable(value)
