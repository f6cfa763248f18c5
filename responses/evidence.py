"""What an evidence document is, read from its content, never from its name."""

from dataclasses import dataclass

import filetype

from .models import EVIDENCE_MAX_BYTES

# The types an officer may attach, by the ending filetype gives: (what to call it, its media type).
ACCEPTED = {
    "pdf": ("PDF", "application/pdf"),
    "doc": ("Word", "application/msword"),
    "docx": ("Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xls": ("Excel", "application/vnd.ms-excel"),
    "xlsx": ("Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "odt": ("OpenDocument text", "application/vnd.oasis.opendocument.text"),
    "ods": ("OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet"),
    "odp": ("OpenDocument presentation", "application/vnd.oasis.opendocument.presentation"),
    "png": ("PNG image", "image/png"),
    "jpg": ("JPEG image", "image/jpeg"),
    "gif": ("GIF image", "image/gif"),
    "webp": ("WebP image", "image/webp"),
    "tif": ("TIFF image", "image/tiff"),
}
ACCEPTED_NAMES = "a PDF, Word, Excel or OpenDocument file, or an image (PNG, JPEG, GIF, WebP or TIFF)"
# Enough of the start of a file for filetype to tell an Office or OpenDocument file by its parts.
HEAD_BYTES = 8192


class EvidenceRefused(Exception):
    """A file that cannot be attached, with what to tell the officer (GOV.UK's file upload wording)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class EvidenceType:
    extension: str
    name: str
    content_type: str


def size_in_words(size: int) -> str:
    """1.4 MB, 320 KB, 12 bytes."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{round(size / 1024)} KB"
    return f"{size} bytes"


def evidence_type(upload) -> EvidenceType:
    """The type of an uploaded file (a Django UploadedFile), or EvidenceRefused: empty, over 20 MB, or
    not one of ACCEPTED by its content, whatever its name says."""
    if upload.size == 0:
        raise EvidenceRefused("The selected file is empty")
    if upload.size > EVIDENCE_MAX_BYTES:
        raise EvidenceRefused("The selected file must be smaller than 20 MB")
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.extension not in ACCEPTED:
        raise EvidenceRefused(f"The selected file must be {ACCEPTED_NAMES}")
    name, content_type = ACCEPTED[kind.extension]
    return EvidenceType(extension=kind.extension, name=name, content_type=content_type)
