"""Find a document's format from its bytes, using the file name only as a tie-breaker."""

from __future__ import annotations

import csv
import io
import re
import zipfile

from llamaextract_nb.local.engine.document import DocumentError

KINDS = ("pdf", "image", "docx", "xlsx", "html", "csv", "md", "txt")

IMAGE_EXTENSIONS = ("png", "jpg", "jpeg", "tif", "tiff", "webp", "bmp")
_EXTENSION_KINDS = {
    "pdf": "pdf",
    "docx": "docx",
    "xlsx": "xlsx",
    "xlsm": "xlsx",
    "html": "html",
    "htm": "html",
    "xhtml": "html",
    "csv": "csv",
    "tsv": "csv",
    "md": "md",
    "markdown": "md",
    "txt": "txt",
    "text": "txt",
    **dict.fromkeys(IMAGE_EXTENSIONS, "image"),
}
_HTML_START = re.compile(
    rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S
)
_HTML_TAGS = re.compile(rb"<(table|div|p|br|span|h[1-6]|ul|ol|li|td|tr)\b[^>]*>", re.I)
_SNIFF_BYTES = 64 * 1024
_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
)


def extension_kind(filename: str) -> str | None:
    """The format a file name's extension promises, if it is one we read."""
    _, dot, ext = filename.rpartition(".")
    return _EXTENSION_KINDS.get(ext.lower()) if dot else None


def detect_kind(data: bytes, filename: str) -> str:
    """Return one of :data:`KINDS` for ``data``, or raise :class:`DocumentError`.

    Content decides: ``%PDF`` magic, image magic, a zip holding ``word/`` or ``xl/``, HTML markup,
    binary bytes. Text that is neither HTML nor obviously tabular falls back on the
    extension (``.csv``, ``.md``) and finally on plain text.
    """
    if not data.strip():
        what = "empty (0 bytes)" if not data else "empty (only whitespace)"
        raise DocumentError(f"{filename or 'the file'} is {what}: there is nothing to extract.")
    expected = extension_kind(filename)
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data[:4] == b"PK\x03\x04":
        return _zip_kind(data, filename)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise DocumentError(
            f"{filename} is a legacy Microsoft Office file (.doc/.xls/.ppt); save it as .docx "
            "or .xlsx (or print it to PDF) and upload that instead."
        )
    if image_format(data) is not None:
        return "image"
    if data.startswith(b"GIF8"):
        raise DocumentError(
            f"{filename} is a GIF image; save it as PNG or JPEG (or scan to PDF) and upload that."
        )
    if data.lstrip()[:5] == b"{\\rtf":
        raise DocumentError(f"{filename} is an RTF file; save it as .docx or PDF and upload that.")
    if _looks_binary(data[:_SNIFF_BYTES]):
        claimed = f" although its name says .{filename.rpartition('.')[2]}" if expected else ""
        raise DocumentError(
            f"{filename} is not a document this engine can read{claimed}: its content is binary "
            "data that is not a PDF, DOCX, XLSX or image (PNG, JPEG, TIFF, WebP, BMP) file. Check "
            "that the file is not corrupted."
        )
    if expected == "image":
        raise DocumentError(
            f"{filename} is named .{filename.rpartition('.')[2]} but is not an image (no PNG, "
            "JPEG, TIFF, WebP or BMP header); it looks like text. Rename it or upload the image."
        )
    if expected == "pdf":
        raise DocumentError(
            f"{filename} is named .pdf but is not a PDF (it has no %PDF header); it looks like "
            "plain text. Rename it or upload the real PDF."
        )
    sniff = data[:_SNIFF_BYTES]
    if _HTML_START.match(sniff) or (expected == "html" and _HTML_TAGS.search(sniff)):
        return "html"
    if expected in ("docx", "xlsx"):
        raise DocumentError(
            f"{filename} is named .{expected} but is not a {expected.upper()} file (it is not a "
            "zip package). Re-save it from the office application."
        )
    if expected == "csv" or (expected in (None, "txt") and _looks_like_csv(sniff)):
        return "csv"
    if expected == "md":
        return "md"
    if len(_HTML_TAGS.findall(sniff)) >= 3 and expected is None:
        return "html"
    return "txt"


def image_format(data: bytes) -> str | None:
    """The image format read locally (PNG, JPEG, TIFF, WEBP, BMP) that ``data`` starts as."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    for magic, name in _IMAGES:
        if data.startswith(magic):
            return None if name == "BMP" and not _bmp_header(data) else name
    return None


def _bmp_header(data: bytes) -> bool:
    """``BM`` starts a bitmap only with a plausible header (text may start with "BM" too)."""
    if len(data) < 26:
        return False
    header_size = int.from_bytes(data[14:18], "little")
    return data[6:10] == b"\x00\x00\x00\x00" and header_size in (12, 40, 52, 56, 64, 108, 124)


def decode_text(data: bytes) -> str:
    """Decode text bytes: BOMs, then UTF-8, then Windows-1252 (which accepts any byte)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _zip_kind(data: bytes, filename: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DocumentError(
            f"{filename} looks like a DOCX/XLSX (zip) file but the archive is damaged: {exc}."
        ) from exc
    if any(name.startswith("word/") for name in names):
        return "docx"
    if any(name.startswith("xl/") for name in names):
        return "xlsx"
    if any(name.startswith("ppt/") for name in names):
        raise DocumentError(f"{filename} is a PowerPoint file; print it to PDF and upload that.")
    if "mimetype" in names:
        raise DocumentError(
            f"{filename} is an OpenDocument file (.odt/.ods); save it as .docx or .xlsx."
        )
    raise DocumentError(
        f"{filename} is a zip archive but neither a Word (.docx) nor an Excel (.xlsx) file."
    )


def _looks_binary(sample: bytes) -> bool:
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 text with a BOM
    if b"\x00" in sample:
        return True
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13))
    return controls > len(sample) * 0.05


def _looks_like_csv(sample: bytes) -> bool:
    lines = [line for line in decode_text(sample).splitlines()[:20] if line.strip()]
    return len(lines) >= 3 and sniff_delimiter(lines, strict=True) is not None


def sniff_delimiter(lines: list[str], *, strict: bool = False) -> str | None:
    """The delimiter (``, ; tab |``) that splits ``lines`` into the most consistent columns.

    With ``strict``, every line must have the same number (>= 2) of fields.
    """
    best: tuple[float, str] | None = None
    for delimiter in (",", ";", "\t", "|"):
        counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        if not counts:
            continue
        common = max(set(counts), key=counts.count)
        share = counts.count(common) / len(counts)
        if common < 2 or (strict and share < 1):
            continue
        score = share * 10 + min(common, 10) / 10
        if best is None or score > best[0]:
            best = (score, delimiter)
    return best[1] if best else None
