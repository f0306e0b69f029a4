import pytest

from comments.posters import Poster


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(settings):
    """Readers in tests type instantly; the fill-time test sets its own minimum."""
    settings.COMMENT_MIN_FILL_SECONDS = 0


@pytest.fixture
def poster():
    return Poster(address="203.0.113.7")
