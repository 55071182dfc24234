"""Settings for the test suite: the production settings with a fast password hasher."""

from itsm.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests serve static files from the app folders (no collectstatic step).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
