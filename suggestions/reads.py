"""What the editors' queue reads: pending suggestions grouped by article and passage, each
distinct proposal once with how many readers sent it, compared with the passage as it reads now."""

from dataclasses import dataclass, field

from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from articles.diffs import char_diff_html
from articles.models import Article
from articles.passages import Passage, article_passages
from suggestions.models import Suggestion

SORTS = {
    "newest": gettext_lazy("Newest first"),
    "most": gettext_lazy("Most suggested first"),
}

# A proposal repeats one of the passage's most-suggested ones; listing every other proposal
# under each would grow the page with the square of their number.
DUPLICATE_CHOICES = 10


@dataclass
class Proposal:
    """Every pending suggestion of one wording for one passage."""

    text: str
    suggestions: list[Suggestion]
    # The passage now and the proposal, character by character; None when the passage is gone.
    diff: SafeString | None
    outdated: bool

    @property
    def count(self) -> int:
        return len(self.suggestions)

    @property
    def newest(self) -> Suggestion:
        return self.suggestions[0]

    @property
    def notes(self) -> list[str]:
        return [s.note for s in self.suggestions if s.note]

    @property
    def originals(self) -> list[str]:
        return sorted({s.original_text for s in self.suggestions if s.original_text})

    @property
    def quoted(self) -> set[str]:
        """The texts the readers quoted, where they differ from the passage now."""
        return {s.passage_text for s in self.suggestions}


@dataclass
class PassageGroup:
    article: Article
    key: str
    passage: Passage | None
    proposals: list[Proposal] = field(default_factory=list)
    # Suggestions on the passage a proposal may be marked as repeating: the most suggested.
    others: list[Suggestion] = field(default_factory=list)
    # The proposals by wording, while they are gathered.
    by_text: dict[str, Proposal] = field(default_factory=dict, repr=False)

    @property
    def count(self) -> int:
        return sum(p.count for p in self.proposals)

    @property
    def newest_at(self):
        return max(p.newest.created_at for p in self.proposals)

    @property
    def label(self) -> str:
        return self.passage.label if self.passage else self.key

    @property
    def location(self) -> str:
        anchor = f"#{self.passage.anchor}" if self.passage else ""
        return f"{self.article.get_absolute_url()}{anchor}"


def queue_groups(sort: str) -> list[PassageGroup]:
    """Every passage with pending suggestions, newest or most suggested first.

    Pending suggestions are few (readers are rate-limited and editors clear them), so they are
    grouped here in Python: three queries, whatever the number of articles.
    """
    pending = list(
        Suggestion.objects.pending()
        .select_related("article")
        .prefetch_related("article__summary_points", "article__paragraphs")
        .order_by("-created_at", "-pk")
    )
    passages = {}
    groups: dict[tuple[int, str], PassageGroup] = {}
    for suggestion in pending:
        article = suggestion.article
        if article.pk not in passages:
            passages[article.pk] = {p.key: p for p in article_passages(article)}
        group_key = (article.pk, suggestion.passage_key)
        if group_key not in groups:
            passage = passages[article.pk].get(suggestion.passage_key)
            groups[group_key] = PassageGroup(article, suggestion.passage_key, passage)
        group = groups[group_key]
        proposal = group.by_text.get(suggestion.proposed_text)
        if proposal is None:
            passage = group.passage
            proposal = Proposal(
                text=suggestion.proposed_text,
                suggestions=[],
                diff=char_diff_html(passage.text, suggestion.proposed_text) if passage else None,
                # Judged by the newest: it is the one an editor's decision is checked against.
                outdated=passage is None or passage.text != suggestion.passage_text,
            )
            group.proposals.append(proposal)
            group.by_text[proposal.text] = proposal
        proposal.suggestions.append(suggestion)
    for group in groups.values():
        group.proposals.sort(key=lambda p: (-p.count, -p.newest.created_at.timestamp()))
        group.others = [p.newest for p in group.proposals[:DUPLICATE_CHOICES]]
    ordered = sorted(groups.values(), key=lambda g: g.newest_at, reverse=True)
    if sort == "most":
        ordered.sort(key=lambda g: g.count, reverse=True)  # stable: newest first among equals
    return ordered
