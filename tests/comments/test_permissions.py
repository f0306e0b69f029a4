"""Who may do what: anonymous visitors, editors, moderators and superusers, screen by screen."""

import importlib
from http import HTTPStatus

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.urls import reverse

from comments.models import ModerationAction
from tests.factories import (
    EditorFactory,
    ModeratorFactory,
    SuperuserFactory,
    force_verified_login,
)

pytestmark = pytest.mark.django_db

OK, FORBIDDEN, LOGIN = HTTPStatus.OK, HTTPStatus.FORBIDDEN, "login"
ROLES = ["anonymous", "editor", "moderator", "superuser"]

MODERATOR_PERMISSIONS = {
    "moderate_comment",
    "view_comment",
    "change_comment",
    "view_report",
    "view_ban",
    "add_ban",
    "change_ban",
    "delete_ban",
    "add_blockedterm",
    "change_blockedterm",
    "delete_blockedterm",
    "view_blockedterm",
    "view_moderationaction",
    "view_thread",
    "change_thread",
    "add_sectionpolicy",
    "change_sectionpolicy",
    "view_sectionpolicy",
}

# What each role gets when it opens each screen (GET). LOGIN: sent to the admin login.
SCREENS = {
    "admin:articles_article_changelist": [LOGIN, OK, FORBIDDEN, OK],
    "admin:comments_comment_changelist": [LOGIN, FORBIDDEN, OK, OK],
    "admin:comments_blockedterm_changelist": [LOGIN, FORBIDDEN, OK, OK],
    "admin:comments_blockedterm_add": [LOGIN, FORBIDDEN, OK, OK],
    "admin:comments_ban_changelist": [LOGIN, FORBIDDEN, OK, OK],
    "admin:comments_ban_add": [LOGIN, FORBIDDEN, OK, OK],
    "admin:comments_sectionpolicy_changelist": [LOGIN, FORBIDDEN, OK, OK],
    "admin:comments_thread_changelist": [LOGIN, OK, OK, OK],
    "admin:comments_moderationaction_changelist": [LOGIN, FORBIDDEN, OK, OK],
    "admin:comments_moderationaction_add": [LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    "admin:auth_user_changelist": [LOGIN, FORBIDDEN, FORBIDDEN, OK],
    "admin:auth_group_changelist": [LOGIN, FORBIDDEN, FORBIDDEN, OK],
    "moderation:queue": [LOGIN, FORBIDDEN, OK, OK],
}
MATRIX = [
    pytest.param(role, url_name, expected, id=f"{role}-{url_name}")
    for url_name, outcomes in SCREENS.items()
    for role, expected in zip(ROLES, outcomes, strict=True)
]


@pytest.fixture
def log_entry():
    return ModerationAction.objects.create(kind=ModerationAction.Kind.APPROVE, reason="承認")


def client_as(client, role):
    users = {"editor": EditorFactory, "moderator": ModeratorFactory}
    if role == "superuser":
        force_verified_login(client, SuperuserFactory())
    elif role in users:
        client.force_login(users[role]())
    return client


@pytest.mark.parametrize(("role", "url_name", "expected"), MATRIX)
def test_each_role_reaches_exactly_the_screens_it_is_allowed(client, role, url_name, expected):
    url = reverse(url_name)

    response = client_as(client, role).get(url)

    if expected == LOGIN:
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"].startswith(reverse("admin:login"))
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"), list(zip(ROLES, [LOGIN, FORBIDDEN, OK, OK], strict=True))
)
def test_the_moderation_log_entry_page_is_readable_by_moderators_and_superusers(
    client, log_entry, role, expected
):
    url = reverse("admin:comments_moderationaction_change", args=[log_entry.pk])

    response = client_as(client, role).get(url)

    if expected == LOGIN:
        assert response.status_code == HTTPStatus.FOUND
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("role", ["moderator", "superuser"])
def test_the_moderation_log_entry_page_has_no_save_or_delete_button(client, log_entry, role):
    url = reverse("admin:comments_moderationaction_change", args=[log_entry.pk])

    page = client_as(client, role).get(url).text

    assert 'name="_save"' not in page
    assert reverse("admin:comments_moderationaction_delete", args=[log_entry.pk]) not in page


@pytest.mark.parametrize("role", ["editor", "moderator", "superuser"])
def test_nobody_can_change_a_moderation_log_entry(client, log_entry, role):
    url = reverse("admin:comments_moderationaction_change", args=[log_entry.pk])

    response = client_as(client, role).post(url, {"reason": "書き換え", "kind": "remove"})

    assert response.status_code == HTTPStatus.FORBIDDEN
    log_entry.refresh_from_db()
    assert (log_entry.kind, log_entry.reason) == (ModerationAction.Kind.APPROVE, "承認")


@pytest.mark.parametrize("role", ["editor", "moderator", "superuser"])
def test_nobody_can_delete_a_moderation_log_entry(client, log_entry, role):
    url = reverse("admin:comments_moderationaction_delete", args=[log_entry.pk])

    response = client_as(client, role).post(url, {"post": "yes"})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert ModerationAction.objects.filter(pk=log_entry.pk).exists()


def test_the_moderation_log_offers_no_bulk_delete_even_to_a_superuser(client, log_entry):
    changelist = reverse("admin:comments_moderationaction_changelist")
    client_as(client, "superuser")

    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [log_entry.pk], "post": "yes"}
    )

    assert response.status_code in (HTTPStatus.OK, HTTPStatus.FOUND)
    assert ModerationAction.objects.filter(pk=log_entry.pk).exists()


# --- The groups as the migrations leave them


def group_permissions(name, app_label=None):
    permissions = Group.objects.get(name=name).permissions.all()
    if app_label:
        permissions = permissions.filter(content_type__app_label=app_label)
    return set(permissions.values_list("content_type__app_label", "codename"))


def test_moderators_hold_exactly_the_moderation_permissions():
    assert group_permissions("Moderators") == {
        ("comments", codename) for codename in MODERATOR_PERMISSIONS
    }


def test_moderators_have_no_permission_on_articles_users_or_groups():
    held = group_permissions("Moderators")

    assert not {app for app, _codename in held} & {"articles", "auth"}


def test_editors_have_no_moderation_permission():
    assert group_permissions("Editors", app_label="comments") == {
        ("comments", "add_thread"),
        ("comments", "change_thread"),
        ("comments", "view_thread"),
    }


def test_the_moderator_permissions_migration_can_be_reversed():
    migration = importlib.import_module("comments.migrations.0005_moderators_permissions")

    migration.take_moderator_permissions_back(apps, schema_editor=None)

    assert group_permissions("Moderators") == set()


def test_moderators_find_the_queue_from_the_admin(client):
    client.force_login(ModeratorFactory())

    page = client.get(reverse("admin:index")).text

    assert f'href="{reverse("moderation:queue")}"' in page


def test_editors_are_not_shown_the_queue_link(client):
    client.force_login(EditorFactory())

    page = client.get(reverse("admin:index")).text

    assert reverse("moderation:queue") not in page
