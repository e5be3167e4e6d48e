"""The Studio and its parts (ipywidgets 8): file picker, schema editor, options, run, results."""

from llamaextract_nb.widgets.files import ChosenFile, FilePicker
from llamaextract_nb.widgets.history import HistoryPanel, RunRecord
from llamaextract_nb.widgets.jobs import JobRow, RunPanel
from llamaextract_nb.widgets.options import OptionsPanel
from llamaextract_nb.widgets.results_view import ResultsView
from llamaextract_nb.widgets.schema_editor import FieldRow, SchemaEditor
from llamaextract_nb.widgets.studio import Studio

__all__ = [
    "ChosenFile",
    "FieldRow",
    "FilePicker",
    "HistoryPanel",
    "JobRow",
    "OptionsPanel",
    "ResultsView",
    "RunPanel",
    "RunRecord",
    "SchemaEditor",
    "Studio",
]
