"""Images and scanned PDFs through the real OCR engine (RapidOCR): values, boxes in page
coordinates, OCR confidence, straightening, and bad images failing in bounded time."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PIL import Image
from scanned_documents import (
    INVOICE_LINES,
    INVOICE_SCHEMA,
    INVOICE_VALUES,
    encoded,
    noisy,
    photo,
    scan,
    scanned_pdf,
    tiff,
)

from llamaextract_nb.local.engine import DocumentError, extract, ocr
from llamaextract_nb.local.engine.parsers import detect_kind, parse

REPO = Path(__file__).resolve().parents[1]


def run(data: bytes, filename: str) -> Any:
    configuration = {
        "data_schema": INVOICE_SCHEMA,
        "cite_sources": True,
        "confidence_scores": True,
    }
    return extract(data, filename, configuration)


def entry(output: Any, name: str) -> dict[str, Any]:
    entry = output.metadata["field_metadata"]["document_metadata"][name]
    assert isinstance(entry, dict)
    return entry


def inside(box: dict[str, float], area: tuple[float, float, float, float], slack: float) -> bool:
    x0, y0, x1, y1 = area
    return (
        box["x"] >= x0 - slack
        and box["y"] >= y0 - slack
        and box["x"] + box["w"] <= x1 + slack
        and box["y"] + box["h"] <= y1 + slack
    )


# --- detection and bad images (no OCR needed) ------------------------------------------


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "TIFF", "WEBP", "BMP"])
def test_images_are_detected_from_their_content(fmt: str) -> None:
    data = encoded(Image.new("RGB", (8, 8), "white"), fmt)
    assert detect_kind(data, "upload.bin") == "image"


def test_text_named_as_an_image_is_refused() -> None:
    with pytest.raises(DocumentError, match=r"named \.png but is not an image"):
        parse(b"Invoice 12\nTotal 3.00\n", "invoice.png")


def test_truncated_jpeg_fails_with_a_message() -> None:
    data = encoded(scan().image, "JPEG", quality=90)
    with pytest.raises(DocumentError, match=r"damaged or truncated"):
        parse(data[: len(data) // 2], "receipt.jpg")


def test_zero_size_files_and_images_fail() -> None:
    with pytest.raises(DocumentError, match=r"empty \(0 bytes\)"):
        parse(b"", "scan.png")
    header = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", 0, 0, 8, 0, 0, 0, 0))
    with pytest.raises(DocumentError, match=r"cannot be read as an image|0 pixels"):
        parse(header + _chunk(b"IEND", b""), "empty.png")


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _huge_png(side: int = 30_000) -> bytes:
    """A valid 1-bit PNG of side x side white pixels (about 100 KB compressed)."""
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * (side // 8)
    body = b"".join(compressor.compress(row * 1000) for _ in range(side // 1000))
    body += compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", body)
        + _chunk(b"IEND", b"")
    )


def test_a_30000_pixel_square_png_fails_in_bounded_time_and_memory(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    path.write_bytes(_huge_png())
    script = (
        "import sys\n"
        "from llamaextract_nb.local.engine import DocumentError, extract\n"
        f"data = open({str(path)!r}, 'rb').read()\n"
        "try:\n"
        "    extract(data, 'huge.png', {'data_schema': {'type': 'object', 'properties': "
        "{'total': {'type': 'number'}}}})\n"
        "except DocumentError as error:\n"
        "    print('ERROR', error)\n"
        # VmHWM: this process's peak (ru_maxrss would count the forked pytest before exec)
        "status = open('/proc/self/status').read()\n"
        "print('RSS_KB', status.split('VmHWM:')[1].split()[0])\n"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    elapsed = time.perf_counter() - started
    assert "huge.png is too large an image to read (900,000,000 pixels)" in done.stdout, done.stderr
    peak_mb = int(done.stdout.split("RSS_KB")[1]) / 1024
    assert peak_mb < 400, f"peak RSS {peak_mb:.0f} MB"
    assert elapsed < 30


def test_without_the_ocr_extra_an_image_fails_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "_engine", None)
    monkeypatch.setitem(sys.modules, "rapidocr", None)  # as if not installed
    data = encoded(scan().image, "PNG")
    with pytest.raises(DocumentError, match=r"pip install 'llamaextract-nb\[ocr\]'"):
        run(data, "scan.png")
    assert not ocr.available()


def test_recognised_words_read_full_width_punctuation_as_ascii() -> None:
    import numpy as np

    quad = [[10.0, 10.0], [210.0, 10.0], [210.0, 40.0], [10.0, 40.0]]
    output = SimpleNamespace(
        boxes=np.array([quad]),
        txts=("S.H.H.MOTOR（SUNGAI RENGIT）SDN.BHD.",),
        scores=(0.93,),
        word_results=(),  # no word boxes: the line's box is cut by characters
    )
    words = ocr._words(output, lambda x, y: (x, y))
    assert [word.text for word in words] == ["S.H.H.MOTOR(SUNGAI", "RENGIT)SDN.BHD."]
    assert words[0].confidence == 0.93
    assert words[0].straight[0] == (10.0, 10.0) and words[1].straight[1] == (210.0, 10.0)


# --- reading images --------------------------------------------------------------------


def test_a_png_scan_gives_values_boxes_in_pixels_and_ocr_confidence() -> None:
    page = scan()
    output = run(encoded(page.image, "PNG"), "invoice.png")
    assert output.result == INVOICE_VALUES
    for name, line in (("invoice_number", 1), ("total", 3)):
        cited = entry(output, name)
        citation = cited["citation"][0]
        assert citation["page"] == 1
        assert citation["page_dimensions"] == {
            "width": page.image.width,
            "height": page.image.height,
        }
        drawn = page.boxes[INVOICE_LINES[line]]
        assert citation["bounding_boxes"], name
        for box in citation["bounding_boxes"]:
            assert inside(box, drawn, slack=8), (name, box, drawn)
        assert 0.5 < cited["parsing_confidence"] < 1.0
        assert cited["confidence"] == pytest.approx(
            cited["extraction_confidence"] * cited["parsing_confidence"], abs=1e-3
        )
    # the value's box is the value's words, not the whole line (right of the label)
    total_box = entry(output, "total")["citation"][0]["bounding_boxes"][0]
    assert total_box["x"] > page.boxes["Total: 1,234.56"][0] + 60


@pytest.mark.slow
@pytest.mark.parametrize("turn", [90, 180, 270])
def test_turned_scans_are_straightened_and_cited_on_the_page_as_given(turn: int) -> None:
    page = scan()
    method = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180}.get(
        turn, Image.Transpose.ROTATE_270
    )
    turned = page.image.transpose(method)  # counter-clockwise by ``turn``
    output = run(encoded(turned, "JPEG", quality=92), f"turned-{turn}.jpg")
    assert output.result == INVOICE_VALUES
    citation = entry(output, "total")["citation"][0]
    assert citation["page_dimensions"] == {"width": turned.width, "height": turned.height}
    x0, y0, x1, y1 = page.boxes["Total: 1,234.56"]
    width, height = page.image.size
    corners = [_turn_point(x, y, turn, width, height) for x in (x0, x1) for y in (y0, y1)]
    area = (
        min(x for x, _ in corners),
        min(y for _, y in corners),
        max(x for x, _ in corners),
        max(y for _, y in corners),
    )
    for box in citation["bounding_boxes"]:
        assert inside(box, area, slack=8), (box, area)


def _turn_point(x: float, y: float, turn: int, width: int, height: int) -> tuple[float, float]:
    """Where (x, y) lands when the image is turned counter-clockwise by ``turn`` degrees."""
    if turn == 90:
        return y, width - x
    if turn == 180:
        return width - x, height - y
    return height - y, x


@pytest.mark.slow
def test_a_skewed_noisy_photo_is_read() -> None:
    page = scan()
    picture = photo(noisy(page.image), 6.0)
    output = run(encoded(picture, "JPEG", quality=80), "photo.jpg")
    assert output.result == INVOICE_VALUES
    citation = entry(output, "invoice_number")["citation"][0]
    assert citation["page_dimensions"] == {"width": picture.width, "height": picture.height}


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["WEBP", "BMP"])
def test_webp_and_bmp(fmt: str) -> None:
    output = run(encoded(scan().image, fmt), f"invoice.{fmt.lower()}")
    assert output.result == INVOICE_VALUES


@pytest.mark.slow
def test_a_multi_page_tiff_cites_its_second_page() -> None:
    cover = scan(("ACME TRADING LTD", "Statement of account"))
    invoice = scan(("Invoice No: INV-2041", "Date: 12 March 2024", "Total: 1,234.56"))
    output = run(tiff([cover.image, invoice.image]), "batch.tiff")
    assert output.result == INVOICE_VALUES
    assert entry(output, "total")["citation"][0]["page"] == 2
    assert output.usage["num_pages_extracted"] == 2
    only_cover = extract(
        tiff([cover.image, invoice.image]),
        "batch.tif",
        {
            "data_schema": INVOICE_SCHEMA,
            "target_pages": "1",
        },
    )
    assert only_cover.result["total"] is None


@pytest.mark.slow
def test_a_mixed_pdf_reads_its_text_page_and_ocrs_its_scanned_page() -> None:
    page = scan(("Invoice No: INV-2041", "Total: 1,234.56"))
    data = scanned_pdf(["ACME TRADING LTD\nDate: 12 March 2024", page.image])
    output = run(data, "mixed.pdf")
    assert output.result == INVOICE_VALUES
    date = entry(output, "invoice_date")
    assert date["citation"][0]["page"] == 1 and date["parsing_confidence"] == 1.0
    total = entry(output, "total")
    citation = total["citation"][0]
    assert citation["page"] == 2 and total["parsing_confidence"] < 1.0
    assert citation["page_dimensions"] == {"width": 612.0, "height": 792.0}
    # the image is drawn at x=36, 540 pt wide: the text's box, scaled to points, is there
    scale = 540 / page.image.width
    x0, y0, x1, y1 = page.boxes["Total: 1,234.56"]
    area = (36 + x0 * scale, 36 + y0 * scale, 36 + x1 * scale, 36 + y1 * scale)
    for box in citation["bounding_boxes"]:
        assert inside(box, area, slack=8), (box, area)


@pytest.mark.slow
def test_a_scanned_page_with_a_useless_text_layer_is_read_by_ocr() -> None:
    page = scan(("Invoice No: INV-2041", "Total: 1,234.56"))
    document = parse(scanned_pdf([page.image], stamp="Scan 0042"), "stamped.pdf")
    text = document.text
    assert "INV-2041" in text and "1,234.56" in text
    words = [word for line in document.pages[0].lines for word in line.words]
    assert all(word.confidence < 1.0 for word in words)  # all read by OCR, the stamp too


@pytest.mark.slow
def test_a_blank_scan_says_no_text_was_found() -> None:
    with pytest.raises(DocumentError, match=r"no text was found in blank\.png"):
        parse(encoded(Image.new("L", (400, 300), 255), "PNG"), "blank.png")
    with pytest.raises(DocumentError, match="no text to extract"):
        parse(scanned_pdf([Image.new("RGB", (400, 300), "white")]), "blank.pdf")


def test_the_results_view_draws_boxes_on_image_pages() -> None:
    from llamaextract_nb.results.pages import Mark, page_kind, render_pages

    page = scan()
    data = encoded(page.image, "PNG")
    assert page_kind(data) == "image" and page_kind(b"%PDF-1.7") == "pdf"
    mark = Mark(40, 100, 200, 30, (page.image.width, page.image.height), "1", low=False)
    images = render_pages(data, {1: [mark], 2: [mark]}, width=310)
    assert list(images) == [1]  # an image has one page
    drawn = Image.open(io.BytesIO(_decode(images[1])))
    assert drawn.width == 310
    # the box is drawn at half scale in the mark's colour
    r, g, b = drawn.convert("RGB").getpixel((20 - 1, 60))
    assert g > r and g > b


def _decode(uri: str) -> bytes:
    import base64

    return base64.b64decode(uri.split(",", 1)[1])


@pytest.mark.slow
def test_images_through_the_real_local_server(client: Any, tmp_path: Path) -> None:
    from llamaextract_nb.client import JobFailedError

    page = scan()
    photo_path = tmp_path / "receipt-photo.jpg"
    photo_path.write_bytes(encoded(page.image, "JPEG", quality=90))
    result = client.extract(
        str(photo_path), INVOICE_SCHEMA, cite_sources=True, confidence_scores=True
    )
    assert result.job.status == "COMPLETED"
    assert result.data == INVOICE_VALUES
    fields = result.fields.set_index("path")
    assert 0.5 < fields.loc["total", "parsing_confidence"] < 1.0
    assert fields.loc["total", "bounding_boxes"]
    assert 'src="data:image/jpeg;base64,' in result._repr_html_()  # the photo, boxed
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(photo_path.read_bytes()[:2000])
    started = time.perf_counter()
    with pytest.raises(JobFailedError, match=r"broken\.jpg cannot be read as an image"):
        client.extract(str(broken), INVOICE_SCHEMA)
    assert time.perf_counter() - started < 60
