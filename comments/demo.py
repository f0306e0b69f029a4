"""Demo comments for the demo articles: written for this project, posted through comment_create."""

import datetime
import random
import secrets

from django.db import transaction
from django.utils import timezone

from comments.models import Comment
from comments.posters import Poster
from comments.services import comment_create
from comments.targets import TARGET_MODEL

# (name, text). `{first}` becomes a reply anchor to an earlier comment of the same thread.
DEMO_COMMENTS = [
    ("", "要点が箇条書きになっているので、通勤中でも読みやすいです。"),
    ("", "原文の見出しが疑問形なのが気になる。現地ではまだ結論が出ていないということか。"),
    ("通りすがり", "{first} 同意です。続報があればまた読みたい。"),
    ("", "数字がもう少し欲しいところ。予算規模はどのくらいなんだろう。"),
    ("", "こういう地道な話こそ日本でも報じてほしい。"),
    (
        "元記者",
        "現地の報道だと、反対意見もそれなりにあるらしい。\n記事の最後の段落がそれに触れているね。",
    ),
    ("", "{first} それは言い過ぎでは？ 記事を読む限り、まだ計画段階のようです。"),
    ("", "参考までに、似た取り組みの解説はこちら https://example.com/background を参照。"),
    ("", "日本の地方でも同じ課題がある。人ごとではないと思う。"),
    (
        "",
        "翻訳ありがとうございます。英語の原文だと細かいニュアンスが分からなかったので助かります。",
    ),
    ("", "{first} 自分も気になって調べたけど、公式発表はまだみたい。"),
    ("東京在住", "写真のキャプションと本文で地名の表記が少し違う気がする。"),
]


def _spread_times(comments, since):
    """Posting times between the article's publication and now, in number order."""
    now = timezone.now()
    span = max((now - since).total_seconds(), 60)
    offsets = sorted(random.Random(len(comments)).uniform(0, span) for _ in comments)
    for comment, offset in zip(comments, offsets, strict=True):
        Comment.objects.filter(pk=comment.pk).update(
            created_at=since + datetime.timedelta(seconds=offset)
        )


@transaction.atomic
def demo_comments_seed() -> int:
    """A few comments on each reader-visible article that has none yet; returns how many."""
    created = 0
    for article in TARGET_MODEL.objects.published():
        if Comment.objects.for_article(article).exists():
            continue
        chooser = random.Random(article.pk)
        lines = chooser.sample(DEMO_COMMENTS, k=chooser.randint(2, len(DEMO_COMMENTS) // 2))
        posted = []
        for name, text in lines:
            body = text.format(first=">>1") if posted else text.replace("{first} ", "")
            # Documentation addresses; a /64 per article and voice, so IDs differ as readers would.
            poster = Poster(address=f"2001:db8:{article.pk:x}:{chooser.randint(1, 4)}::1")
            posted.append(
                comment_create(
                    article=article,
                    poster=poster,
                    name=name,
                    body=body,
                    deletion_key=secrets.token_urlsafe(16),
                )
            )
        _spread_times(posted, article.published_at)
        created += len(posted)
    return created
