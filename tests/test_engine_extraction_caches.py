"""Each extraction has its own caches: extractions in threads neither share nor drop
each other's entries, and no page outlives its extraction."""

from __future__ import annotations

import gc
import json
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from llamaextract_nb import samples
from llamaextract_nb.local.engine import extract, pipeline
from llamaextract_nb.local.engine.document import Page
from llamaextract_nb.local.engine.document_caches import ExtractionCache, extraction_caches
from llamaextract_nb.local.engine.generators.prose import stream
from llamaextract_nb.local.engine.layout import _SEGMENTS

CONFIG = {"cite_sources": True, "confidence_scores": True}


def _extract(sample: samples.Sample) -> str:
    configuration = {**CONFIG, "data_schema": sample.schema, "extraction_target": sample.target}
    output = extract(sample.read_bytes(), sample.name, configuration)
    return json.dumps([output.result, output.metadata, output.usage], sort_keys=True)


def _pages_of(names: set[str]) -> list[Page]:
    gc.collect()
    return [
        obj
        for obj in gc.get_objects()
        if isinstance(obj, Page) and any(name in line.text for line in obj.lines for name in names)
    ]


def test_a_cache_is_kept_within_an_extraction_and_dropped_at_its_end() -> None:
    cache: ExtractionCache[OrderedDict[str, int]] = ExtractionCache(OrderedDict)
    assert cache.get() is not cache.get()  # no extraction running: nothing is kept
    with extraction_caches():
        kept = cache.get()
        kept["page"] = 1
        assert cache.get() is kept
        with extraction_caches():  # an extraction inside another has its own caches
            assert cache.get() == {}
        assert cache.get() is kept
    assert cache.get() == {}


def test_extractions_in_threads_have_their_own_caches() -> None:
    cache: ExtractionCache[list[str]] = ExtractionCache(list)
    both_filled = threading.Barrier(2, timeout=10)
    first_ended = threading.Event()
    seen: dict[str, list[str]] = {}

    def run(name: str) -> None:
        with extraction_caches():
            cache.get().append(name)
            both_filled.wait()
            if name == "second":
                assert first_ended.wait(timeout=10)
            seen[name] = list(cache.get())
        if name == "first":
            first_ended.set()

    threads = [threading.Thread(target=run, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert seen == {"first": ["first"], "second": ["second"]}


def test_an_extraction_ending_in_another_thread_leaves_this_ones_caches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The NDA's extraction pauses after its generators ran while a whole invoice is
    extracted in another thread; its own cached segments and text stream are still there."""
    nda, invoice = samples.get("nda.pdf"), samples.get("invoice.pdf")
    metadata = pipeline.extract_metadata
    invoice_done = threading.Event()
    held: dict[str, Any] = {}

    def pausing_metadata(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name == "nda":
            assert invoice_done.wait(timeout=30)
            held["segments"] = len(_SEGMENTS.get())
            held["stream"] = [s.text for _, s in stream._STREAM_CACHE.get()]
        return metadata(*args, **kwargs)

    alone = _extract(nda)
    monkeypatch.setattr(pipeline, "extract_metadata", pausing_metadata)
    nda_thread = threading.Thread(target=lambda: held.update(output=_extract(nda)), name="nda")
    nda_thread.start()
    _extract(invoice)
    invoice_done.set()
    nda_thread.join(timeout=30)
    assert held["output"] == alone
    assert held["segments"] > 0
    assert len(held["stream"]) == 1 and "NON-DISCLOSURE AGREEMENT" in held["stream"][0]
    assert "INV-2024-0317" not in held["stream"][0]


def test_concurrent_extractions_give_the_outputs_of_running_alone() -> None:
    documents = samples.list()
    markers = {"Brightline", "CORNER BAKERY", "NON-DISCLOSURE"}
    pages_before = len(_pages_of(markers))  # other tests may hold parsed samples
    alone = {sample.name: _extract(sample) for sample in documents}
    start = threading.Barrier(2, timeout=10)

    def run(batch: list[samples.Sample]) -> dict[str, str]:
        start.wait()
        return {sample.name: _extract(sample) for _ in range(3) for sample in batch}

    with ThreadPoolExecutor(max_workers=2) as pool:
        halves = pool.map(run, [documents[0::2], documents[1::2]])
        together = {name: output for half in halves for name, output in half.items()}
    assert together == alone
    assert len(_pages_of(markers)) <= pages_before
