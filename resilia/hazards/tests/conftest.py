"""Hazard fixtures: the data centre of DEPT-A with the standard templates, an inspector
(contrib_a, linked to 李娜) and a round of the network-room checklist assigned to them."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from resilia.accounts.models import Role
from resilia.conftest import make_user
from resilia.core.context import request_context
from resilia.evidence.tests.conftest import evidence_dir, stored_files  # noqa: F401 (autouse)
from resilia.hazards import services
from resilia.hazards.defaults import templates_seed
from resilia.hazards.models import ChecklistTemplate
from resilia.org import services as org


def photo(name="hazard.jpg", fmt="JPEG", exif=True) -> SimpleUploadedFile:
    """A small real photo; with EXIF carrying a camera name (to prove it is removed)."""
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    buffer = io.BytesIO()
    if exif and fmt == "JPEG":
        data = Image.Exif()
        data[0x0110] = "SecretCam 9000"  # Model
        image.save(buffer, format=fmt, exif=data.tobytes())
    else:
        image.save(buffer, format=fmt)
    content_type = "image/png" if fmt == "PNG" else "image/jpeg"
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


@pytest.fixture
def hz(personas, org_tree, people):
    with request_context(source="test"):
        site = org.site_create(
            actor=None,
            code="DC-A",
            name="主数据中心",
            name_en="Primary data centre",
            kind="data_centre",
            unit=org_tree["dept_a"],
        )
        site_b = org.site_create(
            actor=None, code="BR-B", name="营业部", name_en="Branch", kind="office",
            unit=org_tree["dept_b"],
        )  # fmt: skip
        templates_seed(actor=personas["manager"])
        network = ChecklistTemplate.objects.get(code="NETWORK")
        round_ = services.round_create(
            actor=personas["manager"],
            template=network,
            site=site,
            inspector=personas["contrib_a"],
            due_date=timezone.localdate(),
        )
        verifier_person = org.person_create(actor=None, full_name="陈静", unit=org_tree["dept_a"])
        verifier = make_user(
            "verifier", Role.COORDINATOR, unit=org_tree["dept_a"], person=verifier_person
        )
    return {
        "site": site,
        "site_b": site_b,
        "network": network,
        "round": round_,
        "inspector": personas["contrib_a"],
        "verifier": verifier,
        "today": timezone.localdate(),
    }


def issue(hazard, actor, person, **over):
    """Issue an order with all five items (五落实), any of them overridden."""
    fields = {
        "responsible": person,
        "measures": "更换故障电源模块,恢复双电源供电",
        "funding_amount": "8000.00",
        "funding_source": "信息科技部运维预算",
        "deadline": timezone.localdate() + dt.timedelta(days=7),
        "contingency": "整改期间每2小时人工巡查一次,备用模块现场待命",
    }
    fields.update(over)
    return services.rectification_issue(actor=actor, hazard=hazard, **fields)
