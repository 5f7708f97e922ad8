"""Numbers for the prose: the figures a page names in its front matter, and what `glue_text` hands to myst-nb's glue."""

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


def test_a_page_names_its_figures_in_its_front_matter():
    page = """---
kernelspec:
  name: python3
figures:  # a comment
  share: gaatw2024.mexico.share_of_migrants.women.2024
  hosted: {figure: gaatw2024.colombia.people_hosted.venezuelan.2023_12, short: true, article: false}
---

# A chapter with {num}`share`
"""
    assert prose.page_figures(page) == {
        "share": {"figure": "gaatw2024.mexico.share_of_migrants.women.2024"},
        "hosted": {"figure": "gaatw2024.colombia.people_hosted.venezuelan.2023_12", "short": True, "article": False},
    }
    assert prose.page_figures("# No front matter\n") == {}
    assert prose.page_figures("---\njupytext: {}\n---\n# No figures\n") == {}


@pytest.mark.parametrize("entry", ["{short: true}", "{figure: x, wide: true}", "[a, b]"])
def test_a_malformed_figure_entry_is_refused_by_name(entry):
    with pytest.raises(ValueError, match=r"chapter\.md: figures: share: give a figure id"):
        prose.page_figures(f"---\nfigures:\n  share: {entry}\n---\n", "chapter.md")


def test_glue_text_glues_plain_words(glued):
    prose.glue_text("sum", "1,862,600")
    assert glued == {"sum": "1,862,600"}


@pytest.mark.parametrize(("lang", "expected"), [("en", "almost 3M"), ("es", f"casi 3{NBSP}M")])
def test_worded_short_keeps_the_qualifier(lang, expected):
    assert prose.worded("gaatw2024.colombia.people_hosted.venezuelan.2023_12", lang, short=True) == expected
