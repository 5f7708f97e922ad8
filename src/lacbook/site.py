"""Sphinx extension: what makes two single-language builds one bilingual site.

- every page links to the same page in the other edition (switcher + hreflang);
- the theme's own interface strings follow the edition's language;
- pages with charts, and only those, load the chart script, which brings
  in Vega's runtime when a chart nears the screen (both bundled at build
  time by pagescripts.py); they are written into the site itself, so no
  page ever asks another host for code;
- every script a page loads from a file runs after the page is parsed
  (`defer`), so the text paints without waiting for any of them;
- the theme is slimmed: no fontawesome.js (1.5 MB; the theme's CSS already
  draws its icons from the icon font, see the css block of templates/layout.html),
  Sphinx's search index only on the search page (templates/layout.html), and
  no CSS rule or icon glyph that no page uses (pagescripts.slim_theme);
  notebook code without the spans that change nothing on screen (highlight.py).
"""

from __future__ import annotations

import ast
import hashlib
import html
import json
import re
import shutil
from pathlib import Path

from docutils import nodes
from myst_nb.ext.glue.crossref import read_glue_cache
from sphinx.application import Sphinx
from sphinx.locale import _ as sphinx_
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.nodes import extract_messages

from .pagescripts import chart_scripts, slim_theme
from .chartnode import cache_dir
from .chartnode import on_page as chart_on_page
from .editions import executed_notebooks
from .execute import forget_retranslated
from .i18n import LANGUAGES, SOURCE_LANGUAGE
from .locale import CATALOGUE, compile_catalogue, site_text
from .prose import figure_markup, page_figures

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
ASSETS = HERE / "assets"
# Under the output's _static (Sphinx resolves script paths there); written before
# the pages, so that Sphinx adds its checksum to the URL (?v=...).
CHART_FOLDER = "charts"
CHART_SCRIPT = f"{CHART_FOLDER}/lacbook-charts.js"
# Read by inline scripts of the theme's own templates, so it must run before them.
BLOCKING_SCRIPTS = {"_static/documentation_options.js"}
LANGUAGE_NAMES = {"en": "English", "es": "Español"}
logger = logging.getLogger(__name__)


def edition_links(pagename: str, lang: str) -> dict[str, str]:
    """Relative URL of this page in every edition, keyed by language.

    Editions live side by side (`en/…`, `es/…`) with the same page paths.
    """
    up = "../" * (pagename.count("/") + 1)
    return {code: f"{up}{code}/{pagename}.html" for code in LANGUAGES} | {
        "x-default": f"{up}index.html"
    }


class RequireTranslation(SphinxTransform):
    """In a translated edition, text that the catalogue does not translate is an error.

    Sphinx silently falls back to the English text; the strict build turns
    this warning into a failure that names the page, the line and the text.
    """

    default_priority = 400  # after Locale (20) and after DocInfo (340) has set the front matter apart

    def apply(self, **kwargs) -> None:
        if self.config.language == SOURCE_LANGUAGE:
            return
        # Sphinx has no documented hook for untranslated text; extract_messages is what its own
        # Locale transform walks (tests/test_pipeline.py fails if it moves or changes).
        checked = [
            node for node, _ in extract_messages(self.document)
            if "translated" in node and not _in_front_matter(node)
        ]
        if not checked and any(True for _ in extract_messages(self.document)):
            logger.warning("no %s catalogue for this page", self.config.language, location=self.document)
        for node in checked:
            if not node["translated"]:
                logger.warning("untranslated text: %r; run `python3 tasks.py catalogues` and translate it in "
                               "translations/%s/LC_MESSAGES/%s.po", node.astext()[:120], self.config.language,
                               self.env.docname, location=node)


def _in_front_matter(node) -> bool:
    """The notebook's front matter (jupytext, kernelspec) is metadata, never shown."""
    while node is not None:
        if isinstance(node, nodes.docinfo):
            return True
        node = node.parent
    return False


class glued_number(nodes.Inline, nodes.Element):
    """Where a `{num}` role stands until the page's glued outputs are at hand."""


def num_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """`{num}`key``: a figure named in the page's front matter, or words glued by its code
    (see lacbook.prose).

    myst-nb's own `{glue}` role looks its data up while parsing, which fails
    inside translated text (Sphinx parses each msgstr as a separate document);
    this role only marks the place and `PasteGluedNumbers` fills it in.
    """
    node = glued_number(rawtext, key=text.strip())
    node.line = lineno
    return [node], []


class RefuseErrorOutputs(SphinxTransform):
    """A failure while displaying a chart is not a cell error: IPython prints the
    traceback as an output and the cell "succeeds". Any error output stops the
    build here, naming it: those myst-nb rendered into the page (class
    "traceback"), and, for cells whose outputs are hidden, those in the executed
    notebook myst-nb wrote beside the doctrees."""

    default_priority = 32

    def apply(self, **kwargs) -> None:
        rendered = [node for node in self.document.findall(nodes.literal_block) if "traceback" in node["classes"]]
        for node in rendered:
            error = node.astext().strip().splitlines()[-1]
            logger.warning("a cell raised while displaying its output: %s", error, location=node)
        notebook = executed_notebooks(self.app) / f"{self.env.docname}.ipynb"
        if rendered or not notebook.exists():
            return
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
        for number, cell in enumerate(cells, start=1):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    logger.warning(
                        "cell %d raised while displaying its output: %s: %s",
                        number, output.get("ename"), output.get("evalue"), location=(self.env.docname, None),
                    )


def _plain_text(plain: str) -> str:
    """The text of a glued value: a glued string arrives as its repr ('80\\xa0%')."""
    try:
        value = ast.literal_eval(plain)
    except (SyntaxError, ValueError):
        return plain
    return str(value)


class PasteGluedNumbers(SphinxTransform):
    """Replace each `{num}` mark with its figure, worded here from the data (the page's
    front matter names it: lacbook.prose.page_figures), or with the words glued by the
    page's notebook.

    A figure's source note gets an id unique on the page, however often the number
    is pasted. In Spanish, a percentage comes with its article ("el 44 %"): after
    "de"/"a" the two contract ("del 44 %", "al 44 %"), and at the start of a
    sentence the number's first word takes a capital ("El 44 %", "Más del 80 %").
    """

    default_priority = 31  # after translation, on the page's own document
    NOTE_ID = re.compile(r'(id|aria-describedby)="(lacbook-note-[^"]*)"')
    BEFORE_ARTICLE = re.compile(r"(?:^|(?<=\W))([Dd]e|[Aa])(\s+)$")
    SENTENCE_END = re.compile(r"[.!?]\s+$")

    def apply(self, **kwargs) -> None:
        marks = list(self.document.findall(glued_number))
        if not marks:
            return
        source = Path(self.env.doc2path(self.env.docname))
        try:
            figures = page_figures(source.read_text(encoding="utf-8"), str(source))
        except ValueError as error:
            logger.warning("%s", error, location=(self.env.docname, 1))
            figures = {}
        glued = self._glued() if any(node["key"] not in figures for node in marks) else {}
        for index, node in enumerate(marks, start=1):
            pasted = self._figure(node, figures) if node["key"] in figures else self._glued_words(node, glued, figures)
            if pasted is None:
                node.parent.remove(node)
                continue
            text, markup = pasted
            markup = self.NOTE_ID.sub(lambda m: f'{m[1]}="{m[2]}-{index}"', markup)
            if self.config.language == "es":
                text, markup = self._spanish(node, text, markup)
            node.replace_self(nodes.raw(text, markup, format="html"))

    def _figure(self, node, figures: dict[str, dict]) -> tuple[str, str] | None:
        use = figures[node["key"]]
        try:
            return figure_markup(use["figure"], self.config.language, article=use.get("article", True),
                                 short=use.get("short", False))
        except (KeyError, ValueError) as error:
            reason = error.args[0] if isinstance(error, KeyError) else error  # KeyError's str() adds quotes
            logger.warning("{num}`%s` (front matter: figures): %s", node["key"], reason, location=node)
            return None

    def _glued(self) -> dict:
        # myst-nb saves each page's glued outputs next to its executed notebook.
        # No documented API gives a page's glued outputs: read_glue_cache is what myst-nb's
        # own glue roles use (tests/test_pipeline.py fails if it moves or changes).
        return read_glue_cache(str(executed_notebooks(self.app)), self.env.docname)

    def _glued_words(self, node, glued: dict, figures: dict) -> tuple[str, str] | None:
        output = glued.get(node["key"])
        if output is None:
            logger.warning("{num}`%s`: not a figure of the page (figures: %s) nor glued by its code (glued: %s)",
                           node["key"], ", ".join(figures) or "none", ", ".join(sorted(glued)) or "none",
                           location=node)
            return None
        text = _plain_text(output["data"].get("text/plain", ""))
        return text, html.escape(text)

    def _spanish(self, node, text: str, markup: str) -> tuple[str, str]:
        """'de' + 'el 44 %' -> 'del 44 %', 'a' + 'el 44 %' -> 'al 44 %'; a capital at a sentence's start."""
        parent = node.parent
        position = parent.index(node)
        before = parent[position - 1] if position > 0 else None
        if isinstance(before, nodes.Text) and text.startswith("el "):
            found = self.BEFORE_ARTICLE.search(str(before))
            if found:
                joined = str(before)[: found.start(1)] + found[1] + "l" + found[2]
                parent.replace(before, nodes.Text(joined))
                text = text[3:]
                markup = re.sub(r'^((?:<[^>]*>)*)el ', r"\1", markup, count=1)
                return text, markup
        starts_sentence = (before is None and isinstance(parent, nodes.paragraph)) or (
            isinstance(before, nodes.Text) and self.SENTENCE_END.search(str(before)))
        if starts_sentence and text[:1].islower():
            text = text[:1].upper() + text[1:]
            markup = re.sub(r"^((?:<[^>]*>)*)(\w)", lambda m: m[1] + m[2].upper(), markup, count=1)
        return text, markup


def chart_catalogue(app: Sphinx, docname: str) -> Path | None:
    """The chapter's own catalogue of chart text in a translated edition, if it has one."""
    if app.config.language == SOURCE_LANGUAGE or not app.config.locale_dirs:
        return None
    path = Path(app.confdir, app.config.locale_dirs[0]) / app.config.language / "charts" / f"{docname}.po"
    return path if path.is_file() else None


def on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    """Sphinx reads a chapter again when its chart catalogue changes (as it does for prose catalogues)."""
    catalogue = chart_catalogue(app, docname)
    if catalogue:
        app.env.note_dependency(str(catalogue))


def forget_outputs_of_retranslated_charts(app: Sphinx, env, docnames: list[str]) -> None:
    """Drop the cached outputs of chapters whose chart catalogue changed since they last ran
    (lacbook.execute.forget_retranslated, which the build also calls before it runs notebooks)."""
    cache_path = app.config.nb_execution_cache_path
    if not cache_path or app.config.language == SOURCE_LANGUAGE:
        return
    catalogues = {docname: chart_catalogue(app, docname) for docname in docnames}
    catalogues = {docname: path for docname, path in catalogues.items() if path}
    forget_retranslated(Path(cache_path), catalogues, {docname: env.doc2path(docname) for docname in catalogues})


def on_config_inited(app: Sphinx, config) -> None:
    config.templates_path = [str(TEMPLATES), *config.templates_path]
    config.html_static_path = [*config.html_static_path, str(ASSETS / "static")]


def static_outdated(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Re-read the root page when a static file (stylesheet, script, image) changed.

    Sphinx copies static files only in a build that writes a page, so a build in which
    only lacbook.css changed would publish the old one; re-reading one page (the
    documented env-get-outdated event) makes it write that page and copy them."""
    digest = hashlib.sha256()
    for folder in app.config.html_static_path:
        folder = Path(app.confdir, folder)
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    previous, env.lacbook_static = getattr(env, "lacbook_static", None), digest.hexdigest()
    return [app.config.root_doc] if previous not in (None, env.lacbook_static) else []


def on_builder_inited(app: Sphinx) -> None:
    # The extension's own catalogue (lacbook.locale), compiled into this build's folder.
    locale_dir, problems = compile_catalogue(app.config.language, Path(app.doctreedir) / "lacbook-locale")
    for problem in problems:
        logger.warning("%s: translate it (the extension's interface catalogue)", problem)
    app.add_message_catalog(CATALOGUE, str(locale_dir))
    if app.builder.format != "html":
        return
    app.add_css_file("lacbook.css")
    app.add_js_file("lacbook-site.js", loading_method="defer")
    folder = Path(app.outdir) / "_static" / CHART_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in chart_scripts(cache_dir(app.config, app.doctreedir)).items():
        (folder / name).write_text(text, encoding="utf-8")


def set_search_placeholder(app: Sphinx, config) -> None:
    """The search field's placeholder, a theme option, in the edition's language.

    jupyter-book sets it in English ("Search this book..."); Sphinx's catalogue
    (translations/<lang>/LC_MESSAGES/sphinx.po) has it translated, and is
    loaded before any extension's config-inited handler runs.
    """
    config.html_theme_options = {**config.html_theme_options, "search_bar_text": str(sphinx_("Search this book..."))}


def on_page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if app.builder.format != "html":
        return
    lang = app.config.language
    links = edition_links(pagename, lang)
    # The language switcher (lang-switcher.html) and the hreflang links (layout.html).
    context["lacbook_editions"] = [
        {"code": code, "name": LANGUAGE_NAMES[code], "href": links[code], "current": code == lang}
        for code in LANGUAGES
    ]
    context["lacbook_site_root"] = links["x-default"]
    # The extension's catalogue for its templates (Sphinx's `_` there is the `sphinx` domain).
    context["lacbook_text"] = site_text
    if chart_on_page(doctree):
        # The chart node's visitor (chartnode.py) has written the charts; this page also needs their script.
        app.add_js_file(CHART_SCRIPT, loading_method="defer")


def defer_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Every script file of the page, the theme's and extensions' included, loads with `defer`.

    Sphinx offers `loading_method` only to whoever adds a script; this
    handler runs after every extension's own (priority 900) and gives the
    page's list of scripts (`script_files`) the same attribute. Not on the
    search page, whose template runs searchtools.js at once, and that needs doctools.js.
    """
    if app.builder.format != "html" or pagename == "search":
        return
    scripts = []
    for script in context.get("script_files", []):
        attributes = getattr(script, "attributes", {})
        if (script.filename and str(script.filename) not in BLOCKING_SCRIPTS and "body" not in attributes
                and not {"async", "defer"} & attributes.keys()):
            script = type(script)(script.filename, priority=script.priority, **{**attributes, "defer": "defer"})
        scripts.append(script)
    context["script_files"] = scripts


def on_build_finished(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    cache = cache_dir(app.config, app.doctreedir)
    # The theme still copies the script that templates/layout.html leaves out: no page loads it.
    for unused in (outdir / "_static" / "scripts").glob("fontawesome.js*"):
        unused.unlink()
    logger.info(slim_theme(outdir, cache))
    if app.config.lacbook_data_dir:
        # Readers download the data package from the edition itself: <edition>/data/…
        shutil.copytree(app.config.lacbook_data_dir, outdir / "data", dirs_exist_ok=True)


def release_message_documents(app: Sphinx, doctree: nodes.document) -> None:
    """Sphinx's i18n parses each translated paragraph as a document of its own and moves its
    nodes into the page; some (citations, cross-references) keep that document as theirs, and
    through it its Markdown parser, about a megabyte each. An edition kept every one of them
    until the end, so its memory grew with its pages. Each node now names the page as its document."""
    for node in doctree.findall(include_self=False):
        if node.document is not doctree:
            node.document = doctree


def setup(app: Sphinx) -> dict:
    app.setup_extension("lacbook.editions")  # what differs per language and per build
    app.setup_extension("lacbook.editorial")
    app.setup_extension("lacbook.citations")
    app.setup_extension("lacbook.chartnode")  # the chart node and myst-nb's MIME priority for it
    app.setup_extension("lacbook.a11y")
    app.setup_extension("lacbook.highlight")  # notebook code without spans that change nothing on screen
    app.add_config_value("lacbook_cache_dir", "", "env")
    app.add_config_value("lacbook_data_dir", "", "env")
    app.add_transform(RequireTranslation)
    app.add_role("num", num_role)
    app.add_node(glued_number)
    app.add_transform(PasteGluedNumbers)
    app.add_transform(RefuseErrorOutputs)
    app.connect("config-inited", on_config_inited)
    app.connect("config-inited", set_search_placeholder)
    app.connect("builder-inited", on_builder_inited)
    app.connect("source-read", on_source_read)
    app.connect("env-before-read-docs", forget_outputs_of_retranslated_charts)
    app.connect("env-get-outdated", static_outdated)
    app.connect("doctree-read", release_message_documents)
    app.connect("html-page-context", on_page_context)
    app.connect("html-page-context", defer_scripts, priority=900)
    app.connect("build-finished", on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
