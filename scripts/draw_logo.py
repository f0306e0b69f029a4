"""Draws static/img/kjnews-logo.png, the publisher logo that structured data names.

Drawn by us with Pillow: the site's brand blue with "KJ" in white, square, 512 pixels.
Run it again only to change the logo: `.venv/bin/python scripts/draw_logo.py`.
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SIZE = 512
BRAND = (13, 44, 84)  # --brand in static/css/site.css
LOGO = Path(__file__).resolve().parent.parent / "static/img/kjnews-logo.png"


def logo_draw() -> Image.Image:
    image = Image.new("RGB", (SIZE, SIZE), BRAND)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=250)
    draw.text((SIZE / 2, SIZE / 2), "KJ", font=font, fill="white", anchor="mm")
    margin = 40
    draw.rectangle((margin, SIZE - margin - 18, SIZE - margin, SIZE - margin), fill=(179, 38, 30))
    return image


if __name__ == "__main__":
    LOGO.parent.mkdir(parents=True, exist_ok=True)
    logo_draw().save(LOGO, "PNG", optimize=True)
    print(f"Wrote {LOGO}")
