"""Data models (pydantic v2) of the files a user writes and of the bundled background data."""
