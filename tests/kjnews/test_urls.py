from http import HTTPStatus

import pytest


@pytest.fixture
def media_root(db, settings):
    """The 404 page lists the sections, so these tests need the database too."""
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    return settings.MEDIA_ROOT


def test_an_uploaded_file_is_served_from_media(client, media_root):
    (media_root / "photo.txt").write_text("an image, say")

    response = client.get("/media/photo.txt")

    assert response.status_code == HTTPStatus.OK
    assert b"".join(response.streaming_content) == b"an image, say"


@pytest.mark.parametrize("name", ["9" * 5000, "a/" * 3000 + "b", "missing.jpg"])
def test_a_media_name_that_names_no_file_is_not_found(client, media_root, name):
    response = client.get(f"/media/{name}")

    assert response.status_code == HTTPStatus.NOT_FOUND
