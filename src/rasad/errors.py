"""One exception tree for the project."""

from __future__ import annotations


class RasadError(Exception):
    """Base class of every error rasad raises on purpose."""


class InputError(RasadError):
    """An input document that cannot be read; ``str()`` is one line naming it."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class KnowledgeBaseError(RasadError):
    """The knowledge base data files are missing or inconsistent."""


class StoreError(RasadError):
    """The database cannot be opened or written."""
