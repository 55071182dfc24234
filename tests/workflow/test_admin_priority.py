"""The rule admin offers priorities as a list (P1-P5) for priority criteria and the set-priority action."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.workflow.factories import rule
from workflow.models import Action, Criterion

pytestmark = pytest.mark.django_db


def _formset(prefix: str, rows: list[dict]) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": 0}
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def test_the_change_form_shows_stored_priorities_selected(admin_client):
    made = rule("Raise P3", criteria=[("priority", "gte", 3)], actions=[("set_priority", 2)])
    html = admin_client.get(reverse("admin:workflow_rule_change", args=[made.pk])).content.decode()
    assert '<select name="criteria-0-priority"' in html and '<select name="actions-0-priority"' in html
    assert '<option value="3" selected>P3 - Moderate</option>' in html
    assert '<option value="2" selected>P2 - High</option>' in html


def test_a_priority_chosen_from_the_list_is_saved_as_the_value(admin_client):
    data = {
        "name": "High impact is P1",
        "active": "on",
        "trigger": "both",
        "match": "all",
        "change_reason": "priorities from the list",
        **_formset("criteria", [{"field": "priority", "operator": "gt", "priority": "4"}]),
        **_formset("actions", [{"action_type": "set_priority", "priority": "1"}]),
    }
    response = admin_client.post(reverse("admin:workflow_rule_add"), data)
    assert response.status_code == 302
    assert Criterion.objects.get().value == "4"
    assert Action.objects.get().value == "1"


def test_no_priority_chosen_is_an_error_next_to_the_list(admin_client):
    data = {
        "name": "Set nothing",
        "active": "on",
        "trigger": "both",
        "match": "all",
        "change_reason": "r",
        **_formset("criteria", []),
        **_formset("actions", [{"action_type": "set_priority"}]),
    }
    response = admin_client.post(reverse("admin:workflow_rule_add"), data)
    assert response.status_code == 200
    action_form = response.context["inline_admin_formsets"][1].formset.forms[0]
    assert action_form.errors.get("priority"), action_form.errors
    assert not Action.objects.exists()
