"""One finished extraction job as DataFrames, a pydantic model, JSON, and a rich HTML view."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from pydantic import ValidationError

from llamaextract_nb.api.models import ExtractJob
from llamaextract_nb.api.pages import PageSpecError, parse_pages
from llamaextract_nb.results import html
from llamaextract_nb.results.frames import (
    array_frames,
    field_records,
    fields_frame,
    flattener,
    wide_frame,
)
from llamaextract_nb.results.layout import (
    Layout,
    layout_from_data,
    layout_from_schema,
    merge_layouts,
)
from llamaextract_nb.results.metadata import Extraction, read_extraction
from llamaextract_nb.results.options import DisplayOptions, check_threshold
from llamaextract_nb.results.renaming import renamed_job, renamed_schema
from llamaextract_nb.results.usage import job_usage
from llamaextract_nb.results.validation import validate_items

if TYPE_CHECKING:
    from llamaextract_nb.evaluate import Evaluation


class ExtractResult:
    """A finished (or failed) extraction job with its data as pandas frames.

    ``job``: the job JSON from ``GET /api/v2/extract/{id}`` (ideally with
    ``expand=configuration&expand=extract_metadata``) or an :class:`ExtractJob`.
    ``source``: the document (path or bytes); for a PDF the HTML view shows the cited pages.
    ``name``: the document's name (default: the source's file name, else the job's file id).
    ``schema``: the data schema (dict or pydantic class) when the job does not echo its
    configuration; it decides column order and dtypes. ``target``: the extraction target asked
    for, when the job does not echo it; the shape of the result that came back decides where it
    is plain (a target it contradicts is warned about with ``TargetMismatchWarning``).
    """

    def __init__(
        self,
        job: ExtractJob | dict[str, Any],
        *,
        source: str | Path | bytes | None = None,
        name: str | None = None,
        schema: Any = None,
        target: str | None = None,
        options: DisplayOptions | None = None,
    ) -> None:
        self.job = _as_job(job)
        self.source = _as_source(source)
        self._name = name
        self._schema = _as_schema(schema)
        self.options = options or DisplayOptions()
        self._extraction: Extraction = read_extraction(self.raw, target=target)

    # --- identity ---------------------------------------------------------------------

    @property
    def raw(self) -> dict[str, Any]:
        """The job JSON as received."""
        raw = self.job.raw
        return raw if isinstance(raw, dict) else self.job.model_dump(mode="json")

    @property
    def status(self) -> str:
        return self.job.status

    @property
    def target(self) -> str:
        """``per_doc``, ``per_page`` or ``per_table_row``."""
        return self._extraction.target

    @property
    def name(self) -> str:
        """The document's name, used in the ``file`` column and the HTML view."""
        if self._name:
            return self._name
        if isinstance(self.source, Path):
            return self.source.name
        return self.job.file_input or self.job.id

    @property
    def schema(self) -> dict[str, Any] | None:
        """The data schema: given to the constructor, else echoed in the job's configuration."""
        if self._schema is not None:
            return self._schema
        configuration = self.job.configuration
        return configuration.data_schema if configuration is not None else None

    @property
    def data(self) -> dict[str, Any] | list[Any] | None:
        """``extract_result``; a per_doc result that came as a one-element list is unwrapped."""
        return self._extraction.data

    @property
    def usage(self) -> dict[str, Any]:
        """Pages extracted and billed and credits as the job reported them (None if absent)."""
        return job_usage(self.job)

    @property
    def metadata_errors(self) -> list[str]:
        """Field-level ``error`` strings found in the metadata, and layout problems."""
        return list(self._extraction.errors)

    @property
    def threshold(self) -> float:
        """Confidence below which values are flagged in the HTML view (default 0.8)."""
        return self.options.threshold

    @threshold.setter
    def threshold(self, value: float) -> None:
        self.options.threshold = check_threshold(value)

    # --- frames -----------------------------------------------------------------------

    @property
    def keys(self) -> list[str]:
        """Columns that identify a row of :attr:`df`; :attr:`tables` carry them too, for merges.
        A data field with one of these names gets a trailing underscore (``row_``)."""
        extra = {"per_page": ["page"], "per_table_row": ["row"]}.get(self.target, [])
        return ["file", "job_id", *extra]

    @property
    def df(self) -> pd.DataFrame:
        """One row per document (per_doc), page (per_page, ``page`` column) or row
        (per_table_row, ``row`` column); nested objects as dotted columns, typed from the schema.
        Arrays of objects are in :attr:`tables`."""
        return self._df.copy()

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """One tidy frame per array of objects (``tables["line_items"]``), with :attr:`keys`
        and ``<array>_index``; ``r.tables["line_items"].merge(r.df, on=r.keys)`` just works."""
        return {name: frame.copy() for name, frame in self._tables.items()}

    @property
    def fields(self) -> pd.DataFrame:
        """One row per leaf value: document, path (``line_items[2].amount``), value,
        confidences, reasoning, first cited page, matching text, boxes, ``citation_mismatch``.

        ``item`` is the position of the result object (0 for per_doc, the row for
        per_table_row, the page's position for per_page); ``field`` is the path without indices.
        ``citation_mismatch`` is True where the cited text does not contain the value (see
        :mod:`llamaextract_nb.results.matching` for the rule), NA where it was not judged.
        """
        return self._fields.copy()

    @cached_property
    def _layout(self) -> Layout:
        layout = layout_from_data(self._extraction.items)
        if self.schema is not None:
            layout = merge_layouts(layout_from_schema(self.schema), layout)
        return layout

    @cached_property
    def _item_keys(self) -> list[dict[str, Any]]:
        base = {"file": self.name, "job_id": self.job.id}
        items = self._extraction.items
        if self.target == "per_page":
            return [{**base, "page": page} for page in self._pages(len(items))]
        if self.target == "per_table_row":
            return [{**base, "row": index} for index in range(len(items))]
        return [dict(base) for _ in items]

    def _item_label(self, item: int) -> str:
        keys = self._item_keys[item] if item < len(self._item_keys) else {}
        return str(keys.get("page", keys.get("row", item)))

    def _pages(self, count: int) -> list[int]:
        """Page numbers of per_page items: ``target_pages`` when it lists exactly as many pages,
        else the page all of an item's citations point at, else the position + 1."""
        configured = self.job.configuration.target_pages if self.job.configuration else None
        listed = _selected_pages(configured) if configured else []
        if len(listed) == count:
            return listed
        cited: list[set[int]] = [set() for _ in range(count)]
        for leaf in self._extraction.leaves:
            if leaf.item < count:
                cited[leaf.item].update(c.page for c in leaf.citations if c.page)
        return [next(iter(pages)) if len(pages) == 1 else i + 1 for i, pages in enumerate(cited)]

    @cached_property
    def _rows(self) -> list[dict[str, Any]]:
        """The rows of :attr:`df` as plain dicts (keys first)."""
        flat = flattener(self._layout)
        return [
            {**key, **flat(item, reserved=key)}
            if isinstance(item, dict)
            else {**key, "value": item}
            for item, key in zip(self._extraction.items, self._item_keys, strict=True)
        ]

    @cached_property
    def _df(self) -> pd.DataFrame:
        return wide_frame(self._rows, self.keys, self._layout)

    @cached_property
    def _tables(self) -> dict[str, pd.DataFrame]:
        return array_frames(self._extraction.items, self._item_keys, self._layout)

    @cached_property
    def _fields(self) -> pd.DataFrame:
        return fields_frame(self._field_records())

    def _field_records(self) -> list[tuple[Any, ...]]:
        return field_records(self._extraction.leaves, document=self.name, job_id=self.job.id)

    # --- conversions ------------------------------------------------------------------

    def to_json(
        self, path: str | Path | None = None, *, full: bool = False, indent: int = 2
    ) -> str:
        """The extracted data as JSON text (``full=True``: the whole job JSON); also written to
        ``path`` when given."""
        text = json.dumps(self.raw if full else self.data, indent=indent, ensure_ascii=False)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def as_model(self, model: Any) -> Any:
        """The data validated as ``model`` (a pydantic model class): one instance for per_doc,
        a list for per_page / per_table_row. Raises
        :class:`~llamaextract_nb.results.ResultValidationError` listing every failing path."""
        if self.status != "COMPLETED":
            raise ValueError(
                f"job {self.job.id} is {self.status}, not COMPLETED; there is no data to validate"
                + (f" ({self.job.error_message})" if self.job.error_message else "")
            )
        if self.target == "per_doc" and isinstance(self.data, dict):
            return validate_items(model, [self.data], prefix=False)[0]
        return validate_items(model, self._extraction.items, prefix=True)

    def rename(self, names: Mapping[str, str]) -> ExtractResult:
        """A copy whose top-level fields are renamed (``{"number": "invoice_number"}``) in
        the data, the metadata and the schema: to grade or compare a run made with other
        field names."""
        schema = renamed_schema(self._schema, names) if self._schema is not None else None
        return ExtractResult(
            renamed_job(self.raw, names),
            source=self.source,
            name=self._name,
            schema=schema,
            target=self.target,
            options=self.options,
        )

    def evaluate(
        self,
        truth: Any,
        rules: Mapping[str, Any] | None = None,
        *,
        tolerance: float | None = None,
        max_error: float = 0.02,
    ) -> Evaluation:
        """Grade this result against ``truth`` (a :class:`~llamaextract_nb.evaluate.Truth`, or
        anything ``Truth.load`` reads: folder, JSONL / CSV path, dict, DataFrame). ``rules``
        overrides the matching rule per field (``{"vendor_name": "fuzzy:90"}``);
        ``tolerance`` is the default relative tolerance of numbers. See
        :func:`llamaextract_nb.evaluate.evaluate`."""
        from llamaextract_nb.evaluate import evaluate  # the evaluate layer sits above results

        return evaluate([self], truth, rules=rules, tolerance=tolerance, max_error=max_error)

    # --- display ----------------------------------------------------------------------

    def _repr_html_(self) -> str:
        return html.result_html(self, self.options)

    def __repr__(self) -> str:
        leaves = self._extraction.leaves
        scored = [leaf.confidence for leaf in leaves if leaf.confidence is not None]
        mean = f", mean_confidence={sum(scored) / len(scored):.3f}" if scored else ""
        counts = Counter(leaf.value is not None for leaf in leaves)
        return (
            f"ExtractResult(name={self.name!r}, status={self.status!r}, target={self.target!r}, "
            f"items={len(self._extraction.items)}, values={counts[True]}/{len(leaves)}{mean})"
        )


def _as_job(job: Any) -> ExtractJob:
    if isinstance(job, ExtractJob):
        return job
    if isinstance(job, dict):
        try:
            return ExtractJob.model_validate(job)
        except ValidationError as exc:
            raise ValueError(
                "not an extraction job: expected the JSON of GET /api/v2/extract/{id} "
                f"(with at least 'id' and 'status'): {exc.errors()[0]['msg']} at "
                f"{'.'.join(map(str, exc.errors()[0]['loc']))}"
            ) from None
    raise TypeError(f"ExtractResult needs an ExtractJob or its JSON dict, got {type(job).__name__}")


def _as_source(source: Any) -> Path | bytes | None:
    if source is None or isinstance(source, bytes):
        return source
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(
                f"source {str(source)!r} is not a file; pass the document's path or bytes"
            )
        return path
    read = getattr(source, "read", None)
    if callable(read):
        content = read()
        if isinstance(content, bytes):
            return content
    raise TypeError(
        f"source must be a path, bytes or a binary file object, got {type(source).__name__}"
    )


def _as_schema(schema: Any) -> dict[str, Any] | None:
    if schema is None or isinstance(schema, dict):
        return schema
    if isinstance(schema, type) and hasattr(schema, "model_json_schema"):
        result: dict[str, Any] = schema.model_json_schema()
        return result
    if hasattr(schema, "to_json_schema"):
        converted: dict[str, Any] = schema.to_json_schema()
        return converted
    raise TypeError(
        f"schema must be a JSON Schema dict or a pydantic model class, got {type(schema).__name__}"
    )


def _selected_pages(spec: str) -> list[int]:
    """The pages ``target_pages`` selects; none when the echoed value is not a selection."""
    try:
        return list(parse_pages(spec))
    except PageSpecError:
        return []
