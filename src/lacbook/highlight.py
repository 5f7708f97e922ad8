"""Notebook code with a third of the markup: what the theme colours as plain text is written as plain text.

Pygments wraps every token in a `<span>`. In the theme's styles (light and
dark) names and punctuation take the text's own colour, so those spans
(about two thirds of a chapter's code markup, thousands of elements on a
page) change nothing on screen. The lexer of notebook cells hands them over
as plain text, merged with their neighbours: the page looks the same, with
fewer bytes and a smaller DOM.
"""

from __future__ import annotations

import functools

from pygments.filter import Filter
from pygments.lexers import get_lexer_by_name
from pygments.styles import get_style_by_name
from pygments.token import Text
from sphinx.application import Sphinx

NOTEBOOK_LANGUAGE = "ipython3"  # myst-nb highlights code cells with the kernel's lexer


def plain_in(style_names: list[str]):
    """A test: does a token type look like plain text in every one of these styles?"""
    styles = [get_style_by_name(name) for name in style_names]

    @functools.cache
    def plain(ttype) -> bool:
        return all(style.style_for_token(ttype) == style.style_for_token(Text) for style in styles)

    return plain


class PlainAsText(Filter):
    """Token types that look like plain text become plain text (Pygments writes no span for it)."""

    def __init__(self, plain, **options):
        super().__init__(**options)
        self.plain = plain

    def filter(self, lexer, stream):
        for ttype, value in stream:
            yield (Text if self.plain(ttype) else ttype), value


def lexer_for(language: str, plain) -> type:
    """The language's lexer, with plain-looking tokens merged into plain text."""
    base = type(get_lexer_by_name(language))

    class Lexer(base):
        def __init__(self, **options):
            super().__init__(**options)
            self.add_filter(PlainAsText(plain))
            self.add_filter("tokenmerge")

    Lexer.__name__ = f"Plain{base.__name__}"
    return Lexer


def theme_styles(app: Sphinx) -> list[str]:
    """The Pygments styles of the theme's light and dark modes (pydata-sphinx-theme's options)."""
    options = {**app.builder.theme.get_options(), **app.config.html_theme_options}
    return [options[key] for key in ("pygments_light_style", "pygments_dark_style") if options.get(key)]


def on_builder_inited(app: Sphinx) -> None:
    if app.builder.format != "html" or not hasattr(app.builder, "theme"):
        return
    styles = theme_styles(app)
    if styles:
        app.add_lexer(NOTEBOOK_LANGUAGE, lexer_for(NOTEBOOK_LANGUAGE, plain_in(styles)))


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", on_builder_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
