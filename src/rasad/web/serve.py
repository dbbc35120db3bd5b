"""Run the web server (``rasad serve``): uvicorn in this process."""

from __future__ import annotations

from rasad.web.app import create_app, hosts_for
from rasad.web.options import WebOptions


def serve(options: WebOptions, *, host: str = "127.0.0.1", port: int = 8000, log_level: str = "info") -> None:
    """Serve until interrupted."""
    import uvicorn

    app = create_app(options, allowed_hosts=hosts_for(host))
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False, proxy_headers=False)
