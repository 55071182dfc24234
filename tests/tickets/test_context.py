"""The caller's context where the call is taken: Log a call's caller card (one request, constant queries) and the
ticket page's context cards; the active heightened support timeframe; confidential VIP statuses stay masked."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from services import services as svc
from tests import factories as base
from tests.base import count_queries
from tests.tickets import factories
from tickets import services
from tickets.choices import Level, Status

EXEC_COLOUR = "#B42318"


def timeframe(instance, name, start, end, **fields):
    return svc.timeframe_create(
        user=None, change_reason="test data", service_instance=instance, name=name, start=start, end=end, **fields
    )


@pytest.fixture
def world(default_status):
    """An Executive caller in Finance (support notes), Finance's Email instance on Gold with a primary customer and two
    group contacts (the secondary one confidential), a heightened timeframe running now and others that are not."""
    executive = base.vip_status("Executive", colour=EXEC_COLOUR, show_on_tickets=True)
    board = base.vip_status("Board member (confidential)", colour="#333333", show_on_tickets=False)
    caller = base.person(0, first_name="Victoria", last_name="Vance", vip_status=executive)
    primary = base.person(1, first_name="Paula", last_name="Primary", phone="555-0101", vip_status=executive)
    secret = base.person(2, first_name="Bea", last_name="Board", vip_status=board)
    customer = base.person(3, first_name="Carl", last_name="Customer")
    group = factories.customer_group(
        "Finance",
        support_notes="Ring the PA before any restart.",
        primary_contact=primary,
        secondary_contact=secret,
    )
    factories.member(caller, group)
    email = factories.instance("Email", group=group, level=factories.service_level(), primary_customer=customer)
    now = timezone.now()
    timeframe(email, "Year-end close", now - dt.timedelta(days=1), now + dt.timedelta(days=2), heightened_support=True)
    timeframe(email, "Audit week", now - dt.timedelta(days=9), now - dt.timedelta(days=2), heightened_support=True)
    timeframe(email, "Budget round", now + dt.timedelta(days=3), now + dt.timedelta(days=5), heightened_support=True)
    timeframe(email, "Quiet month", now - dt.timedelta(days=1), now + dt.timedelta(days=20))  # not heightened
    return {"caller": caller, "group": group, "email": email, "board": board, "secret": secret, "primary": primary}


def card(client, person):
    response = client.get(reverse("tickets:caller_card", args=[person.pk]))
    assert response.status_code == 200
    return response.json()


@pytest.mark.django_db
class TestCallerCard:
    def test_the_card_brings_open_tickets_notes_and_the_instance_context_in_one_response(self, analyst_client, world):
        caller, email = world["caller"], world["email"]
        printer = factories.ticket(1, caller=caller, title="Printer on 3rd floor jams")
        screen = factories.ticket(2, caller=caller, title="Second screen flickers", impact=Level.HIGH)
        done = factories.ticket(3, caller=caller, title="Old matter", team=base.team(0))
        services.ticket_transition(done, user=None, status=Status.RESOLVED, note="fixed")
        factories.ticket(4, title="Someone else's printer")

        data = card(analyst_client, caller)

        assert data["open_tickets"] == 2
        assert [t["number"] for t in data["open_ticket_list"]] == [screen.number, printer.number]
        assert data["open_ticket_list"][0]["status_label"] == "New" and data["open_ticket_list"][0]["priority"] == 2
        assert data["support_notes"] == [{"group": "Finance", "notes": "Ring the PA before any restart."}]
        [instance] = data["instances"]
        assert instance["id"] == email.pk and instance["service_level"] == "Gold"
        assert [h["name"] for h in instance["heightened_support"]] == ["Year-end close"]
        assert instance["primary_customer"]["name"] == "Carl Customer"
        assert [(c["role"], c["name"], c["phone"]) for c in instance["p1_contacts"]] == [
            ("Primary contact", "Paula Primary", "555-0101"),
            ("Secondary contact", "Bea Board", ""),
        ]
        html = data["html"]
        assert f"Add as a note to {printer.number}" in html and f"Add as a note to {screen.number}" in html
        assert reverse("tickets:call_note", args=[printer.number]) in html
        assert "Old matter" not in html and "Someone else" not in html
        assert "Ring the PA before any restart." in html
        assert 'target="_blank"' in html  # related tickets open beside the form, the call stays as typed
        context = data["instances_html"]
        assert "Heightened support" in context and "Year-end close" in context
        assert "Audit week" not in context and "Budget round" not in context and "Quiet month" not in context
        assert "Paula Primary" in context and "555-0101" in context and "Carl Customer" in context

    def test_the_card_costs_the_same_queries_with_one_or_thirty_one_open_tickets(self, analyst_client, world):
        caller = world["caller"]
        factories.ticket(0, caller=caller)
        few = count_queries(lambda: card(analyst_client, caller))
        for i in range(1, 31):
            factories.ticket(i, caller=caller)
        assert count_queries(lambda: card(analyst_client, caller)) == few
        data = card(analyst_client, caller)
        assert data["open_tickets"] == 31 and len(data["open_ticket_list"]) == 8
        assert "23 more in the queue" in data["html"]

    def test_a_confidential_contact_is_masked_for_an_analyst_and_named_to_those_allowed(
        self, analyst_client, client, cmdb_user, world
    ):
        board = world["board"]
        data = card(analyst_client, world["caller"])
        secret = data["instances"][0]["p1_contacts"][1]
        assert secret["name"] == "Bea Board" and secret["vip"] is None
        assert board.name not in data["html"] + data["instances_html"]
        client.force_login(cmdb_user)
        allowed = card(client, world["caller"])
        assert allowed["instances"][0]["p1_contacts"][1]["vip"]["name"] == board.name
        # Even those allowed see no badge for it: a confidential status is never shown on the desk's pages.
        assert board.name not in allowed["instances_html"]
        # The Executive contact does carry the badge, in its colour.
        assert EXEC_COLOUR in data["instances_html"]

    def test_who_may_not_add_notes_gets_no_button_and_who_may_not_view_tickets_no_list(self, client, make_user, world):
        from itsm.roles import SERVICE_LEVEL_MANAGER

        factories.ticket(1, caller=world["caller"])
        client.force_login(make_user("slm-only", SERVICE_LEVEL_MANAGER))
        data = card(client, world["caller"])
        assert data["open_tickets"] == 1 and "Add as a note" not in data["html"]

        from django.contrib.auth.models import Permission

        viewer = make_user("people-only")
        viewer.user_permissions.add(Permission.objects.get(codename="view_person"))
        client.force_login(viewer)
        data = card(client, world["caller"])
        assert data["open_ticket_list"] == [] and "Open tickets" not in data["html"]
        assert "p1_contacts" not in data["instances"][0] and "Ring the PA" not in data["html"]

    def test_log_a_call_opened_for_a_caller_renders_the_card_and_the_chosen_instance_context(
        self, analyst_client, world
    ):
        caller, email = world["caller"], world["email"]
        factories.ticket(1, caller=caller)
        response = analyst_client.get(reverse("tickets:create"), {"caller": caller.pk})
        html = response.content.decode()
        assert "Add as a note to INC000001" in html and "Ring the PA" in html
        assert f'data-instance-context="{email.pk}" hidden' in html  # no instance chosen yet
        # A refused save shows the context of the instance that was chosen.
        response = analyst_client.post(
            reverse("tickets:create"),
            {"caller": caller.pk, "title": "", "service_instance": email.pk, "impact": "medium", "urgency": "medium"},
        )
        html = response.content.decode()
        assert f'data-instance-context="{email.pk}">' in html and "Year-end close" in html


@pytest.mark.django_db
class TestHeightenedSupport:
    def test_a_timeframe_shows_only_while_it_runs_and_says_when_it_ends(self, analyst_client, world):
        email = world["email"]
        now = timezone.now()
        email.timeframes.all().delete()
        week = timeframe(
            email, "Exam week", now + dt.timedelta(hours=1), now + dt.timedelta(days=3), heightened_support=True
        )
        shown = lambda: card(analyst_client, world["caller"])["instances"][0]["heightened_support"]  # noqa: E731
        assert shown() == []  # not started yet
        ends = now + dt.timedelta(days=2)
        svc.timeframe_update(week, user=None, change_reason="moved", start=now - dt.timedelta(hours=1), end=ends)
        assert [(h["name"], h["ends"]) for h in shown()] == [("Exam week", ends.isoformat())]
        html = card(analyst_client, world["caller"])["instances_html"]
        assert f'until <time datetime="{timezone.localtime(ends).isoformat()}"' in html
        svc.timeframe_update(week, user=None, change_reason="over", start=now - dt.timedelta(days=2), end=now)
        assert shown() == []  # over
        svc.timeframe_update(week, user=None, change_reason="flag", end=ends, heightened_support=False)
        assert shown() == []  # running, but not heightened support

    def test_a_yearly_timeframe_ends_with_this_years_occurrence(self, world):
        email = world["email"]
        now = timezone.now()
        last_year = timeframe(
            email,
            "Registration week",
            (now - dt.timedelta(days=1)).replace(year=now.year - 3),
            (now + dt.timedelta(days=1)).replace(year=now.year - 3),
            recurs_yearly=True,
            heightened_support=True,
        )
        ends = last_year.active_until(now)
        assert ends is not None and ends.year == (now + dt.timedelta(days=1)).year and ends > now
        assert last_year.active_until(now + dt.timedelta(days=3)) is None
        assert last_year.is_active(now) and not last_year.is_active(now - dt.timedelta(days=3))


@pytest.mark.django_db
class TestTicketPageContext:
    def test_the_ticket_page_shows_the_other_open_tickets_notes_and_the_service_context(self, analyst_client, world):
        caller, email = world["caller"], world["email"]
        ticket = factories.ticket(1, caller=caller, service_instance=email, impact=Level.HIGH, urgency=Level.HIGH)
        other = factories.ticket(2, caller=caller, title="Docking station dead")
        html = analyst_client.get(ticket.get_absolute_url()).content.decode()
        assert "Other open tickets" in html and other.number in html and "Docking station dead" in html
        assert "Add as a note" not in html  # that is Log a call's; here the ticket is already the one
        assert "Ring the PA before any restart." in html
        assert 'id="context"' in html and "Year-end close" in html and "Paula Primary" in html
        assert "p1-contacts p1-now" in html  # a P1: the contacts to tell stand out
        assert world["board"].name not in html

    def test_the_ticket_page_costs_the_same_queries_whatever_the_callers_history(self, analyst_client, world):
        caller, email = world["caller"], world["email"]
        ticket = factories.ticket(0, caller=caller, service_instance=email)
        factories.ticket(1, caller=caller)
        few = count_queries(lambda: analyst_client.get(ticket.get_absolute_url()))
        for i in range(2, 32):
            factories.ticket(i, caller=caller)
        assert count_queries(lambda: analyst_client.get(ticket.get_absolute_url())) == few
