"""Small template helpers shared by the register pages."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from resilia.core.durations import human_minutes

register = template.Library()


@register.simple_tag
def url_if_exists(name: str, *args) -> str:
    """The URL of `name` with `args`, or "" when no such view is installed (optional tabs)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@register.filter
def with_invalid_state(field: BoundField) -> str:
    """The field's widget, with Bootstrap's `is-invalid` class (a red border) when it has errors.

    Done at rendering so every form shown through core/_field.html gets it, whatever its class.
    """
    if not field.errors:
        return str(field)
    classes = field.field.widget.attrs.get("class", "").split()
    if "is-invalid" not in classes:
        classes.append("is-invalid")
    html = field.as_widget(attrs={"class": " ".join(classes)})
    if field.field.show_hidden_initial:
        html += field.as_hidden(only_initial=True)
    return mark_safe(html)


@register.filter
def model_label(obj) -> str:
    """'org.unit' for a Unit: the label the history and evidence tabs are keyed by."""
    return obj._meta.label_lower


@register.simple_tag
def object_url(obj, action: str) -> str:
    """The URL of a register's page for this object by the kit's naming rule,
    '<app>:<model>_<action>' (edit, delete), or "" when the app has no such page."""
    return url_if_exists(f"{obj._meta.app_label}:{obj._meta.model_name}_{action}", obj.pk)


@register.filter(name="minutes")
def minutes_filter(value) -> str:
    """A duration in minutes as people read it: 240 → "4 h" / "4 小时"."""
    return human_minutes(value)


@register.simple_tag(takes_context=True)
def search_scope(context) -> str:
    """What the header search looks in for the signed-in user: "Search units, people, …"."""
    from resilia.core.search import kinds_for

    kinds = kinds_for(context["request"].user)
    names = gettext(", ").join(str(k.model._meta.verbose_name_plural) for k in kinds)
    return gettext("Search %(kinds)s by name or code") % {"kinds": names}
