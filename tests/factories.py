import datetime
import functools
import io

import factory
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from PIL import Image, ImageDraw

from articles.models import Article, Paragraph, Section, SummaryPoint
from articles.services import article_image_replace


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"セクション{n}")
    slug = factory.Sequence(lambda n: f"section-{n}")
    description = "テスト用のセクション"
    position = factory.Sequence(int)


class ArticleFactory(factory.django.DjangoModelFactory):
    """A published article whose time has come, with three summary points and three paragraphs."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    section = factory.SubFactory(SectionFactory)
    title = factory.Sequence(lambda n: f"日本と韓国、首脳会談で協力を確認 その{n}")
    original_title = factory.Sequence(lambda n: f"Can the two neighbours work together? Part {n}")
    source_name = "Example World News"
    source_url = factory.Sequence(lambda n: f"https://news.example.com/world/asia-{n}")
    rights = Article.Rights.TRANSLATED_WITH_PERMISSION
    image_caption = "Leaders shake hands before the talks"
    image_alt = "握手する両国の首脳"
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))

    class Params:
        draft = factory.Trait(status=Article.Status.DRAFT)
        scheduled = factory.Trait(
            published_at=factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1))
        )

    @factory.post_generation
    def summary(article, create, points, **kwargs):
        if not create:
            return
        if points is None:
            points = ["両首脳が会談した。", "経済協力で一致した。", "次回会談は来年の予定。"]
        for position, text in enumerate(points, start=1):
            SummaryPoint.objects.create(article=article, position=position, text=text)

    @factory.post_generation
    def body(article, create, paragraphs, **kwargs):
        if not create:
            return
        if paragraphs is None:
            paragraphs = [
                "会談は約二時間にわたって行われた。",
                "両国は協力を確認した。",
                "詳細は後日発表される。",
            ]
        for position, text in enumerate(paragraphs, start=1):
            Paragraph.objects.create(article=article, position=position, text=text)


def jpeg_upload(name="photo.jpg", size=(1200, 675), colour=(40, 90, 140), **save_options):
    """A JPEG as a browser uploads it: a coloured field with a white square in its upper left."""
    image = Image.new("RGB", size, colour)
    width, height = size
    ImageDraw.Draw(image).rectangle([width // 8, height // 8, width // 3, height // 3], "white")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **save_options)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def image_attach(article, upload=None):
    """Gives the article an image the way the admin and the import do: stored with renditions."""
    article_image_replace(article=article, upload=upload or jpeg_upload(), stored_files=[])
    article.save()
    return article


def in_groups(*default_names):
    """Adds the user to the named groups; `groups=[...]` at the call overrides the default."""

    @factory.post_generation
    def groups(user, create, names, **kwargs):
        names = default_names if names is None else names
        if create and names:
            user.groups.add(*Group.objects.filter(name__in=names))

    return groups


def password_hash(raw: str) -> str:
    """One hash per password (and hasher setting) for the whole run: hashing it anew for each
    user, as the site does, costs about half a second of key stretching every time a test makes
    an account."""
    return _password_hash(raw, tuple(settings.PASSWORD_HASHERS))


@functools.cache
def _password_hash(raw: str, hashers: tuple[str, ...]) -> str:
    return make_password(raw)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.Transformer("correct horse battery staple", transform=password_hash)
    groups = in_groups()


class EditorFactory(UserFactory):
    is_staff = True
    groups = in_groups("Editors")


class ModeratorFactory(UserFactory):
    is_staff = True
    groups = in_groups("Moderators")


class SuperuserFactory(UserFactory):
    is_staff = True
    is_superuser = True


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    """An authenticator app set up and confirmed (two-factor sign-in, kjnews/two_factor.py)."""

    class Meta:
        model = "otp_totp.TOTPDevice"

    user = factory.SubFactory(UserFactory)
    name = "phone"
    confirmed = True


def force_verified_login(client, user):
    """`client.force_login(user)` with the second step of sign-in done too, as if the user had
    entered their app's code: what a superuser needs before the admin opens."""
    device = TOTPDeviceFactory(user=user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


class CommentFactory(factory.django.DjangoModelFactory):
    """A published comment numbered through the thread, as comment_create would number it."""

    class Meta:
        model = "comments.Comment"

    article = factory.SubFactory(ArticleFactory)
    name = ""
    body = factory.Sequence(lambda n: f"コメント本文その{n}")
    poster_id = "AbCd1234"
    poster_hash = factory.Sequence(lambda n: f"{n:064x}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from comments.models import Thread

        article = kwargs["article"]
        thread, _ = Thread.objects.get_or_create(article=article)
        thread.last_number += 1
        if kwargs.get("status", model_class.Status.PUBLISHED) == model_class.Status.PUBLISHED:
            thread.published_count += 1
        thread.save()
        kwargs.setdefault("number", thread.last_number)
        return super()._create(model_class, *args, **kwargs)


def thread_of(article, count: int):
    """`count` published comments on `article` in a few bulk inserts, for tests that need a long
    thread (10,000 through CommentFactory would take minutes); numbered 1..count."""
    from comments.models import Comment, Thread

    Comment.objects.bulk_create(
        (
            Comment(
                article=article,
                number=number,
                body=f"長いスレッドのコメント{number}",
                body_html=f"長いスレッドのコメント{number}",
                poster_id="AbCd1234",
                poster_hash=f"{number:064x}",
            )
            for number in range(1, count + 1)
        ),
        batch_size=2000,
    )
    Thread.objects.update_or_create(
        article=article, defaults={"last_number": count, "published_count": count}
    )


def _passage(suggestion):
    from articles.passages import passage_get

    return passage_get(suggestion.article, suggestion.passage_key)


class SuggestionFactory(factory.django.DjangoModelFactory):
    """A pending suggestion on the article's first paragraph, quoting it as it reads now. Dumb:
    no protections run (tests of those go through the form or `suggestion_create`)."""

    class Meta:
        model = "suggestions.Suggestion"

    article = factory.SubFactory(ArticleFactory)
    passage_key = factory.LazyAttribute(lambda s: f"paragraph-{s.article.paragraphs.first().pk}")
    passage_kind = factory.LazyAttribute(lambda s: _passage(s).kind)
    passage_text = factory.LazyAttribute(lambda s: _passage(s).text)
    proposed_text = factory.Sequence(lambda n: f"会談は約三時間にわたって行われた。その{n}")
    poster_hash = factory.Sequence(lambda n: f"{n:064x}")
    poster_network_hash = factory.LazyAttribute(lambda s: s.poster_hash)
