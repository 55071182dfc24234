"""Shared fixtures: users per role, API clients, and the Chromium launch arguments for Playwright."""

import os

# Browser tests drive a live_server from Playwright's event loop; Django must allow its sync ORM there.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from itsm.roles import ANALYST, CMDB_SETUP, INTEGRATION, SERVICE_LEVEL_MANAGER, sync_roles
from vip.selectors import vip_status_get_default

PASSWORD = "test-pass-123"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(autouse=True)
def _migration_data(request):
    """Transactional tests (browser, concurrency) end with a flush, which also removes the rows the data migrations
    made: the default VIP status and the ITIL matrix. Every database test gets them back first, so that no test passes
    or fails by where it runs in the order."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("_django_db_helper")
    from tickets.services import priority_matrix

    vip_status_get_default()
    priority_matrix()


@pytest.fixture
def roles(db):
    return sync_roles()


def _user(username, *, groups=(), staff=False, superuser=False):
    User = get_user_model()
    user = User.objects.create_user(username=username, password=PASSWORD, is_staff=staff, is_superuser=superuser)
    user.groups.set(groups)
    return user


@pytest.fixture
def make_user(roles):
    def make(username, *role_names, staff=False, superuser=False):
        return _user(username, groups=[roles[r] for r in role_names], staff=staff, superuser=superuser)

    return make


@pytest.fixture
def admin_user(db):
    return _user("root", staff=True, superuser=True)


@pytest.fixture
def cmdb_user(make_user):
    return make_user("cmdb", CMDB_SETUP, staff=True)


@pytest.fixture
def analyst_user(make_user):
    return make_user("analyst", ANALYST)


@pytest.fixture
def slm_user(make_user):
    return make_user("slm", SERVICE_LEVEL_MANAGER, ANALYST, staff=True)


@pytest.fixture
def integration_user(make_user):
    return make_user("integration", INTEGRATION)


@pytest.fixture
def nobody(db):
    return _user("nobody")


def api_client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api(admin_user):
    return api_client_for(admin_user)


@pytest.fixture
def default_status(db):
    return vip_status_get_default()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


def pytest_collection_modifyitems(config, items):
    """Browser tests are skipped with one clear line when Chromium is missing (make test prints why);
    `postgres_only` tests are skipped on SQLite (make test runs them in its PostgreSQL pass)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        only_pg = pytest.mark.skip(reason="needs PostgreSQL (real row locks): runs in the PostgreSQL pass of make test")
        for item in items:
            if "postgres_only" in item.keywords:
                item.add_marker(only_pg)
    if os.path.exists(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"SKIPPED: browser tests because Chromium is not installed at {CHROMIUM}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)
