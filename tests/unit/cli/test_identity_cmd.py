"""``login``/``logout`` (the token file: place, modes, atomic writes, refresh), ``users`` and
``keys`` commands, and the exit codes of refusals and of an unreachable server."""

from __future__ import annotations

import json
import os
import socket
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from n8nwork.cli import _tokens, app
from tests.unit.cli.conftest import OWNER, Server
from tests.unit.cli.test_workflows_cmd import cli
from tests.unit.serve.conftest import PASSWORD

runner = CliRunner()


def login(server: Server, email: str = OWNER, password: str = PASSWORD) -> Result:
    return runner.invoke(
        app, ["--url", server.url, "login", "--email", email, "--password-stdin"],
        input=f"{password}\n",
    )  # fmt: skip


def test_login_saves_a_private_token_and_commands_use_it(server: Server, _config_dir: Path) -> None:
    result = login(server)
    assert result.exit_code == 0, result.output
    path = _config_dir / "credentials.json"
    assert _tokens.credentials_path() == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    saved = json.loads(path.read_text())["servers"][server.url]
    assert saved["email"] == OWNER and saved["accessToken"] and saved["refreshToken"]
    assert [p.name for p in path.parent.iterdir()] == ["credentials.json"]  # no temp left
    # later commands need no key
    listed = runner.invoke(app, ["--url", server.url, "users", "ls", "--json"])
    assert listed.exit_code == 0, listed.output
    assert OWNER in {u["email"] for u in json.loads(listed.stdout)}
    # Given an access token the server no longer accepts, the saved refresh token renews it
    # and the rotated tokens are saved for the next command.
    entry = _tokens.load(server.url)
    assert entry is not None
    _tokens.save(server.url, _tokens.SavedLogin("not-a-valid-token", entry.refresh_token, OWNER))
    again = runner.invoke(app, ["--url", server.url, "keys", "ls"])
    assert again.exit_code == 0, again.output
    renewed = _tokens.load(server.url)
    assert renewed is not None and renewed.access_token != "not-a-valid-token"
    assert renewed.refresh_token != entry.refresh_token
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    out = runner.invoke(app, ["--url", server.url, "logout"])
    assert out.exit_code == 0 and _tokens.load(server.url) is None
    # the login is revoked on the server too: its refresh token no longer works
    from n8nwork.client import Client, Unauthorized

    old = Client(server.url, token="expired", refresh_token=renewed.refresh_token)
    with old as client, pytest.raises(Unauthorized):
        list(client.keys.list())


def test_wrong_password_and_no_credentials_exit_2(server: Server) -> None:
    bad = login(server, password="wrong password")
    assert bad.exit_code == 2
    assert bad.stderr.startswith("error: ")
    anonymous = runner.invoke(app, ["--url", server.url, "workflows", "ls"])
    assert anonymous.exit_code == 2
    assert "n8nwork login" in anonymous.stderr
    assert len(anonymous.stderr.strip().splitlines()) == 1


def test_corrupt_credentials_file_is_a_clear_error(server: Server, _config_dir: Path) -> None:
    _config_dir.mkdir(parents=True)
    (_config_dir / "credentials.json").write_text("{oops")
    result = runner.invoke(app, ["--url", server.url, "workflows", "ls"])
    assert result.exit_code == 2
    assert "credentials.json: not valid JSON" in result.stderr


def test_users_and_keys(server: Server) -> None:
    made = cli(server, "--json", "users", "create", "new.person@cli.test", "--role", "admin")
    assert made.exit_code == 0, made.output
    user = json.loads(made.stdout)
    assert user["role"] == "global:admin"
    assert cli(server, "users", "create", "x@cli.test", "--role", "boss").exit_code == 2
    dup = cli(server, "users", "create", "new.person@cli.test")
    assert dup.exit_code == 2, dup.output
    table = cli(server, "users", "ls")
    assert table.exit_code == 0 and "new.person@cli.test" in table.stdout
    assert cli(server, "users", "disable", user["id"]).exit_code == 0
    listed = json.loads(cli(server, "users", "ls", "--json").stdout)
    assert {u["email"]: u["disabled"] for u in listed}["new.person@cli.test"] is True
    # a member may not manage users: refused, exit 2
    refused = cli(server, "users", "ls", key=server.member_key)
    assert refused.exit_code == 2 and refused.stderr.startswith("error: ")

    created = cli(server, "keys", "create", "ci key", "--scope", "workflow:read")
    assert created.exit_code == 0, created.output
    key = created.stdout.strip()
    assert key and "store it now" in created.stderr
    keys = json.loads(cli(server, "keys", "ls", "--json").stdout)
    mine = next(k for k in keys if k["name"] == "ci key")
    assert mine["scopes"] == ["workflow:read"] and key not in json.dumps(keys)
    assert cli(server, "workflows", "ls", key=key).exit_code == 0
    assert cli(server, "keys", "revoke", mine["id"]).exit_code == 0
    assert cli(server, "workflows", "ls", key=key).exit_code == 2


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("command", [["workflows", "ls"], ["executions", "watch", "1"]])
def test_unreachable_server_exit_3(command: list[str]) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    result = runner.invoke(app, ["--url", url, "--api-key", "k", *command])
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith(f"error: cannot reach the server at {url}")
    assert len(result.stderr.strip().splitlines()) == 1
    debug = runner.invoke(app, ["--url", url, "--api-key", "k", "--debug", *command])
    assert debug.exception is not None and type(debug.exception).__name__ == "Unreachable"


def test_usage_errors_exit_2() -> None:
    assert runner.invoke(app, ["--url", "ftp://x", "workflows", "ls"]).exit_code == 2
    assert runner.invoke(app, ["workflows", "nope"]).exit_code == 2
    assert runner.invoke(app, ["executions", "show", "not-a-number"]).exit_code == 2
    env = runner.invoke(app, ["workflows", "ls"], env={"N8NWORK_URL": "nope"})
    assert env.exit_code == 2 and "--url must be" in env.stderr
    assert os.environ.get("N8NWORK_URL") is None


def test_login_prompts_for_what_is_missing(server: Server) -> None:
    result = runner.invoke(app, ["--url", server.url, "login"], input=f"{OWNER}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # the password is not echoed
    saved = _tokens.load(server.url)
    assert saved is not None and saved.email == OWNER
