"""The rule admin in a real Chromium: the value box follows the chosen field and operator, a rule saved with its rows,
Simulate on a ticket, and the move buttons."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.workflow.factories import rule
from workflow.models import Criterion, Rule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def admin_login(page, live_server, user):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_be_visible()


def test_admin_builds_a_rule_simulates_it_and_moves_it(page, live_server, admin_user, exec_person, log_ticket):
    ticket = log_ticket(exec_person)
    rule("Everything P3", actions=[("set_priority", 3)])
    admin_login(page, live_server, admin_user)

    page.goto(f"{live_server.url}/admin/workflow/rule/add/")
    row = page.locator("#criteria-0")
    expect(row.locator(".fieldBox.field-value")).to_be_hidden()
    page.select_option("#id_criteria-0-field", "vip_status")
    expect(page.locator("#id_criteria-0-operator option[value=contains]")).to_be_disabled()
    page.select_option("#id_criteria-0-operator", "in")
    expect(row.locator(".fieldBox.field-statuses")).to_be_visible()
    expect(row.locator(".fieldBox.field-vip_status")).to_be_hidden()
    page.select_option("#id_criteria-0-statuses", label="Executive")
    page.select_option("#id_actions-0-action_type", "set_priority")
    expect(page.locator("#actions-0 .fieldBox.field-team")).to_be_hidden()
    expect(page.locator("#actions-0 .fieldBox.field-value")).to_be_hidden()
    page.select_option("#id_actions-0-priority", label="P1 - Critical")
    page.fill("#id_name", "Executives are P1")
    page.check("#id_active")
    page.fill("#id_change_reason", "Executives first")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("Executives are P1")

    made = Rule.objects.get(name="Executives are P1")
    assert made.position == 2
    assert [s.name for s in Criterion.objects.get(rule=made).vip_statuses.all()] == ["Executive"]

    page.click("text=Simulate")
    page.fill("#id_ticket", ticket.number)
    page.click("button[name=run]")
    expect(page.locator(f"#trace tr.rule-{made.pk}")).to_contain_text("matched")
    expect(page.locator("#plan")).to_contain_text("Rule 2 'Executives are P1'")
    expect(page.locator("#trace")).to_contain_text("Set priority P1")

    # Applying a replay first names how many tickets would change, then changes them only when confirmed.
    page.goto(f"{live_server.url}/admin/workflow/rule/replay/")
    page.fill("#id_change_reason", "Executives first, backfilled")
    page.click("button[name=apply]")
    expect(page.locator("#confirm-apply h2")).to_have_text("Apply to 1 ticket?")
    expect(page.locator(f"#sample a[href='/tickets/{ticket.number}/']")).to_be_visible()
    ticket.refresh_from_db()
    assert ticket.priority == 3
    page.click("#confirm-apply button[type=submit]")
    expect(page.locator(".messagelist")).to_contain_text("Replay applied to 1 ticket(s)")
    ticket.refresh_from_db()
    assert ticket.priority == 1

    page.goto(f"{live_server.url}/admin/workflow/rule/")
    page.click("button.rule-move-top[aria-label='Move to top Executives are P1']")
    expect(page.locator(".messagelist")).to_contain_text("moved from 2 to 1")
    assert list(Rule.objects.ordered().values_list("name", flat=True)) == ["Executives are P1", "Everything P3"]
