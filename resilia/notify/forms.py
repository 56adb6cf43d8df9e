"""Forms of notification. A channel's form is built from its transport's declared fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from resilia.core import access
from resilia.core.forms import StyledForm, style_widgets
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
        style_widgets(self)


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
