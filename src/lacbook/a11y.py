"""HTML visitors that make two nodes' markup pass axe-core (serious/critical rules).

Each replaces the visitor of one node with Sphinx's documented API for
extensions (`app.add_node(..., override=True, html=(visit, depart))`), so the
markup is right when Sphinx writes the page. Each repeats its package's markup
but for the one attribute it corrects: tests/test_theme.py renders both and
fails when the package's markup changes.
"""

from __future__ import annotations

from html import escape

from docutils import nodes
from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput
from sphinx.application import Sphinx
from sphinx.writers.html5 import HTML5Translator


def visit_hidden_cell(self: HTML5Translator, node: HideCodeCellNode) -> None:
    """myst-nb's toggle of a hidden code cell (myst_nb.sphinx_.visit_HideCellInput),
    less its `aria-label="Toggle hidden content"`: that label is English whatever
    the page's language and leaves the visible text ("Show the code") out of the
    accessible name; without it, the visible text in the page's language names it."""
    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n')
    self.body.append("<summary>\n")
    self.body.append(f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


def visit_citation(self: HTML5Translator, node: nodes.citation) -> None:
    """docutils' bibliography entry (docutils.writers._html_base.HTMLTranslator.visit_citation)
    as a list item: docutils gives it the deprecated role doc-biblioentry inside
    a role="list", which then has no list items (axe: aria-required-children)."""
    if not isinstance(node.previous_sibling(), type(node)):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def setup(app: Sphinx) -> dict:
    app.setup_extension("myst_nb")  # its own visitor first, so that this one replaces it
    app.add_node(HideCodeCellNode, override=True, html=(visit_hidden_cell, depart_HideCellInput))
    app.add_node(nodes.citation, override=True, html=(visit_citation, HTML5Translator.depart_citation))
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
