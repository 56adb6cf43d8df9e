"""Uploading and deleting evidence files; every change is audited on the target object.

Access is the caller's job and follows the target: views fetch the target through
`access.get_object_for_user(user, Model, pk, write=True)` before calling these services.
"""

from __future__ import annotations

import hashlib
import uuid

from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import storages
from django.db import models, transaction
from django.utils import timezone

from resilia.audit.services import audit_record
from resilia.evidence.models import Attachment
from resilia.evidence.validation import inspect_upload


def attachments_for(target: models.Model) -> models.QuerySet:
    """The files attached to one object, newest first (the caller has checked read access)."""
    content_type = ContentType.objects.get_for_model(target)
    return Attachment.objects.filter(content_type=content_type, object_id=target.pk).select_related(
        "uploaded_by"
    )


def _sha256(file) -> str:
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def attachment_upload(*, actor, target: models.Model, file, description: str = "") -> Attachment:
    """Check, store and record one file attached to `target`; audit `upload` on the target.

    Raises ValidationError (translated) for an empty, oversized, disallowed or spoofed file;
    a refused upload leaves neither a stored file nor a row.
    """
    info = inspect_upload(file)
    now = timezone.now()
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        # Never the user's name: a generated key cannot collide, traverse or be guessed.
        stored_name=f"{now:%Y/%m}/{uuid.uuid4().hex}.{info.extension}",
        original_name=info.original_name,
        size=info.size,
        mime_type=info.mime_type,
        sha256=_sha256(file),
        description=(description or "").strip(),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        uploaded_at=now,
    )
    attachment.full_clean()
    storage = storages["evidence"]
    attachment.stored_name = storage.save(attachment.stored_name, file)
    try:
        with transaction.atomic():
            attachment.save()
            audit_record(
                actor=actor,
                action="upload",
                obj=target,
                changes={
                    "file": [None, attachment.original_name],
                    "sha256": [None, attachment.sha256],
                    "size": [None, attachment.size],
                },
            )
    except BaseException:
        storage.delete(attachment.stored_name)
        raise
    return attachment


def _target_labels(attachment: Attachment) -> tuple[str, str, str]:
    content_type = attachment.content_type
    target = attachment.target
    label = f"{content_type.app_label}.{content_type.model}"
    return label, str(attachment.object_id), str(target) if target is not None else ""


@transaction.atomic
def attachment_delete(*, actor, attachment: Attachment) -> None:
    """Delete the row and audit `delete` on the target; the stored file goes once committed.

    Removing the file only after commit means a rolled-back deletion never loses evidence.
    """
    object_type, object_id, object_repr = _target_labels(attachment)
    name, storage = attachment.stored_name, attachment.storage
    audit_record(
        actor=actor,
        action="delete",
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        changes={
            "file": [attachment.original_name, None],
            "sha256": [attachment.sha256, None],
            "size": [attachment.size, None],
        },
    )
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def attachments_delete_for(*, actor, target: models.Model) -> int:
    """Delete every file attached to `target`, each audited; returns how many.

    Registers call this from their own `<entity>_delete` service, in its transaction, before
    deleting the object, so that no evidence file is left behind without its object.
    """
    attachments = list(attachments_for(target).select_related("content_type"))
    for attachment in attachments:
        attachment_delete(actor=actor, attachment=attachment)
    return len(attachments)
