"""In a real Chromium: the caller's context where the call is taken (a second call becomes a note in one click), a
half-typed call restored after leaving and coming Back, the ticket page acting in place (no reload, the scroll
position kept, errors next to the field), anchors clear of the sticky header, and single keys inert in forms."""

import datetime as dt
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from services import services as svc
from tests import factories as base
from tests.conftest import PASSWORD
from tests.tickets import factories
from tickets.models import Ticket, TicketNote
from tickets.notes import ticket_note_add

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("ITSM_SCREENSHOTS", "")
SLOW = 15_000  # ms, for the first check after a page load on a busy machine


@pytest.fixture
def desk(page, live_server, analyst_user):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.on("dialog", lambda dialog: dialog.accept())  # "leave the page?" while a form holds unsaved input
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", analyst_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    return page


@pytest.fixture
def executive(default_status):
    status = base.vip_status("Executive", colour="#B42318")
    person = base.person(0, first_name="Victoria", last_name="Vance", job_title="Vice-Chancellor", vip_status=status)
    contact = base.person(1, first_name="Paula", last_name="Prior", phone="555-0101", vip_status=status)
    group = factories.customer_group(
        "University Leadership", support_notes="Ring the PA (x4100) before any restart.", primary_contact=contact
    )
    factories.member(person, group)
    email = factories.instance("Email", group=group, level=factories.service_level(), primary_customer=person)
    now = timezone.now()
    svc.timeframe_create(
        user=None,
        change_reason="test data",
        service_instance=email,
        name="Graduation week",
        start=now - dt.timedelta(days=1),
        end=now + dt.timedelta(days=3),
        heightened_support=True,
        notes="Page the on-call engineer for any P1/P2.",
    )
    factories.instance("ERP", group=group)
    printer = factories.ticket(1, caller=person, title="Printer on 3rd floor jams")
    factories.ticket(2, caller=person, title="Second screen flickers")
    return {"person": person, "email": email, "printer": printer}


def choose_caller(page, text, name):
    page.fill("#id_caller_query", text)
    option = page.locator("#caller-results li[role=option]", has_text=name)
    expect(option).to_be_visible(timeout=SLOW)
    option.click()
    expect(page.locator("#caller-card .caller-head")).to_contain_text(name)


def shoot(page, name):
    if not SCREENSHOTS:
        return
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SCREENSHOTS}/{name}_{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_second_call_about_the_printer_becomes_a_note_in_one_click(desk, live_server, executive):
    page = desk
    printer = executive["printer"]
    page.goto(f"{live_server.url}/tickets/new/")
    choose_caller(page, "Vance", "Victoria Vance")
    card = page.locator("#caller-card")
    expect(card.locator(".ctx-tickets li")).to_have_count(2)
    expect(card).to_contain_text("Ring the PA (x4100) before any restart.")
    # The related ticket opens beside the form, not instead of it.
    expect(card.locator(f"a:text('{printer.number}')")).to_have_attribute("target", "_blank")
    context = page.locator("#instance-context")
    expect(context.locator(".heightened:visible")).to_have_count(0)  # no instance chosen yet
    card.locator("button.pick", has_text="Email").click()
    heightened = context.locator(".instance-context:visible .heightened")
    expect(heightened).to_contain_text("Graduation week")
    expect(heightened).to_contain_text("until")
    expect(context.locator(".instance-context:visible")).to_contain_text("Paula Prior")
    page.select_option("#id_impact", "high")
    page.select_option("#id_urgency", "high")
    expect(context).to_have_attribute("data-priority", "1")  # the contacts to tell stand out for a P1
    page.fill("#id_title", "Printer again")
    page.fill("#id_description", "Tray 2 jams again since this morning")
    shoot(page, "log_call_context")

    card.get_by_role("button", name=f"Add as a note to {printer.number}").click()
    expect(page.locator("h1")).to_contain_text(printer.number, timeout=SLOW)
    expect(page.locator("#note-list")).to_contain_text("Further call (phone): Tray 2 jams again since this morning")
    assert Ticket.objects.count() == 2  # no duplicate
    # The call is done: Log a call starts empty again.
    page.goto(f"{live_server.url}/tickets/new/")
    expect(page.locator("#id_title")).to_have_value("")
    expect(page.locator("#draft-notice")).to_be_hidden()


def test_enter_in_a_field_logs_the_call_never_adds_it_as_a_note(desk, live_server, executive):
    page = desk
    page.goto(f"{live_server.url}/tickets/new/")
    choose_caller(page, "Vance", "Victoria Vance")
    expect(page.locator("#caller-card button.add-note")).to_have_count(2)
    page.fill("#id_description", "A new matter")
    page.fill("#id_title", "Projector in room 4 dead")
    page.locator("#id_title").press("Enter")
    expect(page.locator(".vip-banner")).to_be_visible(timeout=SLOW)
    assert Ticket.objects.filter(title="Projector in room 4 dead").count() == 1
    assert TicketNote.objects.count() == 0


def test_an_empty_description_is_refused_on_the_form_with_everything_kept(desk, live_server, executive):
    page = desk
    printer = executive["printer"]
    page.goto(f"{live_server.url}/tickets/new/")
    choose_caller(page, "Vance", "Victoria Vance")
    page.fill("#id_title", "Printer again")
    page.locator("#caller-card").get_by_role("button", name=f"Add as a note to {printer.number}").click()
    field = page.locator(".field.has-error", has=page.locator("#id_description"))
    expect(field.locator(".error")).to_contain_text("Type what the caller says first", timeout=SLOW)
    expect(page.locator("#id_title")).to_have_value("Printer again")
    expect(page.locator("#caller-card .caller-head")).to_contain_text("Victoria Vance")
    assert TicketNote.objects.count() == 0


def test_a_half_typed_call_comes_back_after_leaving_and_pressing_back(desk, live_server, executive):
    page = desk
    person, email = executive["person"], executive["email"]
    page.goto(f"{live_server.url}/tickets/new/")
    choose_caller(page, "Vance", "Victoria Vance")
    page.locator("#caller-card button.pick", has_text="Email").click()
    page.fill("#id_title", "Cannot open board papers")
    page.fill("#id_description", "Since the update, PDF viewer closes")
    page.select_option("#id_impact", "high")
    page.wait_for_timeout(400)  # the draft is written a moment after typing stops

    page.locator("nav a", has_text="Queue").click()
    expect(page.locator("h1")).to_contain_text("Queue", timeout=SLOW)
    page.go_back()

    expect(page.locator("#draft-notice")).to_be_visible(timeout=SLOW)
    expect(page.locator("#id_title")).to_have_value("Cannot open board papers")
    expect(page.locator("#id_description")).to_have_value("Since the update, PDF viewer closes")
    expect(page.locator("#id_impact")).to_have_value("high")
    expect(page.locator("input[name=caller]")).to_have_value(str(person.pk))
    expect(page.locator("#id_caller_query")).to_have_value("Victoria Vance")
    expect(page.locator("#caller-card .caller-head")).to_contain_text("Victoria Vance")
    expect(page.locator("#id_service_instance")).to_have_value(str(email.pk))
    expect(page.locator("#instance-context .instance-context:visible")).to_contain_text("Graduation week")
    # Restored input is unsaved input: a stray key does not throw it away.
    page.locator("h1").click()
    page.keyboard.press("n")
    expect(page.locator("#id_title")).to_have_value("Cannot open board papers")

    page.click("button[type=submit].primary")
    expect(page.locator(".vip-banner")).to_be_visible(timeout=SLOW)
    assert Ticket.objects.filter(title="Cannot open board papers").count() == 1
    page.goto(f"{live_server.url}/tickets/new/")
    expect(page.locator("#id_title")).to_have_value("")
    expect(page.locator("#caller-card")).to_be_hidden()


def test_single_keys_are_inert_on_a_focused_control_and_in_a_dirty_form(desk, live_server, executive, analyst_user):
    page = desk
    person, printer = executive["person"], executive["printer"]
    page.goto(f"{live_server.url}/tickets/new/?caller={person.pk}")
    pick = page.locator("#caller-card button.pick").first
    pick.focus()
    for key in ["n", "j", "k", "a", "c", "?"]:
        page.keyboard.press(key)
    expect(page.locator("#shortcuts-help")).to_be_hidden()
    assert page.url.endswith(f"/tickets/new/?caller={person.pk}")
    expect(pick).to_be_focused()

    page.goto(f"{live_server.url}{printer.get_absolute_url()}")
    page.fill("#id_text", "Half a note")
    page.locator("h1").click()  # focus leaves the field; the note stays unsaved
    for key in ["a", "n", "c", "?"]:
        page.keyboard.press(key)
    expect(page.locator("#shortcuts-help")).to_be_hidden()
    expect(page.locator("#id_text")).to_have_value("Half a note")
    assert page.url.endswith(printer.get_absolute_url())
    printer.refresh_from_db()
    assert printer.assignee is None


def test_the_ticket_page_acts_in_place_and_keeps_the_scroll_position(desk, live_server, executive, analyst_user):
    page = desk
    printer = executive["printer"]
    for i in range(12):
        ticket_note_add(printer, user=None, text=f"Earlier note {i}\nwith a second line")
    page.goto(f"{live_server.url}{printer.get_absolute_url()}")
    page.evaluate("window.__samePage = true")
    page.locator("#id_text").scroll_into_view_if_needed()
    page.mouse.wheel(0, 150)
    page.fill("#id_text", "Rang back, left a message")
    page.fill("#id_time_spent_minutes", "5")
    # What the analyst looks at stays where it is on the screen: the note form (the browser keeps the content in
    # view when something above it changes, e.g. the message at the top of the page).
    on_screen = "() => Math.round(document.getElementById('note-form').getBoundingClientRect().top)"
    before = page.evaluate(on_screen)
    assert page.evaluate("window.scrollY") > 0
    page.locator("#note-submit").click()
    expect(page.locator("#note-list li").first).to_contain_text("Rang back, left a message", timeout=SLOW)
    expect(page.locator(".messages-region")).to_contain_text("Note added.")
    expect(page.locator("#id_text")).to_have_value("")
    expect(page.locator("#note-submit")).to_be_focused()  # a keyboard user carries on from where they were
    page.wait_for_timeout(100)
    assert page.evaluate("window.__samePage") is True
    assert abs(page.evaluate(on_screen) - before) <= 2

    # Assigning swaps the header and the side column; typed input elsewhere (a status note) survives it.
    page.fill("#id_note", "Will call back at 3")
    before = page.evaluate(on_screen)
    page.locator("#assign-me").dispatch_event("click")
    expect(page.locator("#assign-me")).to_have_text("Unassign me", timeout=SLOW)
    expect(page.locator("#ticket-head")).to_contain_text("Assigned")
    expect(page.locator("#id_note")).to_have_value("Will call back at 3")
    page.wait_for_timeout(100)
    assert page.evaluate("window.__samePage") is True
    assert abs(page.evaluate(on_screen) - before) <= 2
    printer.refresh_from_db()
    assert printer.assignee == analyst_user

    # A refusal shows next to its field, in place; a note being typed meanwhile stays.
    page.fill("#id_text", "Half a note")
    page.select_option("#id_status", "resolved")
    page.fill("#id_note", "")
    page.locator("#status-submit").dispatch_event("click")
    expect(page.locator("#id_note_error")).to_contain_text("Give a resolution note", timeout=SLOW)
    expect(page.locator("#id_status")).to_have_value("resolved")
    expect(page.locator("#id_text")).to_have_value("Half a note")
    assert page.evaluate("window.__samePage") is True
    printer.refresh_from_db()
    assert printer.status == "assigned"


def test_anchors_are_not_hidden_under_the_sticky_header(desk, live_server, executive):
    page = desk
    printer = executive["printer"]
    for i in range(10):
        ticket_note_add(printer, user=None, text=f"note {i}\n\n\nlong")
    for width in (1280, 390):
        # A fresh load at each width: going to the same address and anchor again would be a same-page jump, raced
        # by the resize that re-measures the header.
        page.goto("about:blank")
        page.set_viewport_size({"width": width, "height": 700})
        page.goto(f"{live_server.url}{printer.get_absolute_url()}#notes")
        page.wait_for_function("window.scrollY > 0")
        covered = page.evaluate(
            """() => {
                const bottoms = [...document.querySelectorAll('.topbar, [data-sticky-head]')]
                  .filter((el) => ['sticky', 'fixed'].includes(getComputedStyle(el).position))
                  .map((el) => el.getBoundingClientRect().bottom);
                return Math.max(...bottoms) - document.getElementById('notes').getBoundingClientRect().top;
            }"""
        )
        assert covered <= 0, f"the notes heading is {covered}px under the sticky header at {width}px"


def test_the_ticket_page_shows_the_callers_context_and_a_p1s_contacts(desk, live_server, executive):
    page = desk
    person, email = executive["person"], executive["email"]
    ticket = factories.ticket(
        3, caller=person, service_instance=email, title="Board papers will not open", impact="high", urgency="high"
    )
    page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
    caller = page.locator("#caller")
    expect(caller.locator(".ctx-tickets li")).to_have_count(2)  # the other two, not this one
    expect(caller).to_contain_text("Ring the PA (x4100) before any restart.")
    context = page.locator("#context")
    expect(context.locator(".heightened")).to_contain_text("Graduation week")
    expect(context.locator(".p1-contacts.p1-now")).to_contain_text("Paula Prior")
    expect(context.locator(".p1-contacts .vip-badge")).to_have_text("Executive")
    shoot(page, "ticket_page")
