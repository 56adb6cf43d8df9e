"""Filters of the analysis pages: durations and clock times in the active language."""

from django import template
from django.utils.http import urlencode

from resilia.analysis import tables

register = template.Library()


@register.filter
def duration(value):
    return tables.duration(value)


@register.filter
def clock(value):
    return tables.clock(value)


@register.simple_tag(takes_context=True)
def page_url(context, param, number):
    """The current query string with `param` set to `number` (other pages kept).

    A page link never carries the current request's export; an export link is one on purpose
    (`{% page_url 'export' 'xlsx' %}`)."""
    query = context["request"].GET.copy()
    query.pop("export", None)
    query[param] = number
    return "?" + urlencode(sorted(query.lists()), doseq=True)
