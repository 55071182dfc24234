"""Shared test batteries (the NetBox habit): declare a resource's sample data, inherit list/detail/create/update/
delete, permissions, history-with-reason and constant query counts.

A subclass sets `url`, `model`, the exact query counts of its list and detail (`list_queries`, `detail_queries`),
and implements `make(index)` (one saved row, built through the services) and `create_data()` / `update_data(obj)`
(JSON bodies without the reason). Admin batteries also set `admin_add_data()`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import api_client_for

REASON = "battery: testing the audit trail"


def grant(user, model, *actions: str) -> None:
    opts = model._meta
    for action in actions:
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=opts.app_label, codename=f"{action}_{opts.model_name}")
        )
    # Permissions are cached on the user object.
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)


def history_of(obj_or_model, pk=None):
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    pk = pk if pk is not None else obj_or_model.pk
    return model.history.filter(id=pk).order_by("history_date", "history_id")


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.django_db
class APIBattery:
    url: ClassVar[str]
    model: ClassVar[Any]
    # Rows a list is measured with: the count must not grow from the small to the large size.
    query_sizes: ClassVar[tuple[int, int]] = (10, 100)
    # Exact queries of a list page (with `query_sizes[1]` rows) and of a detail, for an admin with a token.
    list_queries: ClassVar[int]
    detail_queries: ClassVar[int]

    def make(self, index: int):
        raise NotImplementedError

    def create_data(self) -> dict:
        raise NotImplementedError

    def update_data(self, obj) -> dict:
        raise NotImplementedError

    def detail_url(self, obj) -> str:
        return f"{self.url}{obj.pk}/"

    # -- reads ---------------------------------------------------------------------------------------------------
    def test_list_and_detail(self, api):
        obj = self.make(0)
        response = api.get(self.url)
        assert response.status_code == 200, response.content
        assert response.json()["count"] >= 1
        assert {"count", "next", "previous", "results"} <= set(response.json())
        detail = api.get(self.detail_url(obj))
        assert detail.status_code == 200, detail.content

    def test_anonymous_gets_401(self, db):
        assert api_client_for(None).get(self.url).status_code == 401

    def test_without_view_permission_403_with_it_200(self, nobody):
        client = api_client_for(nobody)
        assert client.get(self.url).status_code == 403
        grant(nobody, self.model, "view")
        assert client.get(self.url).status_code == 200

    def test_unknown_id_404_json(self, api):
        response = api.get(f"{self.url}999999999/")
        assert response.status_code == 404
        assert "detail" in response.json()

    def test_list_query_count_is_constant(self, api):
        small, large = self.query_sizes
        for i in range(small):
            self.make(i)
        few = count_queries(lambda: api.get(self.url, {"limit": 200}))
        for i in range(small, large):
            self.make(i)
        many = count_queries(lambda: api.get(self.url, {"limit": 200}))
        assert many == few, f"{few} queries with {small} rows but {many} with {large}"

    def test_list_query_count_is_pinned(self, api, django_assert_num_queries):
        for i in range(self.query_sizes[1]):
            self.make(i)
        with django_assert_num_queries(self.list_queries):
            assert api.get(self.url, {"limit": 200}).status_code == 200

    def test_detail_query_count_is_pinned(self, api, django_assert_num_queries):
        obj = self.make(0)
        url = self.detail_url(obj)
        with django_assert_num_queries(self.detail_queries):
            assert api.get(url).status_code == 200

    def test_history_endpoint(self, api):
        obj = self.make(0)
        response = api.get(f"{self.detail_url(obj)}history/")
        assert response.status_code == 200
        entries = response.json()
        assert entries and entries[-1]["type"] == "created"

    # -- writes --------------------------------------------------------------------------------------------------
    def test_create_records_one_history_row_with_reason(self, api, admin_user):
        before = self.model.history.count()
        response = api.post(self.url, {**self.create_data(), "change_reason": REASON}, format="json")
        assert response.status_code == 201, response.content
        obj = self.model.objects.get(pk=response.json()["id"])
        rows = history_of(obj)
        assert rows.count() == 1
        assert rows[0].history_change_reason == REASON
        assert rows[0].history_user == admin_user
        assert self.model.history.count() - before >= 1

    def test_create_without_reason_400_and_nothing_saved(self, api):
        before = self.model.objects.count()
        response = api.post(self.url, self.create_data(), format="json")
        assert response.status_code == 400, response.content
        assert "change_reason" in response.json()
        assert self.model.objects.count() == before

    def test_create_with_reason_header(self, api):
        response = api.post(self.url, self.create_data(), format="json", HTTP_X_CHANGE_REASON="via header")
        assert response.status_code == 201, response.content
        obj = self.model.objects.get(pk=response.json()["id"])
        assert history_of(obj).last().history_change_reason == "via header"

    def test_create_without_add_permission_403(self, nobody):
        grant(nobody, self.model, "view")
        client = api_client_for(nobody)
        response = client.post(self.url, {**self.create_data(), "change_reason": REASON}, format="json")
        assert response.status_code == 403

    def test_update_records_one_history_row_with_reason(self, api):
        obj = self.make(0)
        before = history_of(obj).count()
        response = api.patch(self.detail_url(obj), {**self.update_data(obj), "change_reason": REASON}, format="json")
        assert response.status_code == 200, response.content
        rows = history_of(obj)
        assert rows.count() == before + 1
        assert rows.last().history_change_reason == REASON
        assert rows.last().history_type == "~"

    def test_update_without_change_permission_403_and_unchanged(self, admin_user, nobody):
        obj = self.make(0)  # as the admin makes it: some resources need the admin to exist
        grant(nobody, self.model, "view")
        before = history_of(obj).count()
        client = api_client_for(nobody)
        response = client.patch(self.detail_url(obj), {**self.update_data(obj), "change_reason": REASON}, format="json")
        assert response.status_code == 403, response.content
        assert "detail" in response.json()
        assert history_of(obj).count() == before

    def test_update_without_reason_400_and_unchanged(self, api):
        obj = self.make(0)
        before = history_of(obj).count()
        response = api.patch(self.detail_url(obj), self.update_data(obj), format="json")
        assert response.status_code == 400
        assert history_of(obj).count() == before

    def test_delete_records_reason(self, api):
        obj = self.make(0)
        pk = obj.pk
        response = api.delete(self.detail_url(obj), HTTP_X_CHANGE_REASON=REASON)
        assert response.status_code == 204, response.content
        assert not self.model.objects.filter(pk=pk).exists()
        last = history_of(self.model, pk).last()
        assert last.history_type == "-"
        assert last.history_change_reason == REASON

    def test_delete_without_delete_permission_403_and_kept(self, admin_user, nobody):
        obj = self.make(0)
        grant(nobody, self.model, "view", "change")
        response = api_client_for(nobody).delete(self.detail_url(obj), HTTP_X_CHANGE_REASON=REASON)
        assert response.status_code == 403, response.content
        assert "detail" in response.json()
        assert self.model.objects.filter(pk=obj.pk).exists()

    def test_delete_without_reason_400_and_kept(self, api):
        obj = self.make(0)
        response = api.delete(self.detail_url(obj))
        assert response.status_code == 400
        assert self.model.objects.filter(pk=obj.pk).exists()


@pytest.mark.django_db
class AdminBattery:
    """Add, change and delete through the admin with and without a change reason."""

    model: ClassVar[Any]

    def make(self, index: int):
        raise NotImplementedError

    def admin_add_data(self) -> dict:
        raise NotImplementedError

    def admin_change_data(self, obj) -> dict:
        raise NotImplementedError

    def admin_url(self, action: str, *args) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{action}", args=args)

    @pytest.fixture
    def admin_client(self, client, admin_user):
        client.force_login(admin_user)
        return client

    def test_changelist_and_history_pages(self, admin_client):
        obj = self.make(0)
        assert admin_client.get(self.admin_url("changelist")).status_code == 200
        page = admin_client.get(self.admin_url("history", obj.pk))
        assert page.status_code == 200
        assert "Change reason" in page.content.decode()

    def test_add_without_reason_shows_error_and_saves_nothing(self, admin_client):
        before = self.model.objects.count()
        response = admin_client.post(self.admin_url("add"), self.admin_add_data())
        assert response.status_code == 200
        assert "change_reason" in response.context["adminform"].form.errors
        assert self.model.objects.count() == before

    def test_add_with_reason_records_it(self, admin_client, admin_user):
        response = admin_client.post(self.admin_url("add"), {**self.admin_add_data(), "change_reason": REASON})
        assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
        obj = self.model.objects.order_by("-pk").first()
        row = history_of(obj).last()
        assert row.history_change_reason == REASON
        assert row.history_user == admin_user

    def test_change_with_reason_records_it(self, admin_client):
        obj = self.make(0)
        response = admin_client.post(
            self.admin_url("change", obj.pk), {**self.admin_change_data(obj), "change_reason": "edited"}
        )
        assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
        assert history_of(obj).last().history_change_reason == "edited"

    def test_delete_needs_reason(self, admin_client):
        obj = self.make(0)
        page = admin_client.post(self.admin_url("delete", obj.pk), {"post": "yes"})
        assert page.status_code == 200
        assert "Give a change reason" in page.content.decode()
        assert self.model.objects.filter(pk=obj.pk).exists()
        done = admin_client.post(self.admin_url("delete", obj.pk), {"post": "yes", "change_reason": "retired"})
        assert done.status_code == 302
        assert not self.model.objects.filter(pk=obj.pk).exists()
        assert history_of(self.model, obj.pk).last().history_change_reason == "retired"

    def test_bulk_delete_needs_reason(self, admin_client):
        obj = self.make(0)
        data = {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
        page = admin_client.post(self.admin_url("changelist"), data)
        assert page.status_code == 200
        assert "Give a change reason" in page.content.decode()
        assert self.model.objects.filter(pk=obj.pk).exists()
        admin_client.post(self.admin_url("changelist"), {**data, "change_reason": "bulk clean-up"})
        assert not self.model.objects.filter(pk=obj.pk).exists()
        assert history_of(self.model, obj.pk).last().history_change_reason == "bulk clean-up"
