"""The what-if workbench of ``vlca serve``: Starlette app, static page, compiled-engine updates."""
