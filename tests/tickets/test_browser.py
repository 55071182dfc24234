"""The analyst's desk in a real Chromium: log a call for an Executive (type-ahead, badge, instances and
priority before saving), find it in the queue in the Executive colour; a missing title; a Standard caller."""

import os
import re

import pytest
from playwright.sync_api import expect

from tests import factories as base
from tests.conftest import PASSWORD
from tests.tickets import factories
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("ITSM_SCREENSHOTS", "")
EXEC_COLOUR = "#B42318"
EXEC_RGB = "rgb(180, 35, 24)"
SLOW = 15_000  # ms, for the first check after a page load on a busy machine


@pytest.fixture
def desk(page, live_server, analyst_user):
    """Signed in as the analyst on Log a call; returns the page."""
    page.set_viewport_size({"width": 1360, "height": 900})
    page.goto(f"{live_server.url}/tickets/new/")
    page.fill("#id_username", analyst_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Log a call")
    return page


@pytest.fixture
def executive(default_status):
    # default_status first: after a transactional test's flush, the first status created would become the default.
    status = base.vip_status("Executive", colour=EXEC_COLOUR)
    person = base.person(0, first_name="Victoria", last_name="Vance", job_title="Vice-Chancellor", vip_status=status)
    group = factories.customer_group("University Leadership")
    factories.member(person, group)
    email = factories.instance("Email", group=group, level=factories.service_level())
    factories.instance("ERP", group=group)
    factories.instance("Shared Drive", group=factories.customer_group("Library"))  # not hers
    return person, email


def choose_caller(page, text, name):
    page.fill("#id_caller_query", text)
    option = page.locator("#caller-results li[role=option]", has_text=name)
    expect(option).to_be_visible()
    option.click()
    expect(page.locator("#caller-card .caller-head")).to_contain_text(name)  # loaded, not "Loading ..."
    return option


def test_analyst_logs_a_call_for_an_executive_and_finds_it_in_the_queue_in_the_executive_colour(desk, executive):
    page = desk
    person, email = executive
    base.person(1, first_name="Victor", last_name="Plain")  # a second match in the type-ahead, without a badge

    page.fill("#id_caller_query", "vic")
    options = page.locator("#caller-results li[role=option]")
    expect(options).to_have_count(2)
    expect(options.filter(has_text="Victoria Vance").locator(".vip-badge")).to_have_text("Executive")
    expect(options.filter(has_text="Victor Plain").locator(".vip-badge")).to_have_count(0)
    options.filter(has_text="Victoria Vance").click()

    # Before saving: the badge in the VIP colour, and the instances she consumes through her group.
    badge = page.locator("#caller-card .vip-badge")
    expect(badge).to_have_text("Executive")
    expect(badge).to_have_css("background-color", EXEC_RGB)
    instance_options = page.locator("#id_service_instance option")
    expect(instance_options).to_have_count(3)  # "none" and her group's two instances
    expect(page.locator("#id_service_instance")).not_to_contain_text("Shared Drive")
    picks = page.locator("#caller-card button.pick")
    expect(picks).to_have_text(
        [re.compile("ERP - University Leadership"), re.compile("Email - University Leadership · Gold")]
    )
    picks.filter(has_text="Email").click()  # one click on the card picks the instance
    expect(page.locator("#id_service_instance")).to_have_value(str(email.pk))
    expect(picks.filter(has_text="Email")).to_have_attribute("aria-pressed", "true")

    # The priority follows impact and urgency before saving.
    expect(page.locator("#priority-preview")).to_contain_text("P3")
    page.select_option("#id_impact", "high")
    page.select_option("#id_urgency", "medium")
    expect(page.locator("#priority-preview")).to_contain_text("P2")
    page.select_option("#id_urgency", "high")
    expect(page.locator("#priority-preview")).to_contain_text("P1")
    page.fill("#id_title", "Cannot open board papers")
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/log_call_executive.png", full_page=True)
    page.click("button[type=submit].primary")

    expect(page.locator(".vip-banner")).to_be_visible(timeout=SLOW)
    ticket = Ticket.objects.get()
    expect(page.locator("h1")).to_contain_text(ticket.number)
    assert (ticket.caller, ticket.service_instance, ticket.priority) == (person, email, 1)
    banner = page.locator(".vip-banner")
    expect(banner).to_contain_text("Executive")
    expect(banner).to_have_css("background-color", EXEC_RGB)

    page.goto(f"{page.url.split('/tickets/')[0]}/tickets/?scope=all")
    row = page.locator("#queue-table tbody tr", has_text=ticket.number)
    expect(row).to_have_count(1)
    expect(row.locator(".vip-badge")).to_have_text("Executive")
    expect(row.locator(".vip-badge")).to_have_css("background-color", EXEC_RGB)
    expect(row).to_contain_text("Email - University Leadership")
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/queue_executive.png")


def test_a_save_without_title_shows_the_error_next_to_the_field_and_saves_nothing(desk, executive):
    page = desk
    choose_caller(page, "Vance", "Victoria Vance")
    page.fill("#id_description", "Board papers will not open")
    page.click("button[type=submit].primary")

    title_field = page.locator(".field.has-error", has=page.locator("#id_title"))
    expect(title_field.locator(".error")).to_contain_text("This field is required", timeout=SLOW)
    expect(page.locator("[role=alert]")).to_contain_text("Nothing was saved")
    # What was typed and the chosen caller (with her badge) are kept.
    expect(page.locator("#id_description")).to_have_value("Board papers will not open")
    expect(page.locator("#caller-card .vip-badge")).to_have_text("Executive")
    assert Ticket.objects.count() == 0

    page.fill("#id_title", "Board papers")
    page.click("button[type=submit].primary")
    expect(page.locator(".vip-banner")).to_contain_text("Executive", timeout=SLOW)
    assert Ticket.objects.count() == 1


def test_a_standard_caller_shows_no_badge(desk, executive):
    page = desk
    base.person(5, first_name="Stan", last_name="Dard", job_title="Clerk")
    page.fill("#id_caller_query", "stan")
    option = page.locator("#caller-results li[role=option]", has_text="Stan Dard")
    expect(option).to_have_attribute("aria-selected", "true")  # the first match is highlighted
    expect(option.locator(".vip-badge")).to_have_count(0)
    page.keyboard.press("Enter")  # chosen from the keyboard, without submitting the form
    expect(page.locator("#caller-card")).to_contain_text("Clerk")
    expect(page.locator("#id_title")).to_be_focused()
    assert Ticket.objects.count() == 0
    expect(page.locator("#caller-card .vip-badge")).to_have_count(0)
    expect(page.locator("#instance-help")).to_contain_text("no service instance")
    page.fill("#id_title", "Password reset")
    page.click("button[type=submit].primary")
    expect(page.locator("h1")).to_contain_text("Password reset", timeout=SLOW)
    expect(page.locator(".vip-banner")).to_have_count(0)
    page.goto(f"{page.url.split('/tickets/')[0]}/tickets/?scope=all")
    row = page.locator("#queue-table tbody tr", has_text="Password reset")
    expect(row).to_have_count(1)
    expect(row.locator(".vip-badge")).to_have_count(0)


def test_editing_a_ticket_the_ci_list_follows_the_chosen_instance(desk, live_server, executive):
    page = desk
    person, email = executive
    drive = factories.instance("Shared Drive", group=factories.customer_group("Registry"))
    factories.configuration_item("mx01", instances=[email])
    factories.configuration_item("fs01", instances=[drive])
    ticket = factories.ticket(0, caller=person, service_instance=email)
    page.goto(f"{live_server.url}/tickets/{ticket.number}/edit/")
    item = page.locator("#id_configuration_item option")
    expect(item).to_have_text(["— none —", re.compile("mx01")])
    page.select_option("#id_service_instance", str(drive.pk))
    expect(item).to_have_text(["— none —", re.compile("fs01")])
    page.select_option("#id_configuration_item", label="fs01 (Server)")
    page.click("button[type=submit].primary")
    expect(page.locator("h1")).to_contain_text(ticket.number, timeout=SLOW)
    ticket.refresh_from_db()
    assert (ticket.service_instance, ticket.configuration_item.name) == (drive, "fs01")
