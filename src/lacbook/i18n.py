"""At run time, in the kernels: the build language, chart text from the `charts`
catalogues, and Babel number styles (`lacbook.catalogues` handles the files).

Every chapter kernel learns its language from the LACBOOK_LANG environment
variable, which the build sets per edition. Text that code produces (chart
titles, axes, tooltips, numbers glued into prose) goes through `_()` and the
formatters below, so the Spanish edition never shows English chart text or
English number formats. Prose, charts and tables share one set of formatters,
built on Babel's CLDR data: `number`, `compact`, `money`, `percent`, `change`,
`amount` (by unit), `figure_text` (with the source's qualifier) and `period`.
"""

from __future__ import annotations

import math
import os
import re
from datetime import date
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_interval, format_skeleton
from babel.messages.pofile import read_po
from babel.numbers import (format_compact_decimal, format_decimal, format_percent, get_decimal_symbol,
                           get_group_symbol)

from .data import UNREPORTED  # the qualifiers of a figure no source gives

LANGUAGES = ("en", "es")
SOURCE_LANGUAGE = "en"
REPO = Path(__file__).resolve().parents[2]
TRANSLATIONS = Path(os.environ.get("LACBOOK_TRANSLATIONS_DIR", REPO / "translations"))

# House style: US dollars are always written "US$" (a bare "$" is ambiguous in
# the region); Spanish separates the symbol from the amount with a space.
MONEY_PREFIX = {"en": "US$", "es": "US$\u00a0"}


def _vega_format_locale(lang: str) -> dict:
    """The d3-format locale the page script hands to Vega, from CLDR's symbols, so that axis
    ticks and tooltips computed in the browser follow the same conventions as Babel."""
    cldr = Locale.parse(lang)
    return {"decimal": get_decimal_symbol(lang), "thousands": get_group_symbol(lang),
            "grouping": [cldr.decimal_formats[None].grouping[0]], "currency": [MONEY_PREFIX[lang], ""],
            "percent": cldr.percent_formats[None].suffix[0]}


VEGA_FORMAT_LOCALE = {lang: _vega_format_locale(lang) for lang in LANGUAGES}


class TranslationError(LookupError):
    """A message has no Spanish translation: the Spanish edition must not ship it."""


def language() -> str:
    """The edition being built, from LACBOOK_LANG (English by default)."""
    lang = os.environ.get("LACBOOK_LANG", SOURCE_LANGUAGE)
    if lang not in LANGUAGES:
        raise ValueError(f"LACBOOK_LANG={lang!r}: expected one of {', '.join(LANGUAGES)}")
    return lang


def charts_catalogues(lang: str, translations: Path = TRANSLATIONS) -> Path:
    """Folder of the catalogues for text made by code: one per chapter, one for the package."""
    return translations / lang / "charts"


PACKAGE_CATALOGUE = "lacbook"  # charts/lacbook.po: messages of this package, used by every chapter


@cache
def _catalogue(lang: str, name: str) -> dict[str, str]:
    """Translated, non-fuzzy messages of one chart catalogue, read straight from its .po file."""
    path = charts_catalogues(lang) / f"{name}.po"
    if not path.is_file():
        raise TranslationError(f"{path}: no chart catalogue {name!r} for language {lang!r}")
    with path.open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id and m.string and not m.fuzzy}


def _translate(message: str, lang: str | None, names: tuple[str, ...]) -> str:
    lang = lang or language()
    if lang == SOURCE_LANGUAGE:
        return message
    for name in names:
        if message in (messages := _catalogue(lang, name)):
            return messages[message]
    raise TranslationError(
        f"{charts_catalogues(lang) / (names[0] + '.po')}: no translation for {message!r}; "
        "run `python3 tasks.py catalogues` and translate it"
    )


def _(message: str, lang: str | None = None) -> str:
    """Translate one of this package's messages (charts/lacbook.po); a missing translation is an error."""
    return _translate(message, lang, (PACKAGE_CATALOGUE,))


def translator(chapter: str):
    """The `_` of one chapter: its own chart catalogue (charts/<chapter>.po), then the package's.

    A chapter reads no other chapter's catalogue, so that editing one
    catalogue re-executes that chapter alone (see site.py).
    """
    def translate(message: str, lang: str | None = None) -> str:
        return _translate(message, lang, (chapter, PACKAGE_CATALOGUE))

    return translate


def number(value: float, lang: str | None = None, digits: int = 0) -> str:
    """A plain number with the locale's grouping: 48,204 / 48.204."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=lang or language())


def compact(value: float, lang: str | None = None, digits: int = 1) -> str:
    """A short number for headlines and labels: 1.56M / 1,56 M, 42.2K / 42,2 mil."""
    return format_compact_decimal(value, fraction_digits=digits, locale=lang or language())


def money(value: float, lang: str | None = None, digits: int = 2) -> str:
    """US dollars in compact form: US$13.62M / US$ 13,62 M."""
    lang = lang or language()
    return MONEY_PREFIX[lang] + compact(value, lang, digits)


def percent(value: float, lang: str | None = None, digits: int = 1) -> str:
    """A percentage given on a 0-100 scale: 78.8% / 78,8 %."""
    lang = lang or language()
    head, zero, sign = Locale.parse(lang).percent_formats[None].pattern.rpartition("0")  # '#,##0', '\u00a0%'
    return format_percent(value / 100, format=head + zero + ("." + "0" * digits if digits else "") + sign,
                          locale=lang)


# A change is signed both ways; CLDR's minus for en and es is the hyphen, which
# reads as a dash in a chart label, so the house uses the true minus sign.
PLUS, MINUS = "+", "\u2212"


def change(value: float, lang: str | None = None) -> str:
    """A change on a 0-100 scale with its sign: +25% / −39% (one decimal below 1 point: +0.4%);
    a change that rounds to zero has none."""
    digits = 0 if abs(value) >= 1 or value == 0 else 1
    text = percent(abs(value), lang, digits)
    if not any(digit in text for digit in "123456789"):
        return text  # rounds to nothing: no sign
    return (PLUS if value > 0 else MINUS) + text


def compact_suffixes(lang: str | None = None) -> dict[int, str]:
    """CLDR's short scale words with their spacing, for chart axes: {1000: 'K', 10**6: 'M'} /
    {1000: '\u00a0mil', 10**6: '\u00a0M'}."""
    patterns = Locale.parse(lang or language()).compact_decimal_formats["short"]["other"]
    return {scale: patterns[str(scale)].pattern.lstrip("0") for scale in (10**3, 10**6)}


PERIOD = re.compile(r"\d{4}(-(0[1-9]|1[0-2]))?(/\d{4}(-(0[1-9]|1[0-2]))?)?")  # as periods are written in data/


def _month(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def period(text: str, lang: str | None = None) -> str:
    """A period of the data package in words, with CLDR's month names and interval patterns.

    '2024' -> 2024; '2022-12' -> December 2022 / diciembre de 2022; '2023-01/2023-09' ->
    January – September 2023 / enero–septiembre de 2023; '2020/2024' -> 2020 – 2024;
    '2023/2024-07' (a year to a month) -> 2023 – July 2024.
    """
    lang = lang or language()
    if not PERIOD.fullmatch(text):
        raise ValueError(f"period {text!r}: expected YYYY or YYYY-MM, or two of them joined by '/'")
    if "/" not in text:
        return format_skeleton("yMMMM", _month(text), locale=lang) if "-" in text else text
    start, end = text.split("/")
    if ("-" in start) == ("-" in end):
        monthly = "-" in start
        first, last = (_month(t) if monthly else date(int(t), 1, 1) for t in (start, end))
        return format_interval(first, last, "yMMMM" if monthly else "y", locale=lang)
    fallback = Locale.parse(lang).interval_formats[None]  # '{0} – {1}': CLDR's pattern for unlike ends
    return fallback.replace("{0}", period(start, lang)).replace("{1}", period(end, lang))


def lower_first(text: str) -> str:
    """A label from the data (it starts with a capital) used inside a sentence: 'Richest 10%' -> 'richest 10%'."""
    return text[:1].lower() + text[1:]


def N_(message: str) -> str:
    """Mark a message for extraction where it is translated later, by variable."""
    return message


QUALIFIER_TEMPLATES = {
    "exact": "{value}",
    "rounded": N_("about {value}"),  # printed in a short form ("26.2K"): the digits after it are not known
    "approximately": N_("around {value}"),
    "more_than": N_("more than {value}"),
    "less_than": N_("almost {value}"),
    "at_most": N_("up to {value}"),
    "at_least": N_("at least {value}"),
}
RANGE_TEMPLATE = N_("between {low} and {high}")

# Spanish puts the article before a percentage ("el 44 %", "más del 80 %", "entre el
# 30 % y el 40 %"); English does not. "de el" and "a el" contract to "del" and "al".
PERCENT_ARTICLE = {"en": "", "es": "el "}
_CONTRACTIONS = re.compile(r"(?<![\w])([Dd]e|[Aa]) el(?![\w])")


def contract(text: str, lang: str | None = None) -> str:
    """Spanish contractions: 'de el' -> 'del', 'a el' -> 'al' (English text is returned as it is)."""
    if (lang or language()) != "es":
        return text
    return _CONTRACTIONS.sub(lambda m: m[1] + "l", text)


def qualified(text: str, qualifier: str, lang: str | None = None, *, high: str | None = None,
              article: bool = False) -> str:
    """Put a figure's qualifier in words: 'more than 390,000' / 'más de 390.000'.

    A range gives its two ends, ``text`` and ``high``: 'between 30% and 40%'. With
    ``article`` (a percentage pasted into Spanish prose) the article comes too:
    'el 44 %', 'alrededor del 48 %', 'entre el 30 % y el 40 %'.
    """
    lang = lang or language()
    the = PERCENT_ARTICLE[lang] if article else ""
    if qualifier == "range":
        if high is None:
            raise ValueError("a range has two ends: give the upper one as high=")
        return contract(_(RANGE_TEMPLATE, lang).format(low=the + text, high=the + high), lang)
    try:
        template = QUALIFIER_TEMPLATES[qualifier]
    except KeyError:
        raise ValueError(f"no wording for qualifier {qualifier!r}") from None
    wording = template if qualifier == "exact" else _(template, lang)
    return contract(wording.format(value=the + text), lang)


NOT_REPORTED = N_("not reported")


def amount(value: float, unit: str, lang: str | None = None, *, short: bool = False) -> str:
    """A value in the format of its unit (indicators.csv): 48,204 / US$13.62M / 78.8%, and a change
    in per cent with its sign (unit 'change': +25%); NaN reads 'not reported'. Percentages and
    ratios keep one decimal only when they have one (44%, 78.8%).

    ``short`` writes a count of people in compact form (1.56M), as headline cards do.
    """
    lang = lang or language()
    if value is None or math.isnan(value):
        return _(NOT_REPORTED, lang)
    whole = float(value).is_integer()
    if unit == "usd":
        return money(value, lang)
    if unit == "percent":
        return percent(value, lang, digits=0 if whole else 1)
    if unit == "change":
        return change(value, lang)
    if unit == "ratio":
        return number(value, lang, digits=0 if whole else 1)
    if unit in ("persons", "count", "years", "hours"):
        return compact(value, lang, digits=2) if short else number(value, lang)
    raise ValueError(f"no format for unit {unit!r}")



def figure_text(value: float, unit: str, qualifier: str, lang: str | None = None, *,
                low: float | None = None, high: float | None = None, article: bool = False,
                short: bool = False) -> str:
    """A figure with its qualifier in words: 'more than 390,000', 'between 30% and 40%',
    'at least 80%'; 'not reported' when the source printed none.

    A dollar figure printed rounded keeps its short form alone (US$13.62M shows its
    precision); ``article`` gives a Spanish percentage its article (see `qualified`).
    """
    lang = lang or language()
    if qualifier in UNREPORTED:
        return _(NOT_REPORTED, lang)
    article = article and unit == "percent"
    if qualifier == "range":
        return qualified(amount(low, unit, lang, short=short), "range", lang,
                         high=amount(high, unit, lang, short=short), article=article)
    text = amount(value, unit, lang, short=short)
    if qualifier == "rounded" and unit == "usd":
        return text
    return qualified(text, qualifier, lang, article=article)


# What the reader is told about a number's origin (lacbook.prose, the Data page).
QUALIFIER_LABELS = {
    "exact": N_("exact"),
    "rounded": N_("rounded by the source"),
    "approximately": N_("approximate"),
    "range": N_("a range"),
    "more_than": N_("more than: a lower bound"),
    "at_least": N_("at least: a lower bound"),
    "less_than": N_("almost: an upper bound"),
    "at_most": N_("up to: an upper bound"),
    "not_reported": N_("not reported (a dash in the source)"),
    "not_available": N_("not available in our copy of the source"),
}
PROVENANCE = N_("Source: {source}, {locator}. Printed as “{printed}” ({qualifier}). "
                "The link leads to its row on the Data page.")


def qualifier_label(qualifier: str, lang: str | None = None) -> str:
    """How the printed figure relates to the true one, in words: 'rounded by the source'."""
    return _(QUALIFIER_LABELS[qualifier], lang)


def provenance(source: str, locator: str, printed: str, qualifier: str, lang: str | None = None) -> str:
    """Where a number comes from, in one sentence of the page's language."""
    return _(PROVENANCE, lang).format(source=source, locator=locator, printed=printed,
                                      qualifier=qualifier_label(qualifier, lang))
