"""Template tags that let any register's detail page embed the history and files tabs lazily.

{% load audit_tags %}
{% lazy_tab "audit:object_history" object %}   {# or "evidence:object_files" #}
"""

from django import template
from django.urls import reverse

from resilia.audit import actions

register = template.Library()


@register.inclusion_tag("audit/_lazy_tab.html")
def lazy_tab(url_name: str, obj):
    """A placeholder that htmx replaces with the tab's partial when it comes into view."""
    return {"url": reverse(url_name, args=[obj._meta.label_lower, obj.pk])}


@register.filter
def action_label(action: str):
    """The translated label of an audit action (raw name when unregistered)."""
    return actions.action_label(action)
