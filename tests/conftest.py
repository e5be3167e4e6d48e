"""Fixtures shared by the test modules, loaded as plugins (never imported by a test module):

- ``servers``: a real local server over real HTTP (``local_server``, ``client``), and
  ``servers.start_server`` for a test that needs a server of its own;
- ``browsers``: headless Chromium (``browser``) and a JupyterLab to drive with it (``jupyterlab``).
"""

pytest_plugins = ["servers", "browsers"]
