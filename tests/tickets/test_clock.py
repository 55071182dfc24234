"""The service level clock on tickets, on a fixed calendar (Mon-Fri 09:00-17:00 UTC) and fixed times: business-hours
due times, the clock stop while Pending, reopen, breaches recorded once, the VIP status at logging, and the API."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from services import calendar_services
from tests import factories as base
from tests.tickets import factories
from tickets import clock, services
from tickets.choices import DueState, Level, Status
from tickets.models import Breach, Ticket
from tickets.notes import ticket_note_add

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in the week of Monday 2026-11-30 (day 0 = Monday)."""
    return dt.datetime(2026, 11, 30, hour, minute, tzinfo=UTC) + dt.timedelta(days=day)


@pytest.fixture
def bronze(default_status):
    calendar = calendar_services.calendar_create(
        user=None,
        change_reason="test",
        name="Office (UTC)",
        time_zone="UTC",
        hours=[(d, 9 * 60, 17 * 60) for d in range(5)],
    )
    # P3 (medium/medium): respond within 2 business hours, resolve within one business day (8 h).
    level = factories.service_level("Bronze", calendar=calendar, p3_response_minutes=120, p3_resolution_minutes=480)
    return factories.instance("Email", level=level)


@pytest.fixture
def analyst(analyst_user):
    return analyst_user


_logged = iter(range(1000))


def log(instance, opened, **fields):
    return factories.ticket(next(_logged), service_instance=instance, opened_at=opened, **fields)


def test_a_bronze_ticket_logged_on_friday_afternoon_is_due_in_business_time_on_monday(bronze):
    ticket = log(bronze, at(4, 16))  # Friday 16:00
    assert ticket.priority == 3
    assert ticket.service_level.name == "Bronze"
    assert ticket.response_due_at == at(7, 10)  # 1 h on Friday + 1 h on Monday
    assert ticket.resolution_due_at == at(7, 16)  # 1 h on Friday + 7 h on Monday


def test_pending_stops_both_clocks_and_moves_the_due_times_by_the_time_waited(bronze, analyst):
    ticket = log(bronze, at(0, 9))
    assert ticket.resolution_due_at == at(0, 17)
    services.ticket_transition(ticket, user=analyst, status=Status.IN_PROGRESS, at=at(0, 10))
    services.ticket_transition(ticket, user=analyst, status=Status.PENDING, at=at(0, 10))
    ticket.refresh_from_db()
    assert ticket.first_response_at == at(0, 10)  # the analyst's status change is the response
    assert ticket.paused_since == at(0, 10)
    assert clock.state(ticket, at(0, 23)) == DueState.PAUSED
    assert clock.record_breaches(ticket, at(1, 12)) == []  # a paused ticket breaches nothing
    services.ticket_transition(ticket, user=analyst, status=Status.IN_PROGRESS, at=at(0, 12))
    ticket.refresh_from_db()
    assert ticket.paused_since is None
    assert ticket.paused_seconds == 2 * 3600
    assert ticket.resolution_due_at == at(1, 11)  # Monday 17:00 moved two business hours later


def test_a_pause_over_the_weekend_counts_business_time_only(bronze, analyst):
    ticket = log(bronze, at(4, 15))  # Friday 15:00
    services.ticket_transition(ticket, user=analyst, status=Status.IN_PROGRESS, at=at(4, 15, 30))
    services.ticket_transition(ticket, user=analyst, status=Status.PENDING, at=at(4, 16))
    services.ticket_transition(ticket, user=analyst, status=Status.IN_PROGRESS, at=at(7, 10))  # Monday 10:00
    ticket.refresh_from_db()
    assert ticket.paused_seconds == 2 * 3600  # Friday 16-17 and Monday 09-10, not the weekend


def test_a_breach_is_recorded_once_and_survives_a_priority_change(bronze):
    ticket = log(bronze, at(0, 9))
    assert [b.target for b in clock.record_breaches(ticket, at(0, 12))] == ["response"]
    ticket.save()
    assert clock.record_breaches(ticket, at(0, 13)) == []
    assert Breach.objects.filter(ticket=ticket).count() == 1
    services.ticket_update(ticket, user=None, change_reason="worse", impact=Level.HIGH, urgency=Level.HIGH)
    ticket.refresh_from_db()
    assert ticket.priority == 1
    assert ticket.response_breached  # re-timed, but the recorded breach stays
    assert Breach.objects.get(ticket=ticket, target="response").due == at(0, 11)
    assert clock.summary(ticket)["response"] == "breached"


def test_run_escalations_records_due_breaches_once(bronze):
    ticket = log(bronze, timezone.now() - dt.timedelta(days=10))
    out = StringIO()
    call_command("run_escalations", stdout=out)
    assert "Recorded 2 service level breach(es)." in out.getvalue()
    call_command("run_escalations", stdout=StringIO())
    assert sorted(Breach.objects.filter(ticket=ticket).values_list("target", flat=True)) == ["resolution", "response"]
    ticket.refresh_from_db()
    assert ticket.response_breached and ticket.resolution_breached
    assert ticket.history.latest().history_change_reason.startswith("breach recorded")


def test_resolving_and_reopening_restarts_the_resolution_clock_where_it_stopped(bronze, analyst):
    ticket = log(bronze, at(0, 9))
    services.ticket_transition(ticket, user=analyst, status=Status.IN_PROGRESS, at=at(0, 9, 30))
    services.ticket_transition(ticket, user=analyst, status=Status.RESOLVED, note="Rebooted", at=at(0, 13))
    ticket.refresh_from_db()
    assert ticket.resolution_seconds == 4 * 3600
    assert clock.summary(ticket, at(0, 14))["resolution"] == "met"
    services.ticket_transition(ticket, user=analyst, status=Status.IN_PROGRESS, at=at(1, 10))  # reopened Tue 10:00
    ticket.refresh_from_db()
    assert ticket.paused_seconds == 5 * 3600  # Mon 13-17 and Tue 09-10 resolved do not count
    assert ticket.resolution_due_at == at(1, 14)  # 4 h were left at Resolved: Tue 10:00 + 4 h
    assert ticket.resolution_seconds is None


def test_what_a_rule_does_is_not_the_response_but_an_analysts_note_is(bronze, analyst):
    ticket = log(bronze, at(0, 9))
    ticket_note_add(ticket, user=None, text="imported", at=at(0, 9, 10))
    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    ticket_note_add(ticket, user=analyst, text="Calling back", at=at(0, 9, 30))
    ticket.refresh_from_db()
    assert ticket.first_response_at == at(0, 9, 30)
    assert ticket.response_seconds == 30 * 60


def test_the_vip_status_at_logging_is_kept_when_the_callers_status_changes(default_status):
    from people.services import person_update

    executive = base.vip_status("Executive", show_on_tickets=True)
    caller = base.person(0, vip_status=executive)
    ticket = factories.ticket(0, caller=caller)
    person_update(caller, user=None, change_reason="retired", vip_status=default_status)
    ticket.refresh_from_db()
    assert ticket.vip_status_at_open == executive


def test_a_reported_time_in_the_future_is_refused(bronze):
    with pytest.raises(ValidationError, match="cannot be in the future"):
        log(bronze, timezone.now() + dt.timedelta(hours=1))
    assert not Ticket.objects.exists()


# -- API --------------------------------------------------------------------------------------------------------------
def test_the_api_carries_the_clock_and_filters_by_it(api, bronze, analyst):
    late = log(bronze, timezone.now() - dt.timedelta(days=10))
    waiting = log(bronze, timezone.now() - dt.timedelta(hours=1))
    services.ticket_transition(waiting, user=analyst, status=Status.IN_PROGRESS)
    services.ticket_transition(waiting, user=analyst, status=Status.PENDING)
    call_command("run_escalations", stdout=StringIO())
    body = api.get(f"/api/tickets/{late.number}/").json()
    assert body["service_level"]["name"] == "Bronze"
    sla = body["sla"]
    assert sla["calendar"] == "Office (UTC)"
    assert (sla["response"], sla["resolution"], sla["state"], sla["paused"]) == (
        "breached",
        "breached",
        "breached",
        False,
    )
    assert api.get(f"/api/tickets/{waiting.number}/").json()["sla"]["state"] == "paused"
    numbers = lambda url: sorted(t["number"] for t in api.get(url).json()["results"])  # noqa: E731
    assert numbers("/api/tickets/?breached=true") == [late.number]
    assert numbers("/api/tickets/?sla_state=paused") == [waiting.number]
    assert numbers("/api/tickets/?sla_state=breached") == [late.number]
    assert api.get("/api/tickets/?sla_state=late").status_code == 400


def test_breaches_are_listed_and_an_analyst_gives_one_its_reason(api, bronze):
    ticket = log(bronze, timezone.now() - dt.timedelta(days=10))
    call_command("run_escalations", stdout=StringIO())
    url = f"/api/tickets/{ticket.number}/breaches/"
    listed = api.get(url).json()
    assert [b["target"] for b in listed] == ["response", "resolution"]
    first = listed[0]["id"]
    refused = api.patch(f"{url}{first}/", {"reason": "Waiting for the vendor"}, format="json")
    assert refused.status_code == 400 and "change_reason" in refused.json()
    done = api.patch(f"{url}{first}/", {"reason": "Waiting for the vendor", "change_reason": "vendor"}, format="json")
    assert done.status_code == 200 and done.json()["reason"] == "Waiting for the vendor"
    assert Breach.objects.get(pk=first).history.latest().history_change_reason == "vendor"
    assert api.patch(f"{url}999999/", {"reason": "x", "change_reason": "x"}, format="json").status_code == 404


def test_the_api_logs_a_reported_call_and_sets_a_service_level(api, bronze, default_status):
    caller = base.person(5)
    gold = factories.service_level("Gold", p3_response_minutes=30, p3_resolution_minutes=60)
    reported = (timezone.now() - dt.timedelta(minutes=20)).replace(microsecond=0)
    body = {
        "title": "Printer",
        "caller": caller.pk,
        "ticket_type": "incident",
        "service_instance": bronze.pk,
        "opened_at": reported.isoformat(),
        "change_reason": "call",
    }
    made = api.post("/api/tickets/", body, format="json")
    assert made.status_code == 201, made.json()
    number = made.json()["number"]
    assert dt.datetime.fromisoformat(made.json()["opened_at"]) == reported
    future = api.post(
        "/api/tickets/", {**body, "opened_at": (timezone.now() + dt.timedelta(days=1)).isoformat()}, format="json"
    )
    assert future.status_code == 400 and "opened_at" in future.json()
    moved = api.patch(f"/api/tickets/{number}/", {"service_level": gold.pk, "change_reason": "VIP"}, format="json")
    assert moved.status_code == 200
    ticket = Ticket.objects.get(number=number)
    assert ticket.service_level == gold
    assert ticket.resolution_due_at == ticket.opened_at + dt.timedelta(minutes=60)  # Gold: 24x7


def test_the_log_a_call_form_takes_a_reported_time_in_the_past_only(client, analyst_user, bronze):
    client.force_login(analyst_user)
    caller = base.person(40)
    form = {
        "caller": caller.pk,
        "caller_query": caller.full_name,
        "ticket_type": "incident",
        "source": "phone",
        "title": "Written up after the call",
        "impact": "medium",
        "urgency": "medium",
        "service_instance": bronze.pk,
    }
    future = (timezone.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post("/tickets/new/", {**form, "opened_at": future})
    assert refused.status_code == 200 and "cannot be in the future" in refused.content.decode()
    assert not Ticket.objects.exists()
    response = client.post("/tickets/new/", {**form, "opened_at": "2026-12-04T16:00"})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.opened_at == at(4, 16)
    assert ticket.response_due_at == at(7, 10)  # the clock started when the call came in


def test_an_analyst_changes_the_service_level_on_the_edit_form(client, analyst_user, bronze):
    gold = factories.service_level("Gold", p3_response_minutes=30, p3_resolution_minutes=60)
    ticket = log(bronze, timezone.now() - dt.timedelta(minutes=5))
    client.force_login(analyst_user)
    page = client.get(f"/tickets/{ticket.number}/edit/").content.decode()
    assert 'name="service_level"' in page
    data = {
        "title": ticket.title,
        "description": ticket.description,
        "source": ticket.source,
        "service_instance": bronze.pk,
        "impact": ticket.impact,
        "urgency": ticket.urgency,
        "service_level": gold.pk,
        "change_reason": "VIP caller: Gold agreed",
    }
    assert client.post(f"/tickets/{ticket.number}/edit/", data).status_code == 302
    ticket.refresh_from_db()
    assert ticket.service_level == gold
    assert ticket.resolution_due_at == ticket.opened_at + dt.timedelta(minutes=60)
