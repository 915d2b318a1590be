"""Fast settings for the test suite (after cookiecutter-django's config/settings/test.py)."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("JIXIAO_SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("JIXIAO_DATA_DIR", tempfile.mkdtemp(prefix="jixiao-test-"))

from jixiao.web.settings import *  # noqa: F403
from jixiao.web.settings import DATA_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks run inline in tests; the background path is the same function, enqueued.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
UPLOAD_DIR = DATA_DIR / "uploads"
WHITENOISE_AUTOREFRESH = True
# Login throttling needs the request, which the test client's login() doesn't pass; the throttling
# test turns it on (tests/web/test_web_deploy.py).
AXES_ENABLED = False
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "exports": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "exports"},
}
