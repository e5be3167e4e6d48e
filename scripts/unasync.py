"""Generate the blocking client from the asynchronous one (the one source of truth).

    python scripts/unasync.py           # rewrite the generated files
    python scripts/unasync.py --check   # exit 1 (and say which) when one is out of date

Each source below is rewritten token by token (``async def`` -> ``def``, ``await x`` -> ``x``,
``AsyncClient`` -> ``Client``, ``asleep`` -> ``sleep`` ...), given the generated module's own
docstring, and formatted with ruff, so the output reads like hand-written code. The rules are
purely textual: write the source so that each async construct has a blocking counterpart of
the mapped name (tests/test_client_unasync.py checks the files are in step and that both
clients expose the same signatures).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

CLIENT = Path(__file__).resolve().parents[1] / "llamaextract_nb" / "client"

SOURCES: dict[str, tuple[str, str]] = {
    "async_client.py": (
        "sync_client.py",
        "The synchronous client :class:`Client` with ``files`` and ``jobs``.\n\n"
        "Generated from ``async_client.py`` by ``scripts/unasync.py``: edit that file and run\n"
        "the script, never this one.",
    ),
    "create_once.py": (
        "create_once_sync.py",
        "Upload a file or create a job at most once: the blocking functions of\n"
        ":mod:`.create_once` (see it for how), used by :class:`~.sync_client.Client`.\n\n"
        "Generated from ``create_once.py`` by ``scripts/unasync.py``: edit that file and run\n"
        "the script, never this one.",
    ),
}

# Whole words, in this order.
WORDS: list[tuple[str, str]] = [
    ("AsyncClient", "Client"),
    ("AsyncFiles", "Files"),
    ("AsyncJobs", "Jobs"),
    ("AsyncIterator", "Iterator"),
    ("AsyncIterable", "Iterable"),
    ("asleep", "sleep"),
    ("aclose", "close"),
    ("anotify", "notify"),
    ("aextract_many", "extract_many"),
    ("__aenter__", "__enter__"),
    ("__aexit__", "__exit__"),
    ("async_client", "sync_client"),
    ("create_once", "create_once_sync"),
    ("Asynchronous", "Synchronous"),
    ("asynchronous", "synchronous"),
]
KEYWORDS: list[tuple[str, str]] = [
    (r"\basync def\b", "def"),
    (r"\basync for\b", "for"),
    (r"\basync with\b", "with"),
    (r"\bawait\s+", ""),
    (r"\bAwaitable\[([^\[\]]*)\]", r"\1"),
]
_DOCSTRING = re.compile(r'\A"""(?:.|\n)*?"""', re.MULTILINE)


def unasync(source: str, docstring: str) -> str:
    """The blocking module for the async ``source``, unformatted."""
    text = source
    for pattern, replacement in KEYWORDS:
        text = re.sub(pattern, replacement, text)
    for old, new in WORDS:
        text = re.sub(rf"\b{re.escape(old)}\b", new, text)
    return _DOCSTRING.sub(lambda _: f'"""{docstring}\n"""', text, count=1)


def formatted(text: str, path: Path) -> str:
    """``text`` formatted and import-sorted by ruff, as the repository's gates expect."""
    ruff = [sys.executable, "-m", "ruff"]
    name = ["--stdin-filename", str(path)]
    fixed = subprocess.run(
        [
            *ruff,
            "check",
            "--fix-only",
            "--unsafe-fixes",
            "--select",
            "I,F401,UP028",
            "--quiet",
            *name,
            "-",
        ],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return subprocess.run(
        [*ruff, "format", "--quiet", *name, "-"],
        input=fixed,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def generated() -> dict[Path, str]:
    """Each generated file's path and the text it should hold."""
    out: dict[Path, str] = {}
    for source, (target, docstring) in SOURCES.items():
        path = CLIENT / target
        text = unasync((CLIENT / source).read_text(encoding="utf-8"), docstring)
        out[path] = formatted(text, path)
    return out


def main(argv: list[str]) -> int:
    stale = []
    for path, text in generated().items():
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        if "--check" in argv:
            stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        print(f"out of date: {', '.join(stale)}; run python scripts/unasync.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
