"""Responsive renditions of article images: made once, when an image is stored, never on request.

Each image gets copies 480, 960 and 1600 pixels wide (never wider than the original, which then
gives the largest), each as WebP and as JPEG, upright (EXIF orientation applied) and without the
original's metadata (EXIF, XMP, comments: camera serials and GPS positions stay out of pages). They
go through Django's default storage, so a shared object store serves them like the originals. What
pages and feeds need of them (name, size in pixels and bytes, type) is recorded on the article, so
rendering reads no file.
"""

import io
from dataclasses import asdict, dataclass
from pathlib import PurePosixPath
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps

RENDITION_WIDTHS = (480, 960, 1600)
WEBP = "image/webp"
JPEG = "image/jpeg"
# type -> (Pillow format, file extension, encoder options)
ENCODINGS = {
    WEBP: ("WEBP", "webp", {"quality": 80, "method": 4}),
    JPEG: ("JPEG", "jpg", {"quality": 82, "optimize": True, "progressive": True}),
}
# JPEG has no transparency: transparent parts are shown on the page's white.
BACKGROUND = (255, 255, 255)


@dataclass(frozen=True)
class Rendition:
    name: str  # in the default storage
    width: int
    height: int
    mime_type: str
    size: int  # bytes, for feed enclosures

    @property
    def url(self) -> str:
        return default_storage.url(self.name)

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Rendition":
        return cls(**data)


def image_load(file: IO[bytes]) -> Image.Image:
    """The image in `file`, decoded and upright, with none of its metadata but its colour
    profile."""
    with Image.open(file) as opened:
        icc_profile = opened.info.get("icc_profile")
        upright = ImageOps.exif_transpose(opened)
        upright.load()
    if "transparency" in upright.info:  # a palette or grey image with a transparent colour
        upright = upright.convert("RGBA")
    upright.info = {"icc_profile": icc_profile} if icc_profile else {}
    return upright


def renditions_make(image: Image.Image, *, name: str, storage=default_storage) -> list[Rendition]:
    """Stores the renditions of `image` beside `name` (its original's name) and describes them,
    smallest first, WebP before JPEG at each width."""
    icc_profile = image.info.get("icc_profile")
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa")
    source = image.convert("RGBA" if has_alpha else "RGB")
    stem = str(PurePosixPath(name).with_suffix(""))
    made = []
    for width in sorted({min(width, source.width) for width in RENDITION_WIDTHS}):
        height = max(1, round(source.height * width / source.width))
        resized = source.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        for mime_type, (image_format, extension, options) in ENCODINGS.items():
            encoded = _encoded(resized, image_format, options, icc_profile)
            stored = storage.save(f"{stem}-{width}w.{extension}", ContentFile(encoded))
            made.append(Rendition(stored, width, height, mime_type, len(encoded)))
    return made


def _encoded(image: Image.Image, image_format: str, options: dict, icc_profile) -> bytes:
    if image_format == "JPEG" and image.mode == "RGBA":
        flat = Image.new("RGB", image.size, BACKGROUND)
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    buffer = io.BytesIO()
    extra = {"icc_profile": icc_profile} if icc_profile else {}
    image.save(buffer, image_format, **options, **extra)
    return buffer.getvalue()


@dataclass(frozen=True)
class Picture:
    """An image's renditions as a page uses them: WebP and JPEG `srcset`s, a JPEG fallback, and
    the proportions that reserve its space before it loads."""

    renditions: tuple[Rendition, ...]

    @classmethod
    def from_json(cls, data: list[dict]) -> "Picture | None":
        renditions = tuple(Rendition.from_json(item) for item in data)
        if not any(rendition.mime_type == JPEG for rendition in renditions):
            return None
        return cls(renditions)

    def _of_type(self, mime_type) -> list[Rendition]:
        return sorted(
            (rendition for rendition in self.renditions if rendition.mime_type == mime_type),
            key=lambda rendition: rendition.width,
        )

    @property
    def webp_srcset(self) -> str:
        return _srcset(self._of_type(WEBP))

    @property
    def jpeg_srcset(self) -> str:
        return _srcset(self._of_type(JPEG))

    @property
    def largest(self) -> Rendition:
        """The largest JPEG: for link previews and structured data, which want one big image."""
        return self._of_type(JPEG)[-1]

    @property
    def fallback(self) -> Rendition:
        """The JPEG for browsers without `srcset` and for feed enclosures: about 960 wide."""
        jpegs = self._of_type(JPEG)
        return next((rendition for rendition in jpegs if rendition.width >= 960), jpegs[-1])

    @property
    def smallest(self) -> Rendition:
        return self._of_type(JPEG)[0]

    @property
    def width(self) -> int:
        return self.largest.width

    @property
    def height(self) -> int:
        return self.largest.height


def _srcset(renditions: list[Rendition]) -> str:
    # A URL in a srcset ends at white space, and a comma separates candidates.
    return ", ".join(
        f"{rendition.url.replace(' ', '%20').replace(',', '%2C')} {rendition.width}w"
        for rendition in renditions
    )
