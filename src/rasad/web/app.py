"""The app factory: HTTP API under ``/api``, the OpenAPI schema at ``/api/openapi.json``, the web UI at ``/``.

The UI's files (``static/``) are this package's own and the vendored third-party files listed in
``static/vendor/MANIFEST.json``; nothing is loaded from elsewhere unless an online tile layer is
configured.  There is no interactive docs page: it would load scripts from a CDN.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware

from rasad.errors import KnowledgeBaseError, StoreError
from rasad.search import QueryError
from rasad.web.access import StoreAccess
from rasad.web.api import WebState, router
from rasad.web.ingest import IngestRejected
from rasad.web.options import WebOptions
from rasad.web.security import SecurityHeaders, security_headers

STATIC = Path(__file__).resolve().parent / "static"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")


def _version() -> str:
    try:
        return version("rasad")
    except PackageNotFoundError:  # run from a source tree
        return "0+unknown"


def _error_handlers(app: FastAPI) -> None:
    async def bad_query(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    async def rejected(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    async def unavailable(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503)

    app.add_exception_handler(QueryError, bad_query)
    app.add_exception_handler(IngestRejected, rejected)
    app.add_exception_handler(StoreError, unavailable)
    app.add_exception_handler(KnowledgeBaseError, unavailable)


def create_app(options: WebOptions, *, allowed_hosts: tuple[str, ...] = ("*",)) -> FastAPI:
    """The ASGI app serving ``options.db``.  ``allowed_hosts``: Host header values accepted (DNS rebinding)."""
    options.check()
    access = StoreAccess(options.db, kb_name=options.kb, refresh_s=options.refresh_s)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            access.close()

    app = FastAPI(
        title="rasad", version=_version(), lifespan=lifespan,
        description="Sourced, geolocated knowledge base of Arabic conflict news: articles, entities, relations, "
                    "events and stories, with their evidence.",
        openapi_url="/api/openapi.json", docs_url=None, redoc_url=None,
    )
    app.state.rasad = WebState(options=options, access=access)
    app.include_router(router)
    _error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC, follow_symlink=False), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")

    if "*" not in allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    # Added last, so outermost: every answer, the Host check's refusals included, carries the headers.
    app.add_middleware(SecurityHeaders, headers=security_headers(tiles_origin=options.tiles_origin))
    return app


def hosts_for(bind: str) -> tuple[str, ...]:
    """Host headers to accept when listening on ``bind``: loopback names only on a loopback address."""
    return LOOPBACK_HOSTS if bind in LOOPBACK_HOSTS else ("*",)
