"""The offline plan pack: what a holder finds in the zip, that it needs nothing from a
network, that its manifest and signature catch a changed, missing or added file and a
manifest signed by someone else, the `resilia pack` commands, the download and who may make
it, and the holders whose pack is older than the version in force."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import re
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from resilia.core.context import request_context
from resilia.org import services as org
from resilia.plans import content as c
from resilia.plans import services, signing
from resilia.plans.pack import build_pack, verify_pack
from resilia.plans.tests.conftest import PASSWORD, sign_off

__all__ = ["PASSWORD"]

# What a pack holds is rendered from a published version the plans' own tests build and read
# on both databases; rendering and signing it is the same whatever the database
# (resilia/conftest.py, one_database).
pytestmark = pytest.mark.one_database


@pytest.fixture(autouse=True)
def key_file(settings, tmp_path):
    """Each test signs with a key of its own, never the checkout's data directory."""
    settings.PACK_SIGNING_KEY_FILE = str(tmp_path / "keys" / "pack_signing_key")
    return Path(settings.PACK_SIGNING_KEY_FILE)


@pytest.fixture
def published(plan_setup, personas, people):
    """EP-NET v1 published, with a response team (张伟 leads, 李娜 is a member) on a role."""
    v = plan_setup["version"]
    with request_context(source="test"):
        team = org.team_create(
            actor=None, code="ERT-NET", name="网络应急小组", name_en="Network response team",
            kind="emergency",
        )  # fmt: skip
        org.membership_create(actor=None, team=team, person=people["alice"], role="leader")
        org.membership_create(actor=None, team=team, person=people["bob"], role="member")
        body = c.normalised(v.content)
        body["roles"][0].update(team=team.pk, person=people["alice"].pk)
        services.version_update(actor=personas["coord_a"], version=v, content=body)
        return sign_off(plan_setup, personas)


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def rezip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


def test_it_builds_a_pack_whose_manifest_lists_every_file_with_its_hash(published, key_file):
    built = build_pack(published, language="zh-hans")
    files = members(built.content)
    manifest = json.loads(files["manifest.json"])
    listed = {f["name"]: f for f in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json", "manifest.sig"}
    for name, item in listed.items():
        assert hashlib.sha256(files[name]).hexdigest() == item["sha256"], name
        assert len(files[name]) == item["size"]
    pages = ["index", "scope", "activation", "roles", "call-tree", "procedures", "communications",
             "verify", "wallet-ERT-NET"]  # fmt: skip
    expected = [f"{p}.html" for p in pages] + ["contacts.csv", "contacts.vcf", "EP-NET-v1.pdf",
                                               "EP-NET-v1.docx"]  # fmt: skip
    assert set(expected) == set(listed)
    assert manifest["plan"]["code"] == "EP-NET" and manifest["version"] == 1
    assert manifest["published_at"].startswith(str(published.published_at.date()))
    assert manifest["generated_at"]
    assert manifest["public_key"] == signing.public_key_b64()
    assert built.manifest_sha256 == hashlib.sha256(files["manifest.json"]).hexdigest()
    assert files["EP-NET-v1.pdf"].startswith(b"%PDF")
    # The key was made on first use, readable by its owner only.
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert verify_pack(built.content).ok


def test_its_pages_need_no_server_and_no_network(published):
    files = members(build_pack(published, language="zh-hans").content)
    pages = {n: d.decode() for n, d in files.items() if n.endswith(".html")}
    for name, html in pages.items():
        assert not re.search(r"""(src|href|action)\s*=\s*["']?\s*(https?:)?//""", html), name
        assert "<link" not in html and "@import" not in html, name
        # Every relative link leads to a file of the pack.
        for target in re.findall(r'href="([^":#]+)(?:#[^"]*)?"', html):
            assert target in files, (name, target)
    assert 'href="procedures.html"' in pages["index.html"]
    assert "网络中断应急预案" in pages["index.html"]
    assert "张伟" in pages["call-tree.html"] and "13800000001" in pages["call-tree.html"]
    assert "@page" in pages["wallet-ERT-NET.html"]
    assert "张伟" in pages["wallet-ERT-NET.html"]


def test_it_renders_the_pack_in_the_language_asked(published):
    zh = members(build_pack(published, language="zh-hans").content)
    en = members(build_pack(published, language="en").content)
    assert "处置" in zh["procedures.html"].decode()
    assert "Procedures" in en["procedures.html"].decode()
    assert "Network interruption plan" in en["index.html"].decode()


def test_its_contacts_open_in_excel_and_in_an_address_book(published):
    files = members(build_pack(published, language="zh-hans").content)
    assert files["contacts.csv"].startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(files["contacts.csv"].decode("utf-8-sig"))))
    assert rows[0][0] == "姓名"
    names = {row[0]: row for row in rows[1:]}
    assert {"张伟", "李娜"} <= set(names)
    assert "13800000001" in names["张伟"] and "zhang.wei@example.com" in names["张伟"]
    cards = files["contacts.vcf"].decode().split("END:VCARD")[:-1]
    assert len(cards) == len(rows) - 1
    zhang = next(card for card in cards if "FN:张伟" in card)
    assert "VERSION:3.0" in zhang and "TEL;TYPE=CELL:13800000001" in zhang
    assert "EMAIL;TYPE=INTERNET:zhang.wei@example.com" in zhang


def test_it_names_a_file_changed_by_one_byte(published):
    built = build_pack(published, language="zh-hans")
    files = members(built.content)
    page = bytearray(files["procedures.html"])
    page[100] ^= 0x01
    files["procedures.html"] = bytes(page)
    check = verify_pack(rezip(files))
    assert not check.ok
    assert [(p.kind, p.name) for p in check.problems] == [("changed", "procedures.html")]


def test_it_names_a_damaged_member_of_the_zip_itself(published):
    built = bytearray(build_pack(published, language="zh-hans").content)
    with zipfile.ZipFile(io.BytesIO(bytes(built))) as z:
        info = z.getinfo("contacts.vcf")
    offset = info.header_offset + 30 + len(info.filename) + len(info.extra) + 2
    built[offset] ^= 0xFF
    check = verify_pack(bytes(built))
    assert ("changed", "contacts.vcf") in [(p.kind, p.name) for p in check.problems]


def test_it_names_a_missing_and_an_extra_file(published):
    files = members(build_pack(published, language="zh-hans").content)
    del files["contacts.csv"]
    files["notes.txt"] = b"added later"
    kinds = [(p.kind, p.name) for p in verify_pack(rezip(files)).problems]
    assert kinds == [("missing", "contacts.csv"), ("extra", "notes.txt")]


def test_a_tampered_manifest_breaks_the_signature(published):
    files = members(build_pack(published, language="zh-hans").content)
    manifest = json.loads(files["manifest.json"])
    manifest["version"] = 9
    files["manifest.json"] = json.dumps(manifest).encode()
    kinds = [p.kind for p in verify_pack(rezip(files)).problems]
    assert kinds == ["bad_signature"]


def test_a_manifest_signed_by_another_key_is_refused(published):
    files = members(build_pack(published, language="zh-hans").content)
    other = Ed25519PrivateKey.generate()
    manifest = json.loads(files["manifest.json"])
    manifest["public_key"] = base64.b64encode(signing.raw_public(other.public_key())).decode()
    files["manifest.json"] = json.dumps(manifest).encode()
    files["manifest.sig"] = other.sign(files["manifest.json"])
    kinds = [p.kind for p in verify_pack(rezip(files)).problems]
    assert kinds == ["other_key"]


def test_it_says_what_is_wrong_with_a_file_that_is_no_pack(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a pack")
    with translation.override("zh-hans"):
        assert [p.message for p in verify_pack(text).problems] == ["这不是 zip 文件。"]
    gone = verify_pack(tmp_path / "gone.zip").problems
    assert [p.kind for p in gone] == ["unreadable"] and "gone.zip" in gone[0].message
    no_manifest = verify_pack(rezip({"index.html": b"<p>"})).problems
    assert [p.kind for p in no_manifest] == ["no_manifest"]


def test_it_refuses_a_pack_of_a_draft(plan_setup):
    with pytest.raises(ValueError):
        build_pack(plan_setup["version"])


def test_the_command_builds_and_verifies_with_exit_codes(published, tmp_path, capsys):
    out = tmp_path / "pack.zip"
    call_command("pack", "build", "EP-NET", "--out", str(out), "--language", "en")
    assert verify_pack(out).ok
    call_command("pack", "verify", str(out), "--language", "en")
    assert "Intact" in capsys.readouterr().out
    files = members(out.read_bytes())
    files["scope.html"] += b"<!-- changed -->"
    broken = tmp_path / "broken.zip"
    broken.write_bytes(rezip(files))
    with pytest.raises(CommandError) as refused:
        call_command("pack", "verify", str(broken), "--language", "zh-hans")
    assert refused.value.returncode == 1
    assert "scope.html" in capsys.readouterr().out
    with pytest.raises(CommandError, match="DRAFT-X"):
        call_command("pack", "build", "DRAFT-X")


def test_the_console_script_exits_1_on_a_broken_pack(published, tmp_path, key_file):
    good = tmp_path / "good.zip"
    good.write_bytes(build_pack(published, language="en").content)
    bad = tmp_path / "bad.zip"
    files = members(good.read_bytes())
    del files["contacts.vcf"]
    bad.write_bytes(rezip(files))
    env = {**os.environ, "PACK_SIGNING_KEY_FILE": str(key_file), "DEBUG": "True",
           "LANGUAGE_CODE": "en", "RESILIA_DATA_DIR": str(tmp_path)}  # fmt: skip
    script = [sys.executable, "-m", "resilia.cli", "pack", "verify"]
    ok = subprocess.run([*script, str(good)], env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "Intact" in ok.stdout
    broken = subprocess.run([*script, str(bad)], env=env, capture_output=True, text=True)
    assert broken.returncode == 1
    assert "contacts.vcf" in broken.stdout


# The download follows the plan's read access: organisation-wide readers (the auditor too)
# and DEPT-A's subtree; another department's coordinator does not see the plan (404), an
# executive reads no plans (403), an anonymous visitor is sent to the login page.
DOWNLOAD = {"manager": 200, "auditor": 200, "coord_a": 200, "coord_b": 404, "executive": 403,
            "outsider": "login"}  # fmt: skip


@pytest.mark.parametrize("persona", DOWNLOAD)
def test_the_download_answers_as_the_access_rules_say(published, client_for, personas, persona):
    from resilia.audit.models import AuditEvent
    from resilia.plans.models import PackIssue

    url = reverse("plans:version_pack", args=[published.plan_id, published.number])
    response = client_for(persona).get(url)
    if DOWNLOAD[persona] == "login":
        assert response.status_code == 302 and "/login" in response["Location"]
    else:
        assert response.status_code == DOWNLOAD[persona]
    issues = PackIssue.objects.filter(version=published)
    events = AuditEvent.objects.filter(action="issue_pack", object_id=str(published.pk))
    if DOWNLOAD[persona] != 200:
        assert not issues.exists() and not events.exists()
        return
    assert response["Content-Type"] == "application/zip"
    assert re.fullmatch(
        r'attachment; filename="EP-NET-v1-offline-pack-\d{8}-\d{4}\.zip"',
        response["Content-Disposition"],
    )
    check = verify_pack(response.content)
    assert check.ok
    issue = issues.get()
    assert issue.user == personas[persona]
    manifest = hashlib.sha256(members(response.content)["manifest.json"]).hexdigest()
    assert issue.manifest_sha256 == manifest
    event = events.get()
    assert event.actor == personas[persona]
    assert event.changes["manifest_sha256"] == [None, manifest]


def test_a_draft_has_no_pack_and_no_button(plan_setup, client_for):
    from resilia.plans.models import PackIssue

    v = plan_setup["version"]
    client = client_for("manager")
    assert 'data-testid="offline-pack"' not in client.get(v.get_absolute_url()).content.decode()
    response = client.get(reverse("plans:version_pack", args=[v.plan_id, v.number]))
    assert response.status_code == 302 and response["Location"] == v.get_absolute_url()
    assert not PackIssue.objects.exists()


def test_the_version_page_offers_the_pack_in_the_readers_language(published, client_for):
    page = client_for("auditor").get(published.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    url = reverse("plans:version_pack", args=[published.plan_id, published.number])
    assert f'href="{url}"' in html and "Offline pack" in html
    response = client_for("auditor").get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert "Procedures" in members(response.content)["procedures.html"].decode()


def test_the_plan_page_lists_the_holders_of_a_stale_pack(
    published, plan_setup, personas, client_for
):
    url = reverse("plans:version_pack", args=[published.plan_id, 1])
    client_for("auditor").get(url)  # holds v1, and v2 comes out
    v2 = services.version_new(actor=personas["manager"], plan=published.plan, change_note="新号码")
    services.version_submit(actor=personas["coord_a"], version=v2, password=PASSWORD)
    services.version_review(actor=personas["manager"], version=v2, password=PASSWORD)
    services.version_approve(actor=plan_setup["head_a"], version=v2, password=PASSWORD)
    services.version_publish(actor=personas["manager"], version=v2)
    client_for("coord_a").get(url.replace("/v1/", "/v2/"))  # coord_a holds the one in force
    page = client_for("manager").get(reverse("plans:plan_detail", args=[published.plan_id]))
    html = page.content.decode()
    stale = html.split('data-testid="stale-packs"')[1].split("</ul>")[0]
    assert "auditor" in stale and "coord_a" not in stale
    assert "过期离线包" in stale and "持有 v1" in stale
    assert 'data-testid="my-stale-pack"' not in html  # the manager holds no pack
    mine = client_for("auditor").get(reverse("plans:plan_detail", args=[published.plan_id]))
    warning = mine.content.decode().split('data-testid="my-stale-pack"')[1].split("</div>")[0]
    assert "v1" in warning and "v2" in warning and v2.get_absolute_url() in warning


@pytest.mark.parametrize("persona, expected", [("auditor", 200), ("coord_b", 404)])
def test_the_api_gives_the_same_pack_to_the_same_readers(published, personas, persona, expected):
    from rest_framework.test import APIClient

    from resilia.accounts.tests.tokens import api_key
    from resilia.plans.models import PackIssue

    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(personas[persona])}")
    response = client.get(f"/api/plan-versions/{published.pk}/pack/")
    assert response.status_code == expected
    assert PackIssue.objects.filter(user=personas[persona]).count() == (expected == 200)
    if expected == 200:
        assert response["Content-Type"] == "application/zip"
        assert verify_pack(response.content).ok


def test_the_api_refuses_the_pack_of_a_draft_naming_the_status(plan_setup, personas):
    from rest_framework.test import APIClient

    from resilia.accounts.tests.tokens import api_key

    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(personas['manager'])}")
    response = client.get(f"/api/plan-versions/{plan_setup['version'].pk}/pack/")
    assert response.status_code == 400
    assert "approved or published" in str(response.json())
