"""Every write to suggestions goes through here: one path each, validated, in one transaction.

Readers suggest through `suggestion_create`, with the comments' protections (bans by the
comments' Ban, the keyed poster hash). Editors decide through `suggestion_accept`,
`suggestion_reject` and `suggestion_mark_duplicate`: each checks the permission again, settles
every pending suggestion proposing the same wording for the same passage, and writes the log.
Accepting changes the passage through `articles.passages.passage_change`, the one write path
for a passage, which records the change and renews every cached page showing it.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from articles.passages import ChangeKind, Passage, PassageNotFound, passage_change, passage_get
from comments.forms import has_visible_text, without_control_characters
from comments.models import Ban
from comments.posters import Poster
from suggestions.models import Suggestion, SuggestionDecision, passage_digest
from suggestions.notifications import editors_notify_if_busy

DECIDE_PERMISSION = "suggestions.decide_suggestion"
# Said to banned posters: it neither confirms the ban nor invites them to work around it.
NEUTRAL_REFUSAL = _("Your suggestion could not be accepted at this time.")
Kind = SuggestionDecision.Kind


class SuggestionRejected(Exception):
    """A reader's suggestion was refused; `message` is for the reader."""

    def __init__(self, message, code):
        super().__init__(message)
        self.message = message
        self.code = code


class DecisionRefused(Exception):
    """An editor's decision could not be made as asked; `message` is for the editor."""

    def __init__(self, message, code):
        super().__init__(message)
        self.message = message
        self.code = code


def as_compared(text: str) -> str:
    """A passage's text as a proposal is compared with it: what a textarea sends back for it
    unchanged (line breaks as LF, no invisible controls, no surrounding space)."""
    return without_control_characters(text).strip()


@transaction.atomic
def suggestion_create(
    *,
    article: Article,
    key: str,
    seen_digest: str,
    proposed_text: str,
    original_text: str = "",
    note: str = "",
    poster: Poster,
) -> Suggestion:
    """A reader's proposed wording for one passage, as they saw it (`seen_digest` names the text
    their form showed). Raises PassageNotFound for a key the article has no passage for."""
    # Locked as passage_change locks it, so the passage cannot change between the check that
    # the reader saw the current text and the row that records it.
    article = Article.objects.select_for_update().get(pk=article.pk)
    passage = passage_get(article, key)
    if Ban.objects.active_for(poster.hash):
        raise SuggestionRejected(NEUTRAL_REFUSAL, code="banned")
    if seen_digest != passage_digest(passage.text):
        raise SuggestionRejected(
            _(
                "This passage was updated after you opened the form. Please check the current "
                "text above and send your suggestion again."
            ),
            code="changed_meanwhile",
        )
    if proposed_text == as_compared(passage.text):
        raise SuggestionRejected(
            _(
                "The proposed wording is the same as the current text. Please change the part "
                "you think is wrong, then send it."
            ),
            code="unchanged",
        )
    repeated = (
        Suggestion.objects.pending()
        .for_passage(article.pk, key)
        .filter(poster_hash=poster.hash, proposed_text=proposed_text)
    )
    if repeated.exists():
        raise SuggestionRejected(
            _(
                "You have already sent this suggestion for this passage, and it awaits review. "
                "Thank you."
            ),
            code="duplicate",
        )
    suggestion = Suggestion.objects.create(
        article=article,
        passage_key=passage.key,
        passage_kind=passage.kind,
        passage_text=passage.text,
        proposed_text=proposed_text,
        original_text=original_text,
        note=note,
        poster_hash=poster.hash,
        poster_network_hash=poster.network_hash,
    )
    transaction.on_commit(editors_notify_if_busy, robust=True)
    return suggestion


def _require(editor) -> None:
    if not (editor.is_active and editor.has_perm(DECIDE_PERMISSION)):
        raise PermissionDenied


def _pending_locked(suggestion: Suggestion) -> Suggestion:
    found = (
        Suggestion.objects.select_for_update(of=("self",))
        .select_related("article")
        .filter(pk=suggestion.pk)
        .first()
    )
    if found is None or not found.is_pending:
        raise DecisionRefused(
            _("This suggestion has already been decided, perhaps by another editor."),
            code="decided",
        )
    return found


def suggestion_current_passage(suggestion: Suggestion) -> Passage | None:
    """The passage as it reads now, or None when it no longer exists."""
    try:
        return passage_get(suggestion.article, suggestion.passage_key)
    except PassageNotFound:
        return None


def suggestion_is_outdated(suggestion: Suggestion, passage: Passage | None) -> bool:
    """Whether the passage is gone or changed since the reader quoted it."""
    return passage is None or passage.text != suggestion.passage_text


def _settle(suggestion, *, status, editor, reason="", duplicate_of=None) -> list[Suggestion]:
    same = list(Suggestion.objects.same_proposal(suggestion).select_for_update().order_by("pk"))
    now = timezone.now()
    for each in same:
        each.status, each.decided_by, each.decided_at = status, editor, now
        each.reason, each.duplicate_of = reason, duplicate_of
    Suggestion.objects.bulk_update(
        same, ["status", "decided_by", "decided_at", "reason", "duplicate_of"]
    )
    return same


def _log(kind, *, editor, suggestion, settled, **fields) -> SuggestionDecision:
    """The decisions log's only writer."""
    entry = SuggestionDecision.objects.create(
        kind=kind,
        actor=editor,
        actor_name=editor.get_username(),
        article=suggestion.article,
        article_title=suggestion.article.title[:200],
        passage_key=suggestion.passage_key,
        proposed_text=suggestion.proposed_text,
        **fields,
    )
    entry.suggestions.set(settled)
    return entry


@transaction.atomic
def suggestion_accept(
    *,
    suggestion: Suggestion,
    editor,
    text: str | None = None,
    kind: ChangeKind = ChangeKind.CORRECTION,
) -> SuggestionDecision:
    """Change the passage to the proposed wording (or to `text`, the editor's edit of it), as a
    correction or a minor fix; every reader who proposed the same wording is answered too."""
    _require(editor)
    kind = ChangeKind(kind)
    suggestion = _pending_locked(suggestion)
    passage = suggestion_current_passage(suggestion)
    if suggestion_is_outdated(suggestion, passage):
        raise DecisionRefused(
            _(
                "The passage has changed since the reader quoted it (or no longer exists): this "
                "suggestion cannot be applied as it is. Reject it, or change the article in the "
                "admin."
            ),
            code="outdated",
        )
    text = as_compared(suggestion.proposed_text if text is None else text)
    if not has_visible_text(text):
        raise DecisionRefused(_("The accepted wording cannot be empty."), code="blank")
    if text == as_compared(passage.text):
        raise DecisionRefused(
            _("The accepted wording is the same as the current text: nothing would change."),
            code="unchanged",
        )
    passage_change(
        article=suggestion.article, key=suggestion.passage_key, text=text, editor=editor, kind=kind
    )
    settled = _settle(suggestion, status=Suggestion.Status.ACCEPTED, editor=editor)
    return _log(
        Kind.ACCEPT,
        editor=editor,
        suggestion=suggestion,
        settled=settled,
        accepted_text=text,
        change_kind=kind,
    )


@transaction.atomic
def suggestion_reject(*, suggestion: Suggestion, editor, reason: str) -> SuggestionDecision:
    _require(editor)
    reason = reason.strip()
    if not reason:
        raise DecisionRefused(_("Please give a reason for rejecting."), code="no_reason")
    suggestion = _pending_locked(suggestion)
    settled = _settle(suggestion, status=Suggestion.Status.REJECTED, editor=editor, reason=reason)
    return _log(Kind.REJECT, editor=editor, suggestion=suggestion, settled=settled, reason=reason)


@transaction.atomic
def suggestion_mark_duplicate(
    *, suggestion: Suggestion, editor, duplicate_of: Suggestion, reason: str = ""
) -> SuggestionDecision:
    """The same point as another suggestion on the same passage, worded differently."""
    _require(editor)
    suggestion = _pending_locked(suggestion)
    same_passage = (duplicate_of.article_id, duplicate_of.passage_key) == (
        suggestion.article_id,
        suggestion.passage_key,
    )
    if not same_passage or duplicate_of.proposed_text == suggestion.proposed_text:
        raise DecisionRefused(
            _("Choose another suggestion on the same passage that this one repeats."),
            code="not_a_duplicate",
        )
    settled = _settle(
        suggestion,
        status=Suggestion.Status.DUPLICATE,
        editor=editor,
        reason=reason.strip(),
        duplicate_of=duplicate_of,
    )
    return _log(
        Kind.DUPLICATE,
        editor=editor,
        suggestion=suggestion,
        settled=settled,
        reason=reason.strip(),
        duplicate_of=duplicate_of,
    )
