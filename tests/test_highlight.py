"""Notebook code is written with fewer spans and looks the same (lacbook.highlight)."""

from __future__ import annotations

import re

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.styles import get_style_by_name
from pygments.token import Name, Punctuation, Text

from lacbook.highlight import NOTEBOOK_LANGUAGE, lexer_for, plain_in

STYLES = ["a11y-high-contrast-light", "a11y-high-contrast-dark"]  # pydata-sphinx-theme's defaults
CODE = '''order = t.sort_values("requirements", ascending=False)["place_name"].tolist()
for year in range(2022, 2025):
    print(f"{year}: {len(order)}")  # one line a year
'''


def spans(markup: str) -> list[tuple[str, str]]:
    return re.findall(r'<span class="(\w+)">([^<]*)</span>', markup)


def test_the_code_keeps_its_text_and_every_colour_with_fewer_spans():
    plain = plain_in(STYLES)
    assert plain(Name) and plain(Punctuation), "the theme's styles colour names and punctuation as text"
    before = highlight(CODE, get_lexer_by_name(NOTEBOOK_LANGUAGE), HtmlFormatter())
    after = highlight(CODE, lexer_for(NOTEBOOK_LANGUAGE, plain)(), HtmlFormatter())
    text = lambda markup: re.sub(r"<[^>]+>", "", markup)  # noqa: E731
    assert text(after) == text(before)
    assert len(after) < 0.7 * len(before)
    coloured = [(css, value) for css, value in spans(before) if css not in {"n", "p"}]
    assert [(css, value) for css, value in spans(after) if value.strip()] == [
        (css, value) for css, value in coloured if value.strip()]


def test_a_token_coloured_unlike_text_keeps_its_span():
    style = get_style_by_name("monokai")
    assert style.style_for_token(Name.Function) != style.style_for_token(Text)
    plain = plain_in(["monokai"])
    assert plain(Text) and not plain(Name.Function)
