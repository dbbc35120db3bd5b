"""HTTP API and web UI (the ``web`` extra: FastAPI and uvicorn).

:func:`rasad.web.app.create_app` builds the app from a :class:`rasad.web.options.WebOptions`;
``rasad serve`` runs it.  The read model (:mod:`~rasad.web.snapshot`, :mod:`~rasad.web.queries`,
:mod:`~rasad.web.views`) needs no web framework and is shared with the one-file report
(:mod:`rasad.report`).
"""

from rasad.web.options import WebOptions

__all__ = ["WebOptions"]
