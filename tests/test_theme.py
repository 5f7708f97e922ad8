"""The theme and interface, changed only through the libraries' documented mechanisms.

Where the extension repeats a library's markup or template to change one thing
(a node visitor, a template block, a component), a fast test here compares the
copy with the installed library and fails when the library changes. The built
fixture book then shows the result: the interface in the edition's language,
hreflang links, and markup that axe accepts.
"""

from __future__ import annotations

import re
import runpy
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from docutils import nodes
from docutils.core import publish_parts
from docutils.writers import html5_polyglot
from myst_nb.sphinx_ import HideCodeCellNode, visit_HideCellInput

from conftest import REPO
from helpers import LANGS, html_pages, soup
from lacbook import a11y, locale

PACKAGE = REPO / "src" / "lacbook"
TEMPLATES = PACKAGE / "templates"
PYDATA = Path(__import__("pydata_sphinx_theme").__file__).parent / "theme" / "pydata_sphinx_theme"
BOOK_THEME = Path(__import__("sphinx_book_theme").__file__).parent / "theme" / "sphinx_book_theme"


# --- The copies follow the installed libraries -------------------------------------------


class FakeTranslator:
    def __init__(self):
        self.body: list[str] = []


def test_hidden_cell_visitor_is_myst_nbs_less_the_english_label():
    node = HideCodeCellNode(prompt_show="Mostrar el código", prompt_hide="Ocultar el código")
    node["classes"].append("above-input")
    theirs, ours = FakeTranslator(), FakeTranslator()
    visit_HideCellInput(theirs, node)
    a11y.visit_hidden_cell(ours, node)
    label = ' aria-label="Toggle hidden content"'
    assert label in "".join(theirs.body), "myst-nb no longer labels its toggle in English: drop the override in a11y.py"
    assert "".join(ours.body) == "".join(theirs.body).replace(label, ""), "myst-nb's toggle markup changed"


CITATIONS = """\
Text [Ref1]_ and [Ref2]_.

.. [Ref1] One.
.. [Ref2] Two.

Between.

.. [Ref3] Three.
"""


def render_citations(visit=None) -> str:
    class Translator(html5_polyglot.HTMLTranslator):
        pass

    if visit:
        Translator.visit_citation = visit
    writer = html5_polyglot.Writer()
    writer.translator_class = Translator
    return publish_parts(CITATIONS, writer=writer)["body"]


def test_citation_visitor_is_docutils_with_a_list_item():
    from sphinx.writers.html5 import HTML5Translator

    # Sphinx and the theme keep docutils' visitor, which the override replaces.
    assert HTML5Translator.visit_citation is html5_polyglot.HTMLTranslator.visit_citation
    theirs, ours = render_citations(), render_citations(a11y.visit_citation)
    assert 'role="doc-biblioentry"' in theirs, "docutils changed its citation markup: review a11y.visit_citation"
    assert ours == theirs.replace('role="doc-biblioentry"', 'role="listitem"'), "docutils' citation markup changed"
    assert ours.count('role="list"') == 2 and ours.count('role="listitem"') == 3


def block(template: str, name: str) -> str:
    """A Jinja block's body, less comments and whitespace."""
    found = re.search(r"\{%-?\s*block " + name + r"\s*%\}(.*?)\{%-?\s*endblock", template, re.S)
    assert found, f"no block {name}"
    return re.sub(r"\s+", " ", re.sub(r"\{#.*?#\}", "", found[1], flags=re.S)).strip()


def test_css_block_is_the_themes_less_fontawesome():
    """templates/layout.html's `css` block is pydata-sphinx-theme's without head_js_preload(),
    whose only script is fontawesome.js (the rest are preloads of what body_post() loads)."""
    theirs = (PYDATA / "layout.html").read_text(encoding="utf-8")
    ours = (TEMPLATES / "layout.html").read_text(encoding="utf-8")
    preload = "{{ _webpack.head_js_preload() }}"
    assert preload in block(theirs, "css")
    assert block(ours, "css") == block(theirs, "css").replace(" " + preload, ""), "the theme's css block changed"
    macros = (PYDATA / "static" / "webpack-macros.html").read_text(encoding="utf-8")
    macro = re.search(r"macro head_js_preload\(\) %\}(.*?)\{% endmacro", macros, re.S)[1]
    scripts = re.findall(r"<script[^>]*src=\"\{\{ pathto\('([^']+)'", macro)
    assert scripts == ["_static/scripts/fontawesome.js"], f"the theme's head_js_preload now loads {scripts}"
    body_post = re.search(r"macro body_post\(\) %\}(.*?)\{% endmacro", macros, re.S)[1]
    for preloaded in re.findall(r'rel="preload" as="script" href="\{\{ pathto\(\'([^\']+)\'', macro):
        assert preloaded in body_post, f"{preloaded} is preloaded by the theme but not loaded by body_post()"


def test_print_contents_block_is_the_book_themes_with_a_translated_landmark():
    theirs = block((BOOK_THEME / "layout.html").read_text(encoding="utf-8"), "docs_body")
    ours = block((TEMPLATES / "layout.html").read_text(encoding="utf-8"), "docs_body")
    ours = ours.replace("{{ lacbook_text('Page') }}", "Page").replace("{{ super.super() }}", "{{ super() }}")
    ours = re.sub(r'\s*\{%- include "cite-this.html" %\}', "", ours)  # the page's citation, after the article
    assert ours == theirs, "sphinx-book-theme's docs_body block changed"


def test_sidebar_nav_is_the_book_themes_with_a_translated_landmark():
    theirs = (BOOK_THEME / "components" / "sbt-sidebar-nav.html").read_text(encoding="utf-8")
    ours = (TEMPLATES / "sbt-sidebar-nav.html").read_text(encoding="utf-8")
    ours = re.sub(r"^\{#.*?#\}\n", "", ours, flags=re.S).replace("{{ lacbook_text('Main') }}", "Main")
    assert ours == theirs, "sphinx-book-theme's sbt-sidebar-nav.html changed"


# --- The extension's catalogue -------------------------------------------------------------


def used_messages() -> set[str]:
    """Every string the extension translates: site_text("...") in the package, lacbook_text('...') in templates."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        found |= set(re.findall(r"site_text\(\s*([\"'])(.+?)\1\s*\)", path.read_text(encoding="utf-8")))
    for path in TEMPLATES.rglob("*.html"):
        found |= set(re.findall(r"lacbook_text\(\s*([\"'])(.+?)\1\s*\)", path.read_text(encoding="utf-8")))
    return {message for _quote, message in found}


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != "en"])
def test_the_extension_catalogue_is_complete_and_exact(lang, tmp_path):
    path = locale.catalogue_path(lang)
    with path.open("rb") as handle:
        catalogue = {m.id: m for m in read_po(handle) if m.id}
    used = used_messages()
    assert {"Language", "Editors' note", "Download the chart:"} <= used
    assert not used - catalogue.keys(), f"not in {path}: {sorted(used - catalogue.keys())}"
    assert not catalogue.keys() - used, f"no longer used, remove from {path}: {sorted(catalogue.keys() - used)}"
    _dir, problems = locale.compile_catalogue(lang, tmp_path)
    assert not problems
    assert (tmp_path / lang / "LC_MESSAGES" / "lacbook.mo").stat().st_size > 0
    if shutil.which("msgfmt"):
        done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    sphinx_po = REPO / "translations" / lang / "LC_MESSAGES" / "sphinx.po"
    with sphinx_po.open("rb") as handle:
        interface = {m.id for m in read_po(handle) if m.id}
    assert not interface & used, f"{sphinx_po} keeps the extension's own strings: {sorted(interface & used)}"


def test_a_gap_in_the_extension_catalogue_is_reported(tmp_path, monkeypatch):
    source = tmp_path / "src" / "es" / "LC_MESSAGES" / "lacbook.po"
    source.parent.mkdir(parents=True)
    source.write_text('msgid ""\nmsgstr ""\n"Language: es\\n"\n\nmsgid "Language"\nmsgstr ""\n\n'
                      '#, fuzzy\nmsgid "Chart"\nmsgstr "Gráfico"\n', encoding="utf-8")
    monkeypatch.setattr(locale, "HERE", tmp_path / "src")
    _dir, problems = locale.compile_catalogue("es", tmp_path / "out")
    assert len(problems) == 2 and "untranslated" in problems[0] and "fuzzy" in problems[1]


# --- The built fixture book ----------------------------------------------------------------


@pytest.fixture(scope="module")
def minisite(good_book: Path) -> Path:
    """The published site of the fixture book (conftest's good_book, built once per session)."""
    return good_book / "_build" / "html"


SPANISH = {  # English: Spanish, as the pages show them
    "Search this book...": "Buscar en este libro...",
    "Language": "Idioma",
    "Main": "Principal",
    "Toggle primary sidebar": "Mostrar u ocultar la barra lateral principal",
}


@pytest.mark.build
def test_interface_strings_follow_the_edition(minisite):
    for lang in LANGS:
        for page in html_pages(minisite, lang):
            document = soup(page)
            labels = {element["aria-label"] for element in document.find_all(attrs={"aria-label": True})}
            placeholder = document.select_one("input[name=q]")["placeholder"]
            for english, spanish in SPANISH.items():
                expected, other = (spanish, english) if lang == "es" else (english, spanish)
                assert expected in labels | {placeholder}, f"{lang}/{page.name}: no {expected!r}"
                assert other not in labels | {placeholder}, f"{lang}/{page.name}: {other!r}"
    downloads = soup(minisite / "es" / "one.html").select_one(".lacbook-chart__downloads").get_text()
    assert downloads.startswith("Descargar el gráfico:") and "datos (CSV)" in downloads


@pytest.mark.build
def test_markup_that_axe_accepts(minisite):
    for lang in LANGS:
        for page in html_pages(minisite, lang):
            html = page.read_text(encoding="utf-8")
            assert "Toggle hidden content" not in html and "doc-biblioentry" not in html, f"{lang}/{page.name}"
    toggle = soup(minisite / "es" / "one.html").select_one("details.hide > summary")
    assert not toggle.attrs and "Mostrar el código" in toggle.get_text()
    entries = soup(minisite / "es" / "references.html").select('[role="list"] > [role="listitem"].citation')
    assert entries


@pytest.mark.build
def test_hreflang_links_in_the_head(minisite):
    """Absolute addresses, from the base URL (lacbook.publish)."""
    root = runpy.run_path(str(REPO / "book" / "conf.py"))["html_baseurl"].rstrip("/") + "/"
    for lang in LANGS:
        for page in html_pages(minisite, lang):
            name = page.relative_to(minisite / lang)
            links = soup(page).head.select('link[rel="alternate"][hreflang]')
            targets = {link["hreflang"]: link["href"] for link in links}
            assert len(links) == 3, f"{lang}/{name}"
            assert targets == {"en": f"{root}en/{name}", "es": f"{root}es/{name}", "x-default": root}, f"{lang}/{name}"
            assert all((minisite / target.removeprefix(root)).is_file() for target in targets.values() if target != root)


@pytest.mark.build
def test_no_fontawesome_script(minisite):
    for lang in LANGS:
        for page in html_pages(minisite, lang):
            assert "fontawesome.js" not in page.read_text(encoding="utf-8"), f"{lang}/{page.name}"
        assert not list((minisite / lang / "_static" / "scripts").glob("fontawesome.js*"))
        # The theme's other scripts still load.
        scripts = [s.get("src", "") for s in soup(minisite / lang / "one.html").find_all("script")]
        assert any("scripts/bootstrap.js" in s for s in scripts) and any("pydata-sphinx-theme.js" in s for s in scripts)


@pytest.mark.build
def test_no_thebe_script(minisite):
    for lang in LANGS:
        for page in html_pages(minisite, lang):
            document = soup(page)
            assert not [s for s in document.find_all("script") if "thebe" in (s.get("src", "") + (s.string or "")).lower()], \
                f"{lang}/{page.name}"
