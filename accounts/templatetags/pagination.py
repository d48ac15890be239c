from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_link(context, param, number):
    """The current URL's query string with `param` set to `number`, keeping the other parameters
    (filters, sort order, other lists' pages)."""
    query = context["request"].GET.copy()
    query[param] = number
    return f"?{query.urlencode()}"
