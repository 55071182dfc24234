"""The workflow rules story in a real Chromium: an admin creates the rule "caller VIP status is Executive -> priority 1"
in the admin, simulates it on a ticket before turning it on, turns it on; an analyst logs a call for an Executive and
the ticket page shows P1 with a "Why?" naming the rule."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.conftest import PASSWORD
from tests.tickets import factories as ticket_factories
from tickets.models import Ticket
from workflow.models import Rule, RuleFiring

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("ITSM_SHOTS", "/work/notes/shots"))
RULE = "Executive calls are P1"


@pytest.fixture
def victoria(default_status):
    # The default status first: after a transactional test's flush the first status created becomes the default.
    executive = factories.vip_status("Executive", colour="#B42318")
    return factories.person(0, first_name="Victoria", last_name="Vance", vip_status=executive)


def sign_in(page, user):
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit], button[type=submit]").first.click()


def build_the_rule_switched_off(page, live_server, admin_user) -> Rule:
    """The admin builds the rule in the admin's add form; a new rule starts switched off."""
    page.set_viewport_size({"width": 1360, "height": 900})
    page.goto(f"{live_server.url}/admin/login/?next=/admin/workflow/rule/add/")
    sign_in(page, admin_user)
    page.select_option("#id_criteria-0-field", "vip_status")
    page.select_option("#id_criteria-0-operator", "is")
    page.select_option("#id_criteria-0-vip_status", label="Executive")
    page.select_option("#id_actions-0-action_type", "set_priority")
    page.select_option("#id_actions-0-priority", label="P1 - Critical")
    page.fill("#id_name", RULE)
    expect(page.locator("#id_active")).not_to_be_checked()
    page.fill("#id_change_reason", "Executives' calls first")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text(RULE)
    made = Rule.objects.get(name=RULE)
    assert not made.active
    return made


def test_rule_built_simulated_turned_on_and_ticket_says_why(page, live_server, admin_user, analyst_user, victoria):
    earlier = ticket_factories.ticket(caller=victoria, title="Earlier call")
    assert earlier.priority == 3

    made = build_the_rule_switched_off(page, live_server, admin_user)

    # Simulate it on the earlier ticket, as if it were on: it matches and would set P1; nothing is saved.
    page.click("text=Simulate")
    page.fill("#id_ticket", earlier.number)
    page.select_option("#id_try_rules", label=str(made))
    page.click("button[name=run]")
    expect(page.locator(f"#trace tr.rule-{made.pk}")).to_contain_text("matched")
    expect(page.locator("#plan")).to_contain_text(f"Rule 1 '{RULE}'")
    earlier.refresh_from_db()
    assert earlier.priority == 3 and not RuleFiring.objects.exists()

    # Turn it on.
    page.goto(f"{live_server.url}/admin/workflow/rule/{made.pk}/change/")
    page.check("#id_active")
    page.fill("#id_change_reason", "Simulated on an earlier call: turning it on")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text(RULE)
    assert Rule.objects.get(pk=made.pk).active

    # An analyst logs a call for Victoria Vance.
    analyst = page.context.browser.new_context(viewport={"width": 1360, "height": 900}).new_page()
    analyst.goto(f"{live_server.url}/tickets/new/")
    sign_in(analyst, analyst_user)
    expect(analyst.locator("h1")).to_have_text("Log a call")
    analyst.fill("#id_caller_query", "Vance")
    analyst.locator("#caller-results li[role=option]", has_text="Victoria Vance").click()
    expect(analyst.locator("#caller-card")).to_contain_text("Victoria Vance")
    analyst.fill("#id_title", "Cannot open the board papers")
    analyst.click("button[type=submit].primary")

    ticket = Ticket.objects.exclude(pk=earlier.pk).get()
    expect(analyst.locator("h1")).to_contain_text(ticket.number)
    assert ticket.priority == 1
    priority = analyst.locator("dt:text-is('Priority') + dd")
    expect(priority).to_contain_text("1")
    why = priority.locator("details.why")
    expect(why.locator(".why-text")).to_be_hidden()  # calm: a small disclosure until asked
    why.locator("summary").click()
    expect(why).to_contain_text(f"Rule 1 '{RULE}': caller VIP status = Executive")
    if SHOTS.is_dir():
        analyst.screenshot(path=str(SHOTS / "ticket_why.png"), full_page=True)
