"""What the two schedule triggers (``scheduleTrigger``, legacy ``cron``) share: a trigger
whose rules are checked when the workflow is validated (``ScheduleRuleError`` names the node
and the rule), and which the scheduler starts with the slot's item."""

from __future__ import annotations

from n8nwork.triggers.schedule_rules import NoRulesError, ScheduleRuleError, compile_schedule
from n8nwork.workflow.model import Node
from nodes.sdk import NodeType


class ScheduleNode(NodeType):
    is_trigger = True

    def validate(self, node: Node) -> list[str]:
        problems = super().validate(node)
        if not problems:
            try:
                compile_schedule(
                    node.type, node.type_version, node.parameters, node=node.name, timezone="UTC"
                )
            except NoRulesError:
                pass  # n8n accepts a schedule node without rules; it never fires
            except ScheduleRuleError as exc:
                problems.append(str(exc))
        return problems
