"""Your API keys: create (the key is shown once), list (prefix, scopes, last use), revoke.
A key with scopes may only create keys with a subset of them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from n8nwork.store.errors import NotFoundError
from n8nwork.store.repo.api_keys import create_api_key, list_api_keys, revoke_api_key
from n8nwork.store.tables.identity import ApiKey
from n8nwork.store.types import utcnow
from serve.access import audit
from serve.auth.principal import Principal
from serve.deps import SessionDep, client_ip, require
from serve.errors import PermissionDeniedError, RequestInvalidError
from serve.models.identity import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic
from serve.rbac import SCOPES

router = APIRouter(prefix="/api-keys", tags=["api keys"])
KeyId = Annotated[str, Path(min_length=1, max_length=36)]


@router.post("", response_model=ApiKeyCreated, status_code=201)
def keys_create(
    body: ApiKeyCreate,
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, require("apiKey:manage")],
) -> ApiKeyCreated:
    """A new key for yourself. ``scopes`` (default: all you may do) narrow what it can do."""
    problems = [
        (f"scopes.{i}", f"unknown scope {s!r}")
        for i, s in enumerate(body.scopes)
        if s not in SCOPES
    ]
    if body.expires_at is not None:
        if body.expires_at.tzinfo is None:
            problems.append(("expiresAt", "give a time zone (e.g. Z)"))
        elif body.expires_at <= utcnow():
            problems.append(("expiresAt", "must be in the future"))
    if problems:
        raise RequestInvalidError("the API key request is invalid", problems)
    if principal.scopes is not None and (not body.scopes or set(body.scopes) - principal.scopes):
        raise PermissionDeniedError("a key cannot create a key with more scopes than its own")
    key, plaintext = create_api_key(
        session=session,
        user_id=principal.user_id,
        name=body.name,
        scopes=list(body.scopes),
        expires_at=body.expires_at,
    )
    audit(
        session,
        principal,
        "apiKey.created",
        target_type="api_key",
        target_id=key.id,
        ip=client_ip(request),
        details={"prefix": key.prefix, "scopes": list(body.scopes)},
    )
    session.commit()
    return ApiKeyCreated(**ApiKeyPublic.of(key).model_dump(), key=plaintext)


@router.get("", response_model=list[ApiKeyPublic])
def keys_list(
    session: SessionDep, principal: Annotated[Principal, require("apiKey:manage")]
) -> list[ApiKeyPublic]:
    """Your keys, oldest first (never the key itself)."""
    return [ApiKeyPublic.of(k) for k in list_api_keys(session=session, user_id=principal.user_id)]


@router.delete("/{key_id}", status_code=204, response_class=Response)
def keys_revoke(
    key_id: KeyId,
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, require("apiKey:manage")],
) -> Response:
    """Revoke one of your keys; it stops working at once."""
    row = session.get(ApiKey, key_id)
    if row is None or row.user_id != principal.user_id:
        raise NotFoundError(f"API key {key_id!r} not found")
    revoke_api_key(session=session, key_id=key_id)
    audit(
        session,
        principal,
        "apiKey.revoked",
        target_type="api_key",
        target_id=key_id,
        ip=client_ip(request),
    )
    session.commit()
    return Response(status_code=204)
