"""Attachments: only images (JPEG, PNG, WebP) and PDF, size-limited; images are re-encoded from
their pixels, so EXIF metadata — GPS position included — never reaches storage."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = int(os.environ.get("INSIEME_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))
MAX_FILES = 5
MAX_PIXELS = 40_000_000
IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}


@dataclass
class CleanFile:
    content: ContentFile
    content_type: str
    original_name: str


def _safe_name(name: str, ext: str, index: int) -> str:
    stem = os.path.splitext(os.path.basename(name or ""))[0]
    stem = "".join(ch for ch in stem if ch.isalnum() or ch in "-_")[:60] or f"file-{index}"
    return f"{stem}.{ext}"


def _reencode(raw: bytes) -> tuple[bytes, str, str] | None:
    """(bytes, content type, extension) of the image re-encoded without metadata, or None."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(raw)) as img:
            fmt = img.format
            if fmt not in IMAGE_FORMATS:
                return None
            img.load()
            img = ImageOps.exif_transpose(img)  # keep the orientation the EXIF asked for
            if fmt == "JPEG" and img.mode not in ("RGB", "L"):
                img = img.convert("RGB")
            # A new image from the pixels alone: no EXIF, XMP, ICC text chunks or comments.
            clean = Image.new(img.mode, img.size)
            clean.paste(img)
            out = io.BytesIO()
            clean.save(out, format=fmt, **({"quality": 88} if fmt in ("JPEG", "WEBP") else {}))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError):
        return None
    content_type, ext = IMAGE_FORMATS[fmt]
    return out.getvalue(), content_type, ext


def clean_uploads(files) -> list[CleanFile]:
    """Validate and sanitise uploaded files; ValidationError (key 'attachments') on any bad one."""
    files = [f for f in (files or []) if f]
    if len(files) > MAX_FILES:
        raise ValidationError({"attachments": _("Attach at most %(n)d files.") % {"n": MAX_FILES}})
    result = []
    for index, upload in enumerate(files, start=1):
        name = getattr(upload, "name", "") or ""
        if upload.size > MAX_BYTES:
            raise ValidationError(
                {
                    "attachments": _("%(name)s is larger than %(mb)d MB.")
                    % {"name": name, "mb": MAX_BYTES // 2**20}
                }
            )
        raw = upload.read()
        if raw.startswith(b"%PDF-"):
            result.append(
                CleanFile(
                    ContentFile(raw, name=_safe_name(name, "pdf", index)),
                    "application/pdf",
                    name[:200],
                )
            )
            continue
        image = _reencode(raw)
        if image is None:
            raise ValidationError(
                {
                    "attachments": _("%(name)s is not a photo (JPEG, PNG, WebP) or a PDF document.")
                    % {"name": name}
                }
            )
        data, content_type, ext = image
        result.append(
            CleanFile(
                ContentFile(data, name=_safe_name(name, ext, index)), content_type, name[:200]
            )
        )
    return result
