"""The job queue of the local server: a supervised pool of worker processes."""

from llamaextract_nb.local.jobs.engines import DEFAULT_ENGINE, EngineSpecError, load_engine
from llamaextract_nb.local.jobs.pool import WorkerPool

__all__ = ["DEFAULT_ENGINE", "EngineSpecError", "WorkerPool", "load_engine"]
