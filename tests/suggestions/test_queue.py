"""The editors' queue, through the client: who may see it and decide (a matrix), what it shows
(groups, counts, the character diff, escaped reader text), and what each decision does for
readers and for the decisions log."""

import datetime
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from articles.passages import ChangeKind, passage_change, passage_get
from suggestions.models import Suggestion, SuggestionDecision
from tests.factories import (
    EditorFactory,
    ModeratorFactory,
    SuggestionFactory,
    SuperuserFactory,
    UserFactory,
    force_verified_login,
)
from tests.suggestions.helpers import paragraph, suggest

pytestmark = pytest.mark.django_db

QUEUE = reverse("editorial:suggestions")
DECIDE = reverse("editorial:decide")
CORRECTED = "両国は協力の継続を確認した。"


@pytest.fixture
def editors_group(db):
    """The Editors group with the decide permission, as the data migration grants it (kept
    here because a test may run after one that emptied the database)."""
    group, _created = Group.objects.get_or_create(name="Editors")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="suggestions", codename="decide_suggestion")
    )
    return group


@pytest.fixture
def editor_client(client, editors_group):
    client.force_login(EditorFactory(username="editor"))
    return client


def on_paragraph(article, number, **fields):
    key = paragraph(article, number).key
    return SuggestionFactory(article=article, passage_key=key, **fields)


def decide(client, suggestion, action, **fields):
    data = {"suggestion": suggestion.pk, "action": action, "change_kind": "correction", **fields}
    return client.post(DECIDE, data)


# Who may do what.

ROLES = ["anonymous", "reader", "moderator", "editor", "superuser"]


@pytest.fixture
def as_role(editors_group, moderators_group):
    def sign_in(role):
        client = Client()
        if role == "reader":
            client.force_login(UserFactory())
        elif role == "moderator":
            client.force_login(ModeratorFactory())
        elif role == "editor":
            client.force_login(EditorFactory())
        elif role == "superuser":
            force_verified_login(client, SuperuserFactory())
        return client

    return sign_in


@pytest.mark.parametrize("role", ROLES)
def test_everyone_may_suggest(as_role, role, article):
    response = suggest(as_role(role), article, paragraph(article, 3), proposed_text=CORRECTED)

    assert response.status_code == HTTPStatus.FOUND
    assert Suggestion.objects.count() == 1


ALLOWED_TO_DECIDE = {"editor", "superuser"}


@pytest.mark.parametrize("role", ROLES)
def test_only_editors_and_superusers_see_the_queue(as_role, role, article):
    SuggestionFactory(article=article, proposed_text=CORRECTED)

    response = as_role(role).get(QUEUE)

    if role in ALLOWED_TO_DECIDE:
        assert response.status_code == HTTPStatus.OK
        assert CORRECTED in response.text
    elif role == "anonymous":
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"].startswith(reverse("admin:login"))
    else:
        assert response.status_code == HTTPStatus.FORBIDDEN


DECISIONS = {
    "accept": {},
    "reject": {"reason": "原文どおりです"},
    "duplicate": {},
}


@pytest.mark.parametrize("action", DECISIONS)
@pytest.mark.parametrize("role", ROLES)
def test_only_editors_and_superusers_decide_and_each_decision_is_logged(
    as_role, role, action, article
):
    suggestion = on_paragraph(article, 3, proposed_text=CORRECTED)
    other = on_paragraph(article, 3, proposed_text="詳細は後日に発表される。")
    fields = dict(DECISIONS[action])
    if action == "duplicate":
        fields["duplicate_of"] = other.pk

    response = decide(as_role(role), suggestion, action, **fields)

    suggestion.refresh_from_db()
    if role in ALLOWED_TO_DECIDE:
        assert response.status_code == HTTPStatus.FOUND
        assert suggestion.status == {"accept": "accepted", "reject": "rejected"}.get(
            action, "duplicate"
        )
        entry = SuggestionDecision.objects.get()
        assert entry.kind == action
        assert entry.actor is not None
        assert entry.actor_name == entry.actor.username
        assert list(entry.suggestions.all()) == [suggestion]
    else:
        assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)
        if role == "anonymous":
            assert response["Location"].startswith(reverse("admin:login"))
        else:
            assert response.status_code == HTTPStatus.FORBIDDEN
        assert suggestion.status == Suggestion.Status.PENDING
        assert not SuggestionDecision.objects.exists()
        assert passage_get(article, suggestion.passage_key).text == "詳細は後日発表される。"


def test_an_editor_who_owes_the_second_step_is_sent_to_give_the_code(client, editors_group):
    editor = EditorFactory()
    from tests.factories import TOTPDeviceFactory

    TOTPDeviceFactory(user=editor)
    client.force_login(editor)

    response = client.get(QUEUE)

    assert response.status_code == HTTPStatus.FOUND
    assert "two-factor" in response["Location"] or "verify" in response["Location"]


# What the queue shows.


def test_the_queue_groups_by_passage_and_counts_readers_proposing_the_same_text(
    editor_client, article
):
    for n in range(3):
        on_paragraph(article, 3, proposed_text=CORRECTED, poster_hash=f"{n:064x}")
    on_paragraph(article, 3, proposed_text="詳細は後日に発表される。")
    on_paragraph(article, 1, proposed_text="会談は約三時間にわたって行われた。")

    page = editor_client.get(QUEUE).text

    assert page.count('class="suggestion-group"') == 2
    assert page.count('class="proposal"') == 3
    assert "3人がこの修正を提案" in page
    assert "第3段落" in page
    assert "第1段落" in page


def test_each_proposal_shows_a_character_diff_against_the_current_text(editor_client, article):
    on_paragraph(article, 2, proposed_text="両国は協力の継続を確認した。")

    page = editor_client.get(QUEUE).text

    assert '<p class="diff">両国は協力<ins>の継続</ins>を確認した。</p>' in page, (
        "the diff marks only the inserted characters"
    )


def test_a_replaced_word_in_japanese_reads_as_deleted_and_inserted_characters(
    editor_client, article
):
    on_paragraph(article, 2, proposed_text="両国は連携を確認した。")

    page = editor_client.get(QUEUE).text

    assert "両国は<del>協力</del><ins>連携</ins>を確認した。" in page


def test_the_queue_orders_newest_first_or_most_suggested_first(editor_client, article):
    now = datetime.datetime.now(datetime.UTC)
    for n in range(2):
        on_paragraph(
            article, 1, proposed_text="多い指摘", created_at=now - datetime.timedelta(hours=2 + n)
        )
    on_paragraph(article, 2, proposed_text="新しい指摘", created_at=now)

    newest = editor_client.get(QUEUE).text
    most = editor_client.get(QUEUE, {"sort": "most"}).text

    assert newest.index("新しい指摘") < newest.index("多い指摘")
    assert most.index("多い指摘") < most.index("新しい指摘")


def test_a_suggestion_on_a_passage_changed_since_is_shown_as_outdated_and_cannot_be_accepted(
    editor_client, article, editor
):
    suggestion = on_paragraph(article, 3, proposed_text=CORRECTED)
    passage_change(
        article=article, key=suggestion.passage_key, text="全く別の文章。", editor=editor
    )

    page = editor_client.get(QUEUE).text
    response = decide(editor_client, suggestion, "accept")

    assert "古い指摘" in page
    assert "詳細は後日発表される。" in page  # what the reader saw
    assert 'value="accept"' not in page
    assert passage_get(article, suggestion.passage_key).text == "全く別の文章。"
    assert "そのままでは採用できません" in editor_client.get(response["Location"]).text


def test_a_suggestion_whose_passage_was_deleted_is_shown_as_outdated(editor_client, article):
    suggestion = on_paragraph(article, 3, proposed_text=CORRECTED)
    article.paragraphs.last().delete()

    page = editor_client.get(QUEUE).text

    assert "この箇所はもうありません" in page
    assert suggestion.passage_key in page


def test_reader_text_in_the_queue_is_escaped(editor_client, article):
    on_paragraph(
        article,
        3,
        proposed_text="<script>alert(1)</script>詳細",
        note="<b>太字</b>",
        original_text="<img src=x onerror=alert(1)>",
    )

    page = editor_client.get(QUEUE).text

    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;太字&lt;/b&gt;" in page
    assert "<img src=x" not in page


# What the decisions do.


def test_accepting_changes_the_passage_and_settles_every_identical_proposal(editor_client, article):
    first = on_paragraph(article, 3, proposed_text=CORRECTED)
    second = on_paragraph(article, 3, proposed_text=CORRECTED)
    different = on_paragraph(article, 3, proposed_text="詳細は後日に発表される。")

    response = decide(editor_client, first, "accept")

    assert response.status_code == HTTPStatus.FOUND
    assert passage_get(article, first.passage_key).text == CORRECTED
    statuses = dict(Suggestion.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "accepted", second.pk: "accepted", different.pk: "pending"}
    entry = SuggestionDecision.objects.get()
    assert set(entry.suggestions.all()) == {first, second}
    assert (entry.accepted_text, entry.change_kind) == (CORRECTED, ChangeKind.CORRECTION)
    assert "2件の指摘を採用しました" in editor_client.get(response["Location"]).text


def test_the_editor_may_edit_the_wording_before_accepting_as_a_minor_fix(editor_client, article):
    suggestion = on_paragraph(article, 3, proposed_text="詳細は後日発表さる。")

    decide(
        editor_client, suggestion, "accept", text="詳細は後日、発表される。", change_kind="minor"
    )

    assert passage_get(article, suggestion.passage_key).text == "詳細は後日、発表される。"
    entry = SuggestionDecision.objects.get()
    assert entry.proposed_text == "詳細は後日発表さる。"
    assert entry.accepted_text == "詳細は後日、発表される。"
    assert entry.change_kind == ChangeKind.MINOR


def test_accepting_goes_through_passage_change_with_the_editor_and_kind(
    editor_client, article, monkeypatch
):
    from suggestions import services

    calls = []
    real = services.passage_change

    def recording(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(services, "passage_change", recording)
    suggestion = on_paragraph(article, 3, proposed_text=CORRECTED)

    decide(editor_client, suggestion, "accept", change_kind="minor")

    assert calls == [
        {
            "article": suggestion.article,
            "key": suggestion.passage_key,
            "text": CORRECTED,
            "editor": calls[0]["editor"],
            "kind": ChangeKind.MINOR,
        }
    ]
    assert calls[0]["editor"].username == "editor"


def test_an_accepted_correction_shows_at_once_to_every_reader_from_the_shared_cache(
    editor_client, article, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 600
    suggestion = on_paragraph(article, 3, proposed_text=CORRECTED)
    reader = Client(REMOTE_ADDR="198.51.100.20")
    reader.get(article.get_absolute_url())
    assert reader.get(article.get_absolute_url())["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        decide(editor_client, suggestion, "accept")
    page = reader.get(article.get_absolute_url())

    assert page["X-Page-Cache"] == "miss"
    assert CORRECTED in page.text


def test_rejecting_needs_a_reason_and_keeps_it(editor_client, article):
    suggestion = on_paragraph(article, 3, proposed_text=CORRECTED)

    without = decide(editor_client, suggestion, "reject", reason=" ")
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.PENDING
    assert "却下の理由を入力してください" in editor_client.get(without["Location"]).text

    decide(editor_client, suggestion, "reject", reason="原文どおりの訳です")
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.reason) == ("rejected", "原文どおりの訳です")
    assert suggestion.decided_by.username == "editor"
    assert SuggestionDecision.objects.get().reason == "原文どおりの訳です"
    assert passage_get(article, suggestion.passage_key).text == "詳細は後日発表される。"


def test_marking_as_duplicate_points_at_the_other_suggestion(editor_client, article):
    original = on_paragraph(article, 3, proposed_text=CORRECTED)
    repeat = on_paragraph(article, 3, proposed_text="両国は協力を継続することを確認した。")

    decide(editor_client, repeat, "duplicate", duplicate_of=original.pk)

    repeat.refresh_from_db()
    assert (repeat.status, repeat.duplicate_of) == ("duplicate", original)
    assert SuggestionDecision.objects.get().duplicate_of == original


def test_a_suggestion_cannot_be_a_duplicate_of_one_on_another_passage(editor_client, article):
    here = on_paragraph(article, 3, proposed_text=CORRECTED)
    elsewhere = on_paragraph(article, 1, proposed_text="別の段落への指摘")

    response = decide(editor_client, here, "duplicate", duplicate_of=elsewhere.pk)

    here.refresh_from_db()
    assert here.status == Suggestion.Status.PENDING
    assert "同じ箇所への" in editor_client.get(response["Location"]).text


def test_a_decided_suggestion_cannot_be_decided_again(editor_client, article):
    suggestion = on_paragraph(article, 3, proposed_text=CORRECTED)
    decide(editor_client, suggestion, "reject", reason="不要")

    response = decide(editor_client, suggestion, "accept")

    assert passage_get(article, suggestion.passage_key).text == "詳細は後日発表される。"
    assert SuggestionDecision.objects.count() == 1
    assert "その間に処理されています" in editor_client.get(response["Location"]).text


def test_the_decisions_log_is_read_only_in_the_admin(article):
    client = force_verified_login(Client(), SuperuserFactory())
    suggestion = on_paragraph(article, 3, proposed_text=CORRECTED)
    from suggestions.services import suggestion_reject

    suggestion_reject(suggestion=suggestion, editor=SuperuserFactory(), reason="理由")

    changelist = client.get(reverse("admin:suggestions_suggestiondecision_changelist"))
    assert changelist.status_code == HTTPStatus.OK
    assert "理由" in changelist.text
    assert client.get(reverse("admin:suggestions_suggestiondecision_add")).status_code == 403
