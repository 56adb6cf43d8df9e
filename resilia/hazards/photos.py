"""Photo evidence of hazards and fixes: images only, checked like any evidence file, then
re-encoded so that what is stored carries no metadata (EXIF: GPS position, device, owner)
and no bytes other than the picture."""

from __future__ import annotations

import io
import os

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from resilia.evidence.validation import extension_of, inspect_upload, sanitise_name

IMAGE_EXTENSIONS = ("jpg", "jpeg", "png")
MAX_PIXELS = 40_000_000  # a 40-megapixel phone photo; beyond that, a decompression bomb


def clean_photo(file) -> ContentFile:
    """The photo as a new file with no metadata; ValidationError (translated) otherwise."""
    if extension_of(sanitise_name(getattr(file, "name", ""))) not in IMAGE_EXTENSIONS:
        raise ValidationError(_("Only photos are accepted here: JPEG or PNG images."))
    info = inspect_upload(file)
    file.seek(0)
    try:
        with Image.open(file) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(_("The photo is too large to process."))
            image.load()
            image = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            if info.extension == "png":
                image.save(out, format="PNG", optimize=True)
            else:
                image.convert("RGB").save(out, format="JPEG", quality=85)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationError(_("The photo could not be read as an image.")) from None
    stem = os.path.splitext(info.original_name)[0] or "photo"
    return ContentFile(out.getvalue(), name=f"{stem}.{info.extension}")


def clean_photos(files) -> list[ContentFile]:
    """Every photo cleaned before anything is saved: one bad file refuses them all. The
    refusal names the `photos` field (the forms' and the API's), the file named in it."""
    cleaned = []
    for f in files or ():
        try:
            cleaned.append(clean_photo(f))
        except ValidationError as exc:
            name = sanitise_name(getattr(f, "name", "")) or "?"
            raise ValidationError({"photos": [f"{name}: {m}" for m in exc.messages]}) from None
    return cleaned
