"""Numbers and chart text follow the edition's language (Babel / CLDR)."""

from __future__ import annotations

import pytest

from lacbook import i18n


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ("48,204", "1.56M", "US$13.62M", "US$216.5K", "78.8%")),
        ("es", ("48.204", "1,56\u00a0M", "US$\u00a013,62\u00a0M", "US$\u00a0216,5\u00a0mil", "78,8\u00a0%")),
    ],
)
def test_number_styles(lang, expected):
    got = (
        i18n.number(48204, lang),
        i18n.compact(1_560_000, lang, digits=2),
        i18n.money(13_620_000, lang),
        i18n.money(216_500, lang, digits=1),
        i18n.percent(78.8, lang),
    )
    assert got == expected


def test_language_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("LACBOOK_LANG", "es")
    assert i18n.language() == "es"
    monkeypatch.setenv("LACBOOK_LANG", "fr")
    with pytest.raises(ValueError, match="fr"):
        i18n.language()


def test_qualifiers_are_worded_in_each_language():
    assert i18n.qualified("390,000", "more_than", "en") == "more than 390,000"
    assert i18n.qualified("390.000", "more_than", "es") == "más de 390.000"
    assert i18n.qualified("12", "exact", "es") == "12"


def test_a_missing_spanish_translation_is_an_error():
    with pytest.raises(i18n.TranslationError, match="no translation for 'a message nobody translated'"):
        i18n._("a message nobody translated", "es")
    assert i18n._("a message nobody translated", "en") == "a message nobody translated"
