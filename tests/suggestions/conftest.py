import pytest
from django.contrib.auth.models import Group, Permission

from comments.posters import Poster


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(settings):
    """Readers in tests type instantly; the fill-time test sets its own minimum."""
    settings.COMMENT_MIN_FILL_SECONDS = 0


@pytest.fixture
def poster():
    return Poster(address="203.0.113.7")


@pytest.fixture
def moderators_group(db):
    """The Moderators group with the comments' moderation permission, as its migration grants."""
    group, _created = Group.objects.get_or_create(name="Moderators")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="comments", codename="moderate_comment")
    )
    return group
