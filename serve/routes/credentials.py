"""Credentials: stored encrypted; ``data`` is write-only. No response, log line or audit
entry contains a secret: responses carry id, name, type and project only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from n8nwork.crypto import CryptoError
from n8nwork.store.repo.credentials import (
    create_credential,
    decrypt_credential,
    delete_credential,
    list_credentials,
    update_credential,
)
from n8nwork.store.repo.projects import personal_project
from serve.access import audit, check_project, load_credential, visible_projects
from serve.deps import CtxDep, CurrentUser, SessionDep, check_scope, client_ip
from serve.models.base import Page
from serve.models.credentials import (
    CredentialCreate,
    CredentialPublic,
    CredentialTest,
    CredentialUpdate,
)

router = APIRouter(prefix="/credentials", tags=["credentials"])
CredentialId = Annotated[str, Path(min_length=1, max_length=36)]

REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "httpBasicAuth": ("user", "password"),
    "httpDigestAuth": ("user", "password"),
    "httpHeaderAuth": ("name", "value"),
    "httpQueryAuth": ("name", "value"),
    "httpBearerAuth": ("token",),
    "httpCustomAuth": ("json",),
}
"""What a credential of a known type must contain to be usable (checked by ``test``)."""


@router.post("", response_model=CredentialPublic, status_code=201)
def credentials_create(
    body: CredentialCreate,
    request: Request,
    ctx: CtxDep,
    principal: CurrentUser,
    session: SessionDep,
) -> CredentialPublic:
    """Store a credential (in your personal project unless ``projectId``)."""
    project_id = body.project_id or personal_project(session=session, user_id=principal.user_id).id
    check_project(
        session,
        principal,
        project_id,
        "credential:create",
        missing=f"project {project_id!r} not found",
    )
    row = create_credential(
        session=session,
        key_ring=ctx.store.key_ring,
        project_id=project_id,
        name=body.name,
        type=body.type,
        data=body.data,
        limits=ctx.store.limits,
    )
    audit(
        session,
        principal,
        "credential.created",
        target_type="credential",
        target_id=row.id,
        ip=client_ip(request),
        details={"type": row.type},
    )
    session.commit()
    return CredentialPublic.of(row)


@router.get("", response_model=Page[CredentialPublic])
def credentials_list(
    principal: CurrentUser,
    session: SessionDep,
    project_id: Annotated[str | None, Query(alias="projectId", max_length=36)] = None,
    type: Annotated[str | None, Query(max_length=255)] = None,
) -> Page[CredentialPublic]:
    """Credentials you can see, by name (never their data)."""
    if project_id is not None:
        check_project(
            session,
            principal,
            project_id,
            "credential:read",
            missing=f"project {project_id!r} not found",
        )
        rows = list_credentials(session=session, project_id=project_id, type=type)
    else:
        check_scope(principal, "credential:read")
        projects = visible_projects(session, principal)
        if projects is None:
            rows = list_credentials(session=session, type=type)
        else:
            rows = [
                r
                for p in projects
                for r in list_credentials(session=session, project_id=p, type=type)
            ]
            rows.sort(key=lambda r: (r.name, r.id))
    return Page(data=[CredentialPublic.of(r) for r in rows])


@router.get("/{credential_id}", response_model=CredentialPublic)
def credentials_get(
    credential_id: CredentialId, principal: CurrentUser, session: SessionDep
) -> CredentialPublic:
    return CredentialPublic.of(
        load_credential(session, principal, credential_id, "credential:read")
    )


@router.patch("/{credential_id}", response_model=CredentialPublic)
def credentials_update(
    credential_id: CredentialId,
    body: CredentialUpdate,
    request: Request,
    ctx: CtxDep,
    principal: CurrentUser,
    session: SessionDep,
) -> CredentialPublic:
    """Rename and/or change fields: given fields replace stored ones, ``null`` removes one,
    fields not given keep their (secret) value."""
    row = load_credential(session, principal, credential_id, "credential:update")
    data: dict[str, Any] | None = None
    if body.data is not None:
        data = decrypt_credential(key_ring=ctx.store.key_ring, credential=row)
        for key, value in body.data.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
    row = update_credential(
        session=session,
        key_ring=ctx.store.key_ring,
        credential_id=row.id,
        data=data,
        name=body.name,
        limits=ctx.store.limits,
    )
    audit(
        session,
        principal,
        "credential.updated",
        target_type="credential",
        target_id=row.id,
        ip=client_ip(request),
        details={"fields": sorted(body.data) if body.data else [], "renamed": bool(body.name)},
    )
    session.commit()
    return CredentialPublic.of(row)


@router.delete("/{credential_id}", status_code=204, response_class=Response)
def credentials_delete(
    credential_id: CredentialId, request: Request, principal: CurrentUser, session: SessionDep
) -> Response:
    row = load_credential(session, principal, credential_id, "credential:delete")
    delete_credential(session=session, credential_id=row.id)
    audit(
        session,
        principal,
        "credential.deleted",
        target_type="credential",
        target_id=row.id,
        ip=client_ip(request),
    )
    session.commit()
    return Response(status_code=204)


@router.post("/{credential_id}/test", response_model=CredentialTest)
def credentials_test(
    credential_id: CredentialId, ctx: CtxDep, principal: CurrentUser, session: SessionDep
) -> CredentialTest:
    """Check that the credential decrypts and has what its type needs (names of missing
    fields only, never values). Types without a known shape are checked for decryption."""
    row = load_credential(session, principal, credential_id, "credential:test")
    try:
        data = decrypt_credential(key_ring=ctx.store.key_ring, credential=row)
    except (CryptoError, ValueError):
        return CredentialTest(status="Error", message="the credential cannot be decrypted")
    required = REQUIRED_FIELDS.get(row.type)
    if required is None:
        return CredentialTest(
            status="OK", message=f"decrypts; no further test for type {row.type!r}"
        )
    missing = [f for f in required if not isinstance(data.get(f), str) or not data.get(f)]
    if missing:
        return CredentialTest(status="Error", message=f"missing fields: {', '.join(missing)}")
    return CredentialTest(status="OK", message="has every field its type needs")
