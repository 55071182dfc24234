"""Bulk actions and saved views in a real Chromium: tick rows (mouse and keyboard), assign them to a team with one
reason, see a refusal in place with nothing changed; saved views as queue tabs."""

import os
import re

import pytest
from playwright.sync_api import expect

from itsm.roles import ANALYST
from tests import factories as base
from tests.conftest import PASSWORD
from tests.tickets import factories
from tickets import saved_views, services
from tickets.choices import Status
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("ITSM_SCREENSHOTS", "")
SLOW = 15_000  # ms, for the first check after a page load on a busy machine
REASON = "Night shift hands over to the desk"


@pytest.fixture
def queue(page, live_server, analyst_user, make_user, default_status):
    """Three open tickets, the analyst's team and views (own and shared); signed in on the queue."""
    colleague = make_user("colleague", ANALYST)
    team = base.team(0, name="Service Desk", members=[analyst_user, colleague])
    base.team(1, name="Network")
    tickets = [factories.ticket(i, title=title) for i, title in enumerate(["VPN drops", "Printer jams", "No email"])]
    saved_views.saved_view_create(user=analyst_user, name="My P3s", query="priority=3")
    saved_views.saved_view_create(user=colleague, name="Desk VIPs", query="vip=1", team=team)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/accounts/login/?next=/tickets/%3Fscope%3Dall")
    page.fill("#id_username", analyst_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Queue", timeout=SLOW)
    return page, tickets, team


def row(page, ticket):
    return page.locator("#queue-table tbody tr", has=page.locator(f"a:text-is('{ticket.number}')"))


def test_select_two_rows_and_assign_them_to_a_team_with_a_reason(queue):
    page, tickets, team = queue
    controls = page.locator("[data-bulk-controls]")
    expect(controls).to_be_hidden()  # nothing selected: only "select all" and the count
    row(page, tickets[0]).locator("input.bulk-pick").check()
    row(page, tickets[1]).locator("input.bulk-pick").focus()
    page.keyboard.press("Space")  # keyboard works as well as the mouse
    expect(page.locator("#bulk-count")).to_have_text("2 selected")
    expect(controls).to_be_visible()
    expect(page.locator("[data-bulk-field=status]")).to_be_hidden()  # only the chosen action's fields
    page.select_option("#bulk_team", label="Service Desk")
    page.fill("#bulk_change_reason", REASON)
    if SCREENSHOTS:
        for width, height in ((1280, 800), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=f"{SCREENSHOTS}/queue_bulk_{width}.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})
    page.click("#bulk-form button[type=submit]")

    expect(page.locator(".messages")).to_contain_text("2 tickets assigned to Service Desk.", timeout=SLOW)
    expect(row(page, tickets[0]).locator("td.col-team")).to_have_text("Service Desk")
    expect(row(page, tickets[1]).locator("td.col-team")).to_have_text("Service Desk")
    expect(row(page, tickets[2]).locator("td.col-team")).to_have_text("")
    for ticket in tickets[:2]:
        fresh = Ticket.objects.get(pk=ticket.pk)
        assert (fresh.team, fresh.history.first().history_change_reason) == (team, REASON)


def test_a_refusal_shows_in_the_bar_and_nothing_changes(queue, live_server):
    page, tickets, _ = queue
    services.ticket_transition(tickets[2], user=None, status=Status.CANCELLED)
    page.goto(f"{live_server.url}/tickets/?state=all")
    page.check("#bulk-all")
    expect(page.locator("#bulk-count")).to_have_text("3 selected")
    page.select_option("#bulk_action", "status")
    page.select_option("#bulk_status", "in_progress")
    page.fill("#bulk_change_reason", "Working them now")
    page.click("#bulk-form button[type=submit]")

    errors = page.locator(".bulk-errors")
    expect(errors).to_contain_text("Nothing was changed: 1 of 3 tickets cannot take this change.", timeout=SLOW)
    expect(errors).to_contain_text(f"{tickets[2].number}: cannot move from Cancelled to In progress.")
    expect(errors).to_be_focused()
    # Ticks and typed input stay for a second try.
    expect(page.locator("#bulk-count")).to_have_text("3 selected")
    expect(page.locator("#bulk_change_reason")).to_have_value("Working them now")
    assert [Ticket.objects.get(pk=t.pk).status for t in tickets] == [Status.NEW, Status.NEW, Status.CANCELLED]


def test_saved_views_are_tabs_after_the_built_in_ones_and_save_the_current_queue(queue, live_server):
    page, _, _ = queue
    tabs = page.locator("nav.scopes > a")
    expect(tabs).to_have_text(
        ["All", "Mine", "My teams", "Unassigned", re.compile("^At risk"), re.compile("^Desk VIPs"), "My P3s"]
    )
    page.locator("nav.scopes a", has_text="My P3s").click()
    expect(page).to_have_url(re.compile(r"/tickets/\?priority=3$"))
    expect(page.locator("nav.scopes a[aria-current=true]", has_text="My P3s")).to_be_visible()

    page.goto(f"{live_server.url}/tickets/?type=incident&sort=-age")
    page.locator("details.save-view summary").click()
    page.fill("#id_save-name", "Old incidents")
    page.select_option("#id_save-team", label="Service Desk")
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/queue_save_view_1280.png")
    page.locator(".save-view-form button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Saved the view “Old incidents”", timeout=SLOW)
    expect(page).to_have_url(re.compile(r"/tickets/\?type=incident&sort=-age$"))
    expect(page.locator("nav.scopes a[aria-current=true]", has_text="Old incidents")).to_be_visible()
    if SCREENSHOTS:
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=f"{SCREENSHOTS}/queue_tabs_390.png", full_page=True)
        page.goto(f"{live_server.url}/tickets/saved-views/")
        page.screenshot(path=f"{SCREENSHOTS}/saved_views_390.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto(f"{live_server.url}/tickets/saved-views/")
        page.screenshot(path=f"{SCREENSHOTS}/saved_views_1280.png", full_page=True)
