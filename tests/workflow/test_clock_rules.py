"""Rules on the service level clock: a VIP's ticket runs on Gold through a rule (due times re-timed), and an
escalation fires when a VIP ticket's resolution is due within 30 minutes, when a target breached, or while paused."""

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from outbox.models import Message
from tests.tickets import factories as ticket_factories
from tests.workflow.factories import rule
from tickets import services as ticket_services
from tickets.choices import Status


def ago(**delta):
    return timezone.now() - dt.timedelta(**delta)


def test_a_rule_puts_an_executives_ticket_on_gold_and_the_due_times_follow(exec_person, standard_person):
    bronze = ticket_factories.service_level("Bronze", p3_response_minutes=240, p3_resolution_minutes=2880)
    gold = ticket_factories.service_level("Gold", p3_response_minutes=15, p3_resolution_minutes=120)
    email = ticket_factories.instance("Email", level=bronze)
    rule("Executives get Gold", criteria=[("caller_is_vip", "true")], actions=[("set_service_level", gold.pk)])
    vip_ticket = ticket_factories.ticket(0, caller=exec_person, service_instance=email)
    plain = ticket_factories.ticket(1, caller=standard_person, service_instance=email)
    assert vip_ticket.service_level == gold
    assert vip_ticket.resolution_due_at == vip_ticket.opened_at + dt.timedelta(minutes=120)
    assert plain.service_level == bronze
    assert plain.resolution_due_at == plain.opened_at + dt.timedelta(minutes=2880)


def test_a_rule_matches_the_tickets_service_level(exec_person):
    gold = ticket_factories.service_level("Gold")
    email = ticket_factories.instance("Email", level=gold)
    rule("Gold is P2 at least", criteria=[("service_level", "is", gold.pk)], actions=[("set_priority", 2)])
    assert ticket_factories.ticket(0, caller=exec_person, service_instance=email).priority == 2


def test_escalation_when_a_vip_tickets_resolution_is_due_within_30_minutes(exec_person, standard_person):
    from tests import factories

    vip_desk = factories.team(1, name="VIP Desk", email="vip-desk@example.org")
    level = ticket_factories.service_level("Gold", p3_response_minutes=10, p3_resolution_minutes=60)
    email = ticket_factories.instance("Email", level=level)
    rule(
        "VIP resolution due within 30 minutes",
        trigger="scheduled",
        criteria=[("caller_is_vip", "true"), ("resolution_due_in", "lte", 30)],
        actions=[("notify_team", vip_desk.pk, "{number} for {caller} is due within 30 minutes")],
    )
    soon = ticket_factories.ticket(0, caller=exec_person, service_instance=email, opened_at=ago(minutes=40))
    later = ticket_factories.ticket(1, caller=exec_person, service_instance=email)
    plain = ticket_factories.ticket(2, caller=standard_person, service_instance=email, opened_at=ago(minutes=40))
    call_command("run_escalations", stdout=StringIO())
    bodies = [m.subject + m.body for m in Message.objects.all()]
    assert len(bodies) == 1 and soon.number in bodies[0]
    assert later.number not in bodies[0] and plain.number not in bodies[0]


def test_breached_and_paused_criteria(exec_person, analyst_user):
    level = ticket_factories.service_level("Gold", p3_response_minutes=10, p3_resolution_minutes=60)
    email = ticket_factories.instance("Email", level=level)
    rule(
        "Breached resolution is P1",
        trigger="scheduled",
        criteria=[("resolution_breached", "true"), ("paused", "false")],
        actions=[("set_priority", 1)],
    )
    old = ticket_factories.ticket(0, caller=exec_person, service_instance=email, opened_at=ago(hours=3))
    waiting = ticket_factories.ticket(1, caller=exec_person, service_instance=email, opened_at=ago(minutes=5))
    ticket_services.ticket_transition(waiting, user=analyst_user, status=Status.IN_PROGRESS)
    ticket_services.ticket_transition(waiting, user=analyst_user, status=Status.PENDING)
    call_command("run_escalations", stdout=StringIO())
    old.refresh_from_db()
    waiting.refresh_from_db()
    assert old.priority == 1 and old.resolution_breached
    assert waiting.priority == 3 and not waiting.resolution_breached
