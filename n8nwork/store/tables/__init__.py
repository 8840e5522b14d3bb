"""The store's tables, one module per concept; importing this package registers them all."""

from __future__ import annotations

from n8nwork.store.tables.audit import AuditEntry
from n8nwork.store.tables.credentials import Credential
from n8nwork.store.tables.executions import Execution, ExecutionData, NodeRunRow, Payload
from n8nwork.store.tables.identity import ApiKey, Project, ProjectMembership, RefreshToken, User
from n8nwork.store.tables.triggers import ScheduleFire, Wait, Webhook
from n8nwork.store.tables.workflows import WorkflowActivation, WorkflowRow, WorkflowVersion

__all__ = [
    "ApiKey",
    "AuditEntry",
    "Credential",
    "Execution",
    "ExecutionData",
    "NodeRunRow",
    "Payload",
    "Project",
    "ProjectMembership",
    "RefreshToken",
    "ScheduleFire",
    "User",
    "Wait",
    "Webhook",
    "WorkflowActivation",
    "WorkflowRow",
    "WorkflowVersion",
]
