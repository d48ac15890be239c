from django import template

from accounts.lifecycle import cohort_allows

register = template.Library()


@register.filter
def allows(cohort, action: str) -> bool:
    """`{% if cohort|allows:"invite_members" %}`: whether the cohort's state allows the action."""
    return cohort_allows(cohort, action)
