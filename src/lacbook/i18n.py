"""The build language, the `charts` gettext catalogue and Babel number styles.

Every chapter kernel learns its language from the LACBOOK_LANG environment
variable, which the build sets per edition. Text that code produces (chart
titles, axes, tooltips, numbers glued into prose) goes through `_()` and the
formatters below, so the Spanish edition never shows English chart text or
English number formats.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po
from babel.numbers import format_compact_decimal, format_decimal, format_percent

LANGUAGES = ("en", "es")
SOURCE_LANGUAGE = "en"
REPO = Path(__file__).resolve().parents[2]
TRANSLATIONS = Path(os.environ.get("LACBOOK_TRANSLATIONS_DIR", REPO / "translations"))

# House style: US dollars are always written "US$" (a bare "$" is ambiguous in
# the region); Spanish separates the symbol from the amount with a space.
MONEY_PREFIX = {"en": "US$", "es": "US$\u00a0"}

# The d3-format locales the page script hands to Vega, so axis ticks and
# tooltips computed in the browser follow the same conventions as Babel.
VEGA_FORMAT_LOCALE = {
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["US$", ""]},
    "es": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["US$\u00a0", ""], "percent": "\u00a0%"},
}


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
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    if lang == "es":
        pattern = pattern[:-1] + "\u00a0%"
    return format_percent(value / 100, format=pattern, locale=lang)


def N_(message: str) -> str:
    """Mark a message for extraction where it is translated later, by variable."""
    return message


QUALIFIER_TEMPLATES = {
    "exact": "{value}",
    "approximately": N_("around {value}"),
    "more_than": N_("more than {value}"),
    "less_than": N_("almost {value}"),
    "at_most": N_("up to {value}"),
    "at_least": N_("at least {value}"),
}


def qualified(text: str, qualifier: str, lang: str | None = None) -> str:
    """Put a figure's qualifier in words: 'more than 390,000' / 'más de 390.000'."""
    try:
        template = QUALIFIER_TEMPLATES[qualifier]
    except KeyError:
        raise ValueError(f"no wording for qualifier {qualifier!r}") from None
    wording = template if qualifier == "exact" else _(template, lang)
    return wording.format(value=text)
