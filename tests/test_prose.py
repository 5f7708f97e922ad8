"""Numbers for the prose: what `glue_figures` and `glue_text` hand to myst-nb's glue."""

from __future__ import annotations

import pytest

from lacbook import prose

NBSP = "\u00a0"


@pytest.fixture
def glued(monkeypatch):
    """What the chapter glued, by name, instead of myst-nb's display machinery."""
    calls = {}

    def fake_glue(name, value, display=True):
        assert display is False, "numbers for the prose are glued without showing them in the cell"
        calls[name] = value

    monkeypatch.delenv("LACBOOK_DATA_DIR", raising=False)
    monkeypatch.setattr(prose, "glue", fake_glue)
    return calls


def test_glue_figures_glues_each_figure_with_its_words_and_source(glued):
    prose.glue_figures({"share": "gaatw2024.mexico.share_of_migrants.women.2024"}, "es")
    figure = glued["share"]
    assert isinstance(figure, prose.GluedFigure)
    assert figure.text == f"alrededor del 48{NBSP}%"
    assert 'href="data.html#fig-gaatw2024.mexico.share_of_migrants.women.2024"' in figure._repr_html_()


def test_glue_figures_for_cards_short_and_without_article(glued):
    prose.glue_figures({"hosted": "gaatw2024.colombia.people_hosted.venezuelan.2023_12",
                        "share": "gaatw2024.mexico.share_of_migrants.women.2024"}, "es", article=False, short=True)
    assert glued["share"].text == f"alrededor de 48{NBSP}%"
    assert glued["hosted"].text == prose.worded("gaatw2024.colombia.people_hosted.venezuelan.2023_12", "es",
                                                short=True)
    assert glued["hosted"].text.endswith(f"{NBSP}M")


def test_glue_text_glues_plain_words(glued):
    prose.glue_text("sum", "1,862,600")
    assert glued == {"sum": "1,862,600"}


@pytest.mark.parametrize(("lang", "expected"), [("en", "almost 3M"), ("es", f"casi 3{NBSP}M")])
def test_worded_short_keeps_the_qualifier(lang, expected):
    assert prose.worded("gaatw2024.colombia.people_hosted.venezuelan.2023_12", lang, short=True) == expected
