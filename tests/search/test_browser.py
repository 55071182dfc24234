"""The top bar's search in a real Chromium, driven by the keyboard alone: `/` to the box, type, arrows through the
suggestions, Enter opens one, Escape closes them; and the results page. Screenshots at 1280 and 390 px go to
ITSM_SCREENSHOTS when it is set."""

import os
import re

import pytest
from playwright.sync_api import expect

from tests import factories as base
from tests.conftest import PASSWORD
from tests.tickets import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("ITSM_SCREENSHOTS", "")
SLOW = 15_000  # ms, for the first check after a page load on a busy machine


@pytest.fixture
def data(default_status):
    executive = base.vip_status("Executive", colour="#B42318", show_on_tickets=True)
    ada = base.person(1, first_name="Ada", last_name="Printz", email="ada.printz@example.org", vip_status=executive)
    base.person(2, first_name="Priya", last_name="Nair", email="priya@example.org", phone="+44 20 7946 0958")
    group = factories.customer_group("Print Services")
    instance = factories.instance("Printing", group=group)
    factories.configuration_item("printsrv01", instances=[instance])
    first = factories.ticket(0, caller=ada, title="Printer jams on floor 3", description="Café corner printer")
    second = factories.ticket(1, title="Print queue stuck", service_instance=instance)
    return {"ada": ada, "first": first, "second": second}


@pytest.fixture
def signed_in(page, live_server, analyst_user):
    page.set_viewport_size({"width": 1280, "height": 860})
    page.goto(f"{live_server.url}/tickets/")
    page.fill("#id_username", analyst_user.username)
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Queue", timeout=SLOW)
    return page


def shoot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, name), full_page=False)


def test_type_ahead_by_keyboard_alone(signed_in, data, live_server):
    page = signed_in
    box = page.locator("#global-search")
    page.locator("body").press("/")
    expect(box).to_be_focused()
    page.keyboard.type("prin")
    listbox = page.locator("#global-search-list")
    expect(listbox).to_be_visible(timeout=SLOW)
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(listbox.locator(".suggest-head")).to_have_text(
        [
            re.compile("^Tickets"),
            re.compile("^People"),
            re.compile("^Service instances"),
            re.compile("^Customer groups"),
            re.compile("^Configuration items"),
        ]
    )
    expect(listbox.locator(".vip-badge").first).to_have_text("Executive")
    shoot(page, "typeahead-1280.png")
    page.keyboard.press("ArrowDown")
    first = listbox.locator("[role=option]").first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("ArrowDown")  # opens the list again on the first option
    expect(listbox).to_be_visible()
    expect(first).to_have_attribute("aria-selected", "true")
    target = first.get_attribute("href")
    assert target in (data["first"].get_absolute_url(), data["second"].get_absolute_url())
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(target) + "$"), timeout=SLOW)
    expect(page.locator("h1")).to_contain_text(target.strip("/").split("/")[-1])


def test_slash_does_not_steal_a_field_and_enter_without_a_choice_opens_the_results(signed_in, data):
    page = signed_in
    queue_search = page.locator("#queue-filters input[name=q]")
    queue_search.focus()
    page.keyboard.type("a/b")
    expect(queue_search).to_have_value("a/b")
    page.locator("#queue-filters input[name=q]").press("Escape")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("/")
    expect(page.locator("#global-search")).to_be_focused()
    page.keyboard.type("cafe printer")
    expect(page.locator("#global-search-list")).to_be_visible(timeout=SLOW)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=cafe\+printer"), timeout=SLOW)
    expect(page.locator("h1")).to_contain_text("1 match for “cafe printer”")
    expect(page.locator("#results-ticket .hit-title")).to_have_text(f"{data['first'].number} Printer jams on floor 3")


def test_results_page_groups_kinds_best_first_and_folds_on_a_phone(signed_in, data, live_server):
    page = signed_in
    page.goto(f"{live_server.url}/search/?q=print")
    sections = page.locator("section.search-group h2")
    expect(sections).to_have_count(5, timeout=SLOW)
    tickets = page.locator("#results-ticket .hit-title")
    expect(tickets).to_have_count(2)
    expect(page.locator("#results-ticket")).to_contain_text(f"{data['first'].number} Printer jams on floor 3")
    expect(page.locator("#results-ticket")).to_contain_text(f"{data['second'].number} Print queue stuck")
    expect(page.locator("#results-person .vip-badge")).to_have_text("Executive")
    expect(page.locator("#global-search")).to_have_value("print")
    shoot(page, "results-1280.png")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("#results-ticket")).to_be_visible()
    shoot(page, "results-390.png")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    page.locator("#global-search").fill("")
    page.locator("#global-search").focus()
    page.keyboard.type("priya")
    expect(page.locator("#global-search-list")).to_be_visible(timeout=SLOW)
    shoot(page, "typeahead-390.png")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Priya Nair", timeout=SLOW)
