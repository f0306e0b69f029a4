"""Article images in an S3-compatible object store that every node shares (`MEDIA_STORAGE=s3`).

The store is a real one: OpenStack Swift (Debian's packages) with its S3 API, started by the test
on loopback ports (tests/servers.py, `SwiftS3Server`). django-storages talks to it exactly as it
would to any other S3 service.
"""

import json
import urllib.request
import uuid
from urllib.parse import urlsplit

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from articles.models import Article
from articles.services import articles_import
from tests.factories import SectionFactory
from tests.servers import Reader, SwiftS3Server


@pytest.fixture(scope="module")
def object_store():
    with SwiftS3Server() as server:
        yield server


@pytest.fixture
def bucket(object_store):
    name = f"kjnews-media-{uuid.uuid4().hex[:8]}"
    object_store.client().create_bucket(Bucket=name)
    return name


def _s3_environment(object_store, bucket) -> dict[str, str]:
    """What an operator sets to put media in the store (README, Configuration)."""
    return {
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": object_store.endpoint_url,
        "AWS_S3_REGION_NAME": object_store.region,
        "AWS_ACCESS_KEY_ID": object_store.access_key,
        "AWS_SECRET_ACCESS_KEY": object_store.secret_key,
    }


@pytest.fixture
def s3_media(settings, object_store, bucket):
    """This process's settings as kjnews/settings.py builds them from that environment."""
    env = _s3_environment(object_store, bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env["AWS_STORAGE_BUCKET_NAME"],
                "endpoint_url": env["AWS_S3_ENDPOINT_URL"],
                "region_name": env["AWS_S3_REGION_NAME"],
                "access_key": env["AWS_ACCESS_KEY_ID"],
                "secret_key": env["AWS_SECRET_ACCESS_KEY"],
                "custom_domain": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    return env


def _imported_article(tmp_path) -> Article:
    SectionFactory(slug="east-asia-plus")
    Image.new("RGB", (64, 48), "teal").save(tmp_path / "strait.jpg", "JPEG")
    record = {
        "section": "east-asia-plus",
        "title": "日韓、海峡のごみで共同調査へ",
        "original_title": "Can Japan and South Korea clean up the strait they share?",
        "summary": ["両国が共同調査で合意した。"],
        "body": ["両国の環境当局が合意した。"],
        "source_name": "Pacific Desk",
        "source_url": f"https://news.example.org/asia/{uuid.uuid4().hex}",
        "published_at": "2026-11-20T09:00:00+09:00",
        "rights": "translated_with_permission",
        "image": {"path": "strait.jpg", "alt": "海峡の砂浜"},
    }
    (tmp_path / "articles.json").write_text(json.dumps(record))
    [article] = articles_import(records=[record], base_dir=tmp_path).created
    return article


@pytest.mark.django_db
def test_an_imported_image_is_stored_in_the_object_store_with_its_size_and_renditions(
    s3_media, object_store, bucket, tmp_path
):
    article = _imported_article(tmp_path)

    article.refresh_from_db()
    assert (article.image_width, article.image_height) == (64, 48)
    stored = object_store.client().list_objects_v2(Bucket=bucket)["Contents"]
    renditions = [item["name"] for item in article.image_renditions]
    assert sorted(item["Key"] for item in stored) == sorted([article.image.name, *renditions])
    with urllib.request.urlopen(article.image.url, timeout=10) as answer:
        assert answer.headers["Content-Type"] == "image/jpeg"
        assert answer.read() == (tmp_path / "strait.jpg").read_bytes()
    # The renditions are read back from the store with the size recorded for them.
    webp = next(item for item in article.image_renditions if item["mime_type"] == "image/webp")
    with urllib.request.urlopen(article.picture.fallback.url, timeout=10) as answer:
        assert answer.headers["Content-Type"] == "image/jpeg"
    with urllib.request.urlopen(default_storage.url(webp["name"]), timeout=10) as answer:
        assert answer.headers["Content-Type"] == "image/webp"
        assert len(answer.read()) == webp["size"]


def test_a_node_using_the_object_store_shows_the_image_from_there(
    s3_media, object_store, bucket, tmp_path, start_site, test_database_url, redis_server
):
    article = _imported_article(tmp_path)
    site = start_site(
        database_url=test_database_url,
        cache_url=redis_server.url(),
        workers=1,
        **_s3_environment(object_store, bucket),
    )
    reader = Reader(site.url)

    page = reader.get(article.get_absolute_url())

    assert page.status == 200
    image_url = page.text.split('<img src="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert image_url.startswith(f"{object_store.endpoint_url}/{bucket}/articles/")
    assert 'width="64" height="48"' in page.text
    # The page shows the JPEG rendition the import made, read back from the store.
    fallback = article.picture.fallback
    assert urlsplit(image_url).path == f"/{bucket}/{fallback.name}"
    with urllib.request.urlopen(image_url, timeout=10) as answer:
        assert len(answer.read()) == fallback.size
    # The node no longer serves uploads itself (SERVE_MEDIA is off with the object store).
    assert reader.get(f"/media/{article.image.name}").status == 404
