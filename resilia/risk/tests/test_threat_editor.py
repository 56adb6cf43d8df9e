"""The threat catalogue's editor (issue 10 item 1): a threat is created, changed and deleted
through its form with its bilingual name, class of emergency, group, description and the
resource kinds it typically hits; bad input is refused with its message and nothing saved; a
threat that risks use is never deleted; only the BCM office writes the catalogue."""

import pytest
from django.urls import reverse

from resilia.audit.models import AuditEvent
from resilia.risk.models import Risk, Threat

VALID = {
    "code": "TEC-DNS",
    "name": "域名解析故障",
    "name_en": "DNS failure",
    "threat_class": "accident",
    "group": "technical",
    "description": "权威或递归域名解析服务不可用",
    "resource_kinds": ["infrastructure", "supplier"],
    "typical_duration": "4h",
    "active": "on",
}


@pytest.fixture
def manager(client_for, risk_setup):
    return client_for("manager")


def test_the_form_offers_the_classes_groups_and_resource_kinds(manager):
    page = manager.get(reverse("risk:threat_create"), HTTP_ACCEPT_LANGUAGE="zh-hans").text
    for label in ("自然灾害", "事故灾难", "公共卫生事件", "社会安全事件"):  # the four classes
        assert label in page
    assert 'value="crisis"' in page and 'value="supply_chain"' in page
    assert 'type="checkbox" name="resource_kinds" value="key_person"' in page


def test_it_creates_edits_and_deletes_a_threat(manager):
    response = manager.post(reverse("risk:threat_create"), VALID)
    threat = Threat.objects.get(code="TEC-DNS")
    assert response.status_code == 302 and response["Location"] == threat.get_absolute_url()
    assert (threat.name, threat.name_en, threat.threat_class, threat.group) == (
        "域名解析故障", "DNS failure", "accident", "technical",
    )  # fmt: skip
    assert threat.resource_kinds == ["infrastructure", "supplier"]
    assert threat.typical_duration == 240
    assert AuditEvent.objects.filter(action="create", object_id=str(threat.pk)).exists()
    page = manager.get(threat.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").text
    assert "DNS failure" in page and "Supplier" in page

    changed = VALID | {"resource_kinds": ["infrastructure"], "threat_class": "social_security"}
    manager.post(reverse("risk:threat_edit", args=[threat.pk]), changed)
    threat.refresh_from_db()
    assert threat.resource_kinds == ["infrastructure"] and threat.threat_class == "social_security"
    assert AuditEvent.objects.filter(action="update", object_id=str(threat.pk)).exists()

    response = manager.post(reverse("risk:threat_delete", args=[threat.pk]))
    assert response.status_code == 302 and not Threat.objects.filter(code="TEC-DNS").exists()
    assert AuditEvent.objects.filter(action="delete", object_id=str(threat.pk)).exists()


BAD = [
    ("a duplicate code", {"code": "NAT-FIRE"}, "threat with this code already exists"),
    ("a code with spaces", {"code": "TEC DNS"}, "code"),
    ("no name", {"name": ""}, "This field is required."),
    ("no class", {"threat_class": ""}, "This field is required."),
    ("an unknown class", {"threat_class": "weather"}, "Select a valid choice."),
    ("an unknown group", {"group": "alien"}, "Select a valid choice."),
    ("an unknown resource kind", {"resource_kinds": ["spaceship"]}, "Select a valid choice."),
    ("a bad duration", {"typical_duration": "soon"}, "duration"),
]


@pytest.mark.parametrize(("case", "change", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_with_its_message_and_nothing_saved(manager, case, change, message):
    count, events = Threat.objects.count(), AuditEvent.objects.count()
    response = manager.post(
        reverse("risk:threat_create"), VALID | change, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert message.lower() in response.content.decode().lower(), case
    assert Threat.objects.count() == count and not Threat.objects.filter(code="TEC-DNS").exists()
    assert AuditEvent.objects.count() == events


def test_an_edit_refused_changes_nothing(manager, risk_setup):
    fire = risk_setup["fire"]
    response = manager.post(
        reverse("risk:threat_edit", args=[fire.pk]),
        VALID | {"code": "NAT-FIRE", "name": "", "resource_kinds": ["spaceship"]},
    )
    assert response.status_code == 200
    fire.refresh_from_db()
    assert fire.name == "火灾" and "spaceship" not in fire.resource_kinds


def test_a_threat_that_risks_use_is_not_deleted(manager, risk_setup):
    fire = risk_setup["fire"]
    events = AuditEvent.objects.count()
    response = manager.post(
        reverse("risk:threat_delete", args=[fire.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    text = response.content.decode()
    assert "cannot be deleted while other records depend on it" in text and "R-001" in text
    assert Threat.objects.filter(pk=fire.pk).exists()
    assert Risk.objects.filter(code="R-001", threat=fire).exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("persona", ["coord_a", "contrib_a", "auditor", "executive"])
def test_only_the_bcm_office_writes_the_catalogue(client_for, risk_setup, persona):
    client = client_for(persona)
    power = risk_setup["power"]
    assert client.post(reverse("risk:threat_create"), VALID).status_code == 403
    assert client.post(reverse("risk:threat_edit", args=[power.pk]), VALID).status_code in (
        403, 404,
    )  # fmt: skip
    assert client.post(reverse("risk:threat_delete", args=[power.pk])).status_code in (403, 404)
    assert not Threat.objects.filter(code="TEC-DNS").exists()
    assert Threat.objects.filter(pk=power.pk, name="电力中断").exists()
