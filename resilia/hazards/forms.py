"""Forms of hazard inspection; every choice comes through the access choke point, every
rule is the services' (the forms only shape the input)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from resilia.bia.models import local_name
from resilia.core.forms import StyledForm, style_widgets
from resilia.core.forms import autocomplete as kit_autocomplete
from resilia.dependencies.models import Resource
from resilia.hazards import access as hz_access
from resilia.hazards.models import (
    ChecklistKind,
    ChecklistTemplate,
    Grade,
    InspectionRound,
    Rectification,
    Schedule,
)
from resilia.org.forms import autocomplete
from resilia.org.models import Person, Site
from resilia.risk.models import Threat
from resilia.risk.services import current_matrix


def _date() -> forms.DateInput:
    """A browser date picker: its value is ISO 8601 whatever the language (the Chinese
    input format 2026/12/02 would show an empty picker on an edit page)."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotoField(forms.FileField):
    """Several photos from the phone's camera or gallery; checked by the services."""

    widget = PhotoInput(attrs={"accept": "image/jpeg,image/png", "multiple": True})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        return [forms.FileField.clean(self, f, initial) for f in files]


class Styled(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class TemplateForm(Styled):
    """A checklist template; its checks one per line, "中文 | English"."""

    code = forms.CharField(label=_("Code"), max_length=50)
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=ChecklistKind.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    items = forms.CharField(
        label=_("Checks"),
        widget=forms.Textarea,
        help_text=_("One check per line; the English text after a vertical bar: 中文 | English."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].widget.attrs["rows"] = 10

    def clean_items(self):
        rows = []
        for line in self.cleaned_data["items"].splitlines():
            text, _bar, text_en = line.partition("|")
            if text.strip() or text_en.strip():
                rows.append((text.strip(), text_en.strip()))
        return rows

    @staticmethod
    def initial_for(template: ChecklistTemplate) -> dict:
        lines = [f"{i.text} | {i.text_en}" if i.text_en else i.text for i in template.items.all()]
        return {
            "code": template.code,
            "name": template.name,
            "name_en": template.name_en,
            "kind": template.kind,
            "description": template.description,
            "is_active": template.is_active,
            "items": "\n".join(lines),
        }


class _Planning(StyledForm):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ChecklistTemplate.objects.filter(is_active=True)
        self.fields["site"].queryset = Site.objects.for_user(user, write=True).order_by("code")
        self.fields["resource"].queryset = Resource.objects.for_user(user).order_by("code")
        autocomplete(self.fields["site"], "site", write=True)
        kit_autocomplete(self.fields["resource"], ("dependencies:autocomplete", ["resource"]))
        self.fields["inspector"].queryset = hz_access.inspectors_for(user)
        self.user = user

    def clean_site(self):
        site = self.cleaned_data["site"]
        if not hz_access.may_plan(self.user, site):
            raise forms.ValidationError(_("You may not plan inspections at this site."))
        return site


class ScheduleForm(_Planning):
    class Meta:
        model = Schedule
        fields = ["template", "site", "resource", "frequency", "inspector", "next_due", "is_active"]
        widgets = {"next_due": _date()}


class RoundForm(_Planning):
    class Meta:
        model = InspectionRound
        fields = ["template", "site", "resource", "inspector", "due_date", "notes"]
        widgets = {"due_date": _date()}


class HazardForm(Styled):
    """A hazard found on a round: the failed check, grade, what, where, photos."""

    item = forms.TypedChoiceField(label=_("Failed check"), required=False, coerce=int,
                                  empty_value=None)  # fmt: skip
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices, widget=forms.RadioSelect)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea)
    location = forms.CharField(label=_("Location"), max_length=200)
    photos = PhotoField(label=_("Photos"), required=False)

    def __init__(self, *args, round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "—")] + [
            (i.pk, f"{i.position}. {i.display_text}") for i in round.items.all()
        ]


class HazardEditForm(Styled):
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea)
    location = forms.CharField(label=_("Location"), max_length=200)


class RectificationForm(StyledForm):
    """The order's five items (五落实); all required (the services say so again)."""

    class Meta:
        model = Rectification
        fields = [
            "responsible",
            "measures",
            "funding_amount",
            "funding_source",
            "deadline",
            "contingency",
        ]
        widgets = {"deadline": _date()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.for_user(user).filter(is_active=True).order_by("full_name")
        self.fields["responsible"].queryset = people
        for field in self.fields.values():
            field.required = False  # the service names what is missing, in one message each

    def _post_clean(self):
        pass  # validated by the service, not by the model instance


class FixForm(Styled):
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea, required=False)
    photos = PhotoField(label=_("Photos of the fix"), required=False)


class VerifyForm(Styled):
    passed = forms.TypedChoiceField(
        label=_("Verification result"),
        choices=[("1", _("Fix accepted: close the hazard")), ("0", _("Fix rejected: reopen"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Verification note"), widget=forms.Textarea, required=False)
    photos = PhotoField(label=_("Photos"), required=False)


class PhotoForm(Styled):
    """ "Add photos" on the hazard page. Its ids are its own: the page also shows the fix or
    the sign-off form, whose photos field would otherwise share the id (and its label)."""

    photos = PhotoField(label=_("Photos"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_add_%s")
        super().__init__(*args, **kwargs)


class ReasonForm(Styled):
    """Why a round is cancelled or a hazard withdrawn; the services require it (kept in the
    record and in the audit trail). Ids prefixed so that it sits on a page with other forms."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}),
                             required=False)  # fmt: skip

    def __init__(self, *args, prefix_id="reason", **kwargs):
        kwargs.setdefault("auto_id", f"id_{prefix_id}_%s")
        super().__init__(*args, **kwargs)


class PromoteForm(forms.Form):
    """Promote a hazard to a risk: the threat and the inherent ratings on the current
    matrix, pre-filled from the hazard (its checklist's threat, its grade)."""

    threat = forms.ModelChoiceField(label=_("Threat"), queryset=None)
    likelihood = forms.TypedChoiceField(label=_("Inherent likelihood"), coerce=int)
    impact = forms.TypedChoiceField(label=_("Inherent impact"), coerce=int)
    owner = forms.ModelChoiceField(label=_("Risk owner"), queryset=None, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        matrix = current_matrix()
        for axis in ("likelihood", "impact"):
            self.fields[axis].choices = [
                (i, f"{i} · {local_name(level)}")
                for i, level in enumerate(getattr(matrix, axis), start=1)
            ]
        self.fields["threat"].queryset = (
            Threat.objects.for_user(user).filter(active=True).order_by("code")
        )
        self.fields["owner"].queryset = Person.objects.for_user(user)
        autocomplete(self.fields["owner"], "person")
        style_widgets(self)
