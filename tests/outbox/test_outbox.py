"""The outbox: mail is written with the change that causes it, sent after the commit with retries, never lost and
never in the way of a request; visible in the admin and in the health check."""

import datetime as dt

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings
from django.utils import timezone

from outbox import services
from outbox.models import Message
from outbox.selectors import stuck_problem

pytestmark = pytest.mark.django_db


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("[Errno 111] Connection refused")


REFUSING = {"default": {"BACKEND": "tests.outbox.test_outbox.RefusingBackend"}}


def queue(n=1):
    return services.enqueue([(f"Ticket {i}", "body", None, ["desk@example.org"]) for i in range(n)], source="test")


def test_a_queued_message_is_sent_once():
    queue()
    assert services.send_due() == (1, 0)
    assert services.send_due() == (0, 0)
    assert [m.to for m in mail.outbox] == [["desk@example.org"]]
    message = Message.objects.get()
    assert message.status == Message.Status.SENT and message.attempts == 1 and message.sent_at


def test_a_refused_connection_keeps_the_message_and_retries_with_backoff():
    queue()
    now = timezone.now()
    with override_settings(MAILERS=REFUSING):
        assert services.send_due(now=now) == (0, 1)
    message = Message.objects.get()
    assert message.status == Message.Status.PENDING
    assert message.attempts == 1
    assert "Connection refused" in message.last_error
    assert message.next_attempt_at == now + dt.timedelta(minutes=1)
    # Not due yet: nothing happens. Due: the server is back and the message goes.
    assert services.send_due(now=now + dt.timedelta(seconds=30)) == (0, 0)
    assert services.send_due(now=now + dt.timedelta(minutes=2)) == (1, 0)
    assert len(mail.outbox) == 1


def test_backoff_doubles_up_to_four_hours():
    assert [services.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert services.backoff(20) == dt.timedelta(hours=4)


def test_after_the_last_attempt_the_message_is_failed_not_deleted():
    queue()
    now = timezone.now()
    with override_settings(MAILERS=REFUSING):
        for i in range(services.MAX_ATTEMPTS):
            services.send_due(now=now + dt.timedelta(days=i))
    message = Message.objects.get()
    assert message.status == Message.Status.FAILED
    assert message.attempts == services.MAX_ATTEMPTS
    assert services.retry_now([message]) == 1
    assert services.send_due() == (1, 0)


def test_a_dead_mail_server_does_not_fail_logging_a_ticket(api, default_status):
    """The notification is queued, the ticket answer is a 201: the mail server is not even contacted."""
    from tests import factories as base
    from tests.workflow.factories import rule

    caller = base.person(0)
    rule("Tell the desk", actions=[("notify_email", "desk@example.org")])
    with override_settings(MAILERS=REFUSING):
        response = api.post(
            "/api/tickets/",
            {"title": "Printer", "caller": caller.pk, "ticket_type": "incident", "change_reason": "call"},
            format="json",
        )
    assert response.status_code == 201, response.json()
    assert Message.objects.filter(status="pending", recipients=["desk@example.org"]).count() == 1


def test_health_reports_mail_pending_for_over_an_hour(client):
    queue()
    assert stuck_problem() is None
    Message.objects.update(created_at=timezone.now() - dt.timedelta(hours=2))
    assert "1 message(s) pending for over an hour" in stuck_problem()
    response = client.get("/health/")
    assert response.status_code == 503
    assert "pending" in response.json()["checks"]["outbox"]


def test_the_admin_lists_the_outbox_with_status_and_last_error(client, admin_user):
    queue()
    with override_settings(MAILERS=REFUSING):
        services.send_due()
    client.force_login(admin_user)
    html = client.get("/admin/outbox/message/").content.decode()
    assert "Ticket 0" in html and "Connection refused" in html
    message = Message.objects.get()
    client.post("/admin/outbox/message/", {"action": "retry", "_selected_action": [message.pk]})
    message.refresh_from_db()
    assert message.next_attempt_at is None


def test_send_outbox_command_prints_only_what_it_did():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("send_outbox", stdout=out)
    assert out.getvalue() == ""
    queue(2)
    call_command("send_outbox", stdout=out)
    assert out.getvalue().strip() == "Outbox: 2 sent, 0 failed (will retry)."
