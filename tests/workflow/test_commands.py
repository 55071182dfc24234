"""manage.py replay_rules and run_escalations."""

from __future__ import annotations

import datetime as dt
import threading
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connections
from django.utils import timezone

from people.models import Team
from tests import factories
from tests.workflow.factories import rule
from tickets.models import Ticket
from workflow import services
from workflow.models import Action, Criterion, Rule, RuleFiring

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def age(ticket: Ticket, minutes: int) -> None:
    # Test set-up only: move the ticket back in time (no history wanted for this).
    past = timezone.now() - dt.timedelta(minutes=minutes)
    Ticket.objects.filter(pk=ticket.pk).update(opened_at=past, updated_at=past)


# -- replay_rules -----------------------------------------------------------------------------------------------------
def test_replay_dry_run_prints_counts_and_sample_and_changes_nothing(exec_person, executive, log_ticket):
    tickets = [log_ticket(exec_person, title=f"Laptop {i}") for i in range(2)]
    rule("Executives P1", criteria=[("vip_status", "is", executive.pk)], actions=[("set_priority", 1)])
    history = Ticket.history.count()
    out = run("replay_rules")
    assert "Dry run: 2 tickets scanned, 2 matched a rule, 2 would change priority, team or status (priority 2)" in out
    assert "Rule 1 'Executives P1': 2 tickets matched" in out
    assert f"{tickets[0].number} 'Laptop 0': priority P3 -> P1" in out
    assert "Nothing was changed" in out
    assert Ticket.history.count() == history
    assert set(Ticket.objects.values_list("priority", flat=True)) == {3}


def test_replay_apply_needs_a_reason_and_records_it(exec_person, executive, log_ticket, admin_user):
    ticket = log_ticket(exec_person)
    rule("Executives P1", criteria=[("vip_status", "is", executive.pk)], actions=[("set_priority", 1)])
    with pytest.raises(CommandError, match="--reason"):
        run("replay_rules", "--apply")
    out = run("replay_rules", "--apply", "--reason", "backfill after the policy change", "--user", admin_user.username)
    assert "Applied: 1 tickets scanned" in out
    assert "1 tickets changed" in out
    ticket.refresh_from_db()
    assert ticket.priority == 1
    latest = ticket.history.latest()
    assert "backfill after the policy change" in latest.history_change_reason
    assert latest.history_user == admin_user
    assert RuleFiring.objects.get(ticket=ticket).event == "replay"
    # A second replay has nothing left to change.
    assert "0 would change" in run("replay_rules")


def test_replay_one_inactive_rule_and_a_date_range(exec_person, log_ticket):
    log_ticket(exec_person)
    draft = rule("Draft", actions=[("set_priority", 5)], active=False)
    today = timezone.localdate().isoformat()
    assert "1 would change" in run("replay_rules", "--rule", str(draft.pk), "--from", today, "--to", today)
    assert "0 tickets scanned" in run("replay_rules", "--rule", str(draft.pk), "--to", "2000-01-01")
    assert "0 matched" in run("replay_rules")  # the active set is empty


def test_replay_refuses_unknown_rule_and_bad_dates(db):
    with pytest.raises(CommandError, match="No rule with id 999"):
        run("replay_rules", "--rule", "999")
    with pytest.raises(CommandError, match="not a date"):
        run("replay_rules", "--from", "yesterday")
    with pytest.raises(CommandError, match="after"):
        run("replay_rules", "--from", "2026-02-01", "--to", "2026-01-01")


# -- run_escalations --------------------------------------------------------------------------------------------------
@pytest.fixture
def escalation(executive):
    desk = factories.team(1, name="VIP Desk", email="vip-desk@example.org")
    return rule(
        "VIP P2 unassigned for 15 minutes",
        trigger="scheduled",
        criteria=[
            ("caller_is_vip", "true"),
            ("priority", "lte", 2),
            ("assignee", "empty"),
            ("minutes_since_opened", "gte", 15),
        ],
        actions=[("notify_team", desk.pk, "{number} for {caller} is still unassigned"), ("raise_priority", 1)],
    )


def test_run_escalations_fires_once_per_ticket(escalation, exec_person, log_ticket, django_capture_on_commit_callbacks):
    ticket = log_ticket(exec_person, impact="high", urgency="medium")
    assert ticket.priority == 2
    assert run("run_escalations") == "", "too young: nothing fires and nothing is printed"
    age(ticket, 20)
    with django_capture_on_commit_callbacks(execute=True):
        out = run("run_escalations")
    assert f"{ticket.number}: Rule 1 'VIP P2 unassigned for 15 minutes'" in out
    assert "fired 1 rule(s) on 1 ticket(s)" in out
    ticket.refresh_from_db()
    assert ticket.priority == 1
    assert ticket.history.latest().history_change_reason.startswith("Escalation: Rule 1")
    assert "1 sent" in run("send_outbox")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["vip-desk@example.org"]
    # Idempotent: the next minute's run finds nothing new (priority 1 still matches "<= 2").
    with django_capture_on_commit_callbacks(execute=True):
        assert run("run_escalations") == ""
    assert RuleFiring.objects.filter(ticket=ticket, event="scheduled").count() == 1
    assert run("send_outbox") == ""
    assert len(mail.outbox) == 1
    assert "nothing fired" in run("run_escalations", "--verbosity", "2")


def test_run_escalations_without_scheduled_rules_does_nothing(exec_person, log_ticket):
    rule("Live rule", actions=[("set_priority", 2)])
    age(log_ticket(exec_person), 60)
    assert run("run_escalations") == ""
    assert not RuleFiring.objects.filter(event="scheduled").exists()


@pytest.mark.django_db(transaction=True)
def test_two_servers_at_once_fire_once(executive, default_status):
    """Two escalation runs started together (two threads, two connections) fire the rule once on the ticket."""
    from tests.tickets import factories as ticket_factories

    desk = factories.team(1, name="VIP Desk")
    rule(
        "VIP unassigned",
        trigger="scheduled",
        criteria=[("caller_is_vip", "true"), ("minutes_since_opened", "gte", 15)],
        actions=[("assign_team", desk.pk)],
    )
    callers = [factories.person(i, vip_status=executive) for i in range(5)]
    tickets = [ticket_factories.ticket(i, caller=c) for i, c in enumerate(callers)]
    for ticket in tickets:
        age(ticket, 30)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def server():
        try:
            barrier.wait()
            call_command("run_escalations", stdout=StringIO())
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=server) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert RuleFiring.objects.filter(event="scheduled").count() == 5
    assert sorted(RuleFiring.objects.values_list("ticket_id", flat=True)) == sorted(t.pk for t in tickets)
    assert set(Ticket.objects.values_list("team_id", flat=True)) == {desk.pk}


# -- demo rules -------------------------------------------------------------------------------------------------------
def test_demo_rules_are_created_once_through_the_services(executive, critical, admin_user):
    from workflow import seed

    out = StringIO()
    seed.seed(user=admin_user, out=out)
    names = list(Rule.objects.ordered().values_list("name", flat=True))
    assert names[0] == "Executives are at least P2 and go to the VIP Desk team"
    assert "Critical Role with high impact is P1" in names
    assert "Active heightened-support timeframe raises priority by 1" in names
    assert sorted(Rule.objects.filter(trigger="scheduled").values_list("name", flat=True)) == [
        "VIP P1 unassigned for 15 minutes: notify the VIP desk and raise",
        "VIP ticket resolution due within 30 minutes: notify the VIP desk",
    ]
    assert all(r.active for r in Rule.objects.all())
    assert {h.history_change_reason for h in Rule.history.all()} == {"Demo data"}
    assert Team.objects.filter(name="VIP Desk").count() == 1
    assert not services.rule_warnings(), services.rule_warnings()
    counts = (Rule.history.count(), Criterion.history.count(), Action.history.count(), Team.history.count())
    seed.seed(user=admin_user, out=out)
    assert (Rule.history.count(), Criterion.history.count(), Action.history.count(), Team.history.count()) == counts
    assert "0 demo rules created" in out.getvalue()


def test_demo_rules_route_an_executive_and_raise_a_critical_role(executive, critical, admin_user, log_ticket):
    from workflow import seed

    seed.seed(user=admin_user, out=StringIO())
    boss = factories.person(1, vip_status=executive)
    ticket = log_ticket(boss, impact="low", urgency="low")
    assert (ticket.priority, ticket.team.name) == (2, "VIP Desk")
    urgent = log_ticket(boss, impact="high", urgency="high")
    assert (urgent.priority, urgent.team.name) == (1, "VIP Desk")
    admin = factories.person(2, vip_status=critical)
    assert log_ticket(admin, impact="high", urgency="low").priority == 1
