"""A hazard promoted to a risk in one step (issue 10 item 6, last clause): the service,
its refusals (twice, without the right; nothing saved), the page's button and form, the
risk page's link back, and the API."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from resilia.audit.models import AuditEvent
from resilia.hazards import services
from resilia.hazards.models import Hazard
from resilia.risk import services as risk_services
from resilia.risk.models import Risk, Threat

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(personas):
    risk_services.threat_catalogue_load(actor=personas["manager"])
    return Threat.objects.get(code="TEC-NET")


@pytest.fixture
def hazard(hz, catalogue):
    """A 重大隐患 found on the network-room round (its checklist suggests 网络中断)."""
    item = hz["round"].items.order_by("position").first()
    return services.hazard_report(
        actor=hz["inspector"],
        round=hz["round"],
        item=item,
        grade="major",
        title="核心交换机单电源运行",
        description="B排核心交换机冗余电源模块故障,单电源运行",
        location="网络机房B排",
    )


def events(action, obj):
    return AuditEvent.objects.filter(
        action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    )


def test_a_promoted_hazard_becomes_a_scored_risk_linked_both_ways(hz, personas, hazard):
    """The risk carries the hazard's title, cause, scope and number, the suggested threat,
    the ratings scored on the current matrix; both objects' audit events are written."""
    risk = services.hazard_promote(actor=personas["coord_a"], hazard=hazard, likelihood=4, impact=4)
    hazard.refresh_from_db()
    assert hazard.promoted_risk == risk and list(risk.source_hazards.all()) == [hazard]
    assert risk.title == "核心交换机单电源运行" and risk.unit == hz["site"].unit
    assert risk.threat.code == "TEC-NET"
    assert hazard.number in risk.description and risk.code == f"R-{hazard.number}"
    assert risk.cause == hazard.item.text
    assert list(risk.sites.all()) == [hz["site"]]
    assert (risk.inherent_score, risk.matrix) == (16, risk_services.current_matrix())
    assert events("create", risk).count() == 1
    promoted = events("hazard_promote", hazard).get()
    assert promoted.changes["promoted_risk"] == [None, risk.pk]


def test_it_refuses_a_second_promotion_and_saves_nothing(personas, hazard):
    services.hazard_promote(actor=personas["manager"], hazard=hazard, likelihood=3, impact=3)
    with pytest.raises(ValidationError, match="该隐患已升级为风险"):
        services.hazard_promote(actor=personas["manager"], hazard=hazard, likelihood=2, impact=2)
    assert Risk.objects.count() == 1
    assert events("hazard_promote", hazard).count() == 1


@pytest.mark.parametrize("who", ["contrib_a", "coord_b", "auditor"])
def test_it_refuses_who_may_not_create_a_risk_in_its_unit(personas, hazard, who):
    with pytest.raises(PermissionDenied):
        services.hazard_promote(actor=personas[who], hazard=hazard, likelihood=3, impact=3)
    hazard.refresh_from_db()
    assert hazard.promoted_risk is None and not Risk.objects.exists()
    assert not events("hazard_promote", hazard).exists()


def test_a_bad_rating_refuses_and_saves_nothing(personas, hazard):
    with pytest.raises(ValidationError):
        services.hazard_promote(actor=personas["manager"], hazard=hazard, likelihood=9, impact=3)
    hazard.refresh_from_db()
    assert hazard.promoted_risk is None and not Risk.objects.exists()


def test_the_button_promotes_and_the_pages_link_both_ways(client_for, hazard):
    client = client_for("coord_a")
    page = client.get(hazard.get_absolute_url()).content.decode()
    assert 'data-testid="promote"' in page
    # Pre-filled from the grade: a 重大隐患 is rated high (4 × 4).
    assert '<option value="4" selected>' in page
    url = reverse("hazards:hazard_promote", args=[hazard.pk])
    threat = Threat.objects.get(code="TEC-POWER")
    response = client.post(url, {"threat": threat.pk, "likelihood": 4, "impact": 5})
    risk = Risk.objects.get()
    assert response.status_code == 302 and response.url == risk.get_absolute_url()
    assert risk.threat == threat and risk.inherent_score == 20
    risk_page = client.get(risk.get_absolute_url()).content.decode()
    assert hazard.number in risk_page and hazard.get_absolute_url() in risk_page
    page = client.get(hazard.get_absolute_url()).content.decode()
    assert 'data-testid="promote"' not in page and risk.get_absolute_url() in page
    assert client.post(url, {"threat": threat.pk, "likelihood": 3, "impact": 3}).status_code == 403
    assert Risk.objects.count() == 1


def test_the_button_is_hidden_from_who_may_not_and_a_post_is_refused(client_for, hazard):
    client = client_for("contrib_a")  # the inspector who found it reads it
    assert 'data-testid="promote"' not in client.get(hazard.get_absolute_url()).content.decode()
    url = reverse("hazards:hazard_promote", args=[hazard.pk])
    assert client.post(url, {"likelihood": 3, "impact": 3}).status_code == 403
    assert not Risk.objects.exists()


def test_malformed_form_input_is_a_400_with_nothing_saved(client_for, hazard):
    client = client_for("manager")
    url = reverse("hazards:hazard_promote", args=[hazard.pk])
    response = client.post(url, {"threat": "x", "likelihood": "99", "impact": ""})
    assert response.status_code == 400 and not Risk.objects.exists()


def test_the_risk_page_hides_a_hazard_the_reader_may_not_read(hz, client_for, personas, hazard):
    risk = services.hazard_promote(actor=personas["manager"], hazard=hazard, likelihood=3, impact=3)
    Hazard.objects.filter(pk=hazard.pk).update(site=hz["site_b"])  # now DEPT-B's, not coord_a's
    page = client_for("coord_a").get(risk.get_absolute_url())
    assert page.status_code == 200 and 'data-testid="source-hazard"' not in page.content.decode()
    page = client_for("manager").get(risk.get_absolute_url()).content.decode()
    assert 'data-testid="source-hazard"' in page and hazard.get_absolute_url() in page


def test_the_api_promotes_refuses_twice_and_without_rights(personas, hazard, catalogue):
    url = f"/api/hazards/hazards/{hazard.pk}/promote/"
    outsider = APIClient()
    outsider.force_authenticate(personas["contrib_a"])
    assert outsider.post(url, {"likelihood": 3, "impact": 3}, format="json").status_code == 403
    client = APIClient()
    client.force_authenticate(personas["coord_a"])
    bad = client.post(url, {"likelihood": 3, "impact": 3, "colour": "red"}, format="json")
    assert bad.status_code == 400 and "colour" in str(bad.json())
    assert not Risk.objects.exists()
    body = {"threat": catalogue.pk, "likelihood": 2, "impact": 3}
    created = client.post(url, body, format="json")
    assert created.status_code == 201, created.json()
    risk = Risk.objects.get(pk=created.json()["id"])
    assert risk.inherent_score == 6 and created.json()["code"] == risk.code
    assert events("hazard_promote", hazard).count() == 1
    again = client.post(url, body, format="json")
    assert again.status_code == 409 and Risk.objects.count() == 1
