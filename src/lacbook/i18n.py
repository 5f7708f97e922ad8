"""At run time, in the kernels: the build language, chart text from the `charts`
catalogues, and Babel number styles (`lacbook.catalogues` handles the files).

Every chapter kernel learns its language from the LACBOOK_LANG environment
variable, which the build sets per edition. Text that code produces (chart
titles, axes, tooltips, numbers glued into prose) goes through `_()` and the
formatters below, so the Spanish edition never shows English chart text or
English number formats.
"""

from __future__ import annotations

import os
import re
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
