"""Settings for the test suite: the production settings with a fast password hasher."""

import os

# The production settings refuse to start without a key; the test suite has its own (never a deployed one).
os.environ.setdefault("SECRET_KEY", "test-only-key-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ")

from itsm.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests serve static files from the app folders (no collectstatic step).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
