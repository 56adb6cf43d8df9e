"""Evidence files on S3-compatible storage, against a real S3 server on localhost (moto).

The same views and services as on local disk, but every byte goes through boto3 and HTTP to a
bucket, as with MinIO, OSS, COS or OBS in production. The bucket is listed directly to prove
what is, and is not, stored.
"""

from __future__ import annotations

import hashlib
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import boto3
import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from storages.backends.s3 import S3Storage

from resilia.audit.models import AuditEvent
from resilia.evidence.models import Attachment
from resilia.evidence.services import attachment_delete, attachment_upload
from resilia.evidence.tests.conftest import pdf_upload, stored_files

HOST = "127.0.0.1"
CREDENTIALS = {"access_key": "resilia-test", "secret_key": "resilia-test-secret"}
REGION = "us-east-1"
STARTUP_SECONDS = 30
HTMX = {"HTTP_HX_REQUEST": "true"}
# The key the upload service generates: year/month/uuid4 hex, never the user's file name.
STORED_KEY = re.compile(r"^\d{4}/\d{2}/[0-9a-f]{32}\.pdf$")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _wait_until_answering(process: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            pytest.fail(f"moto server exited with {process.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # any HTTP answer means the server is up
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"moto server did not answer on {url} within {STARTUP_SECONDS} s")


@pytest.fixture(scope="session")
def s3_endpoint():
    """A real S3-compatible server in a subprocess on a free local port, for the session."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://{HOST}:{port}"
    try:
        _wait_until_answering(process, endpoint + "/")
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


@pytest.fixture(scope="session")
def s3_client(s3_endpoint):
    return boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
        region_name=REGION,
    )


@pytest.fixture
def bucket(s3_client) -> str:
    """A fresh, empty bucket per test, so leftovers of one test never pass another."""
    name = f"evidence-{uuid.uuid4().hex[:16]}"
    s3_client.create_bucket(Bucket=name)
    return name


@pytest.fixture(autouse=True)
def s3_evidence(evidence_dir, s3_endpoint, bucket):
    """Evidence stored in the bucket, configured as settings.py does for EVIDENCE_S3_BUCKET.

    Depends on `evidence_dir` so it overrides the local-disk storage of the app's conftest;
    override_settings fires `setting_changed`, which empties Django's cache of storages.
    """
    s3 = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": s3_endpoint,
            **CREDENTIALS,
            "region_name": REGION,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    with override_settings(STORAGES={**settings.STORAGES, "evidence": s3}):
        yield
    # Leaving the override must give the local disk back, not a cached S3 storage.
    assert not isinstance(storages["evidence"], S3Storage)


def keys(s3_client, bucket) -> list[str]:
    listing = s3_client.list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def body(s3_client, bucket, key) -> bytes:
    return s3_client.get_object(Bucket=bucket, Key=key)["Body"].read()


def files_url(target):
    return reverse("evidence:object_files", args=[target._meta.label_lower, target.pk])


@pytest.fixture
def plan_a(personas, org_tree):
    """A PDF attached to dept A by its coordinator, stored in the bucket."""
    return attachment_upload(
        actor=personas["coord_a"], target=org_tree["dept_a"], file=pdf_upload("预案A.pdf")
    )


def test_it_stores_the_evidence_in_the_bucket_not_on_disk(plan_a, evidence_dir):
    assert isinstance(plan_a.storage, S3Storage)
    assert stored_files(evidence_dir) == []


def test_it_stores_an_uploaded_pdf_under_a_generated_key_with_the_exact_bytes(
    client_for, org_tree, s3_client, bucket, evidence_dir
):
    upload = pdf_upload("业务连续性计划.pdf")
    expected = upload.read()
    upload.seek(0)

    response = client_for("coord_a").post(
        files_url(org_tree["dept_a"]), {"file": upload, "description": "签字版"}, **HTMX
    )

    assert response.status_code == 200
    attachment = Attachment.objects.get()
    assert attachment.target == org_tree["dept_a"]
    assert attachment.original_name == "业务连续性计划.pdf"
    assert STORED_KEY.match(attachment.stored_name)
    assert keys(s3_client, bucket) == [attachment.stored_name]
    stored = body(s3_client, bucket, attachment.stored_name)
    assert stored == expected
    assert hashlib.sha256(stored).hexdigest() == attachment.sha256
    assert stored_files(evidence_dir) == []
    event = AuditEvent.objects.get(action="upload")
    assert event.actor.username == "coord_a"
    assert event.object_id == str(org_tree["dept_a"].pk)
    assert event.changes["sha256"] == [None, attachment.sha256]


def test_it_streams_the_download_from_the_bucket_after_the_access_check(
    client_for, plan_a, s3_client, bucket
):
    response = client_for("auditor").get(plan_a.get_absolute_url())

    assert response.status_code == 200
    # Streamed through Resilia: a redirect to a presigned URL would hand out a bearer link.
    assert response.streaming
    assert "Location" not in response
    content = b"".join(response.streaming_content)
    assert content == body(s3_client, bucket, plan_a.stored_name)
    assert b"X-Amz-Signature" not in content
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(action="download")
    assert event.actor.username == "auditor"
    assert event.changes["sha256"] == plan_a.sha256


def test_it_hides_the_file_of_another_department_from_a_coordinator(
    client_for, plan_a, s3_client, bucket
):
    response = client_for("coord_b").get(plan_a.get_absolute_url())

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="download").exists()
    assert keys(s3_client, bucket) == [plan_a.stored_name]


def test_it_answers_not_found_when_the_object_is_missing_from_the_bucket(
    client_for, plan_a, s3_client, bucket
):
    s3_client.delete_object(Bucket=bucket, Key=plan_a.stored_name)

    response = client_for("coord_a").get(plan_a.get_absolute_url())

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="download").exists()


def test_it_removes_the_object_from_the_bucket_only_once_the_deletion_commits(
    client_for, plan_a, s3_client, bucket, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for("coord_a").post(reverse("evidence:delete", args=[plan_a.pk]))
        assert response.status_code == 302
        assert not Attachment.objects.filter(pk=plan_a.pk).exists()
        # Not committed yet: the evidence is still in the bucket.
        assert keys(s3_client, bucket) == [plan_a.stored_name]

    for callback in callbacks:
        callback()

    assert keys(s3_client, bucket) == []
    event = AuditEvent.objects.get(action="delete")
    assert event.actor.username == "coord_a"
    assert event.changes["file"] == ["预案A.pdf", None]


def test_it_keeps_the_object_in_the_bucket_when_the_deletion_rolls_back(
    personas, plan_a, s3_client, bucket, django_capture_on_commit_callbacks
):
    pk = plan_a.pk
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            attachment_delete(actor=personas["coord_a"], attachment=plan_a)
            raise RuntimeError("the caller's transaction fails")

    assert callbacks == []
    assert Attachment.objects.filter(pk=pk).exists()
    assert keys(s3_client, bucket) == [plan_a.stored_name]
    assert not AuditEvent.objects.filter(action="delete").exists()


def test_it_leaves_no_object_in_the_bucket_for_a_refused_upload(
    client_for, org_tree, s3_client, bucket
):
    spoofed = SimpleUploadedFile("report.pdf", b"MZ\x90\x00" + b"\x00" * 64)

    response = client_for("coord_a").post(files_url(org_tree["dept_a"]), {"file": spoofed})

    assert response.status_code == 400
    assert Attachment.objects.count() == 0
    assert keys(s3_client, bucket) == []
    assert not AuditEvent.objects.filter(action="upload").exists()


def test_it_removes_the_stored_object_when_recording_the_upload_fails(
    personas, org_tree, s3_client, bucket, monkeypatch
):
    def failing_audit(**kwargs):
        raise RuntimeError("audit trail unavailable")

    monkeypatch.setattr("resilia.evidence.services.audit_record", failing_audit)

    with pytest.raises(RuntimeError):
        attachment_upload(actor=personas["coord_a"], target=org_tree["dept_a"], file=pdf_upload())

    assert Attachment.objects.count() == 0
    assert keys(s3_client, bucket) == []
