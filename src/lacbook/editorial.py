"""The book's own voice, set apart from its sources: the `editors-note` directive.

Everything a source says is written as that source's finding and cited;
everything the book adds (an interpretation, a caveat, a comparison between
sources, a derivation, a reason why figures differ) goes in an editors' note,
so a reader always knows who is speaking. The About page explains the block
once. Its body is ordinary prose, extracted and translated with the chapter;
its title comes from the extension's own catalogue (lacbook.locale).

    ```{editors-note}
    The two reports count different things: ...
    ```
"""

from __future__ import annotations

from docutils import nodes
from docutils.parsers.rst.directives.admonitions import BaseAdmonition
from sphinx.application import Sphinx

from .locale import catalogue_path, site_text

CLASS = "lacbook-editors-note"


class EditorsNote(BaseAdmonition):
    """An admonition titled "Editors' note" / "Nota de los editores" in the page's language."""

    node_class = nodes.admonition
    required_arguments = 0
    optional_arguments = 0
    final_argument_whitespace = False

    def run(self) -> list[nodes.Node]:
        if not self.content:
            raise self.error("an editors' note needs some text")
        self.arguments = [str(site_text("Editors' note"))]
        # The title is read from the extension's catalogue: a change there reads the page again.
        env = self.state.document.settings.env
        if catalogue_path(env.config.language).is_file():
            env.note_dependency(str(catalogue_path(env.config.language)))
        self.options["class"] = [*self.options.get("class", []), CLASS]
        nodes_ = super().run()
        for title in nodes_[0].findall(nodes.title):
            title["translatable"] = False  # already in the page's language: not a chapter message
        return nodes_


def setup(app: Sphinx) -> dict:
    app.add_directive("editors-note", EditorsNote)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
