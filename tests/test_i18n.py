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


# --- one formatting API: periods, units, qualified figures, changes ---------------------

THIN = "\u2009"  # CLDR puts thin spaces around the en dash of an English interval


@pytest.mark.parametrize(
    ("period", "en", "es"),
    [
        ("2024", "2024", "2024"),
        ("2022-12", "December 2022", "diciembre de 2022"),
        ("2023-01/2023-09", f"January{THIN}–{THIN}September 2023", "enero–septiembre de 2023"),
        ("2022-04/2023-12", f"April 2022{THIN}–{THIN}December 2023", f"abril de 2022{THIN}–{THIN}diciembre de 2023"),
        ("2020/2024", f"2020{THIN}–{THIN}2024", "2020–2024"),
        ("2023/2024-07", f"2023{THIN}–{THIN}July 2024", f"2023{THIN}–{THIN}julio de 2024"),
    ],
)
def test_periods_are_worded_with_cldr_months_and_intervals(period, en, es):
    assert (i18n.period(period, "en"), i18n.period(period, "es")) == (en, es)


def test_a_period_follows_the_kernel_language(monkeypatch):
    monkeypatch.setenv("LACBOOK_LANG", "es")
    assert i18n.period("2021-05") == "mayo de 2021"


@pytest.mark.parametrize(
    ("value", "unit", "en", "es"),
    [
        (48204, "persons", "48,204", "48.204"),
        (13_620_000, "usd", "US$13.62M", "US$\u00a013,62\u00a0M"),
        (44.0, "percent", "44%", "44\u00a0%"),
        (78.8, "percent", "78.8%", "78,8\u00a0%"),
        (12.0, "ratio", "12", "12"),
        (2.5, "ratio", "2.5", "2,5"),
        (float("nan"), "persons", "not reported", "sin datos reportados"),
        (None, "usd", "not reported", "sin datos reportados"),
        (-38.6, "change", "\u221239%", "\u221239\u00a0%"),  # a change keeps its sign (i18n.change)
    ],
)
def test_amounts_follow_their_unit(value, unit, en, es):
    assert (i18n.amount(value, unit, "en"), i18n.amount(value, unit, "es")) == (en, es)


def test_short_amounts_are_compact_and_an_unknown_unit_is_an_error():
    assert i18n.amount(1_560_000, "persons", "en", short=True) == "1.56M"
    assert i18n.amount(26_200, "persons", "es", short=True) == "26,2\u00a0mil"
    with pytest.raises(ValueError, match="'furlongs'"):
        i18n.amount(3, "furlongs", "en")


@pytest.mark.parametrize(
    ("args", "options", "en", "es"),
    [
        ((390_000, "persons", "more_than"), {}, "more than 390,000", "más de 390.000"),
        ((80.0, "percent", "at_least"), {}, "at least 80%", "al menos 80\u00a0%"),
        ((80.0, "percent", "at_least"), {"article": True}, "at least 80%", "al menos el 80\u00a0%"),
        ((48.0, "percent", "approximately"), {"article": True}, "around 48%", "alrededor del 48\u00a0%"),
        ((None, "percent", "range"), {"low": 30.0, "high": 40.0, "article": True},
         "between 30% and 40%", "entre el 30\u00a0% y el 40\u00a0%"),
        ((26_200, "persons", "rounded"), {}, "about 26,200", "aproximadamente 26.200"),
        ((6_540_000, "persons", "more_than"), {"short": True}, "more than 6.54M", "más de 6,54\u00a0M"),
        ((13_620_000, "usd", "rounded"), {}, "US$13.62M", "US$\u00a013,62\u00a0M"),
        ((3.0, "ratio", "at_most"), {"article": True}, "up to 3", "hasta 3"),
        ((None, "persons", "not_reported"), {}, "not reported", "sin datos reportados"),
        ((None, "usd", "not_available"), {}, "not reported", "sin datos reportados"),
    ],
)
def test_figures_carry_their_qualifier_in_words(args, options, en, es):
    assert i18n.figure_text(*args, "en", **options) == en
    assert i18n.figure_text(*args, "es", **options) == es


@pytest.mark.parametrize(
    ("value", "en", "es"),
    [(25.2, "+25%", "+25\u00a0%"), (-13.45, "\u221213%", "\u221213\u00a0%"), (0.44, "+0.4%", "+0,4\u00a0%"),
     (-0.04, "0.0%", "0,0\u00a0%"), (0.0, "0%", "0\u00a0%")],
)
def test_changes_carry_their_sign(value, en, es):
    assert (i18n.change(value, "en"), i18n.change(value, "es")) == (en, es)


def test_compact_suffixes_come_from_cldr():
    assert i18n.compact_suffixes("en") == {1000: "K", 1_000_000: "M"}
    assert i18n.compact_suffixes("es") == {1000: "\u00a0mil", 1_000_000: "\u00a0M"}
    # The chart axes and the prose print the same short numbers.
    for lang in i18n.LANGUAGES:
        for scale, suffix in i18n.compact_suffixes(lang).items():
            assert i18n.compact(3 * scale, lang) == "3" + suffix


def test_a_label_inside_a_sentence_starts_in_lower_case():
    assert i18n.lower_first("Richest 10%") == "richest 10%"
    assert i18n.lower_first("") == ""


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_browser_formats_numbers_as_babel_does(lang):
    """Vega's d3-format locale and the Babel formatters write the same symbols."""
    vega = i18n.VEGA_FORMAT_LOCALE[lang]
    assert i18n.number(1_234_567.5, lang, digits=1) == f"1{vega['thousands']}234{vega['thousands']}567{vega['decimal']}5"
    assert i18n.percent(78.8, lang) == f"78{vega['decimal']}8{vega['percent']}"
    assert i18n.money(13_620_000, lang).startswith(vega["currency"][0])
    assert vega["grouping"] == [3]


@pytest.mark.parametrize("bad", ["2023-13", "23", "2023/", "December 2022", "2023-1"])
def test_a_malformed_period_is_named(bad):
    with pytest.raises(ValueError, match=f"period '{bad}'"):
        i18n.period(bad, "en")
