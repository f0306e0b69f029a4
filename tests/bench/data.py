"""The benchmark's data: its own PostgreSQL database, built once and reused while complete.

Articles are bulk-inserted (their write path has nothing to measure), but the 10,000 comments go
through `comment_create`, the path every real post takes, so numbering, poster IDs and hashes are
exactly what the site would have stored.
"""

import datetime
import itertools
import random
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

DATA_VERSION = 2  # raise when the data set changes shape: the next run rebuilds it
ARTICLE_COUNT = 100_000
HOT_COMMENT_COUNT = 10_000
HOT_SLUG = "bench-hot-thread"
POST_SLUG_PREFIX = "bench-post-"
EDITOR_USERNAME = "bench-editor"
MARK_TABLE = "bench_dataset"
INSERT_TABLE = "bench_insert"
ARTICLE_BATCH = 2_000
COMMENT_BATCH = 500

SECTIONS = [
    ("east-asia-plus", "東アジア+"),
    ("north-america", "北米"),
    ("europe", "欧州"),
    ("south-asia", "南アジア"),
    ("middle-east", "中東"),
    ("africa", "アフリカ"),
    ("latin-america", "中南米"),
    ("oceania", "オセアニア"),
]
# Article text is written from a vocabulary whose words are as unevenly common as news words are
# (Zipf: the n-th most common appears about 1/n as often as the first), so the search cases meet
# words in a third of the articles (韓国), in a few percent (港湾) and in a handful (皆既日食).
PLACES = [
    ("米国", "US"),
    ("中国", "China"),
    ("韓国", "South Korea"),
    ("ロシア", "Russia"),
    ("ウクライナ", "Ukraine"),
    ("台湾", "Taiwan"),
    ("インド", "India"),
    ("ドイツ", "Germany"),
    ("フランス", "France"),
    ("英国", "Britain"),
    ("北朝鮮", "North Korea"),
    ("ブラジル", "Brazil"),
    ("イスラエル", "Israel"),
    ("イラン", "Iran"),
    ("トルコ", "Turkey"),
    ("ベトナム", "Vietnam"),
    ("フィリピン", "Philippines"),
    ("インドネシア", "Indonesia"),
    ("オーストラリア", "Australia"),
    ("カナダ", "Canada"),
    ("メキシコ", "Mexico"),
    ("エジプト", "Egypt"),
    ("ケニア", "Kenya"),
    ("ナイジェリア", "Nigeria"),
    ("南アフリカ", "South Africa"),
    ("モンゴル", "Mongolia"),
    ("ネパール", "Nepal"),
    ("ペルー", "Peru"),
    ("チリ", "Chile"),
    ("アイスランド", "Iceland"),
    ("ブータン", "Bhutan"),
    ("フィジー", "Fiji"),
]
ORGANISATIONS = [
    ("政府", "government"),
    ("議会", "parliament"),
    ("首脳会議", "summit"),
    ("中央銀行", "central bank"),
    ("外務省", "foreign ministry"),
    ("NATO", "NATO"),
    ("国連", "UN"),
    ("国防省", "defence ministry"),
    ("野党", "opposition"),
    ("最高裁", "supreme court"),
    ("労働組合", "unions"),
    ("業界団体", "industry"),
    ("世界保健機関", "WHO"),
    ("国際通貨基金", "IMF"),
]
TOPICS = [
    ("選挙", "election"),
    ("物価", "prices"),
    ("半導体", "chips"),
    ("関税", "tariffs"),
    ("防衛費", "defence spending"),
    ("移民", "migration"),
    ("人工知能", "AI"),
    ("電力網", "power grid"),
    ("医療", "health care"),
    ("住宅", "housing"),
    ("鉄道", "railways"),
    ("教育", "schools"),
    ("原子力", "nuclear power"),
    ("気候変動", "climate"),
    ("港湾", "ports"),
    ("観光", "tourism"),
    ("農業", "farming"),
    ("漁業", "fisheries"),
    ("水資源", "water"),
    ("宇宙開発", "space"),
    ("地震", "earthquake"),
    ("豪雨", "floods"),
    ("干ばつ", "drought"),
    ("氷河", "glaciers"),
]
EVENTS = [
    ("新計画を発表", "unveils plan"),
    ("協議が難航", "talks stall"),
    ("予算を拡大", "boosts budget"),
    ("規制を見直し", "reviews rules"),
    ("共同調査へ", "joint study"),
    ("住民が反発", "residents push back"),
    ("合意に達する", "reaches deal"),
    ("抗議デモ広がる", "protests spread"),
    ("調査結果を公表", "publishes findings"),
    ("支援を表明", "pledges support"),
]
# {p} and {q}: places, {o} and {n}: organisations, {t}: a topic.
SENTENCES = [
    "{p}の{o}は{t}をめぐる新たな方針を発表した。",
    "{p}と{q}の{o}は{t}について協議を続けている。",
    "専門家は{t}への影響を慎重に見極める必要があると指摘する。",
    "{o}の報道官は「{t}の問題は対話を通じて解決したい」と述べた。",
    "{p}では{t}に関する世論調査で賛否が分かれた。",
    "関係当局は週明けにも詳しい日程を公表する見通しだ。",
    "地元の住民団体は、説明が不十分だとして再考を求めている。",
    "統計によると、{t}の分野の昨年の実績は前年を一割ほど上回った。",
    "{q}でも同様の取り組みが進んでおり、比較が注目されている。",
    "{n}も{t}をめぐる議論に加わる構えだ。",
    "現場の担当者は人手不足が最大の課題だと話している。",
    "国際機関も支援を表明し、技術者の派遣を検討している。",
    "{o}は来月、{t}に関する報告書をまとめる予定だ。",
]
# Now and then a story about something rare (the chance is per paragraph).
RARE_SENTENCES = [
    (0.0005, "{p}の上空では皆既日食が観測され、多くの人が空を見上げた。"),
    (0.0001, "{p}の北部では珍しくオーロラが見られたという。"),
]
POINTS = [
    "{p}の{o}が{t}について新たな方針を正式に発表した。",
    "費用の大半は国の予算でまかなう。",
    "住民への説明会が来月から各地で開かれる。",
    "専門家は{t}への長期的な効果に慎重な見方を示している。",
    "{q}との協力も検討されている。",
    "最初の成果は年内にも公表される見込みだ。",
]
COMMENT_LINES = [
    "要点が箇条書きになっていて読みやすい。",
    "原文の見出しと少し印象が違うのが気になる。",
    "続報があればまた読みたい。",
    "数字がもう少し欲しいところ。予算規模はどのくらいなんだろう。",
    "日本でも同じ課題がある。人ごとではないと思う。",
    "翻訳ありがとうございます。細かいニュアンスが分かって助かります。",
]
NAMES = ["", "", "", "通りすがり", "元記者", "東京在住", "名無しの読者"]


@dataclass(frozen=True)
class RunData:
    """What one run's cases address: slugs, the editor's credentials and the thread's size."""

    hot_slug: str
    post_slug: str
    section_slug: str
    editor_username: str
    editor_password: str
    hot_comment_count: int


def database_url_for(server_url: str, name: str) -> str:
    """The same server and user as `server_url`, another database."""
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_is_complete(url: str) -> bool:
    """Whether the database holds a finished data set of this DATA_VERSION, hot thread intact."""
    try:
        with psycopg.connect(url, connect_timeout=5) as connection:
            row = connection.execute("SELECT to_regclass(%s) IS NOT NULL", [MARK_TABLE]).fetchone()
            if not row[0]:
                return False
            query = sql.SQL("SELECT count(*) FROM {} WHERE version = %s").format(
                sql.Identifier(MARK_TABLE)
            )
            if connection.execute(query, [DATA_VERSION]).fetchone()[0] != 1:
                return False
            # Anything that posted to the hot thread outside the bench changes what it measures.
            comments = connection.execute(
                "SELECT count(*) FROM comments_comment c JOIN articles_article a "
                "ON a.id = c.article_id WHERE a.slug = %s",
                [HOT_SLUG],
            ).fetchone()[0]
            return comments == HOT_COMMENT_COUNT
    except psycopg.OperationalError:
        return False  # no such database yet


def database_recreate(url: str) -> None:
    """Drop and create the bench database: UTF-8, C.UTF-8 collation, from template0."""
    name = urlsplit(url).path.lstrip("/")
    admin_url = database_url_for(url, "postgres")
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
        identifier = sql.Identifier(name)
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))
        connection.execute(
            sql.SQL(
                "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' "
                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            ).format(identifier)
        )


def dataset_build(*, now: datetime.datetime, say) -> None:
    """Sections, ARTICLE_COUNT articles, the hot thread and the editor; marked complete last."""
    from django.db import connection

    sections = _sections_create()
    say(f"{len(sections)} sections")
    _articles_create(sections, now=now, say=say)
    hot = _hot_article_create(sections[0], now=now)
    _comments_post(hot, say=say)
    _editor_create()
    with connection.cursor() as cursor:
        # Fresh statistics and visibility maps now, rather than autovacuum doing it mid-bench.
        cursor.execute("VACUUM (ANALYZE)")
        cursor.execute(f"CREATE TABLE {MARK_TABLE} (version integer, built_at timestamptz)")
        cursor.execute(f"INSERT INTO {MARK_TABLE} VALUES (%s, %s)", [DATA_VERSION, now])


def _sections_create():
    from articles.models import Section

    return [
        Section.objects.create(slug=slug, name=name, position=position)
        for position, (slug, name) in enumerate(SECTIONS, start=1)
    ]


def _zipf_weights(count: int) -> list[float]:
    return list(itertools.accumulate(1 / rank for rank in range(1, count + 1)))


PLACE_WEIGHTS = _zipf_weights(len(PLACES))
ORGANISATION_WEIGHTS = _zipf_weights(len(ORGANISATIONS))
TOPIC_WEIGHTS = _zipf_weights(len(TOPICS))


@dataclass(frozen=True)
class Story:
    """What one article is about: its places, organisations, topic and event."""

    place: tuple[str, str]
    other_place: tuple[str, str]
    organisation: tuple[str, str]
    other_organisation: tuple[str, str]
    topic: tuple[str, str]
    event: tuple[str, str]

    @classmethod
    def drawn(cls, chooser: random.Random) -> "Story":
        place, other = chooser.choices(PLACES, cum_weights=PLACE_WEIGHTS, k=2)
        organisation, other_organisation = chooser.choices(
            ORGANISATIONS, cum_weights=ORGANISATION_WEIGHTS, k=2
        )
        return cls(
            place=place,
            other_place=other,
            organisation=organisation,
            other_organisation=other_organisation,
            topic=chooser.choices(TOPICS, cum_weights=TOPIC_WEIGHTS)[0],
            event=chooser.choice(EVENTS),
        )

    def told(self, template: str) -> str:
        return template.format(
            p=self.place[0],
            q=self.other_place[0],
            o=self.organisation[0],
            n=self.other_organisation[0],
            t=self.topic[0],
        )

    def title(self, index: int) -> str:
        return f"{self.place[0]}の{self.topic[0]}、{self.event[0]} 第{index}報"

    def original_title(self, index: int) -> str:
        return (
            f"{self.place[1]} {self.organisation[1]}: {self.topic[1]}, {self.event[1]} "
            f"(story {index})"
        )


def _paragraph(story: Story, chooser: random.Random) -> str:
    sentences = [story.told(s) for s in chooser.sample(SENTENCES, k=chooser.randint(3, 5))]
    for probability, sentence in RARE_SENTENCES:
        if chooser.random() < probability:
            sentences.insert(chooser.randrange(len(sentences) + 1), story.told(sentence))
    return "".join(sentences)


def _articles_create(sections, *, now, say) -> None:
    """ARTICLE_COUNT published articles, one every ten minutes back from two hours ago, inserted
    with their search documents (bulk inserts send no signals), and the search index built once
    over all of them at the end, which is much faster than growing it row by row."""
    from django.contrib.postgres.search import SearchVectorField
    from django.db import connection
    from django.db.models import Value
    from django.db.models.functions import Cast

    from articles.models import Article, Paragraph, SummaryPoint
    from articles.search import SearchDocument

    search_index = next(
        index for index in Article._meta.indexes if index.fields == ["search_document"]
    )
    with connection.schema_editor() as editor:
        editor.remove_index(Article, search_index)
    chooser = random.Random(1)
    newest = now - datetime.timedelta(hours=2)
    for start in range(0, ARTICLE_COUNT, ARTICLE_BATCH):
        articles, points, paragraphs = [], [], []
        for index in range(start, min(start + ARTICLE_BATCH, ARTICLE_COUNT)):
            story = Story.drawn(chooser)
            article = Article(
                section=sections[index % len(sections)],
                title=story.title(index),
                original_title=story.original_title(index),
                slug=f"bench-article-{index:06d}",
                source_name="Bench Wire",
                source_url=f"https://news.example.org/bench/{index}",
                status=Article.Status.PUBLISHED,
                published_at=newest - datetime.timedelta(minutes=10 * index),
            )
            texts = _article_texts(story, chooser)
            points += [SummaryPoint(article=article, position=n, text=text) for n, text in texts[0]]
            paragraphs += [
                Paragraph(article=article, position=n, text=text) for n, text in texts[1]
            ]
            document = SearchDocument.of(
                [article.title, article.original_title, *(text for _, text in texts[0] + texts[1])]
            )
            article.search_text = document.text
            article.search_document = Cast(Value(document.vector), SearchVectorField())
            articles.append(article)
        Article.objects.bulk_create(articles)
        SummaryPoint.objects.bulk_create(points)
        Paragraph.objects.bulk_create(paragraphs)
        if (start + ARTICLE_BATCH) % 20_000 == 0:
            say(f"{start + ARTICLE_BATCH:,} articles")
    with connection.schema_editor() as editor:
        editor.add_index(Article, search_index)
    say("search index built")


def _article_texts(story: Story, chooser: random.Random):
    """Three summary points and five paragraphs, as (position, text) pairs."""
    points = [story.told(text) for text in chooser.sample(POINTS, k=3)]
    paragraphs = [_paragraph(story, chooser) for _position in range(5)]
    return list(enumerate(points, start=1)), list(enumerate(paragraphs, start=1))


def _article_text_create(articles, chooser: random.Random) -> None:
    """Summary points and paragraphs for a few single articles, and their search documents."""
    from articles.models import Paragraph, SummaryPoint
    from articles.services import search_documents_refresh

    points, paragraphs = [], []
    for article in articles:
        point_texts, paragraph_texts = _article_texts(Story.drawn(chooser), chooser)
        points += [SummaryPoint(article=article, position=n, text=t) for n, t in point_texts]
        paragraphs += [Paragraph(article=article, position=n, text=t) for n, t in paragraph_texts]
    SummaryPoint.objects.bulk_create(points)
    Paragraph.objects.bulk_create(paragraphs)
    search_documents_refresh(article_ids=[article.pk for article in articles])


def _hot_article_create(section, *, now):
    from articles.models import Article

    article = Article.objects.create(
        section=section,
        title="ベンチマーク：コメントが1万件ついた記事",
        original_title="The story ten thousand readers commented on",
        slug=HOT_SLUG,
        source_name="Bench Wire",
        source_url="https://news.example.org/bench/hot-thread",
        status=Article.Status.PUBLISHED,
        published_at=now - datetime.timedelta(hours=1),
    )
    _article_text_create([article], random.Random(2))
    return article


def _comments_post(article, *, say) -> None:
    """HOT_COMMENT_COUNT comments through comment_create, from 500 posters, some replying."""
    from django.db import transaction

    from comments.posters import Poster
    from comments.services import comment_create

    chooser = random.Random(3)
    for start in range(1, HOT_COMMENT_COUNT + 1, COMMENT_BATCH):
        # One transaction a batch: comment_create's own atomic block becomes a savepoint, which
        # keeps its locking and numbering and saves 10,000 separate commits.
        with transaction.atomic():
            for number in range(start, min(start + COMMENT_BATCH, HOT_COMMENT_COUNT + 1)):
                comment_create(
                    article=article,
                    poster=Poster(address=f"2001:db8:{number % 500:x}::1"),
                    name=chooser.choice(NAMES),
                    body=_comment_body(number, chooser),
                    deletion_key=secrets.token_urlsafe(16),
                )
        if (start + COMMENT_BATCH - 1) % 2_000 == 0:
            say(f"{start + COMMENT_BATCH - 1:,} comments")


def _comment_body(number: int, chooser: random.Random) -> str:
    """A line or two with one link; every fourth comment replies to an earlier one."""
    reply = f">>{chooser.randint(1, number - 1)} " if number > 1 and number % 4 == 0 else ""
    line = chooser.choice(COMMENT_LINES)
    return f"{reply}{line}\n参考: https://example.com/bench/{number}?ref=kj 第{number}コメント"


def _editor_create() -> None:
    from django.contrib.auth.models import Group, User

    editor = User.objects.create_user(EDITOR_USERNAME, is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))


def run_prepare(*, now: datetime.datetime) -> RunData:
    """What each run starts from: the hot thread open and unreported, a new empty thread to
    post to, an empty insert table and a fresh editor password (used once, to log in)."""
    from django.contrib.auth.models import User
    from django.db import connection

    from articles.models import Article
    from comments.models import Report

    hot = Article.objects.get(slug=HOT_SLUG)
    # Threads close 30 days after publication; keep the hot one open and newest on every run.
    Article.objects.filter(pk=hot.pk).update(published_at=now - datetime.timedelta(hours=1))
    Report.objects.filter(comment__article=hot).delete()
    post_target = _post_target_create(hot.section, now=now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {INSERT_TABLE} "
            "(id bigserial PRIMARY KEY, body text NOT NULL, created_at timestamptz DEFAULT now())"
        )
        cursor.execute(f"TRUNCATE {INSERT_TABLE}")
    password = secrets.token_urlsafe(24)
    editor = User.objects.get(username=EDITOR_USERNAME)
    editor.set_password(password)
    editor.save(update_fields=["password"])
    return RunData(
        hot_slug=HOT_SLUG,
        post_slug=post_target.slug,
        section_slug=hot.section.slug,
        editor_username=EDITOR_USERNAME,
        editor_password=password,
        hot_comment_count=HOT_COMMENT_COUNT,
    )


def _post_target_create(section, *, now):
    """An empty article for the comment POST case, so every run checks numbering from 1."""
    from articles.models import Article

    run_posts_remove()
    article = Article.objects.create(
        section=section,
        title="ベンチマーク：投稿先の記事",
        original_title="The story the benchmark posts comments to",
        slug=f"{POST_SLUG_PREFIX}{now:%Y%m%d%H%M%S}",
        source_name="Bench Wire",
        source_url=f"https://news.example.org/bench/post-target-{now:%Y%m%d%H%M%S}",
        status=Article.Status.PUBLISHED,
        published_at=now - datetime.timedelta(hours=2),
    )
    _article_text_create([article], random.Random(4))
    return article


def run_posts_remove() -> None:
    """Delete the articles a run posted to (comments and thread go with them), so the data set
    is the same for the next run; also cleans up after a run that was interrupted."""
    from articles.models import Article

    Article.objects.filter(slug__startswith=POST_SLUG_PREFIX).delete()
