"""Attachments: only images (JPEG, PNG, WebP) and PDF, size-limited, rewritten before storage.

- **Images** are checked from their header first: one over ``MAX_PIXELS`` is refused before a
  single pixel is decoded (Pillow's ``Image.open`` reads the header only; ``load`` decodes). So a
  few kilobytes claiming a 10,000 × 10,000 picture cost a header read, not a gigabyte. An image
  within the limit is decoded once and saved again from its pixels alone (its ``info`` emptied:
  no EXIF — GPS position included — XMP, ICC profile, comments or text chunks reach storage), so
  decoding holds at most ``MAX_PIXELS`` × 4 bytes, twice while a rotation the EXIF asked for is
  applied.
- **PDFs** are parsed and written again with pikepdf (qpdf) without what can run, hide or
  identify: the document information dictionary and XMP metadata, JavaScript (the name tree,
  actions and form scripts), automatic actions (``/OpenAction`` and every ``/AA``), actions that
  launch programs, submit or import data or open other files, embedded files and file
  attachment annotations, and private application data. Streams are copied as they are, never
  decompressed, so a compressed bomb inside costs no more than its size. A PDF that is encrypted
  or cannot be parsed, or has no page, is refused, never stored as sent. (A damaged file that qpdf
  can repair is stored repaired and cleaned.)

Every entry point (web and assisted filing, answers to information requests, Open311 ``media``)
goes through ``clean_uploads``: the refusal is a ValidationError keyed ``attachments``, which each
answers in its own error format.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass

import pikepdf
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = int(os.environ.get("INSIEME_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))
MAX_FILES = 5
MAX_PIXELS = 40_000_000
# Pillow's own bomb check agrees: it warns above this and refuses above twice this. We refuse
# above it ourselves (see _open_image), before Pillow's warning would let the image through.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
# Pixel-level facts a saved image needs; everything else in `info` is metadata and is dropped.
KEEP_IMAGE_INFO = ("transparency",)

# Actions that run code, reach outside the document or send data: removed wherever they appear.
PDF_UNSAFE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToE",
        "/GoToR",
        "/Rendition",
        "/RichMediaExecute",
        "/Sound",
        "/Movie",
        "/Hide",
        "/SetOCGState",
        "/Trans",
    }
)
# Annotations that carry a file or play media: dropped from their page.
PDF_UNSAFE_ANNOTATIONS = frozenset(
    {"/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D"}
)
# Keys dropped from every dictionary: metadata, automatic actions, scripts, embedded files,
# private application data.
PDF_DROPPED_KEYS = ("/Metadata", "/AA", "/JS", "/EF", "/PieceInfo", "/RichMediaContent")


@dataclass
class CleanFile:
    content: ContentFile
    content_type: str
    original_name: str


class Refused(Exception):
    """A file that cannot be stored, with the sentence that tells the person why."""


def _safe_name(name: str, ext: str, index: int) -> str:
    stem = os.path.splitext(os.path.basename(name or ""))[0]
    stem = "".join(ch for ch in stem if ch.isalnum() or ch in "-_")[:60] or f"file-{index}"
    return f"{stem}.{ext}"


# --- images ------------------------------------------------------------------------------------


def _too_many_pixels(name: str, width: int, height: int) -> Refused:
    return Refused(
        _(
            "%(name)s is %(width)d × %(height)d pixels (%(mp).0f megapixels); photos may have at "
            "most %(max)d megapixels. Send a smaller photo (a phone's normal setting is enough)."
        )
        % {
            "name": name,
            "width": width,
            "height": height,
            "mp": width * height / 1e6,
            "max": MAX_PIXELS // 1_000_000,
        }
    )


def _open_image(raw: bytes, name: str) -> Image.Image | None:
    """The image with only its header read, or None when it is not one of IMAGE_FORMATS;
    Refused when the header claims more than MAX_PIXELS."""
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that: make it an error here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(raw), formats=list(IMAGE_FORMATS))
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            size = _header_size(raw)
            if size is None:
                raise Refused(
                    _("%(name)s has too many pixels; photos may have at most %(max)d megapixels.")
                    % {"name": name, "max": MAX_PIXELS // 1_000_000}
                ) from exc
            raise _too_many_pixels(name, *size) from exc
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            return None
    if img.width * img.height > MAX_PIXELS:  # the same limit, whatever Pillow's setting
        img.close()
        raise _too_many_pixels(name, img.width, img.height)
    return img


def _header_size(raw: bytes) -> tuple[int, int] | None:
    """(width, height) as the header states them, read without Pillow's bomb check."""
    limit = Image.MAX_IMAGE_PIXELS
    try:
        Image.MAX_IMAGE_PIXELS = None  # only the header is read: no pixel is decoded here
        with Image.open(io.BytesIO(raw), formats=list(IMAGE_FORMATS)) as img:
            return img.size
    except Exception:  # noqa: BLE001 - any failure here only loses the figures in the message
        return None
    finally:
        Image.MAX_IMAGE_PIXELS = limit


def _reencode(raw: bytes, name: str) -> tuple[bytes, str, str] | None:
    """(bytes, content type, extension) of the image saved again from its pixels alone, or None
    when it is not an image we take. Refused when it has too many pixels."""
    img = _open_image(raw, name)
    if img is None:
        return None
    fmt = img.format
    try:
        with img:
            img.load()  # the one decode, within MAX_PIXELS
            # The orientation the EXIF asked for, applied to the pixels (the EXIF itself goes).
            ImageOps.exif_transpose(img, in_place=True)
            if fmt == "JPEG" and img.mode not in ("RGB", "L"):
                img = img.convert("RGB")
            # Nothing of `info` reaches the encoder but what the pixels need: no EXIF, XMP,
            # ICC profile, comments or text chunks.
            img.info = {k: v for k, v in img.info.items() if k in KEEP_IMAGE_INFO}
            out = io.BytesIO()
            img.save(out, format=fmt, **({"quality": 88} if fmt in ("JPEG", "WEBP") else {}))
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    content_type, ext = IMAGE_FORMATS[fmt]
    return out.getvalue(), content_type, ext


# --- PDFs --------------------------------------------------------------------------------------


def _clean_pdf(raw: bytes, name: str) -> bytes:
    """The PDF written again without metadata, scripts, automatic actions and embedded files;
    Refused when it is encrypted or cannot be read."""
    unreadable = _(
        "%(name)s could not be read as a PDF document. Save it again as PDF (for example with "
        "“Print to PDF”) and send it again."
    ) % {"name": name}
    try:
        pdf = pikepdf.open(io.BytesIO(raw))
    except pikepdf.PasswordError as exc:
        raise _encrypted(name) from exc
    except Exception as exc:  # noqa: BLE001 - qpdf raises several kinds on a damaged file
        raise Refused(unreadable) from exc
    with pdf:
        if pdf.is_encrypted:
            raise _encrypted(name)
        if not len(pdf.pages):  # nothing left to read (or recovered from a damaged file)
            raise Refused(unreadable)
        try:
            _strip_pdf(pdf)
            out = io.BytesIO()
            pdf.save(
                out,
                # Streams copied as stored: nothing is decompressed, so no bomb goes off here.
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
                compress_streams=False,
                fix_metadata_version=False,
                deterministic_id=True,
            )
        except Exception as exc:  # noqa: BLE001 - a PDF we cannot rewrite is not stored
            raise Refused(unreadable) from exc
    return out.getvalue()


def _encrypted(name: str) -> Refused:
    return Refused(
        _(
            "%(name)s is encrypted or protected by a password, so it cannot be checked. Save a "
            "copy without protection and send that."
        )
        % {"name": name}
    )


def _strip_pdf(pdf: pikepdf.Pdf) -> None:
    """Remove, in place, everything `_clean_pdf` promises to remove. The writer then leaves out
    every object nothing refers to any more (the scripts and files themselves)."""
    root = pdf.Root
    for key in ("/OpenAction", "/AA", "/Metadata", "/URI", "/Collection", "/PieceInfo"):
        if key in root:
            del root[key]
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        for key in ("/JavaScript", "/EmbeddedFiles"):
            if key in names:
                del names[key]
    form = root.get("/AcroForm")
    if isinstance(form, pikepdf.Dictionary) and "/XFA" in form:
        del form["/XFA"]  # XML forms carry their own scripts
    if "/Info" in pdf.trailer:
        del pdf.trailer["/Info"]
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if isinstance(annots, pikepdf.Array):
            kept = [a for a in annots if a.get("/Subtype") not in PDF_UNSAFE_ANNOTATIONS]
            if len(kept) != len(annots):
                page.obj["/Annots"] = pikepdf.Array(kept)
    for obj in pdf.objects:
        _strip_object(obj)


def _strip_object(obj) -> None:
    """Drop metadata, automatic actions, unsafe actions, scripts and embedded files from one
    dictionary or stream and from the direct dictionaries and arrays inside it (indirect ones
    are objects of their own: `_strip_pdf` reaches each of them)."""
    if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        for key in PDF_DROPPED_KEYS:
            if key in obj:
                del obj[key]
        for key in ("/A", "/Next"):
            action = obj.get(key)
            if isinstance(action, pikepdf.Array) or (
                isinstance(action, pikepdf.Dictionary) and action.get("/S") in PDF_UNSAFE_ACTIONS
            ):  # an unsafe action, or a chain of them (/Next may be a list)
                del obj[key]
        children = [obj[key] for key in list(obj.keys())]
    elif isinstance(obj, pikepdf.Array):
        children = list(obj)
    else:
        return
    for child in children:
        if isinstance(child, pikepdf.Dictionary | pikepdf.Array) and not child.is_indirect:
            _strip_object(child)


# --- the one entry point -----------------------------------------------------------------------


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
        try:
            if raw.startswith(b"%PDF-"):
                data, content_type, ext = _clean_pdf(raw, name), "application/pdf", "pdf"
            else:
                image = _reencode(raw, name)
                if image is None:
                    raise Refused(
                        _("%(name)s is not a photo (JPEG, PNG, WebP) or a PDF document.")
                        % {"name": name}
                    )
                data, content_type, ext = image
        except Refused as exc:
            raise ValidationError({"attachments": str(exc)}) from exc
        result.append(
            CleanFile(
                ContentFile(data, name=_safe_name(name, ext, index)), content_type, name[:200]
            )
        )
    return result
