"""Every way the admin changes moderation state writes the moderation log.

Each test walks one admin path through its real HTTP view, as the role that uses it, and finds
its log entry. `test_every_admin_change_path_is_walked_here` lists the paths the admin offers a
superuser (add, change, delete, bulk and form actions, list editing) and fails when one has no
walk below, so a new path cannot arrive without its log entry.
"""

import datetime
from http import HTTPStatus

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.conf import settings
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from comments.disclosure import private_key_pem, public_key_text
from comments.models import (
    Ban,
    BlockedTerm,
    Comment,
    ModerationAction,
    ModerationMode,
    SectionPolicy,
    Thread,
)
from comments.posters import Poster
from comments.services import comment_create
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    EditorFactory,
    ModeratorFactory,
    UserFactory,
    force_verified_login,
)

pytestmark = pytest.mark.django_db

Kind = ModerationAction.Kind
POSTER_HASH = "ab" * 32
WALKED: set[str] = set()


def walks(*paths):
    """Marks the admin paths a test walks (see the completeness test at the end)."""

    def register(test):
        WALKED.update(paths)
        return test

    return register


def url(name, *args):
    return reverse(f"admin:comments_{name}", args=args)


def logged(kind):
    return list(ModerationAction.objects.filter(kind=kind).order_by("pk"))


# Logged in with force_login: no password to hash (PBKDF2 costs about half a second a user).
NO_PASSWORD = {"password": None}


def logged_in(client, user):
    # Superusers give their app's code before the admin opens (kjnews.two_factor).
    if user.is_superuser:
        force_verified_login(client, user)
    else:
        client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def moderator():
    return ModeratorFactory(username="mod-sato", **NO_PASSWORD)


@pytest.fixture
def moderator_client(client, moderator):
    return logged_in(client, moderator)


@pytest.fixture
def superuser():
    return UserFactory(username="admin-yamada", is_staff=True, is_superuser=True, **NO_PASSWORD)


@pytest.fixture
def superuser_client(client, superuser):
    return logged_in(client, superuser)


@pytest.fixture
def editor_client(client):
    return logged_in(client, EditorFactory(username="editor-ito", **NO_PASSWORD))


@pytest.fixture
def thread(article):
    return Thread.objects.create(article=article)


def ban(poster_hash=POSTER_HASH, **fields):
    return Ban.objects.create(poster_hash=poster_hash, **fields)


def confirm_delete(client, name, obj):
    return client.post(url(f"{name}_delete", obj.pk), {"post": "yes"})


def delete_selected(client, name, *objects):
    return client.post(
        url(f"{name}_changelist"),
        {"action": "delete_selected", "_selected_action": [o.pk for o in objects], "post": "yes"},
    )


# --- Bans (moderators)


@walks("ban:add")
def test_a_ban_added_in_the_admin_is_logged_without_its_poster_hash(moderator_client, moderator):
    response = moderator_client.post(
        url("ban_add"),
        {"poster_hash": POSTER_HASH, "expires_at_0": "", "expires_at_1": "", "reason": "荒らし"},
    )

    assert response.status_code == HTTPStatus.FOUND
    added = Ban.objects.get()
    [entry] = logged(Kind.BAN)
    assert (entry.actor, entry.reason, entry.target) == (moderator, "荒らし", f"#{added.pk}")
    assert entry.details == {"ban_id": added.pk, "expires_at": None}
    assert POSTER_HASH not in str(entry.details)


@walks("ban:change")
def test_a_ban_edited_in_the_admin_is_logged_with_its_old_and_new_expiry_and_reason(
    moderator_client,
):
    edited = ban(reason="荒らし")

    moderator_client.post(
        url("ban_change", edited.pk),
        {"expires_at_0": "2030-01-01", "expires_at_1": "12:00:00", "reason": "期限付きに変更"},
    )

    edited.refresh_from_db()
    assert edited.reason == "期限付きに変更"
    [entry] = logged(Kind.BAN_UPDATE)
    assert entry.details["before"] == {"expires_at": None, "reason": "荒らし"}
    assert entry.details["after"]["reason"] == "期限付きに変更"
    assert entry.details["after"]["expires_at"].startswith("2030-01-01T12:00:00")


def test_saving_a_ban_unchanged_writes_no_log_entry(moderator_client):
    unchanged = ban(reason="荒らし")

    moderator_client.post(
        url("ban_change", unchanged.pk),
        {"expires_at_0": "", "expires_at_1": "", "reason": "荒らし"},
    )

    assert not ModerationAction.objects.exists()


@walks("ban:delete")
def test_a_ban_deleted_in_the_admin_is_lifted_and_logged(moderator_client, moderator):
    lifted = ban(reason="荒らし")

    response = confirm_delete(moderator_client, "ban", lifted)

    assert response.status_code == HTTPStatus.FOUND
    assert not Ban.objects.exists()
    [entry] = logged(Kind.BAN_LIFT)
    assert (entry.actor, entry.target) == (moderator, f"#{lifted.pk}")
    assert entry.details["ban_reason"] == "荒らし"


@walks("ban:action:delete_selected")
def test_bans_deleted_in_bulk_are_each_lifted_and_logged_and_the_count_is_right(
    moderator_client,
):
    bans = [ban("1" * 64), ban("2" * 64)]

    response = delete_selected(moderator_client, "ban", *bans)

    assert not Ban.objects.exists()
    assert {entry.details["ban_id"] for entry in logged(Kind.BAN_LIFT)} == {b.pk for b in bans}
    assert "Successfully deleted 2 bans" in moderator_client.get(response["Location"]).text


# --- Blocked terms (moderators)


@walks("blockedterm:add")
def test_a_blocked_term_added_in_the_admin_is_logged(moderator_client, moderator):
    moderator_client.post(url("blockedterm_add"), {"term": "死ね", "action": "reject"})

    [entry] = logged(Kind.TERM_ADD)
    assert (entry.actor, entry.target, entry.details["action"]) == (moderator, "死ね", "reject")


@walks("blockedterm:change")
def test_a_blocked_term_changed_in_the_admin_is_logged_with_before_and_after(moderator_client):
    term = BlockedTerm.objects.create(term="しね", action=BlockedTerm.Action.HOLD)

    moderator_client.post(url("blockedterm_change", term.pk), {"term": "しね", "action": "reject"})

    term.refresh_from_db()
    assert term.action == BlockedTerm.Action.REJECT
    [entry] = logged(Kind.TERM_UPDATE)
    assert (entry.details["before"], entry.details["after"]) == (
        {"term": "しね", "action": "hold"},
        {"term": "しね", "action": "reject"},
    )


@walks("blockedterm:delete")
def test_a_blocked_term_deleted_in_the_admin_is_logged(moderator_client):
    term = BlockedTerm.objects.create(term="しね")

    confirm_delete(moderator_client, "blockedterm", term)

    assert not BlockedTerm.objects.exists()
    assert [entry.target for entry in logged(Kind.TERM_REMOVE)] == ["しね"]


@walks("blockedterm:action:delete_selected")
def test_blocked_terms_deleted_in_bulk_are_each_logged(moderator_client):
    terms = [BlockedTerm.objects.create(term="しね"), BlockedTerm.objects.create(term="ばか")]

    delete_selected(moderator_client, "blockedterm", *terms)

    assert not BlockedTerm.objects.exists()
    assert sorted(entry.target for entry in logged(Kind.TERM_REMOVE)) == ["しね", "ばか"]


# --- Section policies (moderators set them; only superusers may delete one)


@walks("sectionpolicy:add")
def test_a_section_policy_added_in_the_admin_is_logged(moderator_client, moderator, section):
    moderator_client.post(
        url("sectionpolicy_add"),
        {"section": section.pk, "moderation_mode": "pre", "report_threshold": "5"},
    )

    [entry] = logged(Kind.POLICY_SET)
    assert (entry.actor, entry.target) == (moderator, "東アジア+")
    assert (entry.details["before"], entry.details["after"]) == (
        None,
        {"moderation_mode": "pre", "report_threshold": 5},
    )


@walks("sectionpolicy:change")
def test_a_section_policy_changed_in_the_admin_is_logged_with_before_and_after(
    moderator_client, section
):
    policy = SectionPolicy.objects.create(section=section, moderation_mode="pre")

    moderator_client.post(
        url("sectionpolicy_change", policy.pk),
        {"moderation_mode": "post", "report_threshold": "2"},
    )

    [entry] = logged(Kind.POLICY_SET)
    assert entry.details["before"] == {"moderation_mode": "pre", "report_threshold": 3}
    assert entry.details["after"] == {"moderation_mode": "post", "report_threshold": 2}


@walks("sectionpolicy:delete")
def test_a_section_policy_deleted_by_a_superuser_is_logged(superuser_client, superuser, section):
    policy = SectionPolicy.objects.create(section=section, moderation_mode="pre")

    confirm_delete(superuser_client, "sectionpolicy", policy)

    assert not SectionPolicy.objects.exists()
    [entry] = logged(Kind.POLICY_REMOVE)
    assert (entry.actor, entry.target) == (superuser, "東アジア+")


@walks("sectionpolicy:action:delete_selected")
def test_section_policies_deleted_in_bulk_are_each_logged(superuser_client):
    policies = [
        SectionPolicy.objects.create(section=ArticleFactory().section, moderation_mode="pre")
        for _ in range(2)
    ]

    delete_selected(superuser_client, "sectionpolicy", *policies)

    assert not SectionPolicy.objects.exists()
    assert len(logged(Kind.POLICY_REMOVE)) == 2


def test_moderators_cannot_delete_section_policies(moderator_client, section):
    policy = SectionPolicy.objects.create(section=section)

    response = confirm_delete(moderator_client, "sectionpolicy", policy)

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert SectionPolicy.objects.exists()


# --- Threads: editors close and reopen, moderators set how they are moderated


@walks("thread:add")
def test_a_thread_added_closed_by_an_editor_is_logged(editor_client, article):
    editor_client.post(url("thread_add"), {"article": article.pk, "is_closed": "on"})

    [entry] = logged(Kind.THREAD_CLOSE)
    assert (entry.actor_name, entry.thread.article, entry.target) == (
        "editor-ito",
        article,
        article.title,
    )


def test_a_thread_added_with_its_own_mode_and_slow_mode_logs_each_setting(
    superuser_client, article
):
    superuser_client.post(
        url("thread_add"),
        {"article": article.pk, "moderation_mode": "pre", "slow_mode": "on"},
    )

    thread = Thread.objects.get(article=article)
    assert (thread.moderation_mode, thread.slow_mode, thread.is_closed) == ("pre", True, False)
    assert {entry.kind for entry in ModerationAction.objects.all()} == {
        Kind.THREAD_MODE,
        Kind.SLOW_MODE_ON,
    }


@walks("thread:change")
def test_a_thread_closed_and_reopened_by_an_editor_is_logged_each_time(editor_client, thread):
    editor_client.post(url("thread_change", thread.pk), {"is_closed": "on"})
    editor_client.post(url("thread_change", thread.pk), {})

    assert [entry.kind for entry in ModerationAction.objects.order_by("pk")] == [
        Kind.THREAD_CLOSE,
        Kind.THREAD_REOPEN,
    ]


def test_an_articles_moderation_mode_set_by_a_moderator_is_logged(moderator_client, thread):
    moderator_client.post(url("thread_change", thread.pk), {"moderation_mode": "pre"})

    [entry] = logged(Kind.THREAD_MODE)
    assert (entry.thread, entry.details) == (thread, {"before": "", "after": ModerationMode.PRE})


def test_slow_mode_switched_in_the_thread_form_is_logged(moderator_client, thread):
    moderator_client.post(
        url("thread_change", thread.pk), {"moderation_mode": "", "slow_mode": "on"}
    )

    assert [entry.thread for entry in logged(Kind.SLOW_MODE_ON)] == [thread]


@walks("thread:list_editable")
def test_threads_closed_from_the_list_by_an_editor_are_each_logged(editor_client):
    threads = [Thread.objects.create(article=ArticleFactory()) for _ in range(2)]
    form = {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "2", "_save": "Save"}
    for position, thread in enumerate(threads):
        form[f"form-{position}-id"] = str(thread.pk)
        form[f"form-{position}-is_closed"] = "on"

    response = editor_client.post(url("thread_changelist"), form)

    assert response.status_code == HTTPStatus.FOUND
    assert all(Thread.objects.filter(pk=t.pk, is_closed=True).exists() for t in threads)
    assert {entry.thread_id for entry in logged(Kind.THREAD_CLOSE)} == {t.pk for t in threads}


# --- Comments: decisions are actions; nothing is edited or deleted


@pytest.mark.parametrize(
    ("action", "kind", "status"),
    [
        ("approve", Kind.APPROVE, Comment.Status.PUBLISHED),
        ("hide", Kind.HIDE, Comment.Status.HIDDEN),
        ("remove", Kind.REMOVE, Comment.Status.REMOVED_BY_MODERATOR),
        ("mark_spam", Kind.MARK_SPAM, Comment.Status.REMOVED_BY_MODERATOR),
    ],
)
@walks(
    "comment:action:approve",
    "comment:action:hide",
    "comment:action:remove",
    "comment:action:mark_spam",
)
def test_a_decision_on_comments_from_the_list_is_logged_with_its_comments(
    moderator_client, article, action, kind, status
):
    comments = [CommentFactory(article=article, status=Comment.Status.PENDING) for _ in range(2)]

    moderator_client.post(
        url("comment_changelist"),
        {"action": action, "_selected_action": [c.pk for c in comments], "index": 0},
    )

    [entry] = logged(kind)
    assert set(entry.comments.all()) == set(comments)
    assert set(Comment.objects.values_list("status", flat=True)) == {status}


@walks(
    "comment:form-action:approve",
    "comment:form-action:hide",
    "comment:form-action:remove",
    "comment:form-action:mark_spam",
)
@pytest.mark.parametrize("action", ["approve", "hide", "remove", "mark_spam"])
def test_a_decision_from_a_comments_own_page_is_logged(moderator_client, article, action):
    comment = CommentFactory(article=article, status=Comment.Status.PENDING)

    moderator_client.post(
        url("comment_change", comment.pk),
        {"CHANGE_FORM-action": action, "_selected_action": comment.pk},
    )

    [entry] = ModerationAction.objects.all()
    assert entry.kind == {"mark_spam": Kind.MARK_SPAM}.get(action, action)
    assert list(entry.comments.all()) == [comment]


@walks("comment:action:disclose_sender", "comment:form-action:disclose_sender")
@pytest.mark.parametrize("where", ["list", "page"])
def test_a_disclosure_from_the_list_or_a_comments_page_is_logged_with_its_legal_basis(
    superuser_client, superuser, settings, article, where
):
    private_key = X25519PrivateKey.generate()
    settings.DISCLOSURE_PUBLIC_KEY = public_key_text(private_key.public_key())
    comment = comment_create(
        article=article,
        poster=Poster(address="198.51.100.9", sender="198.51.100.9"),
        name="",
        body="開示の対象",
        deletion_key="",
    )
    form = {
        "_selected_action": [comment.pk],
        "post": "yes",
        "reason": "東京地裁 令和8年(ワ)第1234号",
        "private_key_file": SimpleUploadedFile("key.pem", private_key_pem(private_key)),
    }
    if where == "page":
        form["CHANGE_FORM-action"] = "disclose_sender"
        address = url("comment_change", comment.pk)
    else:
        form["action"] = "disclose_sender"
        address = url("comment_changelist")

    response = superuser_client.post(address, form)

    assert "198.51.100.9" in response.text
    [entry] = logged(Kind.DISCLOSE)
    assert (entry.actor, entry.reason) == (superuser, "東京地裁 令和8年(ワ)第1234号")


def test_no_one_can_delete_comments_in_the_admin_singly_or_in_bulk(superuser_client, article):
    comment = CommentFactory(article=article)

    listing = superuser_client.get(url("comment_changelist"))
    deleting = confirm_delete(superuser_client, "comment", comment)

    assert "delete_selected" not in listing.text
    assert deleting.status_code == HTTPStatus.FORBIDDEN
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_an_article_with_comments_cannot_be_deleted_so_its_comments_and_log_links_stay(
    superuser_client, article
):
    comment = CommentFactory(article=article)
    superuser_client.post(
        url("comment_changelist"), {"action": "hide", "_selected_action": [comment.pk], "index": 0}
    )

    response = superuser_client.post(
        reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"}
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert list(logged(Kind.HIDE)[0].comments.all()) == [comment]


def test_no_one_can_delete_a_thread_which_holds_its_articles_numbering(superuser_client, thread):
    response = confirm_delete(superuser_client, "thread", thread)

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert Thread.objects.filter(pk=thread.pk).exists()


# --- The log shows each change to whoever reads it


def test_the_log_names_what_was_changed_for_its_readers(moderator_client):
    moderator_client.post(url("blockedterm_add"), {"term": "死ね", "action": "reject"})

    page = moderator_client.get(url("moderationaction_changelist")).text

    assert "Blocked term added" in page
    assert "死ね" in page
    assert "mod-sato" in page


# --- Completeness: every path the admin offers is walked above


def admin_paths(user):
    """What the admin lets `user` do that changes rows: per registered comments model, its add,
    change and delete views, its list editing, and its actions on the list and on a record."""
    request = RequestFactory().get("/")
    request.user = user
    paths = set()
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "comments":
            continue
        name = model._meta.model_name
        for operation in ("add", "change", "delete"):
            if getattr(model_admin, f"has_{operation}_permission")(request):
                paths.add(f"{name}:{operation}")
        if model_admin.list_editable and model_admin.has_change_permission(request):
            paths.add(f"{name}:list_editable")
        for location, prefix in [
            (admin.ActionLocation.CHANGE_LIST, "action"),
            (admin.ActionLocation.CHANGE_FORM, "form-action"),
        ]:
            for action in model_admin.get_actions(request, action_location=location):
                paths.add(f"{name}:{prefix}:{action}")
    return paths


def test_every_admin_change_path_is_walked_here(superuser):
    offered = admin_paths(superuser)

    assert offered - WALKED == set(), "admin paths without a walk (and a log entry) here"
    assert WALKED - offered == set(), "walks of paths the admin no longer offers"


def test_lifting_a_ban_in_the_admin_lets_the_poster_comment_again(moderator_client, article):
    poster = Poster(address="198.51.100.23")
    lifted = ban(poster.hash, expires_at=timezone.now() + datetime.timedelta(days=7))

    confirm_delete(moderator_client, "ban", lifted)

    comment = comment_create(
        article=article, poster=poster, name="", body="また書けます", deletion_key=""
    )
    assert comment.is_published
