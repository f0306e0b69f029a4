import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]


def start_django(code="import django; django.setup()", **environment):
    """Import the settings in a fresh interpreter, as gunicorn or manage.py would."""
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env.update(environment, DJANGO_SETTINGS_MODULE="kjnews.settings")
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    "secret_key", ["", "django-insecure-abc123", "dev", "short-but-random-Zx81"]
)
def test_site_refuses_to_start_without_a_real_secret_key_when_debug_is_off(secret_key):
    result = start_django(DEBUG="false", SECRET_KEY=secret_key)

    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_site_starts_with_a_long_random_secret_key():
    result = start_django(DEBUG="false", SECRET_KEY="k" * 20 + "Qv8sLw0Zt3Jm1Xp7Yc4")

    assert result.returncode == 0, result.stderr


def test_site_starts_in_debug_without_a_secret_key():
    result = start_django(DEBUG="true", SECRET_KEY="")

    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_a_form_sent_without_a_valid_token_gets_a_japanese_explanation():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/articles/any/comments/1/delete/")

    assert response.status_code == 403
    assert "フォームの有効期限" in response.text


@pytest.mark.parametrize(
    ("switch", "urlconf"), [("", "kjnews.urls"), ("true", "tests.bench.floor")]
)
def test_bench_baseline_views_are_routed_only_when_the_bench_asks_for_them(switch, urlconf):
    result = start_django(
        "from django.conf import settings; print(settings.ROOT_URLCONF)",
        DEBUG="true",
        BENCH_BASELINES=switch,
    )

    assert result.stdout.strip() == urlconf, result.stderr
