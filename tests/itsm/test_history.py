"""History reads the same everywhere: the audit log shows what changed on every changed row (in a constant number of
queries), colours as swatches, long texts word by word, related records by name, confidential statuses masked."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from itsm.diffs import render_change, word_diff
from people.models import Person
from people.services import person_update
from tests import factories
from tests.base import grant
from vip.services import vip_status_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_a_colour_change_shows_both_swatches():
    html = render_change("#111111", "#B42318")
    assert html == (
        '<span class="swatch" style="background:#111111" aria-hidden="true"></span>#111111 → '
        '<span class="swatch" style="background:#B42318" aria-hidden="true"></span>#B42318'
    )


def test_a_long_text_shows_removed_and_added_words_escaped():
    old = "The caller cannot print to the third floor printer since the update on Monday morning."
    new = "The caller cannot print to the <b>second</b> floor printer since the update on Monday morning."
    html = str(render_change(old, new))
    assert "<del>third</del> <ins>&lt;b&gt;second&lt;/b&gt;</ins>" in html
    assert html.startswith('<span class="word-diff">The caller cannot print to the')
    assert word_diff("a b c", "a c d") == "a <del>b</del> c <ins>d</ins>"


def test_short_values_read_old_arrow_new():
    assert render_change(None, "Gold") == "— → Gold"


def test_the_audit_log_shows_what_changed_on_changed_rows(admin_client, default_status):
    exec_ = factories.vip_status("Executive", colour="#111111")
    vip_status_update(exec_, user=None, change_reason="recolour", colour="#B42318")
    person = factories.person(0)
    person_update(person, user=None, change_reason="promoted", vip_status=exec_, job_title="Chief Financial Officer")
    html = admin_client.get(reverse("audit-log")).content.decode()
    assert 'style="background:#111111"' in html and 'style="background:#B42318"' in html
    assert "recolour" in html and "promoted" in html
    # The person's VIP status by name (old: the default status), and the new job title.
    assert f"{default_status.name} → Executive" in html
    assert "Chief Financial Officer" in html


def test_a_confidential_status_stays_masked_in_the_audit_log(client, make_user, default_status):
    board = factories.vip_status("Board member", show_on_tickets=False)
    person = factories.person(0)
    person_update(person, user=None, change_reason="board seat", vip_status=board)
    viewer = make_user("auditor", staff=True)
    grant(viewer, Person, "view")
    viewer.user_permissions.add(Permission.objects.get(codename="view_logentry"))
    client.force_login(viewer)
    html = client.get(reverse("audit-log"), {"model": "people.person"}).content.decode()
    assert "board seat" in html
    assert "(confidential)" in html and "Board member" not in html


@pytest.mark.parametrize("edits", [1, 10])
def test_the_audit_log_costs_the_same_queries_for_few_or_many_rows(
    admin_client, default_status, django_assert_num_queries, edits
):
    exec_ = factories.vip_status("Executive", colour="#111111")
    people = [factories.person(i, vip_status=exec_) for i in range(edits)]
    for i, person in enumerate(people):
        person_update(person, user=None, change_reason=f"edit {i}", job_title=f"Title {i}")
    with django_assert_num_queries(QUERIES):
        response = admin_client.get(reverse("audit-log"), {"model": "people.person"})
    assert response.content.decode().count("Title ") == edits


QUERIES = 6  # session, user, the rows, their previous rows, VIP status names, users listed in the filter


def test_the_revert_page_previews_current_to_reverted_before_the_reason(admin_client, default_status):
    exec_ = factories.vip_status("Executive", colour="#111111", description="Call the PA first.")
    first = exec_.history.earliest()
    vip_status_update(exec_, user=None, change_reason="recolour", colour="#B42318")
    url = reverse("admin:vip_vipstatus_simple_history", args=[exec_.pk, first.history_id])
    html = admin_client.get(url).content.decode()
    preview = html[html.index('id="revert-preview"') : html.index("</table>", html.index('id="revert-preview"'))]
    assert '<th scope="row">colour</th>' in preview
    assert '#B42318 → <span class="swatch" style="background:#111111"' in preview
    assert "description" not in preview  # unchanged fields are not listed
    assert html.index('id="revert-preview"') < html.index('name="change_reason"')


def test_a_change_time_reads_the_same_in_the_admin_and_on_the_analyst_page(admin_client, default_status):
    from django.utils import timezone

    person = factories.person(0)
    person_update(person, user=None, change_reason="moved desk", job_title="Chief Financial Officer")
    when = timezone.localtime(person.history.latest().history_date).strftime("%Y-%m-%d %H:%M")
    analyst_page = admin_client.get(reverse("people:detail", args=[person.pk])).content.decode()
    admin_history = admin_client.get(reverse("admin:people_person_history", args=[person.pk])).content.decode()
    audit_log = admin_client.get(reverse("audit-log")).content.decode()
    assert when in analyst_page and when in admin_history and when in audit_log
