"""A worker's memory: its limit (``--worker-memory-mb``), its size, and whether a job hit it.

The limit is the worker's data size (``RLIMIT_DATA``: its heap and private writable memory,
which Linux counts for ``mmap`` too): past it allocations fail, Python raises
``MemoryError`` and libraries fail their parse, so the job ends FAILED instead of the
machine swapping. The address space (``RLIMIT_AS``) would be the wrong measure: thread
stacks and reserved arenas count there, and the OCR runtime alone reserves ~1.9 GB of it
while using ~0.8 GB. A job that failed near the limit is reported as having hit it,
whatever the library made of the failed allocation.
"""

from __future__ import annotations

from pathlib import Path

try:
    import resource
except ImportError:  # Windows: no rlimits, workers run without a cap
    resource = None  # type: ignore[assignment]

DEFAULT_WORKER_MEMORY_MB = 2048
NEAR_LIMIT = 0.9
"""A failed job whose worker's peak resident memory reached this share of the limit hit it."""
_OUT_OF_MEMORY = ("memory allocation failed", "out of memory", "cannot allocate memory")

RECYCLE_EXIT_CODE = 75
"""Exit code of a worker leaving after a job that left it large: replace it, nothing failed."""
MEMORY_EXIT_CODE = 76
"""Exit code of a worker whose job ran out of its memory limit: fail the job saying so."""

_STATUS = Path("/proc/self/status")


def limit_memory(megabytes: int | None) -> None:
    """Cap this process's data size at ``megabytes`` (None: no cap)."""
    if megabytes is None or resource is None or not hasattr(resource, "RLIMIT_DATA"):
        return
    size = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (size, size))


def _status_mb(field: str) -> float | None:
    """A ``/proc/self/status`` figure (``VmRSS``, ``VmPeak`` ...) in MB; None off Linux."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def peak_resident_mb() -> float | None:
    """The most resident memory this process has held."""
    return _status_mb("VmHWM")


def hit_limit(error: BaseException, megabytes: int | None) -> bool:
    """True when ``error`` came from running out of the ``megabytes`` limit."""
    if megabytes is None:
        return False
    cause: BaseException | None = error
    while cause is not None:
        said = str(cause).lower()
        if isinstance(cause, MemoryError) or any(words in said for words in _OUT_OF_MEMORY):
            return True
        cause = cause.__cause__ or cause.__context__
    peak = peak_resident_mb()
    return peak is not None and peak >= NEAR_LIMIT * megabytes


def over_limit_message(megabytes: int) -> str:
    return (
        f"extracting this document needed more than the worker memory limit of {megabytes:,} MB "
        "(llamaextract-nb serve --worker-memory-mb); try fewer pages (target_pages / "
        "max_pages) or a smaller document"
    )
