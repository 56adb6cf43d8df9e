"""Photos through the API as multipart/form-data (a phone's camera, a form): recording a
hazard with photos, adding photos to it, the verifier's photos on the sign-off; wrong type,
disguised or too large files refused with a translated message and nothing saved; the
OpenAPI schema describes both bodies."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from resilia.audit.models import AuditEvent
from resilia.evidence.models import Attachment
from resilia.evidence.services import attachments_for
from resilia.hazards import services
from resilia.hazards.models import Hazard, HazardStatus, Verification
from resilia.hazards.tests.conftest import issue, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(personas, hz):
    def make(name, language=None):
        client = APIClient(HTTP_ACCEPT_LANGUAGE=language) if language else APIClient()
        client.force_authenticate(hz["verifier"] if name == "verifier" else personas[name])
        return client

    return make


@pytest.fixture
def hazard(hz):
    return services.hazard_report(
        actor=hz["inspector"], round=hz["round"], grade="general", title="空调漏水",
        description="精密空调下方积水", location="机房C区",
    )  # fmt: skip


def _body(hz, **over):
    return {"round": hz["round"].pk, "grade": "major", "title": "配电柜门破损",
            "description": "柜门铰链断裂", "location": "配电室", **over}  # fmt: skip


def gif(name="现场.gif"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 0, 255)).save(buffer, format="GIF")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/gif")


def test_it_records_a_hazard_with_photos_as_multipart(hz, api):
    response = api("contrib_a").post(
        "/api/hazards/hazards/", _body(hz, photos=[photo("a.jpg"), photo("b.png", fmt="PNG")]),
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    hazard = Hazard.objects.get(pk=response.json()["id"])
    files = list(attachments_for(hazard).order_by("pk"))
    assert [f.mime_type for f in files] == ["image/jpeg", "image/png"]
    assert AuditEvent.objects.filter(action="upload", object_id=str(hazard.pk)).count() == 2


def test_it_adds_photos_to_a_hazard(hz, api, hazard):
    response = api("contrib_a").post(
        f"/api/hazards/hazards/{hazard.pk}/photos/", {"photos": [photo()]}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    [stored] = response.json()
    assert stored["mime_type"] == "image/jpeg" and stored["original_name"] == "hazard.jpg"
    assert attachments_for(hazard).count() == 1
    # The metadata is gone: what is stored is re-encoded.
    with Attachment.objects.get().storage.open(Attachment.objects.get().stored_name) as f:
        assert b"SecretCam" not in f.read()


def test_the_photos_endpoint_refuses_what_it_should(hz, api, hazard):
    url = f"/api/hazards/hazards/{hazard.pk}/photos/"
    assert api("auditor").post(url, {"photos": [photo()]}, format="multipart").status_code == 403
    assert api("coord_b").post(url, {"photos": [photo()]}, format="multipart").status_code == 404
    empty = api("contrib_a").post(url, {}, format="multipart")
    assert empty.status_code == 400 and "photos" in str(empty.json())
    services.hazard_withdraw(actor=hz["inspector"], hazard=hazard, reason="误报")
    assert api("contrib_a").post(url, {"photos": [photo()]}, format="multipart").status_code == 409
    assert not Attachment.objects.exists()


def test_a_wrong_type_is_refused_in_the_readers_language(hz, api, hazard):
    url = f"/api/hazards/hazards/{hazard.pk}/photos/"
    response = api("contrib_a", "zh-hans").post(url, {"photos": [gif()]}, format="multipart")
    assert response.status_code == 400
    assert "只接受照片" in " ".join(response.json()["error"]["fields"]["photos"])
    response = api("contrib_a", "en").post(url, {"photos": [gif()]}, format="multipart")
    assert response.json()["error"]["fields"]["photos"] == [
        "现场.gif: Only photos are accepted here: JPEG or PNG images."
    ]
    # A GIF named .jpg: its content betrays it.
    disguised = gif("disguised.jpg")
    assert (
        api("contrib_a").post(url, {"photos": [disguised]}, format="multipart").status_code == 400
    )
    # One bad file refuses them all, and a new hazard is not half-saved.
    both = api("contrib_a").post(
        "/api/hazards/hazards/", _body(hz, photos=[photo(), gif()]), format="multipart"
    )
    assert both.status_code == 400
    assert Hazard.objects.count() == 1 and not Attachment.objects.exists()


def test_a_photo_over_the_size_limit_is_refused(hz, api, hazard, settings):
    settings.EVIDENCE_MAX_BYTES = 200
    response = api("contrib_a").post(
        f"/api/hazards/hazards/{hazard.pk}/photos/", {"photos": [photo()]}, format="multipart"
    )
    assert response.status_code == 400, response.json()
    assert not Attachment.objects.exists()


def test_the_verifier_signs_off_with_a_photo_as_multipart(hz, api, people, hazard):
    issue(hazard, hz["verifier"], people["bob"])
    fixed = api("contrib_a").post(
        f"/api/hazards/hazards/{hazard.pk}/fixed/", {"note": "已更换排水管"}, format="multipart"
    )
    assert fixed.status_code == 200, fixed.json()
    url = f"/api/hazards/hazards/{hazard.pk}/verify/"
    bad = api("verifier").post(
        url, {"passed": "true", "note": "现场复核", "photos": [gif()]}, format="multipart"
    )
    assert bad.status_code == 400 and not Verification.objects.exists()
    done = api("verifier").post(
        url, {"passed": "true", "note": "现场复核无积水", "photos": [photo("复核.jpg")]},
        format="multipart",
    )  # fmt: skip
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == HazardStatus.CLOSED
    verification = Verification.objects.get()
    assert [a.original_name for a in attachments_for(verification)] == ["复核.jpg"]


def test_the_schema_describes_multipart_photos(api):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in ("/api/hazards/hazards/", "/api/hazards/hazards/{id}/photos/",
                 "/api/hazards/hazards/{id}/verify/"):  # fmt: skip
        content = schema["paths"][path]["post"]["requestBody"]["content"]
        assert {"application/json", "multipart/form-data"} <= set(content), path
    component = schema["components"]["schemas"]["PhotosUpload"]
    assert component["properties"]["photos"]["items"]["format"] == "binary"


def test_cancel_delete_and_withdraw_through_the_api(hz, api, personas, people, hazard):
    round_ = hz["round"]
    assert api("contrib_a").post(f"/api/hazards/rounds/{round_.pk}/cancel/", {"reason": "x"},
                                 format="json").status_code == 403  # fmt: skip
    # Something is recorded on it: deleting is refused, cancelling needs a reason.
    assert api("coord_a").delete(f"/api/hazards/rounds/{round_.pk}/").status_code == 400
    missing = api("coord_a").post(f"/api/hazards/rounds/{round_.pk}/cancel/", {"reason": ""},
                                  format="json")  # fmt: skip
    assert missing.status_code == 400 and "reason" in missing.json()["error"]["fields"]
    done = api("coord_a").post(f"/api/hazards/rounds/{round_.pk}/cancel/",
                               {"reason": "机房改造"}, format="json")  # fmt: skip
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    empty = services.round_create(
        actor=personas["manager"], template=hz["network"], site=hz["site"],
        inspector=hz["inspector"], due_date=timezone.localdate(),
    )  # fmt: skip
    assert api("coord_a").delete(f"/api/hazards/rounds/{empty.pk}/").status_code == 204
    url = f"/api/hazards/hazards/{hazard.pk}/withdraw/"
    assert api("auditor").post(url, {"reason": "x"}, format="json").status_code == 403
    other = services.hazard_report(
        actor=hz["inspector"], site=hz["site"], grade="general", title="t", description="d",
        location="l",
    )  # fmt: skip
    issue(other, hz["verifier"], people["bob"])
    late = api("coord_a").post(f"/api/hazards/hazards/{other.pk}/withdraw/", {"reason": "x"},
                               format="json")  # fmt: skip
    assert late.status_code == 409
    ok = api("contrib_a").post(url, {"reason": "重复"}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "withdrawn"
