import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
# Django's deployment check asks for at least 50 characters.
PRODUCTION_SECRET_KEY = "Zt3Jm1Xp7Yc4-" * 4


def production_environment() -> dict[str, str]:
    """The README's "Production settings" block, with a secret key of the test's own."""
    readme = (PROJECT_DIR / "README.md").read_text()
    section = readme.split("### Production settings", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    env = {}
    for line in block.splitlines():
        name, _, value = line.partition("=")
        if value and not value.startswith("<"):
            env[name] = value
    return {
        **env,
        "SECRET_KEY": PRODUCTION_SECRET_KEY,
        "POSTER_HASH_KEY": "Hn3xWq7Lm0Zr5Tb9Kd2-poster-hashes-only",
    }


SECRET_KEY = "k" * 20 + "Qv8sLw0Zt3Jm1Xp7Yc4"
POSTER_HASH_KEY = "p" * 20 + "Hn3xWq7Lm0Zr5Tb9Kd2"
KEYS = {"SECRET_KEY", "POSTER_HASH_KEY", "DEBUG"}


def start_django(code="import django; django.setup()", **environment):
    """Import the settings in a fresh interpreter, as gunicorn or manage.py would."""
    env = {k: v for k, v in os.environ.items() if k not in KEYS}
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


def test_site_starts_with_a_long_random_secret_key_and_its_own_poster_hash_key():
    result = start_django(DEBUG="false", SECRET_KEY=SECRET_KEY, POSTER_HASH_KEY=POSTER_HASH_KEY)

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("poster_hash_key", "problem"),
    [
        ("", "POSTER_HASH_KEY is missing"),
        ("Hn3xWq7Lm0Zr5Tb9Kd2", "POSTER_HASH_KEY is shorter than 32 characters"),
        (SECRET_KEY, "POSTER_HASH_KEY is the same as SECRET_KEY"),
    ],
    ids=["missing", "short", "same-as-secret-key"],
)
def test_site_refuses_to_start_without_its_own_poster_hash_key_when_debug_is_off(
    poster_hash_key, problem
):
    result = start_django(DEBUG="false", SECRET_KEY=SECRET_KEY, POSTER_HASH_KEY=poster_hash_key)

    assert result.returncode != 0
    assert problem in result.stderr
    assert "Set POSTER_HASH_KEY" in result.stderr


def test_site_starts_in_debug_without_a_secret_key_or_a_poster_hash_key():
    result = start_django(DEBUG="true", SECRET_KEY="")

    assert result.returncode == 0, result.stderr


def test_make_writes_a_dot_env_only_its_owner_can_read_with_two_different_keys(tmp_path):
    make = subprocess.run(
        ["make", "--no-print-directory", "-f", str(PROJECT_DIR / "Makefile"), ".env"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        umask=0o022,  # what most shells give: the recipe must not rely on a stricter one
        check=False,
    )
    assert make.returncode == 0, make.stderr
    written = tmp_path / ".env"
    keys = dict(line.split("=", 1) for line in written.read_text().splitlines())

    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert keys.keys() == {"SECRET_KEY", "POSTER_HASH_KEY"}
    assert keys["SECRET_KEY"] != keys["POSTER_HASH_KEY"]
    assert start_django(DEBUG="false", **keys).returncode == 0


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


def settings_seen(*expressions, **environment):
    """The values of `expressions` in the settings a fresh interpreter builds from the
    environment."""
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_REPLICA_URLS", "MEDIA_STORAGE"}
    }
    env.update(environment, DJANGO_SETTINGS_MODULE="kjnews.settings", DEBUG="true")
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        + "; ".join(f"print(json.dumps({expression}))" for expression in expressions)
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_each_replica_url_becomes_a_database_the_router_reads_from():
    aliases, mirror, engine, routers, middleware = settings_seen(
        "sorted(s.DATABASES)",
        's.DATABASES["replica2"]["TEST"]["MIRROR"]',
        's.DATABASES["replica1"]["ENGINE"]',
        "s.DATABASE_ROUTERS",
        '"kjnews.middleware.ReplicaReadsMiddleware" in s.MIDDLEWARE',
        DATABASE_URL="postgres://kj@primary:5432/kjnews",
        DATABASE_REPLICA_URLS="postgres://kj@replica-a:5432/kjnews,postgres://kj@replica-b/kjnews",
    )

    assert aliases == ["default", "replica1", "replica2"]
    assert mirror == "default"
    assert engine == "kjnews.db.postgresql"
    assert routers == ["kjnews.db.routers.PrimaryReplicaRouter"]
    assert middleware is True


def test_without_replicas_every_read_goes_to_the_one_database():
    aliases, routers = settings_seen("sorted(s.DATABASES)", "s.DATABASE_ROUTERS")

    assert aliases == ["default"]
    assert routers == []


def test_the_pool_replaces_persistent_connections_when_asked_for():
    options, max_age = settings_seen(
        's.DATABASES["default"]["OPTIONS"]',
        's.DATABASES["default"]["CONN_MAX_AGE"]',
        DATABASE_URL="postgres://kj@primary:5432/kjnews",
        DATABASE_POOL="true",
    )

    assert options["pool"] == {"min_size": 1, "max_size": 2, "timeout": 5}
    assert max_age == 0


def test_images_in_an_object_store_are_not_served_by_the_app():
    backend, serve_media = settings_seen(
        's.STORAGES["default"]["BACKEND"]',
        "s.SERVE_MEDIA",
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="kjnews-media",
    )

    assert backend == "storages.backends.s3.S3Storage"
    assert serve_media is False


def test_an_unknown_media_storage_stops_start_up_with_a_message():
    result = start_django(DEBUG="true", MEDIA_STORAGE="ftp")

    assert result.returncode != 0
    assert "MEDIA_STORAGE must be 'local' or 's3'" in result.stderr


def test_the_deployment_check_finds_nothing_with_the_documented_production_settings():
    # Nothing of the test run's own environment (its database, DJANGO_ALLOW_ASYNC_UNSAFE).
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_DIR,
        env={**env, **production_environment()},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout
    assert result.stderr == ""


def test_the_admin_answers_at_the_address_the_environment_gives_it():
    result = start_django(
        "import django; django.setup(); from django.urls import reverse; "
        "print(reverse('admin:index'), reverse('admin:login'))",
        DEBUG="true",
        ADMIN_PATH="staff-5c7e2a",
    )

    assert result.stdout.split() == ["/staff-5c7e2a/", "/staff-5c7e2a/login/"], result.stderr


@pytest.mark.django_db
def test_a_form_signed_before_a_secret_key_rotation_is_accepted_while_the_old_key_is_a_fallback(
    settings, client, article
):
    settings.COMMENT_MIN_FILL_SECONDS = 0
    settings.SECRET_KEY = "o" * 20 + "ld-key-Qv8sLw0Zt3Jm1Xp7"
    started = client.get(article.get_absolute_url()).context["form"]["started"].value()
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = SECRET_KEY, [settings.SECRET_KEY]

    response = client.post(
        f"{article.get_absolute_url()}comments/",
        {"name": "", "body": "鍵の交換をまたいだ投稿", "website": "", "started": started},
    )

    assert response.status_code == 302
