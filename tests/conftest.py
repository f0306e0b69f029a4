import os
from pathlib import Path

import pytest

from tests.factories import ArticleFactory, EditorFactory, SectionFactory


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path):
    """Uploads go to a per-test folder; templates resolve static files without a collectstatic."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


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
