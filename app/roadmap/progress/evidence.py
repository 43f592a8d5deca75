"""Evidence files: a PDF, PNG or JPEG, told by its content, images stripped of metadata.

A file's name and the browser's `Content-Type` are never trusted: a PDF must open with
pypdf, an image with Pillow. Images are saved again from their pixels, which leaves EXIF,
GPS and every other metadata behind. Files are kept in the database (RoadmapEvidence),
not on a disk, so every instance of the portal serves the same ones.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from app.core.i18n import N_

MAX_FILES = 3
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_URLS = 5
PDF = "application/pdf"
_IMAGES = {"PNG": "image/png", "JPEG": "image/jpeg"}
_EXTENSIONS = {PDF: ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


class EvidenceRefused(Exception):
    """The file is not one a report takes; `message` says why (to be translated)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class CheckedFile:
    filename: str
    content_type: str
    content: bytes


def _pdf(content: bytes) -> bool:
    if not content.startswith(b"%PDF-"):
        return False
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        return len(PdfReader(io.BytesIO(content)).pages) > 0
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError):
        return False


def _stripped_image(content: bytes) -> tuple[str, bytes] | None:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = _IMAGES.get(image.format or "")
            if kind is None or image.width * image.height > 40_000_000:
                return None
            image.load()
            # A photo turned by its EXIF orientation is turned for good, before the EXIF goes.
            upright = ImageOps.exif_transpose(image)
            # A new image from the pixels alone: no EXIF, no GPS, no comments.
            clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
            if upright.mode == "P" and upright.getpalette():
                clean.putpalette(upright.getpalette() or [])
            out = io.BytesIO()
            if kind == "image/jpeg":
                clean.save(out, "JPEG", quality=90)
            else:
                clean.save(out, "PNG")
            return kind, out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


def safe_filename(name: str, content_type: str) -> str:
    """Return a file name fit for a header: letters, digits, dots, dashes; the right ending."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
    stem = stem.strip(".-")[:80].rsplit(".", 1)[0] or "evidence"
    return stem + _EXTENSIONS[content_type]


def check_file(filename: str, content: bytes) -> CheckedFile:
    """Return the file as it is kept, or raise EvidenceRefused saying why."""
    if len(content) > MAX_FILE_BYTES:
        raise EvidenceRefused(N_("Each file can be at most 5 MB."))
    if not content:
        raise EvidenceRefused(N_("The file is empty."))
    if _pdf(content):
        return CheckedFile(safe_filename(filename, PDF), PDF, content)
    image = _stripped_image(content)
    if image is None:
        raise EvidenceRefused(N_("Only PDF, PNG or JPEG files are taken, and this file is "
                                 "none of them."))
    kind, stripped = image
    return CheckedFile(safe_filename(filename, kind), kind, stripped)
