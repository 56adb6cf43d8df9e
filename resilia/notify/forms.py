"""Forms of notification. A channel's form is built from its transport's declared fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from resilia.core import access
from resilia.core.forms import StyledForm, autocomplete, style_widgets
from resilia.notify.calltrees import check_step_target
from resilia.notify.models import (
    Answer,
    CallTree,
    Channel,
    ChannelKind,
    EscalationPolicy,
    MessageTemplate,
    Send,
)
from resilia.notify.transports import TRANSPORTS
from resilia.org.models import Person, Site, Team, Unit


class ChannelForm(forms.Form):
    """Name, kind, fallback, and the configuration fields of the chosen kind (cfg_<name>)."""

    name = forms.CharField(label=_("name"), max_length=200)
    kind = forms.ChoiceField(label=_("kind"), choices=ChannelKind.choices)
    fallback = forms.ModelChoiceField(
        label=_("fallback channel"), required=False, queryset=Channel.objects.none()
    )

    def __init__(self, *args, user, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = kind
        self.fields["fallback"].queryset = Channel.objects.for_user(user)
        for f in TRANSPORTS[kind].fields:
            if f.choices:
                field = forms.ChoiceField(choices=[(str(c), str(c)) for c in f.choices])
            elif f.secret:
                field = forms.CharField(widget=forms.PasswordInput(render_value=True))
            else:
                field = forms.CharField()
            field.label, field.required, field.initial = f.label, False, f.default
            self.fields[f"cfg_{f.name}"] = field
        style_widgets(self)

    def config(self) -> dict:
        kind = self.cleaned_data["kind"]
        out = {}
        for f in TRANSPORTS[kind].fields:
            value = self.cleaned_data.get(f"cfg_{f.name}")
            if value in ("", None):
                continue
            if f.integer and str(value).isdigit():
                value = int(value)
            elif f.choices and value in ("True", "False"):
                value = value == "True"
            out[f.name] = value
        return out


class ChannelTestForm(forms.Form):
    address = forms.CharField(
        label=_("send a test to"),
        max_length=200,
        help_text=_("An e-mail address, a mobile number or a user id, as the channel needs."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class TemplateForm(StyledForm):
    class Meta:
        model = MessageTemplate
        fields = ["code", "subject", "subject_en", "body", "body_en"]


class CallTreeForm(StyledForm):
    class Meta:
        model = CallTree
        fields = ["code", "name", "name_en", "team"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.for_user(user)


class ContactForm(forms.Form):
    person = forms.ModelChoiceField(label=_("person"), queryset=Person.objects.none())
    role = forms.CharField(label=_("role"), max_length=100, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.for_user(user).filter(is_active=True)
        autocomplete(self.fields["person"], ("org:autocomplete", ["person"]))
        style_widgets(self)


class CallTreeContactRow(forms.Form):
    """One contact of the call tree editor: role, person, and the person's deputy (left
    empty, the deputy on the person's record stays)."""

    role = forms.CharField(label=_("role"), max_length=100, required=False)
    person = forms.ModelChoiceField(label=_("person"), queryset=Person.objects.none())
    deputy = forms.ModelChoiceField(
        label=_("deputy"), required=False, queryset=Person.objects.none()
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.for_user(user).order_by("full_name")
        self.fields["person"].queryset = people
        self.fields["deputy"].queryset = people.filter(is_active=True)
        # Search as you type: a bank's 100,000 people are not a <select> on every row.
        autocomplete(self.fields["person"], ("org:autocomplete", ["person"]))
        autocomplete(self.fields["deputy"], ("org:autocomplete", ["person"]))

    def clean(self):
        data = super().clean()
        person, deputy = data.get("person"), data.get("deputy")
        if person is not None and deputy is not None and person.pk == deputy.pk:
            self.add_error("deputy", _("A person cannot be their own deputy."))
        return data


class OrderedRows(forms.BaseFormSet):
    """Rows the user orders by number (ORDER) and removes (DELETE), styled like the rest;
    `rows()` gives the kept rows' data in the chosen order."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["ORDER"].label = _("order")
        form.fields["ORDER"].widget.attrs["min"] = 1
        form.fields["DELETE"].label = _("remove")
        style_widgets(form)
        for field in form.fields.values():  # a table cell has no <label> of its own
            field.widget.attrs["aria-label"] = str(field.label)

    def kept(self) -> list:
        """The filled rows not marked for removal, by their order number (rows without one
        last, ties as on the page). Call once the rows are valid."""
        forms_ = [
            f
            for i, f in enumerate(self.forms)
            if (i < self.initial_form_count() or f.has_changed())
            and not self._should_delete_form(f)
        ]
        return sorted(forms_, key=lambda f: f.cleaned_data.get("ORDER") or 10**6)

    def rows(self) -> list[dict]:
        return [f.cleaned_data for f in self.kept()]


class ContactRows(OrderedRows):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        seen = set()
        for form in self.kept():
            person = form.cleaned_data["person"]
            if person.pk in seen:
                raise forms.ValidationError(
                    _("%(name)s is named twice in the call tree.") % {"name": person.full_name}
                )
            seen.add(person.pk)


ContactFormSet = forms.formset_factory(
    CallTreeContactRow, formset=ContactRows, extra=3, can_order=True, can_delete=True
)


class PolicyForm(StyledForm):
    class Meta:
        model = EscalationPolicy
        fields = ["code", "name", "quorum", "repeat_limit"]
        help_texts = {"repeat_limit": _("0 to 5 (Grafana OnCall's limit).")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            # OnCall's defaults: repeat the steps up to 5 times.
            self.fields["repeat_limit"].initial = 5


class StepRow(forms.Form):
    """One step of the policy editor: a call tree or a team and/or people, then a wait."""

    call_tree = forms.ModelChoiceField(
        label=_("call tree"), required=False, queryset=CallTree.objects.none()
    )
    team = forms.ModelChoiceField(label=_("team"), required=False, queryset=Team.objects.none())
    people = forms.ModelMultipleChoiceField(
        label=_("people"), required=False, queryset=Person.objects.none()
    )
    wait_minutes = forms.IntegerField(label=_("then wait (minutes)"), min_value=1, initial=5)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call_tree"].queryset = CallTree.objects.for_user(user)
        self.fields["team"].queryset = Team.objects.for_user(user).order_by("code")
        self.fields["people"].queryset = Person.objects.for_user(user).order_by("full_name")
        autocomplete(self.fields["team"], ("org:autocomplete", ["team"]))
        autocomplete(self.fields["people"], ("org:autocomplete", ["person"]))

    def clean(self):
        data = super().clean()
        if data.get("call_tree") and data.get("team"):
            raise forms.ValidationError(_("Choose a call tree or a team for a step, not both."))
        if "people" in data:  # a refused person has its own error already
            try:
                check_step_target(
                    call_tree=data.get("call_tree"), team=data.get("team"), people=data["people"]
                )
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from None
        return data


class StepRows(OrderedRows):
    def clean(self):
        super().clean()
        if not any(self.errors) and not self.kept():
            raise forms.ValidationError(_("An escalation policy needs at least one step."))


StepFormSet = forms.formset_factory(
    StepRow, formset=StepRows, extra=2, can_order=True, can_delete=True
)


class SendForm(forms.Form):
    """An alert or a call-out: a policy's waves, or one call tree at once."""

    title = forms.CharField(label=_("title"), max_length=200)
    kind = forms.ChoiceField(label=_("kind"), choices=Send.Kind.choices[:2])
    template = forms.ModelChoiceField(label=_("template"), queryset=MessageTemplate.objects.none())
    channels = forms.ModelMultipleChoiceField(label=_("channels"), queryset=Channel.objects.none())
    policy = forms.ModelChoiceField(
        label=_("escalation policy"), required=False, queryset=EscalationPolicy.objects.none()
    )
    call_tree = forms.ModelChoiceField(
        label=_("call tree"), required=False, queryset=CallTree.objects.none()
    )
    incident = forms.CharField(label=_("incident"), required=False, max_length=200)
    plan = forms.CharField(label=_("plan"), required=False, max_length=200)
    deadline = forms.CharField(label=_("deadline"), required=False, max_length=100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = MessageTemplate.objects.for_user(user)
        self.fields["channels"].queryset = Channel.objects.for_user(user).filter(is_active=True)
        self.fields["policy"].queryset = EscalationPolicy.objects.for_user(user)
        self.fields["call_tree"].queryset = CallTree.objects.for_user(user)
        style_widgets(self)

    def clean(self):
        data = super().clean()
        if not data.get("policy") and not data.get("call_tree"):
            raise forms.ValidationError(_("Choose an escalation policy or a call tree."))
        return data


class RollCallForm(forms.Form):
    """ "Are you safe?" to everyone of a site or a unit."""

    title = forms.CharField(label=_("title"), max_length=200)
    template = forms.ModelChoiceField(label=_("template"), queryset=MessageTemplate.objects.none())
    channels = forms.ModelMultipleChoiceField(label=_("channels"), queryset=Channel.objects.none())
    site = forms.ModelChoiceField(label=_("site"), required=False, queryset=Site.objects.none())
    unit = forms.ModelChoiceField(label=_("unit"), required=False, queryset=Unit.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = MessageTemplate.objects.for_user(user)
        self.fields["channels"].queryset = Channel.objects.for_user(user).filter(is_active=True)
        self.fields["site"].queryset = access.readable(user, Site.objects.all())
        self.fields["unit"].queryset = access.readable(user, Unit.objects.all())
        autocomplete(self.fields["site"], ("org:autocomplete", ["site"]))
        autocomplete(self.fields["unit"], ("org:autocomplete", ["unit"]))
        style_widgets(self)

    def clean(self):
        data = super().clean()
        if not data.get("site") and not data.get("unit"):
            raise forms.ValidationError(_("A roll-call is for a site or a unit."))
        return data


class AnswerForm(forms.Form):
    """An answer recorded on the page: by the person, or by the BCM office for them."""

    person = forms.ModelChoiceField(queryset=Person.objects.none())
    answer = forms.ChoiceField(choices=Answer.choices)

    def __init__(self, *args, send, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(deliveries__send=send).distinct()
