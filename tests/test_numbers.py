"""Numbers said honestly, in both languages, with their source one hover, focus or tap away.

Fast tests: the formatters (every qualifier, rounded and range figures, Spanish
percentages with their article), the markup a pasted figure gets (figure_markup), and the
Spanish contractions made when a number is pasted. Build tests (marked
``build``, on the session's built site): Spanish percent grammar on every page,
and every pasted number's note and link to its row on the Data page.
"""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from docutils import nodes

from helpers import LANGS, html_pages, soup
from lacbook import data, i18n
from lacbook.prose import anchor, figure_markup, pasted_forms, source_note, worded
from lacbook.site import PasteGluedNumbers, glued_number

NBSP = "\u00a0"

# --- the formatters -------------------------------------------------------------------------

PERCENT_WORDS = {  # qualifier -> (English, Spanish) for 44 per cent pasted into prose
    "exact": ("44%", f"el 44{NBSP}%"),
    "rounded": ("about 44%", f"aproximadamente el 44{NBSP}%"),
    "approximately": ("around 44%", f"alrededor del 44{NBSP}%"),
    "more_than": ("more than 44%", f"más del 44{NBSP}%"),
    "less_than": ("almost 44%", f"casi el 44{NBSP}%"),
    "at_most": ("up to 44%", f"hasta el 44{NBSP}%"),
    "at_least": ("at least 44%", f"al menos el 44{NBSP}%"),
}
COUNT_WORDS = {  # the same qualifiers before a count: no article in either language
    "exact": ("26,200", "26.200"),
    "rounded": ("about 26,200", "aproximadamente 26.200"),
    "approximately": ("around 26,200", "alrededor de 26.200"),
    "more_than": ("more than 26,200", "más de 26.200"),
    "less_than": ("almost 26,200", "casi 26.200"),
    "at_most": ("up to 26,200", "hasta 26.200"),
    "at_least": ("at least 26,200", "al menos 26.200"),
}


def test_every_qualifier_has_words_in_both_tables():
    assert set(PERCENT_WORDS) == set(COUNT_WORDS) == set(i18n.QUALIFIER_TEMPLATES)


@pytest.mark.parametrize("qualifier", PERCENT_WORDS)
@pytest.mark.parametrize("lang", LANGS)
def test_a_percentage_in_prose_takes_its_article_in_spanish(qualifier, lang):
    expected = PERCENT_WORDS[qualifier][lang == "es"]
    assert i18n.qualified(i18n.percent(44, lang, digits=0), qualifier, lang, article=True) == expected


@pytest.mark.parametrize("qualifier", COUNT_WORDS)
@pytest.mark.parametrize("lang", LANGS)
def test_a_count_takes_no_article(qualifier, lang):
    expected = COUNT_WORDS[qualifier][lang == "es"]
    assert i18n.qualified(i18n.number(26200, lang), qualifier, lang) == expected


@pytest.mark.parametrize(("lang", "article", "expected"), [
    ("en", True, "between 30% and 40%"),
    ("en", False, "between 30% and 40%"),
    ("es", True, f"entre el 30{NBSP}% y el 40{NBSP}%"),
    ("es", False, f"entre 30{NBSP}% y 40{NBSP}%"),
])
def test_a_range_gives_both_ends(lang, article, expected):
    low, high = (i18n.percent(value, lang, digits=0) for value in (30, 40))
    assert i18n.qualified(low, "range", lang, high=high, article=article) == expected


def test_a_range_needs_its_upper_end():
    with pytest.raises(ValueError, match="two ends"):
        i18n.qualified("30%", "range", "en")


def test_an_unknown_qualifier_is_refused():
    with pytest.raises(ValueError, match="no wording for qualifier 'roughly'"):
        i18n.qualified("12", "roughly", "en")


@pytest.mark.parametrize(("text", "expected"), [
    ("un aumento de el 30 %", "un aumento del 30 %"),
    ("equivale a el 44 %", "equivale al 44 %"),
    ("De el total", "Del total"),
    ("desde el 2020", "desde el 2020"),  # not the preposition "de"
    ("para el 44 %", "para el 44 %"),
])
def test_spanish_contractions(text, expected):
    assert i18n.contract(text, "es") == expected
    assert i18n.contract(text, "en") == text


# --- prose.worded on the package's own rows ---------------------------------------------------

ROWS = {  # figure id -> (English, Spanish), one per kind of figure
    "rmrp2023_eoy.r4v_region.people_reached.all.2023": ("about 26,200", "aproximadamente 26.200"),  # "26.2K"
    "rmrp2022_eoy.r4v_region.people_in_need.all.2022": ("about 1,460,000", "aproximadamente 1.460.000"),  # "1.46 M"
    "gaatw2024.peru.people_hosted.venezuelan.2024": ("about 2,000,000", "aproximadamente 2.000.000"),  # "two million"
    "rmrp2022_eoy.r4v_region.requirements.all.2022": ("US$13.62M", f"US${NBSP}13,62{NBSP}M"),  # money keeps its short form
    "gaatw2024.colombia.share_of_victims.foreign.2020_2024": ("between 30% and 40%", f"entre el 30{NBSP}% y el 40{NBSP}%"),
    "gaatw2024.mexico.share_of_people_in_poverty.women.2024": ("44%", f"el 44{NBSP}%"),
    "gaatw2024.mexico.share_of_migrants.women.2024": ("around 48%", f"alrededor del 48{NBSP}%"),
    "gaatw2024.world.share_of_forced_labour_victims.private_sector.2024": ("more than 80%", f"más del 80{NBSP}%"),
    "gaatw2024.peru.share_of_victims.foreign.2023": ("almost 20%", f"casi el 20{NBSP}%"),
    "gaatw2024.colombia.wealth_share.richest_1_percent.2024": ("up to 40%", f"hasta el 40{NBSP}%"),
    "gaatw2024.latin_america_caribbean.share_of_migrants.from_south_america.2020": ("at least 70%", f"al menos el 70{NBSP}%"),
    "rmrp2023_eoy.r4v_region.reached_share_of_target.all.2023": ("78.8%", f"el 78,8{NBSP}%"),
    "gaatw2024.darien_gap.irregular_crossings.all.2023_01_2023_09": ("more than 390,000", "más de 390.000"),
    "rmrp2022_eoy.r4v_region.people_reached.all.2022": ("3,344", "3.344"),
}


@pytest.mark.parametrize("figure_id", ROWS)
@pytest.mark.parametrize("lang", LANGS)
def test_worded_says_each_kind_of_figure_honestly(figure_id, lang):
    assert worded(figure_id, lang) == ROWS[figure_id][lang == "es"]


def test_worded_without_article_for_a_table_cell():
    assert worded("gaatw2024.mexico.share_of_migrants.women.2024", "es", article=False) == f"alrededor de 48{NBSP}%"


def test_worded_refuses_a_figure_the_source_did_not_print():
    with pytest.raises(ValueError, match="printed no number"):
        worded("rmrp2022_eoy.platform_chile.people_reached.all.2022", "en")


def test_every_printed_figure_can_be_worded_in_both_languages():
    for row in data.load().rows:
        if row["qualifier"] not in data.UNREPORTED:
            for lang in ("en", "es"):
                assert worded(row["id"], lang)


# --- the markup of a pasted number --------------------------------------------------------------

FIGURE = "gaatw2024.mexico.share_of_people_in_poverty.women.2024"
NOTES = {
    "en": "Source: GAATW 2024, Social, political and economic context. Printed as “44%” (exact). "
          "The link leads to its row on the Data page.",
    "es": "Fuente: GAATW 2024, Contexto social, político y económico. Publicada como «44%» (exacta). "
          "El enlace lleva a su fila en la página de datos.",
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_pasted_figure_links_to_its_row_and_describes_its_source(lang):
    text, markup = figure_markup(FIGURE, lang)
    assert text == worded(FIGURE, lang)
    document = BeautifulSoup(markup, "html.parser")
    (number,) = document.select("span.lacbook-number")
    link = number.select_one("a.lacbook-number__link")
    assert link["href"] == f"data.html#fig-{FIGURE}"
    figure = link.select_one("span.lacbook-figure")
    assert figure["data-figure"] == FIGURE and figure.get_text() == worded(FIGURE, lang)
    note = number.select_one(f"#{link['aria-describedby']}")
    assert note["role"] == "tooltip" and "lacbook-number__note" in note["class"]
    assert note.get_text() == NOTES[lang] == source_note(FIGURE, lang)
    assert note.parent is number and link.parent is number  # the note follows the link, inside the number


def test_the_note_names_each_qualifier_and_drops_the_extraction_escape():
    assert "Printed as “$ 13.62 M” (rounded by the source)" in source_note("rmrp2022_eoy.r4v_region.requirements.all.2022", "en")
    assert "«between 30% and 40%» (un intervalo)" in source_note("gaatw2024.colombia.share_of_victims.foreign.2020_2024", "es")
    assert "R4V, fin de año 2023, Respuesta, párr. 1" in source_note("rmrp2023_eoy.r4v_region.people_reached.all.2023", "es")


def test_the_forms_a_pasted_figure_may_take():
    assert pasted_forms(FIGURE, "en") == {"44%"}
    assert pasted_forms(FIGURE, "es") == {f"el 44{NBSP}%", f"El 44{NBSP}%", f"44{NBSP}%"}
    assert pasted_forms("gaatw2024.darien_gap.irregular_crossings.all.2023_01_2023_09", "es") == {
        "más de 390.000", "Más de 390.000", f"más de 390{NBSP}mil", f"Más de 390{NBSP}mil"}  # a card's short form


def test_a_figure_for_a_card_is_short_and_without_article():
    hosted = "gaatw2024.colombia.people_hosted.venezuelan.2023_12"
    assert figure_markup(hosted, "es", short=True)[0] == f"casi 3{NBSP}M"
    assert figure_markup(FIGURE, "es", article=False)[0] == f"44{NBSP}%"


def test_every_anchor_is_a_valid_unique_html_id():
    anchors = [anchor(row["id"]) for row in data.load().rows]
    assert len(set(anchors)) == len(anchors)
    assert all(re.fullmatch(r"fig-[a-z0-9_.]+", value) for value in anchors)


# --- pasting into Spanish prose: contraction and capital (site.PasteGluedNumbers) -----------------


def paste(before: str | None, text: str) -> tuple[str, str, str]:
    """Run the Spanish step on a paragraph [before, number]; return (text before, number text, markup)."""
    paragraph = nodes.paragraph()
    if before is not None:
        paragraph += nodes.Text(before)
    mark = glued_number("", key="x")
    paragraph += mark
    markup = figure_markup(FIGURE, "es")[1].replace(worded(FIGURE, "es"), text)
    step = PasteGluedNumbers.__new__(PasteGluedNumbers)
    new_text, new_markup = step._spanish(mark, text, markup)
    return (paragraph[0].astext() if before is not None else ""), new_text, new_markup


@pytest.mark.parametrize(("before", "text", "joined"), [
    ("un aumento de ", "el 30 %", "un aumento del 30 %"),
    ("equivale a ", "el 44 %", "equivale al 44 %"),
    ("representan ", "el 44 %", "representan el 44 %"),
    ("un aumento de ", "más del 30 %", "un aumento de más del 30 %"),
    ("desde ", "el 44 %", "desde el 44 %"),
    ("Hay casos. ", "el 44 %", "Hay casos. El 44 %"),
    (None, "más del 80 %", "Más del 80 %"),
])
def test_pasting_contracts_and_capitalises(before, text, joined):
    head, number, markup = paste(before, text)
    assert head + number == joined
    assert BeautifulSoup(markup, "html.parser").select_one("span.lacbook-figure").get_text() == number


# --- on the built site --------------------------------------------------------------------------

BAD_SPANISH = [
    (re.compile(r"\b(el|la|los|las|del|al|un|una)\s+(el|la)\s+\d", re.I), "doubled article"),  # "el del 10 %" is fine
    (re.compile(r"\b(de|a)\s+el\s+\d", re.I), "'de el'/'a el' not contracted"),
    (re.compile(r"\b(representan?|es|fue|fueron|era|eran|de)\s+\d[\d.,]*\s?%", re.I), "percentage without its article"),
]


def article_text(page) -> str:
    """The text of a page's article, without the numbers' hidden notes and without code."""
    document = soup(page)
    for hidden in document.select(".lacbook-number__note, pre, script, style, .lacbook-chart, .lacbook-table"):
        hidden.decompose()
    main = document.select_one("article") or document
    return re.sub(r"\s+", " ", main.get_text(" ")).replace(NBSP, " ")


@pytest.mark.build
def test_spanish_percentages_read_as_spanish(site):
    problems = []
    for page in html_pages(site, "es"):
        text = article_text(page)
        for pattern, what in BAD_SPANISH:
            for found in pattern.finditer(text):
                problems.append(f"{page.name}: {what}: …{text[max(0, found.start() - 40):found.end() + 20]}…")
    assert not problems, "\n".join(problems)


@pytest.mark.build
@pytest.mark.parametrize("lang", LANGS)
def test_every_pasted_number_shows_its_source_and_links_to_its_row(site, lang):
    data_page = soup(site / lang / "data.html")
    rows = {row["id"] for row in data_page.select(".lacbook-figures tr[id]")}
    assert rows == {anchor(row["id"]) for row in data.load().rows}
    checked = 0
    for page in html_pages(site, lang):
        document = soup(page)
        ids = [tag["id"] for tag in document.select("[id]")]
        notes = [value for value in ids if value.startswith("lacbook-note-")]
        assert len(notes) == len(set(notes)), f"{lang}/{page.name}: two notes with one id"
        assert not set(notes) & {value for value in ids if not value.startswith("lacbook-note-")}
        for link in document.select("a.lacbook-number__link"):
            figure = link.select_one("span.lacbook-figure")["data-figure"]
            assert link["href"] == f"data.html#{anchor(figure)}" and anchor(figure) in rows, page.name
            note = document.find(id=link["aria-describedby"])
            assert note is not None and note.get_text() == source_note(figure, lang), f"{lang}/{page.name}: {figure}"
            assert link.get_text() in pasted_forms(figure, lang), f"{lang}/{page.name}: {figure}: {link.get_text()!r}"
            checked += 1
    assert checked >= 10
