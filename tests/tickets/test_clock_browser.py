"""The service level clock in Chromium: the queue's due column counts down without a reload, a Pending ticket shows
its clock stopped, and Log a call previews the rules' priority, team and due times before saving."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories as base
from tests.conftest import PASSWORD
from tests.tickets import factories
from tests.workflow.factories import rule
from tickets import services
from tickets.choices import Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user, path):
    page.goto(f"{live_server.url}{path}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_the_queue_counts_down_without_a_reload_and_shows_a_paused_clock(
    page, live_server, analyst_user, default_status
):
    level = factories.service_level("Gold", p3_response_minutes=61, p3_resolution_minutes=600)
    email = factories.instance("Email", level=level)
    racing = factories.ticket(0, service_instance=email, title="Racing its response")
    waiting = factories.ticket(1, service_instance=email, title="Waiting on the caller")
    services.ticket_transition(waiting, user=analyst_user, status=Status.IN_PROGRESS)
    services.ticket_transition(waiting, user=analyst_user, status=Status.PENDING)
    page.clock.install()
    sign_in(page, live_server, analyst_user, "/tickets/?scope=all")
    row = page.locator("#queue-table tbody tr", has_text=racing.number)
    countdown = row.locator(".countdown")
    expect(countdown).to_have_text("in 1 h")
    page.clock.run_for("05:00")  # five minutes pass in the page; nothing is reloaded
    expect(countdown).to_have_text(re.compile(r"^in 5[3-6] min$"))  # 61 minutes less the five, less the set-up
    paused = page.locator("#queue-table tbody tr", has_text=waiting.number)
    expect(paused).to_contain_text("Paused")
    expect(paused).to_contain_text("clock stopped")


def test_log_a_call_previews_what_the_rules_will_do_and_the_due_times(page, live_server, analyst_user, default_status):
    executive = base.vip_status("Executive", colour="#1F4E8C", show_on_tickets=True)
    boss = base.person(1, first_name="Victoria", last_name="Vance", vip_status=executive)
    group = factories.customer_group("Leadership")
    factories.member(boss, group)
    desk = base.team(1, name="VIP Desk")
    factories.instance("Email", group=group, level=factories.service_level("Silver"))
    rule(
        "Executives are at least P2",
        criteria=[("vip_status", "is", executive.pk), ("priority", "gte", 3)],
        actions=[("set_priority", 2), ("assign_team", desk.pk)],
    )
    sign_in(page, live_server, analyst_user, "/tickets/new/")
    page.fill("#id_caller_query", "Vance")
    page.locator("#caller-results li[role=option]", has_text="Victoria Vance").click()
    preview = page.locator("#rules-preview")
    expect(preview).to_contain_text("P3 -> P2 (Rule 1 'Executives are at least P2')")
    expect(preview).to_contain_text("team -> VIP Desk")
    expect(preview).to_contain_text("Service level Silver")
    expect(page.locator("#priority-preview")).to_contain_text("P2")
