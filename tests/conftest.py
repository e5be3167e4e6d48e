"""Fixtures shared by the test modules, loaded as plugins (a test module never imports them):

- ``servers``: a real local server over real HTTP (``local_server``, ``client``), and
  ``servers.start_server`` for a test that needs a server of its own;
- ``browsers``: headless Chromium (``browser``) and a JupyterLab to drive with it (``jupyterlab``);
- ``client_fakes``: the scripted in-process API (``make_runner``: every test sync and async)
  and an instant fake clock (``clock``).
"""

pytest_plugins = ["servers", "browsers", "client_fakes"]
