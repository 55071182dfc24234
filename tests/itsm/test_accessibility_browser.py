"""axe-core in a real Chromium over the pages analysts and admins use: no critical or serious violation anywhere;
and the keyboard paths (skip link, shortcuts help, error summary) work."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import factories as base
from tests.conftest import PASSWORD
from tests.tickets import factories
from tests.workflow import factories as rules

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[1] / "assets" / "axe.min.js"


@pytest.fixture
def desk(browser, live_server, admin_user, default_status):
    # axe is injected as a script: the test context bypasses the site's CSP for it (the site itself never loads it).
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    group = factories.customer_group("Finance")
    vip = base.vip_status("Executive", colour="#B42318", show_on_tickets=True)
    caller = base.person(0, first_name="Ada", last_name="Byron", vip_status=vip, email="ada@example.org")
    factories.member(caller, group)
    instance = factories.instance("Email", group=group, level=factories.service_level())
    ticket = factories.ticket(0, caller=caller, service_instance=instance)
    rules.rule("Executives first")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    yield page, {"ticket": ticket, "caller": caller, "instance": instance, "group": group}
    context.close()


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("critical", "serious")
    ]


def test_no_critical_or_serious_axe_violation_on_the_desk_pages(desk, live_server):
    page, d = desk
    paths = [
        "/tickets/?scope=all",
        "/tickets/?scope=at_risk",
        f"/tickets/{d['ticket'].number}/",
        "/tickets/new/",
        "/tickets/saved-views/",
        f"/tickets/new/?caller={d['caller'].pk}",  # the caller card with the caller's context
        "/people/",
        f"/people/{d['caller'].pk}/",
        f"/people/{d['caller'].pk}/edit/",
        "/services/",
        f"/services/instances/{d['instance'].pk}/",
        "/services/groups/",
        f"/services/groups/{d['group'].pk}/",
        "/tickets/NOPE000001/",
        "/search/?q=email",
        "/search/?q=byron&kind=person",
        "/admin/workflow/rule/simulate/",
        "/admin/audit-log/",
    ]
    found = []
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        found += serious_violations(page)
    assert found == [], "\n".join(found)


def test_the_queue_with_rows_ticked_and_save_view_open_passes_axe(desk, live_server):
    """The bulk bar's controls and the "Save view" form show only on use: axe checks them shown."""
    page, _ = desk
    page.goto(f"{live_server.url}/tickets/?scope=all")
    page.locator("input.bulk-pick").first.check()
    expect(page.locator("[data-bulk-controls]")).to_be_visible()
    page.locator("details.save-view summary").click()
    expect(page.locator(".save-view-form")).to_be_visible()
    assert serious_violations(page) == []


def test_the_sign_in_page_shows_no_navigation_and_passes_axe(browser, live_server):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator(".topbar nav").count() == 0
    assert page.locator("#global-search").count() == 0
    assert serious_violations(page) == []
    context.close()


def test_keyboard_skip_link_shortcut_help_and_error_summary(desk, live_server):
    page, d = desk
    page.goto(f"{live_server.url}/tickets/?scope=all")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    page.keyboard.press("?")
    expect(page.locator("#shortcuts-help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts-help")).to_be_hidden()
    page.keyboard.press("j")
    expect(page.locator("#queue-table tbody tr.selected")).to_have_count(1)
    # A refused form: focus lands on the summary, whose links lead to the fields.
    page.goto(f"{live_server.url}/people/{d['caller'].pk}/edit/")
    page.fill("#id_first_name", "")
    page.fill("#id_change_reason", "typo")
    page.locator("form.form button[type=submit]").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    summary.locator("a[href='#id_first_name']").click()
    expect(page.locator("#id_first_name")).to_be_focused()


def test_single_keys_do_nothing_while_a_form_holds_unsaved_input(desk, live_server):
    page, _ = desk
    page.goto(f"{live_server.url}/tickets/new/")
    page.fill("#id_title", "Printer on fire")
    page.locator("body").click()  # focus leaves the field, the input stays unsaved
    page.keyboard.press("n")
    page.keyboard.press("/")
    expect(page.locator("#id_title")).to_have_value("Printer on fire")
    assert page.url.endswith("/tickets/new/")


def test_on_a_phone_the_top_bar_folds_into_a_menu_and_queue_rows_are_cards(desk, live_server):
    page, _ = desk
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/tickets/?scope=all")
    nav = page.locator(".topbar nav")
    expect(nav).to_be_hidden()
    page.locator(".menu-toggle").click()
    expect(nav).to_be_visible()
    expect(page.locator("#queue-table thead")).to_be_hidden()
    row = page.locator("#queue-table tbody tr").first
    assert row.evaluate("r => getComputedStyle(r).display") in ("block", "flex")  # a card, not a table row


def test_on_a_phone_no_page_is_wider_than_the_screen(desk, live_server):
    page, d = desk
    page.set_viewport_size({"width": 390, "height": 844})
    paths = [
        f"/tickets/{d['ticket'].number}/",
        "/tickets/new/",
        f"/people/{d['caller'].pk}/",
        f"/services/instances/{d['instance'].pk}/",
        f"/services/groups/{d['group'].pk}/",
        "/people/",
        "/search/?q=email",
    ]
    wide = {}
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[path] = width
    assert wide == {}, f"pages scroll sideways at 390 px: {wide}"


def test_at_1280_px_the_lists_fit_the_screen(desk, live_server):
    page, d = desk
    # A long name with a long VIP status, on a long instance, with a long title: the widest row a desk sees.
    status = base.vip_status("High Impact User", colour="#6D28D9", show_on_tickets=True)
    caller = base.person(1, first_name="Quentin-Alexandre", last_name="Moreau-Lefebvre", vip_status=status)
    instance = factories.instance("ERP - Office of the Registrar and Student Records", group=d["group"])
    factories.ticket(1, caller=caller, service_instance=instance, title="Cannot open attachments in email " * 3)
    wide = {}
    for path in ("/tickets/?scope=all", "/tickets/?scope=at_risk", "/people/", "/services/"):
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 1280:
            wide[path] = width
    assert wide == {}, f"pages scroll sideways at 1280 px: {wide}"
