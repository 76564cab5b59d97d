"""Colors that read on their background: a style's color moved toward black or white
until its contrast with the background reaches WCAG's floor.

Theme colors are chosen for the theme's own surfaces; the offer list draws trust
colors on a cursor, the count of a group on a light theme, and so on. Kept apart
from the list so that its rule can be tested and reused alone.
"""

from __future__ import annotations

from functools import lru_cache

from rich.color import Color
from rich.color_triplet import ColorTriplet
from rich.style import Style

MIN_CONTRAST = 3.0  # WCAG's floor for large text and UI: every theme, every column


def _luminance(color: ColorTriplet) -> float:
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else float(((v + 0.055) / 1.055) ** 2.4)

    r, g, b = color
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: ColorTriplet, b: ColorTriplet) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@lru_cache(maxsize=1024)
def legible(style: Style) -> Style:
    """`style` with its color moved toward black or white until it reads on its background.

    Theme colors are chosen for the theme's own surfaces; a trust color on a light
    cursor, say, may not be. Terminal-default (ANSI) colors are left alone.
    """
    fg, bg = style.color, style.bgcolor
    if fg is None or bg is None or fg.is_default or bg.is_default:
        return style
    front, back = fg.get_truecolor(), bg.get_truecolor()
    if contrast(front, back) >= MIN_CONTRAST:
        return style
    target = (0, 0, 0) if _luminance(back) > 0.18 else (255, 255, 255)
    mixed = front
    for step in range(1, 11):
        t = step / 10
        mixed = ColorTriplet(*(round(c + (e - c) * t) for c, e in zip(front, target, strict=True)))
        if contrast(mixed, back) >= MIN_CONTRAST:
            break
    return style + Style(color=Color.from_triplet(mixed))
