"""The webhook front door, outside ``/api/v1`` and without API authentication (a webhook
authenticates by its node's settings): ``/webhook/<path>`` (active workflows) and
``/webhook-test/<path>`` (a listened-for test call of a saved draft), and the resume URLs
of waiting runs, ``/webhook-waiting/<execution id>`` and ``/form-waiting/<execution id>``.
Plain Starlette routes: no dependency injection and no OpenAPI entry (their shapes are the
workflows')."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.routing import Route

from serve.webhooks.handler import serve_production, serve_test
from serve.webhooks.waiting import serve_form_waiting, serve_webhook_waiting

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def install(app: FastAPI) -> None:
    """Add the routes *first*: a webhook call then costs one route match, not one per API
    route before it."""
    routes = [
        Route("/webhook/{path:path}", serve_production, methods=METHODS),
        Route("/webhook-test/{path:path}", serve_test, methods=METHODS),
        Route("/webhook-waiting/{rest:path}", serve_webhook_waiting, methods=METHODS),
        Route("/form-waiting/{rest:path}", serve_form_waiting, methods=METHODS),
    ]
    app.router.routes[0:0] = routes
