"""Form helpers every register shares: Tabler-styled model forms, choices that keep the saved
value, and the search-as-you-type picker (core/pickers.py, core/picker.js)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from resilia.core.pickers import use_picker


def with_current(queryset, current_id):
    """Keep the saved value selectable: an unchanged field must never fail validation."""
    if current_id is None:
        return queryset
    model = queryset.model
    return model.objects.filter(Q(pk__in=queryset.values("pk")) | Q(pk=current_id))


def keep_unseen(chosen, saved, readable) -> list:
    """The rows chosen in a multiple picker plus the saved rows (`saved`, a related manager or
    queryset) outside `readable`: the editor never saw them, so could not have removed them,
    and an edit must not drop what lies outside its editor's scope. One query."""
    unseen = saved.exclude(pk__in=readable.values("pk"))
    return [*chosen, *unseen]


class KeepsUnseen:
    """A form whose multiple pickers (`keeps_unseen`, field names) edit saved selections
    holding rows its user may not all read: the picker shows only the readable saved rows
    (the others would read as bare ids and fail the field's own check), and `clean` adds the
    unseen ones back (`keep_unseen`). The saved rows of a field are `saved_rows(name)`: by
    default the form's instance's relation of that name, once the instance exists. Call
    `show_readable()` at the end of `__init__`, once the fields' querysets are set."""

    keeps_unseen: tuple[str, ...] = ()

    def saved_rows(self, name):
        instance = getattr(self, "instance", None)
        if instance is None or instance.pk is None:
            return None
        return getattr(instance, name).all()

    def show_readable(self) -> None:
        for name in self.keeps_unseen:
            saved = self.saved_rows(name)
            if saved is not None:
                readable = saved.filter(pk__in=self.fields[name].queryset.values("pk"))
                self.initial[name] = list(readable.values_list("pk", flat=True))

    def clean(self):
        cleaned = super().clean()
        for name in self.keeps_unseen:
            saved = self.saved_rows(name)
            if saved is not None and cleaned.get(name) is not None:
                cleaned[name] = keep_unseen(cleaned[name], saved, self.fields[name].queryset)
        return cleaned


def autocomplete(field: forms.Field, url, *, write: bool = False, labels=None) -> None:
    """Show `field` as the kit's picker (core/pickers.py), fed by the endpoint at `url`.

    The page then renders only the selected row(s), never the whole table.
    """
    use_picker(field, url, write=write, labels=labels)


def style_widgets(form: forms.BaseForm) -> None:
    """Tabler classes on every widget of `form` (model form or plain form alike)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
        if isinstance(widget, forms.Textarea):
            # Textarea itself sets rows=10, so a default would never apply.
            widget.attrs["rows"] = 3


class StyledForm(forms.ModelForm):
    """Tabler classes on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class TreeUnitChoiceField(forms.ModelChoiceField):
    """Units indented by their depth, so the select reads as the organisation tree."""

    def label_from_instance(self, obj):
        return "\u2003" * obj.depth + obj.display_name


def errors_onto_form(form: forms.BaseForm, exc: ValidationError, *, on_top=()) -> None:
    """A service's refusal onto the form: each error on its field where the form has one (and
    the field is not listed in on_top), the others above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields and field not in on_top else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class QuickSelect(forms.Select):
    """A `Select` that writes its options in Python: Django's markup without its blank lines,
    rather than one template include an option, for grids of small selects such as a BIA
    questionnaire, where rendering a hundred of them through templates was most of the page's
    time. Grouped choices fall back to Django's rendering."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if self.allow_multiple_selected or any(isinstance(c[1], list | tuple) for c in choices):
            return super().render(name, value, attrs, renderer)
        final = self.build_attrs(self.attrs, attrs)
        wanted = self.format_value(value)
        chosen = wanted[0] if wanted else None
        options, marked = [], False
        for option_value, label in choices:
            option_value = "" if option_value is None else str(option_value)
            selected = not marked and option_value == chosen
            marked = marked or selected
            options.append(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    option_value,
                    mark_safe(" selected") if selected else "",
                    label,
                )
            )
        head = format_html('<select name="{}"{}>', name, flatatt(final))
        return mark_safe(head + "".join(options) + "</select>")
