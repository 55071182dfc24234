"""Production settings, headers, sign-in limits and API tokens: what an attacker or an operator would try."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import PASSWORD, api_client_for

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    """Runs manage.py in a fresh process with exactly the given settings environment (nothing inherited that counts)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECRET_KEY", "DEBUG", "EMAIL_"))}
    clean.pop("DATABASE_URL", None)
    clean.update(env)
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=clean, capture_output=True, text=True, cwd=ROOT
    )


PRODUCTION = {
    "SECRET_KEY": "a-real-production-key-with-enough-entropy-0123456789-abcdefghijklmnop",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "desk.example.org",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_SSL_REDIRECT": "true",
    "EMAIL_HOST": "mail.example.org",
}


# -- settings ------------------------------------------------------------------------------------------------------


def test_check_deploy_passes_without_a_single_warning_with_the_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_secret_key_and_debug_off_the_project_refuses_to_start_naming_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_asked_for():
    result = manage(
        "shell", "--no-imports", "-c", "from django.conf import settings; print(settings.DEBUG)", SECRET_KEY="x" * 60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_smtp_settings_reach_the_mailer():
    code = (
        "from django.core import mail; c = mail.mailers.default; "
        "print(type(c).__name__, c.host, c.port, c.username, c.use_tls, c.timeout)"
    )
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        **PRODUCTION,
        EMAIL_PORT="587",
        EMAIL_HOST_USER="desk",
        EMAIL_HOST_PASSWORD="secret",
        EMAIL_USE_TLS="true",
        EMAIL_TIMEOUT="7",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["EmailBackend", "mail.example.org", "587", "desk", "True", "7"]


# -- headers -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_page_has_a_content_security_policy_allowing_scripts_only_from_the_site(client, analyst_user):
    client.force_login(analyst_user)
    response = client.get("/tickets/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy + ";"
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db
def test_api_and_signed_in_pages_are_never_stored_in_a_cache(client, analyst_user, api):
    assert "no-store" in api.get("/api/vip-statuses/")["Cache-Control"]
    client.force_login(analyst_user)
    assert "no-store" in client.get("/tickets/")["Cache-Control"]


@pytest.mark.django_db
def test_pages_for_visitors_carry_the_policy_too(client):
    response = client.get("/accounts/login/")
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_an_oversized_api_body_gets_a_json_400(api):
    response = api.post("/api/vip-statuses/", data='{"name": "' + "x" * 5000 + '"}', content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "too large" in response.json()["detail"]


@pytest.mark.django_db
def test_the_api_docs_need_no_inline_script(client, admin_user):
    client.force_login(admin_user)
    docs = client.get("/api/docs/").content.decode()
    assert "<script>" not in docs
    redoc = client.get("/api/redoc/").content.decode()
    assert "<script>" not in redoc
    assert "fonts.googleapis.com" not in redoc


# -- failed sign-ins -----------------------------------------------------------------------------------------------


def fail_login(client, username, times, address="10.0.0.1"):
    for _ in range(times):
        response = client.post("/accounts/login/", {"username": username, "password": "wrong"}, REMOTE_ADDR=address)
    return response


@pytest.mark.django_db
def test_ten_failed_sign_ins_lock_that_user_from_that_address_but_not_other_users(client, analyst_user, slm_user):
    assert fail_login(client, analyst_user.username, 9).status_code == 200  # the form again, with its error
    response = fail_login(client, analyst_user.username, 1)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    # Even the right password is refused now, for that pair.
    right = client.post(
        "/accounts/login/", {"username": analyst_user.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert right.status_code == 429
    # Another user from the same address signs in; the same user from another address too.
    other = client.post(
        "/accounts/login/", {"username": slm_user.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert other.status_code == 302
    elsewhere = client.post(
        "/accounts/login/", {"username": analyst_user.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.2"
    )
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_the_lock_lifts_after_the_cool_off(client, analyst_user):
    from axes.models import AccessAttempt

    fail_login(client, analyst_user.username, 10)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    ok = client.post(
        "/accounts/login/", {"username": analyst_user.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert ok.status_code == 302


@pytest.mark.django_db
def test_the_admin_sign_in_is_limited_too(client, admin_user):
    for _ in range(10):
        response = client.post(
            "/admin/login/", {"username": admin_user.username, "password": "wrong"}, REMOTE_ADDR="10.0.0.3"
        )
    assert response.status_code == 429


@pytest.mark.django_db
def test_the_api_token_endpoint_is_limited_with_a_json_429(analyst_user, slm_user):
    client = APIClient(REMOTE_ADDR="10.0.0.4")
    for _ in range(9):
        response = client.post("/api/auth/token/", {"username": analyst_user.username, "password": "x"}, format="json")
        assert response.status_code == 400
    response = client.post("/api/auth/token/", {"username": analyst_user.username, "password": "x"}, format="json")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.json()["detail"]
    right = client.post("/api/auth/token/", {"username": analyst_user.username, "password": PASSWORD}, format="json")
    assert right.status_code == 429
    other = client.post("/api/auth/token/", {"username": slm_user.username, "password": PASSWORD}, format="json")
    assert other.status_code == 200
    assert other.json()["token"]


@pytest.mark.django_db
def test_password_reset_is_throttled_per_address(client, analyst_user):
    from django.core.cache import cache

    cache.clear()
    analyst_user.email = "analyst@example.org"
    analyst_user.save()
    for _ in range(5):
        response = client.post("/accounts/password_reset/", {"email": "analyst@example.org"}, REMOTE_ADDR="10.0.0.5")
        assert response.status_code == 302
    assert len(mail.outbox) == 5
    response = client.post("/accounts/password_reset/", {"email": "analyst@example.org"}, REMOTE_ADDR="10.0.0.5")
    assert response.status_code == 429
    assert len(mail.outbox) == 5
    cache.clear()


# -- passwords and tokens ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_numeric_and_common_passwords_are_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="entirely numeric"):
        validate_password("83749201938475")
    with pytest.raises(ValidationError, match="too common"):
        validate_password("password123")


@pytest.mark.django_db
def test_a_user_revokes_their_own_token_and_it_stops_working(analyst_user):
    client = api_client_for(analyst_user)
    assert client.get("/api/vip-statuses/").status_code == 200
    response = client.post("/api/auth/token/revoke/")
    assert response.status_code == 200
    assert response.json() == {"revoked": 1}
    assert client.get("/api/vip-statuses/").status_code == 401
    assert not Token.objects.filter(user=analyst_user).exists()


@pytest.mark.django_db
def test_revoking_needs_a_signed_in_caller():
    assert APIClient().post("/api/auth/token/revoke/").status_code == 401


@pytest.mark.django_db
def test_a_password_change_revokes_the_users_tokens(analyst_user):
    client = api_client_for(analyst_user)
    analyst_user.refresh_from_db()
    analyst_user.first_name = "Ann"
    analyst_user.save()  # an edit that is not a password change keeps the token
    assert client.get("/api/vip-statuses/").status_code == 200
    analyst_user.set_password("a-new-long-passphrase-42")
    analyst_user.save()
    assert client.get("/api/vip-statuses/").status_code == 401


@pytest.mark.django_db
@override_settings(ITSM_TOKEN_TTL_DAYS=30)
def test_tokens_older_than_the_ttl_are_refused_and_a_sign_in_issues_a_fresh_one(analyst_user):
    client = api_client_for(analyst_user)
    old = Token.objects.get(user=analyst_user)
    Token.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=31))
    response = client.get("/api/vip-statuses/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]
    fresh = APIClient().post(
        "/api/auth/token/", {"username": analyst_user.username, "password": PASSWORD}, format="json"
    )
    assert fresh.status_code == 200
    assert fresh.json()["token"] != old.key


@pytest.mark.django_db
def test_admin_actions_revoke_and_rotate_tokens(client, admin_user, analyst_user):
    old = Token.objects.create(user=analyst_user)
    client.force_login(admin_user)
    url = "/admin/auth/user/"
    response = client.post(url, {"action": "rotate_api_tokens", "_selected_action": [analyst_user.pk]}, follow=True)
    assert response.status_code == 200
    new = Token.objects.get(user=analyst_user)
    assert new.key != old.key
    client.post(url, {"action": "revoke_api_tokens", "_selected_action": [analyst_user.pk]}, follow=True)
    assert not Token.objects.filter(user=analyst_user).exists()
    assert get_user_model().objects.filter(pk=analyst_user.pk).exists()
