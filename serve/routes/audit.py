"""The audit log, newest first (instance owners and admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from n8nwork.store.repo.audit import list_audit
from serve.auth.principal import Principal
from serve.deps import SessionDep, require
from serve.models.audit import AuditPublic
from serve.models.base import MAX_ID, Limit, Page

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=Page[AuditPublic])
def audit_list(
    session: SessionDep,
    principal: Annotated[Principal, require("audit:read")],
    actor_id: Annotated[str | None, Query(alias="actorId", max_length=64)] = None,
    target_type: Annotated[str | None, Query(alias="targetType", max_length=32)] = None,
    target_id: Annotated[str | None, Query(alias="targetId", max_length=64)] = None,
    limit: Limit = 100,
    cursor: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Page[AuditPublic]:
    rows = list_audit(
        session=session,
        actor_id=actor_id,
        target_type=target_type,
        target_id=target_id,
        limit=limit + 1,
        cursor=cursor,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        data=[AuditPublic.of(r) for r in rows], next_cursor=str(rows[-1].id) if more else None
    )
