"""The rule admin (inlines saved through the workflow services, field errors, lint messages, move buttons);
deleting records that rules use. Its Simulate, Replay and Lint pages are in test_admin_pages.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from itsm.services import ConflictError
from people.models import Team
from people.services import team_delete
from services.models import ServiceInstance
from tests import factories
from tests.base import AdminBattery, history_of
from tests.tickets import factories as ticket_factories
from tests.workflow.factories import rule
from vip.models import VipStatus
from workflow import services
from workflow.models import Action, Criterion, Rule, RuleFiring

CRITERION_COLUMNS = [
    "field",
    "operator",
    "vip_status",
    "statuses",
    "team",
    "assignee",
    "service_instance",
    "technical_service",
    "customer_group",
    "service_level",
    "value",
]
ACTION_COLUMNS = ["action_type", "team", "analyst", "service_level", "value", "text"]


def rule_post(
    *,
    rule_obj: Rule | None = None,
    criteria: list[dict] = (),
    actions: list[dict] = (),
    reason: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """The admin's POST for a rule with its inline rows; rows with an "id" are existing rows."""
    data: dict[str, Any] = {
        "name": "Executives first",
        "description": "",
        "active": "on",
        "trigger": "both",
        "match": "all",
    }
    data.update(fields)
    for key in [k for k, v in data.items() if v is False]:
        data.pop(key)
    for prefix, rows, columns in (("criteria", criteria, CRITERION_COLUMNS), ("actions", actions, ACTION_COLUMNS)):
        initial = sum(1 for r in rows if r.get("id"))
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": len(rows),
                f"{prefix}-INITIAL_FORMS": initial,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
        for i, row in enumerate(rows):
            for column in [*columns, "id", "DELETE"]:
                value = row.get(column, "")
                if value in ("", None, False):
                    continue
                data[f"{prefix}-{i}-{column}"] = value
            if rule_obj is not None:
                data[f"{prefix}-{i}-rule"] = rule_obj.pk
    if reason is not None:
        data["change_reason"] = reason
    return data


def rows_of(obj: Rule) -> dict[str, list[dict]]:
    criteria = []
    for c in obj.criteria.all():
        row = {"id": c.pk, "field": c.field, "operator": c.operator, "value": c.value}
        for column in CRITERION_COLUMNS[2:-1]:
            if column != "statuses" and getattr(c, f"{column}_id", None):
                row[column] = getattr(c, f"{column}_id")
        criteria.append(row)
    actions = []
    for a in obj.actions.all():
        row = {"id": a.pk, "action_type": a.action_type, "value": a.value, "text": a.text}
        for column in ("team", "analyst", "service_level"):
            if getattr(a, f"{column}_id"):
                row[column] = getattr(a, f"{column}_id")
        actions.append(row)
    return {"criteria": criteria, "actions": actions}


class TestRuleAdmin(AdminBattery):
    model = Rule

    def make(self, index):
        return rule(
            f"Rule {index}",
            criteria=[("priority", "gte", 2)],
            actions=[("set_priority", 2)],
        )

    def admin_add_data(self):
        return rule_post(
            criteria=[{"field": "impact", "operator": "is", "value": "high"}],
            actions=[{"action_type": "set_priority", "value": "1"}],
        )

    def admin_change_data(self, obj):
        return rule_post(rule_obj=obj, name=obj.name, description="changed", **rows_of(obj))


pytestmark = pytest.mark.django_db


# -- saving -----------------------------------------------------------------------------------------------------------
def test_add_saves_rule_criteria_and_actions_with_the_reason(admin_client, admin_user, executive):
    data = rule_post(
        reason="VIP policy 2026",
        criteria=[
            {"field": "vip_status", "operator": "is", "vip_status": executive.pk},
            {"field": "impact", "operator": "in", "value": "high,medium"},
        ],
        actions=[{"action_type": "set_priority", "value": "2"}],
    )
    response = admin_client.post(reverse("admin:workflow_rule_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    made = Rule.objects.get()
    assert made.position == 1
    assert made.summary.startswith("When a ticket is logged or changes: if caller VIP status is Executive and impact")
    assert [c.field for c in made.criteria.all()] == ["vip_status", "impact"]
    for row in [*Criterion.history.all(), *Action.history.all(), *Rule.history.all()]:
        assert row.history_change_reason == "VIP policy 2026"
        assert row.history_user == admin_user


def test_is_one_of_vip_statuses_are_saved_through_the_form(admin_client, executive, critical):
    data = rule_post(
        reason="r",
        criteria=[{"field": "vip_status", "operator": "in", "statuses": [executive.pk, critical.pk]}],
        actions=[{"action_type": "raise_priority", "value": "1"}],
    )
    response = admin_client.post(reverse("admin:workflow_rule_add"), data)
    assert response.status_code == 302
    criterion = Criterion.objects.get()
    assert set(criterion.vip_statuses.all()) == {executive, critical}
    # Editing keeps them (the form shows them as chosen).
    page = admin_client.get(reverse("admin:workflow_rule_change", args=[criterion.rule_id]))
    assert page.context["inline_admin_formsets"][0].formset.forms[0].initial["statuses"] == [executive.pk, critical.pk]


def test_change_edits_and_deletes_inline_rows_with_the_reason(admin_client):
    made = rule("Two", criteria=[("priority", "gte", 2), ("impact", "is", "high")], actions=[("set_priority", 2)])
    rows = rows_of(made)
    rows["criteria"][1]["DELETE"] = "on"
    rows["actions"][0]["value"] = "1"
    response = admin_client.post(
        reverse("admin:workflow_rule_change", args=[made.pk]),
        rule_post(rule_obj=made, name="Two", reason="only the priority matters", **rows),
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert [c.field for c in made.criteria.all()] == ["priority"]
    assert made.actions.get().value == "1"
    deleted = Criterion.history.filter(history_type="-").get()
    assert deleted.history_change_reason == "only the priority matters"
    assert Action.history.filter(history_type="~").last().history_change_reason == "only the priority matters"
    assert "P1" in made.summary


@pytest.mark.parametrize(
    ("criteria", "actions", "column", "message"),
    [
        (
            [{"field": "status", "operator": "is", "value": "bogus"}],
            [{"action_type": "set_priority", "value": "1"}],
            ("criteria", "value"),
            "Unknown status 'bogus'",
        ),
        (
            [{"field": "impact", "operator": "is", "value": "high"}],
            [{"action_type": "set_priority", "value": "7"}],
            ("actions", "priority"),  # a priority's error sits next to the priority list
            "Priority 7 does not exist",
        ),
        (
            [{"field": "impact", "operator": "is", "value": "high"}],
            [{"action_type": "assign_team", "team": 999999}],
            ("actions", "team"),
            "Select a valid choice",
        ),
        (
            [{"field": "minutes_since_opened", "operator": "gte", "value": "15"}],
            [{"action_type": "set_priority", "value": "1"}],
            ("criteria", "field"),
            "Only scheduled rules",
        ),
        (
            [{"field": "vip_status", "operator": "in"}],
            [{"action_type": "set_priority", "value": "1"}],
            ("criteria", "statuses"),
            "Choose at least one value",
        ),
    ],
    ids=["unknown-status", "priority-7", "missing-team", "scheduled-only-field", "empty-vip-set"],
)
def test_bad_values_are_field_errors_and_nothing_is_saved(admin_client, criteria, actions, column, message):
    counts = (Rule.objects.count(), Criterion.objects.count(), Action.objects.count(), Rule.history.count())
    response = admin_client.post(
        reverse("admin:workflow_rule_add"), rule_post(reason="r", criteria=criteria, actions=actions)
    )
    assert response.status_code == 200
    prefix, field = column
    formset = next(f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == prefix)
    errors = formset.forms[0].errors.get(field, [])
    assert any(message in e for e in errors), formset.forms[0].errors
    assert (Rule.objects.count(), Criterion.objects.count(), Action.objects.count(), Rule.history.count()) == counts


def test_lint_warnings_are_shown_as_messages_on_save(admin_client):
    rule("Catch-all", actions=[("set_priority", 3)], stop_processing=True)
    response = admin_client.post(
        reverse("admin:workflow_rule_add"),
        rule_post(
            reason="r",
            name="High impact",
            criteria=[{"field": "impact", "operator": "is", "value": "high"}],
            actions=[{"action_type": "set_priority", "value": "1"}],
        ),
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert any("Rule 2 'High impact': never fires: Rule 1 'Catch-all'" in m for m in shown), shown


def test_contradiction_warns_can_never_fire(admin_client):
    response = admin_client.post(
        reverse("admin:workflow_rule_add"),
        rule_post(
            reason="r",
            criteria=[
                {"field": "priority", "operator": "gte", "value": "3"},
                {"field": "priority", "operator": "lte", "value": "2"},
            ],
            actions=[{"action_type": "set_priority", "value": "1"}],
        ),
        follow=True,
    )
    assert any("can never fire" in str(m) for m in response.context["messages"])


# -- moving -----------------------------------------------------------------------------------------------------------
def test_move_buttons_keep_positions_contiguous_with_history(admin_client):
    first, second, third = (rule(f"R{i}", actions=[("set_priority", 3)]) for i in range(3))
    html = admin_client.get(reverse("admin:workflow_rule_changelist")).content.decode()
    assert 'id="rule-move-form"' in html
    assert reverse("admin:workflow_rule_move", args=[third.pk, "top"]) in html
    response = admin_client.post(reverse("admin:workflow_rule_move", args=[third.pk, "top"]))
    assert response.status_code == 302
    assert list(Rule.objects.ordered().values_list("name", "position")) == [("R2", 1), ("R0", 2), ("R1", 3)]
    assert history_of(third).last().history_change_reason == "moved from 3 to 1"
    assert "shifted from 1 to 2" in history_of(first).last().history_change_reason
    admin_client.post(reverse("admin:workflow_rule_move", args=[second.pk, "down"]))  # already last: no change
    admin_client.post(reverse("admin:workflow_rule_move", args=[third.pk, "bottom"]))
    assert list(Rule.objects.ordered().values_list("position", flat=True)) == [1, 2, 3]
    assert Rule.objects.get(pk=third.pk).position == 3


def test_move_needs_post_and_change_permission(client, make_user):
    made = rule("R", actions=[("set_priority", 3)])
    viewer = make_user("viewer", staff=True)
    from tests.base import grant

    grant(viewer, Rule, "view")
    client.force_login(viewer)
    assert client.post(reverse("admin:workflow_rule_move", args=[made.pk, "up"])).status_code == 403
    assert client.get(reverse("admin:workflow_rule_move", args=[made.pk, "up"])).status_code == 302


# -- protection -------------------------------------------------------------------------------------------------------
def test_deleting_a_team_used_by_a_rule_is_refused_naming_the_rule(admin_client):
    desk = factories.team(1, name="VIP Desk")
    rule("Executives to the desk", criteria=[("caller_is_vip", "true")], actions=[("assign_team", desk.pk)])
    url = reverse("admin:people_team_delete", args=[desk.pk])
    page = admin_client.get(url)
    assert "Executives to the desk" in page.content.decode()
    response = admin_client.post(url, {"post": "yes", "change_reason": "desk closed"}, follow=True)
    html = response.content.decode()
    assert "protected" in html and "Executives to the desk" in html
    assert Team.objects.filter(pk=desk.pk).exists()
    # The service refuses too, naming the rule (the API and bulk delete go through it).
    with pytest.raises(ConflictError, match="Executives to the desk"):
        team_delete(desk, user=None, change_reason="desk closed")


def test_deleting_a_vip_status_used_by_a_rule_is_refused_naming_the_rule(admin_client, executive):
    rule("Executives P1", criteria=[("vip_status", "is", executive.pk)], actions=[("set_priority", 1)])
    url = reverse("admin:vip_vipstatus_delete", args=[executive.pk])
    response = admin_client.post(url, {"post": "yes", "change_reason": "gone"}, follow=True)
    html = response.content.decode()
    assert "protected" in html and "Executives P1" in html
    assert VipStatus.objects.filter(pk=executive.pk).exists()


def test_deleting_an_instance_used_by_a_rule_is_refused_naming_the_rule(admin_client):
    instance = ticket_factories.instance("ERP")
    rule("ERP calls", criteria=[("service_instance", "is", instance.pk)], actions=[("set_priority", 2)])
    url = reverse("admin:services_serviceinstance_delete", args=[instance.pk])
    response = admin_client.post(url, {"post": "yes", "change_reason": "retired"}, follow=True)
    html = response.content.decode()
    assert "protected" in html and "ERP calls" in html
    assert ServiceInstance.objects.filter(pk=instance.pk).exists()


def test_bulk_deleting_a_team_used_by_a_rule_is_refused_naming_the_rule(admin_client):
    desk = factories.team(1, name="VIP Desk")
    rule("Executives to the desk", criteria=[("caller_is_vip", "true")], actions=[("assign_team", desk.pk)])
    data = {"action": "delete_selected", "_selected_action": [desk.pk], "post": "yes", "change_reason": "closed"}
    response = admin_client.post(reverse("admin:people_team_changelist"), data, follow=True)
    assert "Executives to the desk" in response.content.decode()
    assert Team.objects.filter(pk=desk.pk).exists()


def test_firings_are_read_only_in_the_admin(admin_client, exec_person, executive, log_ticket):
    rule("Executives P1", criteria=[("vip_status", "is", executive.pk)], actions=[("set_priority", 1)])
    log_ticket(exec_person)
    firing = RuleFiring.objects.get()
    assert admin_client.get(reverse("admin:workflow_rulefiring_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:workflow_rulefiring_change", args=[firing.pk]))
    assert page.status_code == 200
    assert "caller VIP status is Executive: saw Executive" in page.content.decode()
    assert admin_client.get(reverse("admin:workflow_rulefiring_add")).status_code == 403


def test_revert_from_the_history_page_restores_the_rule_with_the_reason(admin_client, admin_user):
    made = rule("Old name", actions=[("set_priority", 3)])
    first = history_of(made).first()
    services.rule_update(made, user=None, change_reason="rename", name="New name", active=False)
    url = reverse("admin:workflow_rule_simple_history", args=[made.pk, first.history_id])
    assert admin_client.get(url).status_code == 200
    data = {"name": "Old name", "description": "", "active": "on", "trigger": "both", "match": "all"}
    response = admin_client.post(url, {**data, "change_reason": "undo the rename"})
    assert response.status_code == 302
    made.refresh_from_db()
    assert (made.name, made.active) == ("Old name", True)
    last = history_of(made).last()
    assert (last.history_change_reason, last.history_user) == ("undo the rename", admin_user)
    assert made.actions.count() == 1
