"""The live queue in Chromium: a ticket logged elsewhere appears in an open queue without a reload, marked new and
announced, while the analyst's focus and selected row stay; no poll runs while the browser tab is hidden; the column
picker works from the keyboard. With ITSM_SCREENSHOTS set, the queue is photographed at 1920, 1280 and 390 px."""

import os
import re

import pytest
from playwright.sync_api import expect

from tests import factories as base
from tests.conftest import PASSWORD
from tests.tickets import factories
from tickets import services
from tickets.choices import Level

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("ITSM_SCREENSHOTS", "")
SLOW = 15_000  # ms: a poll a second, on a busy machine


@pytest.fixture
def open_queue(page, live_server, analyst_user, default_status, settings):
    settings.ITSM_QUEUE_POLL_SECONDS = 1
    executive = base.vip_status("Executive", colour="#1F4E8C", show_on_tickets=True)
    level = factories.service_level()
    email = factories.instance("Email", level=level)
    boss = base.person(0, first_name="Victoria", last_name="Vance", vip_status=executive)
    first = factories.ticket(0, caller=boss, service_instance=email, title="Mailbox full, cannot send the board pack")
    second = factories.ticket(1, service_instance=email, title="Printer on the second floor jams on every job")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/tickets/?scope=all")
    page.fill("#id_username", analyst_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#queue-table tbody tr[data-ticket]")).to_have_count(2)
    # The rows are drawn before the page's scripts run: a shortcut pressed earlier on a busy machine goes nowhere.
    page.wait_for_load_state("load")
    return page, first, second, email


def requests_to_queue(page) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url) if "/tickets/?" in request.url else None)
    return seen


def test_a_ticket_logged_elsewhere_appears_marked_new_without_a_reload(open_queue):
    page, first, second, email = open_queue
    page.evaluate("window.stillTheSamePage = true")
    page.keyboard.press("j")  # the first row selected, its link focused
    selected = page.locator("#queue-table tbody tr.selected")
    expect(selected).to_have_attribute("data-ticket", str(first.pk))

    logged = factories.ticket(
        2, service_instance=email, title="Payroll run fails", impact=Level.HIGH, urgency=Level.HIGH
    )

    row = page.locator(f"#queue-table tbody tr[data-ticket='{logged.pk}']")
    expect(row).to_be_visible(timeout=SLOW)
    expect(row).to_have_class(re.compile(r"\bis-new\b"))
    expect(row.locator(".row-mark")).to_have_text("(new)")
    expect(page.locator("#queue-live")).to_have_text("1 new ticket")
    expect(page.locator("#queue-count")).to_have_text("3 tickets")
    # The analyst's place is kept: the same row selected and focused, and the page was never reloaded.
    expect(selected).to_have_attribute("data-ticket", str(first.pk))
    assert page.evaluate("document.activeElement.closest('tr').dataset.ticket") == str(first.pk)
    assert page.evaluate("window.stillTheSamePage") is True
    page.keyboard.press("j")  # on from the selected row, though a row was drawn above it
    expect(selected).to_have_attribute("data-ticket", str(second.pk))
    # The rows already there are not marked; a later change to one of them is.
    expect(page.locator("#queue-table tbody tr.is-new")).to_have_count(1)
    services.ticket_update(second, user=None, change_reason="test data", title="Printer on the second floor: fixed?")
    changed = page.locator(f"#queue-table tbody tr[data-ticket='{second.pk}']")
    expect(changed).to_have_class(re.compile(r"\bis-changed\b"), timeout=SLOW)
    expect(page.locator("#queue-live")).to_have_text("1 ticket changed")

    if SCREENSHOTS:
        for width in (1920, 1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{SCREENSHOTS}/queue_{width}.png", full_page=True)


def test_no_poll_while_the_tab_is_hidden_and_one_as_soon_as_it_shows(open_queue):
    page, *_ = open_queue
    page.wait_for_timeout(1500)
    hide = "v => { Object.defineProperty(document, 'hidden', {value: v, configurable: true}); }"
    page.evaluate(hide, True)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    polls = requests_to_queue(page)
    page.wait_for_timeout(3000)
    assert polls == []  # three poll periods, no request
    page.evaluate(hide, False)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_timeout(500)
    assert polls, "a poll as soon as the tab shows again"


def test_the_column_picker_works_from_the_keyboard(open_queue):
    page, *_ = open_queue
    summary = page.locator("#column-picker summary")
    summary.focus()
    page.keyboard.press("Enter")
    box = page.locator("#column-picker input[value=instance]")
    expect(box).to_be_visible()
    page.keyboard.press("Tab")
    expect(box).to_be_focused()
    page.keyboard.press("Space")  # applies at once: the table is redrawn without the column
    expect(page.locator("#queue-table thead")).not_to_contain_text("Service instance", timeout=SLOW)
    expect(page.locator("#queue-table td.col-instance")).to_have_count(0)
    expect(box).to_be_focused()
    page.reload()
    expect(page.locator("#queue-table thead")).not_to_contain_text("Service instance")  # remembered


def test_the_instance_filter_is_a_type_ahead_used_from_the_keyboard(open_queue):
    page, _first, second, email = open_queue
    printing = factories.instance("Printing", group=email.customer_group)
    services.ticket_update(second, user=None, change_reason="test data", service_instance=printing)
    box = page.get_by_role("combobox", name="Instance")
    box.focus()
    page.keyboard.type("prin")  # the suggestions come from the server as the analyst types
    options = page.locator("#queue-instance-options option")
    expect(options).to_have_count(1)
    expect(options.first).to_have_attribute("value", printing.title)
    page.keyboard.type("ting - " + email.customer_group.name)  # the whole name: that instance
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"[?&]instance={printing.pk}(&|$)"))
    if SCREENSHOTS:
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{SCREENSHOTS}/queue_instance_filter_{width}.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.locator("#queue-table tbody tr[data-ticket]")).to_have_count(1)
    expect(page.locator(f"#queue-table tbody tr[data-ticket='{second.pk}']")).to_be_visible()
    expect(box).to_have_value(printing.title)  # the chosen one stays named in its box

    box.fill("")  # words that name no instance: refused on the box, the queue stays as it is
    box.focus()
    page.keyboard.type("nothing like it")
    page.keyboard.press("Enter")
    expect(box).to_have_js_property("validationMessage", "Pick a service instance from the list, or clear the box.")
    expect(page).to_have_url(re.compile(rf"[?&]instance={printing.pk}(&|$)"))

    box.fill("")  # an empty box drops the filter
    page.keyboard.press("Enter")
    expect(page.locator("#queue-table tbody tr[data-ticket]")).to_have_count(2)
    expect(page).not_to_have_url(re.compile(r"instance=\d"))
