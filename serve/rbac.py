"""Who may do what: one table of permissions (scope → roles that hold it).

Instance roles (``global:owner``, ``global:admin``, ``global:member``) hold instance scopes;
project roles (``project:admin``, ``project:editor``, ``project:viewer``, and
``project:personalOwner`` for a user's own project) hold project scopes in their project.
Instance owners and admins hold every project scope in every project, as in n8n.

A project scope is checked against the caller's role in the resource's project: no role at
all means the resource does not exist for the caller (404, never 403: ids are not an oracle);
a role without the scope is 403. An API key with scopes narrows its user's permissions to
them (an empty list means all of the user's).
"""

from __future__ import annotations

from typing import Final

OWNER, ADMIN, MEMBER = "global:owner", "global:admin", "global:member"
P_OWNER, P_ADMIN, P_EDITOR, P_VIEWER = (
    "project:personalOwner",
    "project:admin",
    "project:editor",
    "project:viewer",
)
INSTANCE_ROLES: Final = (OWNER, ADMIN, MEMBER)
PROJECT_ROLES: Final = (P_ADMIN, P_EDITOR, P_VIEWER)
"""Roles that can be given in a team project (personal ownership is not assignable)."""

_STAFF = frozenset({OWNER, ADMIN})
_EVERYONE = frozenset(INSTANCE_ROLES)
_READERS = frozenset({P_OWNER, P_ADMIN, P_EDITOR, P_VIEWER})
_WRITERS = frozenset({P_OWNER, P_ADMIN, P_EDITOR})

PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    # ---- instance scopes
    "user:list": _STAFF,
    "user:create": _STAFF,
    "user:update": _STAFF,
    "project:create": _EVERYONE,
    "project:listAll": _STAFF,
    "apiKey:manage": _EVERYONE,
    "nodeType:read": _EVERYONE,
    "audit:read": _STAFF,
    # ---- project scopes
    "project:read": _READERS,
    "project:update": frozenset({P_OWNER, P_ADMIN}),
    "project:delete": frozenset({P_ADMIN}),
    "project:manageMembers": frozenset({P_ADMIN}),
    "workflow:read": _READERS,
    "workflow:create": _WRITERS,
    "workflow:update": _WRITERS,
    "workflow:delete": _WRITERS,
    "workflow:activate": _WRITERS,
    "workflow:execute": _WRITERS,
    "execution:read": _READERS,
    "execution:cancel": _WRITERS,
    "execution:retry": _WRITERS,
    "execution:delete": _WRITERS,
    "credential:read": _READERS,
    "credential:create": _WRITERS,
    "credential:update": _WRITERS,
    "credential:delete": _WRITERS,
    "credential:test": _WRITERS,
}
SCOPES: Final = frozenset(PERMISSIONS)
PROJECT_SCOPES: Final = frozenset(
    s for s, roles in PERMISSIONS.items() if roles & (_READERS | {P_ADMIN})
)


def is_staff(instance_role: str) -> bool:
    """Instance owners and admins: every project scope in every project."""
    return instance_role in _STAFF


def role_allows(role: str | None, scope: str) -> bool:
    """True when ``role`` (instance or project) holds ``scope``."""
    return role is not None and role in PERMISSIONS[scope]


def project_allows(instance_role: str, project_role: str | None, scope: str) -> bool:
    """True when a user with these roles holds the project ``scope`` in that project."""
    return is_staff(instance_role) or role_allows(project_role, scope)


def can_see_project(instance_role: str, project_role: str | None) -> bool:
    """False means: this project and everything in it does not exist for the caller."""
    return is_staff(instance_role) or project_role is not None
