import os
from pathlib import Path

import pytest

from tests.factories import ArticleFactory, EditorFactory, SectionFactory
from tests.servers import Gunicorn, PostgresCluster, RedisServer, manage, site_environment


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path):
    """Uploads go to a per-test folder; templates resolve static files without a collectstatic."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Whitenoise looks files up as they are asked for, instead of listing every static file
    # each time a test client starts (about 0.1 s a client, thousands of clients a run).
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(autouse=True)
def _pages_not_kept(settings):
    """Pages are rendered as for the shared cache but not kept: a test's writes stay inside its
    transaction, whose on-commit invalidation never runs. Page-cache tests turn keeping on."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def test_output_dir():
    path = Path(os.environ.get("TEST_OUTPUT_DIR", "var/test-output"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def section(db):
    return SectionFactory(name="東アジア+", slug="east-asia-plus")


@pytest.fixture
def article(section):
    return ArticleFactory(section=section)


@pytest.fixture
def editor(db):
    return EditorFactory()


# Real servers (tests/servers.py): gunicorn, Redis and PostgreSQL processes of the test's own.


@pytest.fixture(scope="session")
def collected_static():
    """Static files collected as `make run` collects them: live sites run with DEBUG off."""
    manage("collectstatic", "--noinput", "--verbosity", "0", env=site_environment())


@pytest.fixture(scope="session")
def demo_cluster():
    """A PostgreSQL cluster of the tests' own with the demo site in database `kjnews`, for tests
    that stop and restart the database under a live site. Each test finds it running."""
    with PostgresCluster() as cluster:
        cluster.create_database("kjnews")
        env = site_environment(DATABASE_URL=cluster.url("kjnews"))
        manage("migrate", "--noinput", env=env)
        manage("seed_demo", env=env)
        yield cluster


@pytest.fixture
def demo_cluster_running(demo_cluster):
    yield demo_cluster
    demo_cluster.ensure_running()


@pytest.fixture
def redis_server(tmp_path):
    with RedisServer(tmp_path) as server:
        yield server


@pytest.fixture
def start_site(collected_static, request, test_output_dir):
    """Starts the site under gunicorn (as `make run` does) with the given database and cache;
    its log is kept under the test output folder."""
    log_dir = test_output_dir / "servers"
    log_dir.mkdir(exist_ok=True)
    sites = []

    def start(*, database_url, cache_url, workers=5, **env):
        log_path = log_dir / f"{request.node.name}-{len(sites) + 1}.log"
        log_path.unlink(missing_ok=True)
        environment = site_environment(DATABASE_URL=database_url, CACHE_URL=cache_url, **env)
        site = Gunicorn(environment, workers=workers, log_path=log_path)
        sites.append(site)
        return site.start()

    yield start
    for site in sites:
        site.stop()


@pytest.fixture
def postgresql_required():
    """Concurrency guarantees are PostgreSQL's: elsewhere skip, but in CI (CI=true) fail, so a
    missing database can never pass as a green run."""
    from django.db import connection

    if connection.vendor != "postgresql":
        reason = f"needs PostgreSQL (the database is {connection.vendor}): run `make test`"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


@pytest.fixture
def test_database_url(transactional_db, postgresql_required):
    """The test database, for a live site: what the test writes is committed, so gunicorn's
    workers see it (and the database is emptied after the test)."""
    from django.db import connection

    params = connection.settings_dict
    return (
        f"postgres://{params['USER']}:{params['PASSWORD']}@{params['HOST']}:{params['PORT']}"
        f"/{params['NAME']}"
    )
