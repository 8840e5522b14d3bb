"""The benchmark workflows of ``shared/bench-workflows`` (n8n exports) as the HTTP benchmarks
use them: names and files, webhook paths, the payload and the answer each must give, import
and activation on n8nwork through the API, and the fresh PostgreSQL database the executions
are saved to."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from benchmarks._platform import Platform

CONCURRENCY = (1, 10, 50)
WORKFLOWS = {"webhook": "webhook-set-respond.json", "chain10": "webhook-chain10-respond.json"}
FOLDER = Path(__file__).resolve().parents[2] / "shared" / "bench-workflows"
X = 21
BODY = json.dumps({"x": X}).encode()
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


def webhook_path(document: dict[str, Any]) -> str:
    node = next(n for n in document["nodes"] if n["type"] == "n8n-nodes-base.webhook")
    return str(node["parameters"]["path"]).strip("/")


def expected_answer(name: str, x: int = X) -> dict[str, Any]:
    """What the Respond node returns for ``{"x": x}``: Set ``y = x * 2``, or ten ``v + 1``."""
    return {"webhook": {"y": x * 2}, "chain10": {"v": x + 10}}[name]


def answer_check(name: str, x: int = X) -> Callable[[bytes], bool]:
    """``check(body) -> bool`` for the load generator: the body is the expected JSON."""
    expected = expected_answer(name, x)

    def check(body: bytes) -> bool:
        try:
            return bool(json.loads(body) == expected)
        except ValueError:
            return False

    return check


def activate_all(platform: Platform, folder: Path) -> dict[str, str]:
    """Import and activate the workflows through the API: ``{name: webhook path}``."""
    paths: dict[str, str] = {}
    for name, file in WORKFLOWS.items():
        document = json.loads((folder / file).read_text())
        url, headers = platform.url, platform.headers
        answer = httpx.post(f"{url}/api/v1/workflows/import", json=document, headers=headers)
        answer.raise_for_status()
        wid = answer.json()["data"][0]["id"]
        httpx.post(f"{url}/api/v1/workflows/{wid}/activate", headers=headers).raise_for_status()
        paths[name] = webhook_path(document)
    return paths


def fresh_database(name: str) -> str:
    """A new, empty PostgreSQL database ``name`` for this run (dropped first if it exists)."""
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def count_executions(database_url: str) -> int:
    import psycopg

    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT count(*) FROM executions").fetchone()
        return int(row[0]) if row else 0


def postgres_backends(database_url: str) -> list[int]:
    """Pids of the PostgreSQL server processes serving connections to ``database_url``'s
    database (their CPU is the database work of the requests; the server's shared
    processes, WAL writer and checkpointer, are not among them)."""
    import psycopg

    name = database_url.rsplit("/", 1)[-1]
    with psycopg.connect(ADMIN_URL) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchall()
    return [int(row[0]) for row in rows]
