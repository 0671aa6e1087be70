"""The one error the conversations store raises, in a module of its own: the app catches it from the
start, and the store itself (SQLite and all) loads only once the first frame is out."""

from __future__ import annotations


class StoreError(Exception):
    """The conversations database cannot be used; the message says why in plain words."""
