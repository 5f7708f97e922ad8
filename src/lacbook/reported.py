"""Read a figure back from the words the source printed it with.

Every row of the figure tables keeps the source's own string (``as_reported``)
next to the number we chart. Reading that string back, in the source's locale,
proves the number was transcribed right: ``\\$ 4.38 M`` must give 4,380,000
give or take the 5,000 hidden by the two printed decimals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import NumberFormatError, get_decimal_symbol, parse_decimal

# Words that only say how the figure relates to the true one ("more than",
# "almost"); the qualifier column records that, so here they are skipped.
BOUND_WORDS = (
    "more than", "over", "exceeding", "exceeded", "almost", "nearly", "just under",
    "less than", "fewer than", "up to", "at least", "within", "around", "about",
    "approximately", "some", "an estimated",
)
UNIT_WORDS = ("%", "per cent", "percent", "hours", "years", "times", "people", "persons")
SCALES = {"k": 10**3, "thousand": 10**3, "m": 10**6, "million": 10**6, "billion": 10**9}
NUMBER_WORDS = {
    "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
}
# A fraction said in words is a share (``a quarter`` = 25 per cent) unless a
# scale follows it (``half a million`` = 500,000).
FRACTION_WORDS = {"half a": Decimal("0.5"), "a half": Decimal("0.5"), "a third": Decimal(1) / 3,
                  "a quarter": Decimal("0.25"), "a fifth": Decimal("0.2")}

_PREFIX = "|".join(sorted(map(re.escape, BOUND_WORDS), key=len, reverse=True))
_WORD = "|".join(sorted(map(re.escape, [*FRACTION_WORDS, *NUMBER_WORDS]), key=len, reverse=True))
_SCALE = "|".join(SCALES)
_UNIT = "|".join(map(re.escape, UNIT_WORDS))
_AMOUNT = rf"(?:\\?\$\s*)?(?:(?P<{{n}}digits>\d[\d.,]*)|(?P<{{n}}word>{_WORD}))\s*(?P<{{n}}scale>{_SCALE})?\b\s*(?:{_UNIT})?"
PATTERN = re.compile(
    rf"^(?:(?P<bound>{_PREFIX})\s+)?(?:between\s+{_AMOUNT.format(n='low')}\s+and\s+)?{_AMOUNT.format(n='')}$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Reading:
    """What a printed figure says: its number (or the two ends of a range), how precise, and how it was put.

    ``tolerance`` is half the last printed digit (``3.3 K``: 50). ``low``/``high`` are the
    ends of a printed range (``between 30% and 40%``), each read to ``end_tolerance``;
    ``value`` is then the midpoint, with a tolerance reaching both ends. ``short`` is true
    for a figure printed with a scale and no words of approximation (``26.2K``, ``\\$ 4.38 M``,
    ``two million``): a rounded figure. ``bound`` is the word that qualifies it, if any.
    """

    value: float
    tolerance: float
    low: float | None = None
    high: float | None = None
    end_tolerance: float | None = None  # of each end of a range
    short: bool = False
    bound: str | None = None

    @property
    def is_range(self) -> bool:
        return self.low is not None


def read(text: str, locale: str = "en") -> Reading:
    """Read a printed figure in the source's locale; ValueError for a string that is not one figure."""
    match = PATTERN.match(text.strip())
    if not match:
        raise ValueError(f"cannot read {text!r} as a figure")
    value, tolerance = _amount(match, "", locale)
    bound = match["bound"].lower() if match["bound"] else None
    if match["lowdigits"] or match["lowword"]:
        low, low_tolerance = _amount(match, "low", locale)
        half_range = (value - low) / 2
        return Reading(float(low + half_range), float(half_range + max(tolerance, low_tolerance)),
                       low=float(low), high=float(value), end_tolerance=float(max(tolerance, low_tolerance)),
                       bound="between")
    return Reading(float(value), float(tolerance), short=bool(match["scale"]) and bound is None, bound=bound)


def parse(text: str, locale: str = "en") -> tuple[float, float]:
    """Return (value, tolerance): the number in base units and half the last printed digit.

    ``between 30% and 40%`` gives the midpoint, with a tolerance reaching both ends.
    Raises ValueError for a string that does not read as one figure.
    """
    reading = read(text, locale)
    return reading.value, reading.tolerance


def _amount(match: re.Match, name: str, locale: str) -> tuple[Decimal, Decimal]:
    """One number with its scale, read in the locale; tolerance from its printed precision."""
    scale = SCALES[match[name + "scale"].lower()] if match[name + "scale"] else 1
    digits, word = match[name + "digits"], match[name + "word"]
    if word:
        word = word.lower()
        if word in FRACTION_WORDS:
            fraction = FRACTION_WORDS[word]
            return (fraction * scale, Decimal("0.005") * scale) if scale > 1 else (fraction * 100, Decimal("0.5"))
        return Decimal(NUMBER_WORDS[word] * scale), Decimal(scale) / 2
    try:
        number = parse_decimal(digits, locale=locale, strict=True)
    except NumberFormatError as error:
        raise ValueError(f"cannot read {digits!r} as a number in locale {locale!r}") from error
    symbol = get_decimal_symbol(locale)
    decimals = len(digits.rsplit(symbol, 1)[1]) if symbol in digits else 0
    return number * scale, Decimal(scale) / 2 / 10**decimals
