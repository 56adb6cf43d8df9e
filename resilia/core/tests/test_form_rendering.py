"""The shared form templates: invalid fields are red with their message, choices are Tabler's."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from resilia.audit.models import AuditEvent
from resilia.org.models import Person

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _tag(html: str, name: str, tag: str = "input") -> str:
    match = re.search(rf'<{tag}\b[^>]*\bname="{name}"[^>]*>', html)
    assert match, f"no <{tag} name={name}>"
    return match.group(0)


def test_it_marks_an_invalid_field_red_with_its_message(client_for, org_tree, people):
    before = AuditEvent.objects.count()
    data = {"full_name": "赵敏", "unit": org_tree["dept_a"].pk, "mobile": "138-abc-0000"}
    response = client_for("manager").post(reverse("org:person_create"), data, **ZH)
    html = response.content.decode()
    mobile = _tag(html, "mobile")
    assert 'class="form-control is-invalid"' in mobile and 'aria-invalid="true"' in mobile
    assert "is-invalid" not in _tag(html, "full_name")
    assert re.search(
        r'<div class="invalid-feedback d-block" data-testid="field-error-mobile">', html
    )
    assert Person.objects.count() == 3 and AuditEvent.objects.count() == before


def test_it_gives_text_areas_three_rows(client_for, org_tree):
    html = client_for("manager").get(reverse("org:person_create")).content.decode()
    assert 'rows="3"' in _tag(html, "notes", "textarea")


def test_it_renders_radio_choices_as_tabler_form_checks(client_for):
    client = client_for("manager")
    html = client.get(reverse("org:import"), **ZH).content.decode()
    radios = re.findall(r'<label class="form-check">\s*<input type="radio"[^>]*>', html)
    assert len(radios) == 2
    assert all('class="form-check-input"' in radio for radio in radios)
    assert 'value="units"' in radios[0] and "checked" in radios[0]
    assert 'role="radiogroup"' in html
    html = client.post(reverse("org:import"), {"kind": "nonsense"}, **ZH).content.decode()
    radios = re.findall(r'<input type="radio"[^>]*>', html)
    assert radios and all("form-check-input is-invalid" in radio for radio in radios)
    assert 'data-testid="field-error-kind"' in html


def test_it_marks_invalid_account_fields_once_through_the_same_template(client_for):
    response = client_for("manager").post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
        **ZH,
    )
    html = response.content.decode()
    old = _tag(html, "old_password")
    assert "is-invalid" in old and "is-invalid is-invalid" not in old
    assert 'data-testid="field-error-old_password"' in html
    # Django's password rules arrive as an HTML list and must render as one.
    assert "<ul>" in html and "&lt;ul&gt;" not in html
