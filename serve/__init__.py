"""serve: n8nwork's HTTP API (FastAPI) and its Ray Serve deployment.

from serve import create_app, ApiConfig      # the ASGI app (tests, uvicorn)
from serve.deploy import deploy              # on a Ray cluster (n8nwork up)
"""

from __future__ import annotations

from serve.app import create_app
from serve.config import ApiConfig, RateLimit

__all__ = ["ApiConfig", "RateLimit", "create_app"]
