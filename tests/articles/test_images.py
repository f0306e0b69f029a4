"""Article images: responsive renditions made once, when an image is stored, and how pages
use them."""

import io
import re
from http import HTTPStatus
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from articles.images import image_load, renditions_make
from articles.models import Article
from tests.articles.test_admin import inline_forms
from tests.factories import ArticleFactory, image_attach, jpeg_upload

ORIENTATION, GPS_INFO, MAKE = 0x0112, 0x8825, 0x010F


def stored(settings) -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


def made_from(upload, name="articles/2026/11/photo.jpg"):
    return renditions_make(image_load(upload), name=name)


# Making renditions (the storage is a temporary folder; no database)


def test_a_large_image_gets_webp_and_jpeg_renditions_480_960_and_1600_wide():
    renditions = made_from(jpeg_upload(size=(2400, 1600)))

    assert [(r.width, r.height, r.mime_type) for r in renditions] == [
        (480, 320, "image/webp"),
        (480, 320, "image/jpeg"),
        (960, 640, "image/webp"),
        (960, 640, "image/jpeg"),
        (1600, 1067, "image/webp"),
        (1600, 1067, "image/jpeg"),
    ]


def test_renditions_are_stored_beside_the_original_with_their_size_recorded():
    renditions = made_from(jpeg_upload(size=(1000, 500)))

    for rendition in renditions:
        assert rendition.name.startswith("articles/2026/11/photo-")
        with default_storage.open(rendition.name) as file:
            content = file.read()
        assert len(content) == rendition.size
        with Image.open(io.BytesIO(content)) as image:
            assert image.size == (rendition.width, rendition.height)
            assert Image.MIME[image.format] == rendition.mime_type


def test_a_small_image_is_never_enlarged():
    renditions = made_from(jpeg_upload(size=(700, 350)))

    assert sorted({(r.width, r.height) for r in renditions}) == [(480, 240), (700, 350)]


def test_renditions_stand_upright_as_the_camera_said_and_carry_no_metadata():
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # the camera was turned: show the picture rotated 90° clockwise
    exif[MAKE] = "Example Camera"
    exif.get_ifd(GPS_INFO)[2] = (35.0, 41.0, 22.0)  # a latitude
    upload = jpeg_upload(size=(800, 600), exif=exif.tobytes())

    renditions = made_from(upload)

    for rendition in renditions:
        with default_storage.open(rendition.name) as file, Image.open(file) as image:
            assert image.width < image.height  # 600 x 800, turned upright
            assert dict(image.getexif()) == {}
            assert "xmp" not in image.info


def test_a_transparent_png_keeps_its_transparency_in_webp_and_is_on_white_in_jpeg():
    buffer = io.BytesIO()
    Image.new("RGBA", (600, 300), (200, 0, 0, 0)).save(buffer, "PNG")

    renditions = made_from(ContentFile(buffer.getvalue(), name="logo.png"))

    webp, jpeg = (r for r in renditions if r.width == 600)
    with default_storage.open(webp.name) as file, Image.open(file) as image:
        assert image.convert("RGBA").getpixel((10, 10))[3] == 0
    with default_storage.open(jpeg.name) as file, Image.open(file) as image:
        assert image.getpixel((10, 10)) == (255, 255, 255)


# The page


@pytest.mark.django_db
def test_the_article_image_is_a_picture_with_webp_sources_and_a_jpeg_fallback(client):
    article = image_attach(ArticleFactory(), jpeg_upload(size=(2000, 1000)))
    urls = {(r["width"], r["mime_type"]): f"/media/{r['name']}" for r in article.image_renditions}

    html = client.get(article.get_absolute_url()).text

    source = re.search(r'<source type="image/webp" srcset="([^"]+)" sizes="([^"]+)">', html)
    assert source[1] == ", ".join(f"{urls[w, 'image/webp']} {w}w" for w in (480, 960, 1600))
    img = re.search(r'<img src="([^"]+)" srcset="([^"]+)" sizes="([^"]+)"([^>]*)>', html)
    assert img[1] == urls[960, "image/jpeg"]
    assert img[2] == ", ".join(f"{urls[w, 'image/jpeg']} {w}w" for w in (480, 960, 1600))
    assert source[2] == img[3] == "(min-width: 44rem) 41rem, calc(100vw - 2rem)"


@pytest.mark.django_db
def test_the_main_image_reserves_its_space_and_is_fetched_first_not_lazily(client):
    article = image_attach(ArticleFactory(), jpeg_upload(size=(2000, 1000)))

    html = client.get(article.get_absolute_url()).text

    img = re.search(r"<img [^>]*>", html)[0]
    assert 'width="1600" height="800"' in img
    assert 'fetchpriority="high"' in img
    assert "loading=" not in img


@pytest.mark.django_db
def test_a_decorative_image_has_empty_alt_text(client):
    article = image_attach(ArticleFactory(image_alt="", image_decorative=True))

    html = client.get(article.get_absolute_url()).text

    img = re.search(r"<img [^>]*>", html)[0]
    assert img.endswith('alt="" fetchpriority="high" decoding="async">')


@pytest.mark.django_db
def test_an_image_stored_before_renditions_existed_is_still_shown(client, settings):
    article = ArticleFactory(image=jpeg_upload(size=(64, 48)))

    html = client.get(article.get_absolute_url()).text

    assert f'<img src="{article.image.url}" alt="握手する両国の首脳" width="64" height="48"' in html


@pytest.mark.django_db
def test_make_image_renditions_gives_older_images_their_renditions(client):
    older = ArticleFactory(image=jpeg_upload(size=(1000, 500)))
    out = StringIO()

    call_command("make_image_renditions", stdout=out)

    older.refresh_from_db()
    assert sorted({item["width"] for item in older.image_renditions}) == [480, 960, 1000]
    assert "<picture>" in client.get(older.get_absolute_url()).text
    assert "1件の画像のレンディションを作成しました。" in out.getvalue()


# Storing through the admin


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def admin_form(article, **changes):
    data = {
        "section": article.section_id,
        "title": article.title,
        "original_title": article.original_title,
        "slug": article.slug,
        "source_name": article.source_name,
        "source_url": article.source_url,
        "rights": article.rights,
        "image_caption": article.image_caption,
        "image_alt": article.image_alt,
        "status": article.status,
        "published_at_0": "2026-05-01",
        "published_at_1": "09:00:00",
        **inline_forms("summary_points", []),
        **inline_forms("paragraphs", []),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def admin_change(article):
    return reverse("admin:articles_article_change", args=[article.pk])


@pytest.mark.django_db
def test_an_image_uploaded_in_the_admin_gets_its_renditions(editor_client, article):
    response = editor_client.post(
        admin_change(article), admin_form(article, image=jpeg_upload(size=(1200, 800)))
    )

    assert response.status_code == HTTPStatus.FOUND, response.context["errors"]
    article.refresh_from_db()
    assert sorted({item["width"] for item in article.image_renditions}) == [480, 960, 1200]


@pytest.mark.django_db
def test_replacing_an_image_in_the_admin_deletes_the_old_files_once_saved(
    editor_client, article, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(admin_change(article), admin_form(article, image=jpeg_upload()))

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            admin_change(article), admin_form(article, image=jpeg_upload("new.jpg", (900, 600)))
        )

    assert response.status_code == HTTPStatus.FOUND
    article.refresh_from_db()
    assert article.image.name.startswith("articles/")
    assert "new" in article.image.name
    assert stored(settings) == {
        article.image.name,
        *(item["name"] for item in article.image_renditions),
    }


@pytest.mark.django_db
def test_clearing_the_image_in_the_admin_deletes_it_and_its_renditions(
    editor_client, settings, django_capture_on_commit_callbacks
):
    article = image_attach(ArticleFactory())

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(admin_change(article), admin_form(article, **{"image-clear": "on"}))

    article.refresh_from_db()
    assert (article.image.name, article.image_renditions) == ("", [])
    assert stored(settings) == set()


@pytest.mark.django_db
def test_a_form_that_changes_no_image_makes_no_renditions(editor_client, article, settings):
    editor_client.post(admin_change(article), admin_form(article, title="見出しだけ直す"))

    assert Article.objects.get().image_renditions == []
    assert stored(settings) == set()
