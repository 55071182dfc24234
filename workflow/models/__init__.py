"""Workflow rules (ordered criteria -> actions), their typed criteria and actions, and the firings left on tickets.
Importing the package registers every model with Django."""

from workflow.models.actions import Action
from workflow.models.columns import ACTION_COLUMNS, CRITERION_COLUMNS
from workflow.models.criteria import Criterion, CriterionVipStatus
from workflow.models.firings import ReplayJob, RuleFiring
from workflow.models.rules import Rule

__all__ = [
    "ACTION_COLUMNS",
    "CRITERION_COLUMNS",
    "Action",
    "Criterion",
    "CriterionVipStatus",
    "ReplayJob",
    "Rule",
    "RuleFiring",
]
