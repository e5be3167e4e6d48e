"""What a finished job reports it used: pages (``metadata.usage``) and credits (``usage``).

``metadata.usage`` (``num_pages_extracted``, ``num_pages_billed``) comes with completed jobs;
``usage`` (``credits``, ``extract_credits``, ``parse_credits``) only when the job was read
with ``expand=usage`` (``client.extract`` does; a batch's list polls cannot), else NA.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from llamaextract_nb.api.models import ExtractJob

USAGE_COLUMNS = (
    "pages_extracted",
    "pages_billed",
    "credits",
    "extract_credits",
    "parse_credits",
)


def job_usage(job: ExtractJob) -> dict[str, Any]:
    """Pages extracted and billed, and credits, as the job reported them (None where absent)."""
    counts = job.metadata.usage if job.metadata is not None else None
    usage = job.usage
    return {
        "pages_extracted": counts.num_pages_extracted if counts else None,
        "pages_billed": counts.num_pages_billed if counts else None,
        "credits": usage.credits if usage else None,
        "extract_credits": usage.extract_credits if usage else None,
        "parse_credits": usage.parse_credits if usage else None,
    }


def usage_frame(rows: list[dict[str, Any]], estimate: pd.DataFrame | None) -> pd.DataFrame:
    """One row per document: file, job_id, status, the reported usage, and beside it the
    estimate's ``estimated_pages`` / ``estimated_credits`` when one was made."""
    frame = pd.DataFrame(rows, columns=["file", "job_id", "status", *USAGE_COLUMNS])
    for name in ("pages_extracted", "pages_billed"):
        frame[name] = frame[name].astype("Int64")
    for name in ("credits", "extract_credits", "parse_credits"):
        frame[name] = frame[name].astype("Float64")
    if estimate is not None:
        expected = estimate[["file", "pages", "credits"]].rename(
            columns={"pages": "estimated_pages", "credits": "estimated_credits"}
        )
        frame = frame.merge(expected, on="file", how="left")
        frame["estimated_pages"] = frame["estimated_pages"].astype("Int64")
    return frame
