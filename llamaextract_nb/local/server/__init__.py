"""The embedded server: the LlamaExtract v2 REST API over SQLite and a worker pool."""

from llamaextract_nb.local.server.app import create_app
from llamaextract_nb.local.server.runner import RunningServer, start_in_thread
from llamaextract_nb.local.server.settings import ServerSettings, default_data_dir

__all__ = ["RunningServer", "ServerSettings", "create_app", "default_data_dir", "start_in_thread"]
