"""The demo content: sections, original fictional articles (articles.json) and their images.

`python manage.py seed_demo` loads it through the same import service editors use.
"""

import colorsys
import datetime
import random
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image, ImageChops, ImageDraw, ImageFont

ARTICLES_FILE = Path(__file__).with_name("articles.json")

# (slug, name, description), in navigation order.
SECTIONS = [
    (
        "east-asia-plus",
        "東アジア+",
        "日本の近隣、韓国・中国・台湾・モンゴルと東南アジアのニュース。",
    ),
    ("north-america", "北米", "アメリカとカナダの政治・社会・地域のニュース。"),
    ("europe", "ヨーロッパ", "EUと欧州各国の政治・社会・暮らしのニュース。"),
    ("middle-east-africa", "中東・アフリカ", "中東とアフリカ各地の社会と開発のニュース。"),
    ("technology", "テクノロジー", "通信、AI、宇宙など、技術と社会の関わりを伝えます。"),
    ("business", "経済", "市場、通貨、貿易、企業の動きを伝えます。"),
]

# articles.json is written as if it were ANCHOR now: its newest article is dated an hour before
# ANCHOR, the rest spread over the two weeks before, and one is scheduled a week after. seed_demo
# moves every date by (now - ANCHOR), so the demo always looks fresh and the scheduled article
# stays a week in the future. Editors' own import files use their real dates, never shifted.
ANCHOR = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))

IMAGE_SIZE = (1200, 675)


def records_dated(*, records: list[dict[str, Any]], now: datetime.datetime) -> list[dict[str, Any]]:
    """The demo records with every `published_at` moved by (now - ANCHOR), to the minute."""
    shift = now.replace(second=0, microsecond=0) - ANCHOR
    dated = []
    for record in records:
        published_at = datetime.datetime.fromisoformat(record["published_at"]) + shift
        dated.append({**record, "published_at": published_at.isoformat()})
    return dated


def images_draw(*, records: list[dict[str, Any]], base_dir: Path) -> None:
    """A placeholder JPEG for every image the records name, labelled Image1, Image2…"""
    for number, record in enumerate((r for r in records if "image" in r), start=1):
        path = base_dir / record["image"]["path"]
        path.parent.mkdir(parents=True, exist_ok=True)
        placeholder_draw(label=f"Image{number}", seed=number).save(path, "JPEG", quality=85)


def placeholder_draw(*, label: str, seed: int) -> Image.Image:
    """A diagonal two-colour gradient with a few soft circles and a label."""
    rng = random.Random(seed)
    hue = rng.random()

    def colour(hue_shift, lightness):
        red, green, blue = colorsys.hls_to_rgb((hue + hue_shift) % 1, lightness, 0.55)
        return round(red * 255), round(green * 255), round(blue * 255)

    width, height = IMAGE_SIZE
    vertical = Image.linear_gradient("L").resize(IMAGE_SIZE)
    horizontal = Image.linear_gradient("L").rotate(90).resize(IMAGE_SIZE)
    mask = ImageChops.add(vertical, horizontal, scale=2)  # dark top left, light bottom right
    image = Image.composite(
        Image.new("RGB", IMAGE_SIZE, colour(0.12, 0.35)),
        Image.new("RGB", IMAGE_SIZE, colour(0, 0.7)),
        mask,
    )
    overlay = Image.new("RGBA", IMAGE_SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for _ in range(6):
        radius = rng.randint(60, 220)
        x, y = rng.randint(0, width), rng.randint(0, height)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(255, 255, 255, 48))
    draw.rounded_rectangle((60, height - 170, 420, height - 60), radius=24, fill=(0, 0, 0, 90))
    font = ImageFont.load_default(size=64)
    draw.text((90, height - 150), label, font=font, fill=(255, 255, 255, 235))
    return Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
