"""Text recognition on page images with RapidOCR (PP-OCRv6 models shipped in its wheel).

RapidOCR and onnxruntime come with the optional extra ``llamaextract-nb[ocr]``; without
them an image or a scanned page fails with :data:`MISSING_EXTRA`. The models are loaded
from the installed package by path, so no code path can download anything.

:func:`recognize` straightens the page before reading it: the detector's text boxes tell
a page turned by a quarter (boxes standing upright) and its skew (the median angle of the
long boxes); the direction classifier's votes on the widest lines tell a page upside
down. The page is turned (and deskewed) and detected again, at most twice. Words come
back in the straightened image's pixels (for laying out lines) and mapped back onto the
image as given (the page coordinates citations use). The multilingual recogniser writes
some Latin punctuation in its full-width forms (``（``, ``：``); words are NFKC-normalised,
so they read as the ASCII a text layer would give.
"""

from __future__ import annotations

import math
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from llamaextract_nb.local.engine.document import DocumentError

MISSING_EXTRA = (
    "reading images and scanned pages needs OCR, which is not installed: "
    "pip install 'llamaextract-nb[ocr]' (RapidOCR + onnxruntime, models included), then "
    "restart the server."
)
RECOMMENDED_DPI = 150
"""Resolution scanned PDF pages are rendered at: the detector's input scale (its long side
is capped at 2000 px) and the best accuracy and speed measured on A4 pages (see README)."""

MAX_SIDE = 2000
"""RapidOCR's detector input is at most this long: larger page images are read reduced."""
_MIN_ASPECT = 2.0  # boxes this elongated tell the text direction
_MIN_SKEW = 0.4  # degrees: straighter pages are read as they are
_MAX_SKEW = 20.0  # degrees: beyond this a box is not a skewed line of this page
_FLIP_SAMPLE = 12  # widest lines the direction classifier votes on
_FLIP_SHARE = 0.6  # share of "180" votes that turns a page upside down

Point = tuple[float, float]
Quad = tuple[Point, Point, Point, Point]


@dataclass(frozen=True, slots=True)
class OcrWord:
    """A recognised word: its corners in the straightened image and on the given image."""

    text: str
    confidence: float
    straight: Quad
    original: Quad


@dataclass(frozen=True, slots=True)
class OcrResult:
    words: list[OcrWord]
    turned: int  # quarter turns (clockwise degrees: 0, 90, 180, 270) applied before reading
    skew: float  # degrees the page was rotated by to straighten it (counter-clockwise)


_engine: Any = None
_engine_lock = threading.Lock()
_run_lock = threading.Lock()  # one page at a time per process: onnxruntime uses every core


def engine() -> Any:
    """The process's RapidOCR instance, made on first use from the package's own models."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = _load()
        return _engine


def available() -> bool:
    """Whether the OCR extra is installed (without loading any model)."""
    try:
        _models_dir()
    except DocumentError:
        return False
    return True


def _models_dir() -> Path:
    try:
        import onnxruntime  # noqa: F401
        import rapidocr
    except ImportError as exc:
        raise DocumentError(MISSING_EXTRA) from exc
    folder = Path(rapidocr.__file__).parent / "models"
    if not all((folder / name).is_file() for name in _MODEL_FILES.values()):
        raise DocumentError(
            f"the installed rapidocr package has no models in {folder}; reinstall it: "
            "pip install --force-reinstall 'llamaextract-nb[ocr]'."
        )
    return folder


_MODEL_FILES = {
    "Det": "PP-OCRv6_det_small.onnx",
    "Rec": "PP-OCRv6_rec_small.onnx",
    "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}


def _load() -> Any:
    folder = _models_dir()
    from rapidocr import RapidOCR

    params: dict[str, Any] = {
        "Global.log_level": "error",
        "Global.return_word_box": True,
        "Global.max_side_len": MAX_SIDE,
        # one thread: the server runs one worker per core, and onnxruntime's extra threads
        # spin while they wait (measured on 2 shared cores: 6.6 s/page on one thread, 8.7 s
        # on two, at 2.8 against 4.2 CPU-seconds)
        "EngineConfig.onnxruntime.intra_op_num_threads": 1,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    }
    for task, name in _MODEL_FILES.items():
        params[f"{task}.model_path"] = str(folder / name)
    return RapidOCR(params=params)


def recognize(image: Image.Image) -> OcrResult:
    """Read ``image`` (any mode): straighten it, then return its words with confidences."""
    ocr = engine()
    rgb = image.convert("RGB")
    with _run_lock:
        return _recognize(ocr, rgb)


def _recognize(ocr: Any, image: Image.Image) -> OcrResult:
    import numpy as np
    from rapidocr.main import RapidOCRError

    turned, skew = 0, 0.0
    current = image
    to_original: Callable[[float, float], Point] = lambda x, y: (x, y)  # noqa: E731
    for attempt in range(3):
        bgr = np.ascontiguousarray(np.asarray(current)[:, :, ::-1])
        prepared, record = ocr.preprocess_img(bgr)
        try:
            crops, detected = ocr.detect_and_crop(prepared, record)
        except RapidOCRError:  # raised when no text is detected at all
            return OcrResult([], turned, skew)
        boxes = _boxes(detected)
        if not boxes:
            return OcrResult([], turned, skew)
        scale = record["preprocess"]
        boxes_px = [
            tuple((x / scale["ratio_w"], y / scale["ratio_h"]) for x, y in box) for box in boxes
        ]
        quarter, angle = _direction(boxes_px) if attempt < 2 else (0, 0.0)
        if quarter == 0 and attempt < 2:
            cls_images, cls_result = ocr.cls_and_rotate(crops)
            if _upside_down(boxes_px, cls_result):
                quarter = 180
        else:
            cls_images, cls_result = crops, None
        if quarter or abs(angle) >= _MIN_SKEW:
            current, to_original = _straighten(image, turned + quarter, skew + angle)
            turned, skew = (turned + quarter) % 360, skew + angle
            continue
        recognized = ocr.recognize_txt(cls_images)
        output = ocr.build_final_output(
            bgr, detected, _no_cls(cls_result), recognized, crops, record
        )
        return OcrResult(_words(output, to_original), turned, skew)
    return OcrResult([], turned, skew)


def _no_cls(result: Any) -> Any:
    from rapidocr.ch_ppocr_cls import TextClsOutput

    return result if result is not None else TextClsOutput()


def _boxes(detected: Any) -> list[Any]:
    boxes = getattr(detected, "boxes", None)
    return [] if boxes is None else [tuple(map(tuple, box)) for box in boxes.tolist()]


def _direction(boxes: list[Any]) -> tuple[int, float]:
    """(quarter turn needed, skew angle in degrees) voted by the elongated text boxes."""
    upright = lying = 0.0
    angles: list[tuple[float, float]] = []
    for box in boxes:
        (x0, y0), (x1, y1), (x2, y2) = box[0], box[1], box[2]
        first, second = math.hypot(x1 - x0, y1 - y0), math.hypot(x2 - x1, y2 - y1)
        long, short = max(first, second), min(first, second)
        if short <= 0 or long / short < _MIN_ASPECT:
            continue
        dx, dy = (x1 - x0, y1 - y0) if first >= second else (x2 - x1, y2 - y1)
        angle = math.degrees(math.atan2(dy, dx))
        angle = (angle + 90) % 180 - 90  # -90..90: 0 is horizontal
        if abs(angle) > 45:
            upright += long
        else:
            lying += long
            if abs(angle) <= _MAX_SKEW:
                angles.append((angle, long))
    if upright > lying:
        return 90, 0.0
    return 0, _weighted_median(angles)


def _weighted_median(values: list[tuple[float, float]]) -> float:
    if not values:
        return 0.0
    values.sort()
    half = sum(weight for _, weight in values) / 2
    running = 0.0
    for value, weight in values:
        running += weight
        if running >= half:
            return value
    return values[-1][0]


def _upside_down(boxes: list[Any], cls_result: Any) -> bool:
    """Whether most of the widest lines read upside down by the direction classifier."""
    labels = getattr(cls_result, "cls_res", None)
    if not labels:
        return False
    widths = [max(x for x, _ in box) - min(x for x, _ in box) for box in boxes]
    order = sorted(range(len(widths)), key=lambda index: -widths[index])[:_FLIP_SAMPLE]
    flipped = sum(1 for index in order if str(labels[index][0]) == "180")
    return flipped >= _FLIP_SHARE * len(order)


def _straighten(
    image: Image.Image, quarter: int, angle: float
) -> tuple[Image.Image, Callable[[float, float], Point]]:
    """``image`` turned clockwise by ``quarter`` degrees and rotated back by ``angle``, with
    the map from the new image's pixels to the given image's."""
    width, height = image.size
    theta = math.radians(angle - quarter)  # counter-clockwise, in image (y down) terms
    cos, sin = math.cos(theta), math.sin(theta)
    # forward: a point p of the image goes to R(p - c) + c' (R rotates counter-clockwise
    # as seen on screen, i.e. by -theta in y-down coordinates)
    cx, cy = width / 2, height / 2
    corners = [(-cx, -cy), (cx, -cy), (cx, cy), (-cx, cy)]
    turned = [(x * cos + y * sin, -x * sin + y * cos) for x, y in corners]
    new_width = max(x for x, _ in turned) - min(x for x, _ in turned)
    new_height = max(y for _, y in turned) - min(y for _, y in turned)
    ncx, ncy = new_width / 2, new_height / 2

    def to_original(x: float, y: float) -> Point:
        dx, dy = x - ncx, y - ncy
        return (dx * cos - dy * sin + cx, dx * sin + dy * cos + cy)

    size = (round(new_width), round(new_height))
    a, c = cos, -ncx * cos + ncy * sin + cx
    b = -sin
    d, e = sin, cos
    f = -ncx * sin - ncy * cos + cy
    straight = image.transform(
        size,
        Image.Transform.AFFINE,
        (a, b, c, d, e, f),
        resample=Image.Resampling.BILINEAR,
        fillcolor=(255, 255, 255),
    )
    return straight, to_original


def _words(output: Any, to_original: Callable[[float, float], Point]) -> list[OcrWord]:
    """Every recognised word, boxed by the recogniser's word boxes where they spell the
    line, else by cutting the line's box in proportion to the characters."""
    texts = getattr(output, "txts", None)
    if not texts:
        return []
    word_lines = list(output.word_results or ())
    cursor = 0
    words: list[OcrWord] = []
    for line_box, line_text, score in zip(output.boxes.tolist(), texts, output.scores, strict=True):
        tokens = str(line_text).split()
        if not tokens:
            continue
        pieces: list[tuple[str, Any]] = []
        if cursor < len(word_lines):
            candidate = [
                (str(text), quad) for text, _, quad in word_lines[cursor] if quad is not None
            ]
            if [text for text, _ in candidate if text.strip()] == tokens:
                pieces = [(text, quad) for text, quad in candidate if text.strip()]
                cursor += 1
        if not pieces:
            pieces = _split_line(str(line_text), line_box)
        confidence = round(float(score), 4)
        for text, quad in pieces:
            text = unicodedata.normalize("NFKC", text).strip()
            if not text:
                continue
            straight = tuple((float(x), float(y)) for x, y in quad)
            original = tuple(to_original(x, y) for x, y in straight)
            words.append(OcrWord(text, confidence, straight, original))  # type: ignore[arg-type]
    return words


def _split_line(text: str, quad: Any) -> list[tuple[str, Quad]]:
    """The line's words boxed by cutting its quad along its length, by character count."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = ((float(x), float(y)) for x, y in quad)
    length = max(len(text), 1)
    pieces: list[tuple[str, Quad]] = []
    position = 0
    for word in text.split(" "):
        if word:
            a, b = position / length, (position + len(word)) / length
            top = (
                (x0 + (x1 - x0) * a, y0 + (y1 - y0) * a),
                (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b),
            )
            bottom = (
                (x3 + (x2 - x3) * b, y3 + (y2 - y3) * b),
                (x3 + (x2 - x3) * a, y3 + (y2 - y3) * a),
            )
            pieces.append((word, (*top, *bottom)))
        position += len(word) + 1
    return pieces
