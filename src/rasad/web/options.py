"""The one options record the ``serve`` command, the app factory and the tests build."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from rasad.errors import RasadError

MIN_TOKEN_LENGTH = 16
_TILE_TEMPLATE = re.compile(r"\Ahttps://(?:\{s\}\.)?[A-Za-z0-9.-]+(?::\d+)?/[A-Za-z0-9_./{}@-]*\{z\}[A-Za-z0-9_./{}@-]*\Z")


@dataclass(frozen=True, slots=True, kw_only=True)
class WebOptions:
    """How the server runs.

    ``db``: the database URL (as for every command).  Ingest over HTTP is off unless ``allow_ingest``,
    and then needs ``token`` (a bearer token of at least 16 characters).  ``tiles``: an https URL
    template of an online tile layer ({z}/{x}/{y}) offered as an extra base layer; off by default,
    the UI then makes no request outside this server.  ``refresh_s``: how often the database is
    checked for changes made by other processes.
    """

    db: str
    allow_ingest: bool = False
    token: str | None = None
    kb: str = "default"
    tiles: str | None = None
    tiles_attribution: str = ""
    refresh_s: float = 2.0

    def check(self) -> None:
        """Raise :class:`RasadError` with a one-line reason when the options cannot work together."""
        if self.allow_ingest and not self.token:
            raise RasadError("--allow-ingest needs a token (--token or RASAD_INGEST_TOKEN)")
        if self.token is not None and len(self.token) < MIN_TOKEN_LENGTH:
            raise RasadError(f"the ingest token must be at least {MIN_TOKEN_LENGTH} characters long")
        if self.tiles is not None and not _TILE_TEMPLATE.match(self.tiles):
            raise RasadError(f"--tiles {self.tiles!r}: not an https URL template with {{z}}, {{x}} and {{y}}")
        if self.refresh_s < 0:
            raise RasadError("refresh interval must not be negative")

    @property
    def tiles_origin(self) -> str | None:
        """``https://host`` of the tile layer (the content security policy allows images from it)."""
        if not self.tiles:
            return None
        parts = urlsplit(self.tiles.replace("{s}", "subdomain"))
        host = parts.netloc.replace("subdomain.", "*.", 1) if "{s}" in self.tiles else parts.netloc
        return f"{parts.scheme}://{host}"
