"""The built site: two editions with the same pages, each wholly in its language, offline."""

from __future__ import annotations

import re
import runpy
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import REPO
from helpers import LANGS, chart_payloads, charts_catalogue, content_pages, site_pages, soup, spec_nodes

pytestmark = pytest.mark.build

# Interface text that must never reach a Spanish page (jupyter-book, Sphinx, theme, myst-nb).
ENGLISH_INTERFACE = (
    "Search this book",
    "Link to this heading",
    "Toggle primary sidebar",
    "Toggle secondary sidebar",
    "Click to show",
    "Show the code",
)
# Loading attributes: these make the browser fetch something, unlike <a href>.
LOADERS = {"script": "src", "link": "href", "img": "src", "iframe": "src", "source": "src",
           "video": "src", "audio": "src", "embed": "src", "object": "data", "track": "src"}
NOT_LOADED = {"canonical", "alternate", "license"}  # <link> relations a browser does not fetch
EN_WORDS = {"the", "and", "of", "to", "in", "is", "for", "with", "that", "by"}
ES_WORDS = {"el", "la", "los", "las", "de", "del", "y", "en", "que", "por", "para", "con"}


def spec_texts(spec) -> set[str]:
    """Every string a compiled chart can show: plain values, and quoted names inside
    expressions (tooltip titles live there), less the names of its data columns."""
    columns = {key for dataset in spec.get("data", []) for row in dataset.get("values", []) for key in row}
    texts = set()
    for node in spec_nodes(spec):
        if isinstance(node, str):
            texts.add(node)
            texts.update(re.findall(r'"((?:[^"\\]|\\.)+)"', node))
    # Lower-case single words are keys the chart maps to labels, never shown as such.
    return {text for text in texts - columns if not re.fullmatch(r"[a-z0-9_]+", text)}


def test_both_editions_have_the_same_pages(site):
    assert (site / "index.html").is_file()
    en, es = site_pages(site, "en"), site_pages(site, "es")
    assert en == es
    assert {"index.html", "responses.html"} <= set(en)


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_declares_its_language(site, lang):
    for page in site_pages(site, lang):
        assert soup(site / lang / page).html["lang"] == lang, page


@pytest.mark.parametrize("lang", LANGS)
def test_prose_is_in_the_edition_language(site, lang):
    """Counting the commonest function words tells English from Spanish reliably."""
    mine, other = (EN_WORDS, ES_WORDS) if lang == "en" else (ES_WORDS, EN_WORDS)
    for page in content_pages(site, lang):
        article = soup(page).select_one("article.bd-article")
        # Code, scripts and bibliography entries (cited in their original language) are not prose.
        for hidden in article.select("pre, .highlight, script, .citation, .bibtex"):
            hidden.decompose()
        # Text marked as being in another language (for screen readers) is honest about it.
        for quoted in article.select(f"[lang]:not([lang='{lang}'])"):
            quoted.decompose()
        words = re.findall(r"[^\W\d_]+", article.get_text(" ").lower())
        ours = sum(w in mine for w in words)
        theirs = sum(w in other for w in words)
        if ours + theirs < 20:  # a page of headings and citations only (References) says too little
            continue
        assert ours > 2 * theirs, f"{lang}/{page.name}: {ours} {lang} words vs {theirs} of the other language"


def test_spanish_pages_have_a_spanish_interface(site):
    for page in content_pages(site, "es"):
        html = page.read_text(encoding="utf-8")
        leftovers = [text for text in ENGLISH_INTERFACE if text in html]
        assert not leftovers, f"es/{page.name} shows English interface text: {leftovers}"
        assert "Buscar en este libro" in html, page.name


# Attributes that browsers show (tooltips) or read aloud (screen readers).
SHOWN_ATTRIBUTES = ("title", "aria-label", "alt", "placeholder")


def shown_attributes(page: Path) -> set[str]:
    """Attribute text of a page, less bibliography links (titled with the work as
    published) and the language switcher (each language named in its own)."""
    document = soup(page)
    for kept in document.select('a[href*="references.html#"], .lacbook-lang-switch'):
        kept.decompose()
    return {element[name] for name in SHOWN_ATTRIBUTES for element in document.find_all(attrs={name: True})}


def test_spanish_pages_have_no_english_attributes(site):
    """Tooltips and screen-reader labels: any text of three or more letters that a
    Spanish page shares with its English twin is untranslated interface."""
    for page in site_pages(site, "es"):
        same = shown_attributes(site / "es" / page) & shown_attributes(site / "en" / page)
        english = sorted(text for text in same if re.search(r"[a-z]{3}", text))
        assert not english, f"es/{page} keeps English attributes: {english}"


def test_english_pages_keep_the_english_interface(site):
    html = (site / "en" / "responses.html").read_text(encoding="utf-8")
    assert "Search this book" in html and "Show the code" in html


@pytest.mark.parametrize("lang", LANGS)
def test_switcher_and_hreflang_point_to_existing_pages(site, lang):
    root = runpy.run_path(str(REPO / "book" / "conf.py"))["html_baseurl"].rstrip("/") + "/"
    for name in site_pages(site, lang):
        page = site / lang / name
        document = soup(page)
        switch = document.select("a[data-lacbook-lang]")
        alternates = document.select('link[rel="alternate"][hreflang]')
        assert len(switch) == len(LANGS) - 1, name
        assert {a["hreflang"] for a in alternates} == {*LANGS, "x-default"}, name
        for link in switch:
            target = (page.parent / link["href"]).resolve()
            assert target.is_file(), f"{lang}/{name}: {link['href']} does not exist"
        for link in alternates:  # absolute, from the base URL
            target = site / link["href"].removeprefix(root)
            assert (target / "index.html" if link["href"] == root else target).is_file(), link["href"]
        other = next(a for a in switch)
        assert (page.parent / other["href"]).resolve() == (site / other["hreflang"] / name).resolve()


def test_no_page_loads_anything_from_another_host(site):
    offenders = []
    for page in site.rglob("*.html"):
        document = soup(page)
        for tag, attribute in LOADERS.items():
            for element in document.find_all(tag):
                if tag == "link" and set(element.get("rel", [])) <= NOT_LOADED:
                    continue  # addresses of the page (canonical, hreflang, licence), never fetched
                url = element.get(attribute)
                if url and urlsplit(url).netloc:
                    offenders.append(f"{page.relative_to(site)}: <{tag} {attribute}={url}>")
    for css in site.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text(encoding="utf-8", errors="replace")):
            if urlsplit(url).netloc:
                offenders.append(f"{css.relative_to(site)}: url({url})")
    assert not offenders, "\n".join(offenders[:20])


def test_chart_script_only_on_pages_with_charts(site):
    for lang in LANGS:
        for name in site_pages(site, lang):
            page = site / lang / name
            has_chart = bool(chart_payloads(page))
            loads_script = any("lacbook-charts.js" in s.get("src", "") for s in soup(page).find_all("script"))
            assert has_chart == loads_script, f"{lang}/{name}"
        assert (site / lang / "_static/charts/lacbook-charts-vega.js").stat().st_size > 100_000


def test_nothing_but_the_text_comes_before_the_first_paint(site):
    """Script files wait for the page (defer), but documentation_options.js, which the theme's
    inline scripts read; charts keep their specs outside the page (chartnode.payload_script).
    (The search page is left as Sphinx writes it: its searchtools.js needs doctools.js first.)"""
    for lang in LANGS:
        for page in content_pages(site, lang):
            document = soup(page)
            blocking = [tag["src"] for tag in document.find_all("script", src=True)
                        if not {"defer", "async"} & tag.attrs.keys() and "documentation_options.js" not in tag["src"]]
            assert not blocking, f"{page}: scripts that block the first paint: {blocking}"
            assert not document.select(".lacbook-chart script"), f"{page}: a chart's spec inside the page"


THEME = Path(__import__("pydata_sphinx_theme").__file__).parent / "theme" / "pydata_sphinx_theme"


def asset_paths(template: str) -> list[str]:
    return re.findall(r"pathto\('([^']+)', 1\) \}\}(\?digest=\w+)?", template)


@pytest.mark.parametrize("lang", LANGS)
def test_pages_load_a_slim_theme(site, lang):
    """No fontawesome.js, the search index only where searching happens, purged CSS, a subset icon font."""
    for name in site_pages(site, lang):
        scripts = [tag.get("src", "") for tag in soup(site / lang / name).find_all("script")]
        assert not [src for src in scripts if "fontawesome" in src], f"{lang}/{name}"
        assert any("searchindex.js" in src for src in scripts) == (name == "search.html"), f"{lang}/{name}"
    static = site / lang / "_static"
    theme_css = (THEME / "static/styles/pydata-sphinx-theme.css").stat().st_size
    assert (static / "styles/pydata-sphinx-theme.css").stat().st_size < theme_css / 3
    assert (static / "vendor/fontawesome/webfonts/fa-solid-900.woff2").stat().st_size < 20_000
    assert not list((static / "scripts").glob("fontawesome.js*"))


@pytest.mark.parametrize("lang", LANGS)
def test_chart_specs_speak_the_page_language(site, lang):
    catalogue = charts_catalogue()
    foreign = set(catalogue) if lang == "es" else set(catalogue.values())
    decimal = {"en": ".", "es": ","}[lang]
    seen = 0
    for page in content_pages(site, lang):
        other = site / ("es" if lang == "en" else "en") / page.name
        for payload, counterpart in zip(chart_payloads(page), chart_payloads(other), strict=True):
            seen += 1
            assert payload["lang"] == lang
            assert payload["formatLocale"]["decimal"] == decimal
            wrong = sorted(spec_texts(payload["spec"]) & foreign)
            assert not wrong, f"{page.name}: chart text in the other language: {wrong}"
            for part in ("title", "description"):
                mine, theirs = payload["spec"].get(part), counterpart["spec"].get(part)
                assert mine and mine != theirs, f"{lang}/{page.name}: chart {part} {mine!r} is not translated"
    assert seen, "no chart found"


def test_translated_pages_hold_no_paragraph_s_own_document(site):
    """Sphinx parses each translated paragraph as a document of its own; while a page's nodes
    still named those documents as theirs, the edition kept every paragraph's Markdown parser
    in memory, and its memory grew with its pages (lacbook.site.release_message_documents)."""
    import pickle

    doctrees = sorted((site.parent / "es" / "doctrees").glob("*.doctree"))
    assert "migration" in {path.stem for path in doctrees}
    for path in doctrees:
        doctree = pickle.loads(path.read_bytes())
        foreign = [node for node in doctree.findall(include_self=False) if node.document is not doctree]
        assert not foreign, f"{path.name}: {len(foreign)} nodes name another document, e.g. {foreign[0]!r}"


@pytest.mark.parametrize("lang", LANGS)
def test_tables_have_the_same_ids_in_every_build(site, lang):
    """pandas gives a styled table a random id unless told one; the same data must make the same page."""
    for page in content_pages(site, lang):
        random_ids = re.findall(r'id="T_[0-9a-f]{5}"', page.read_text(encoding="utf-8"))
        assert not random_ids, f"{page.name}: {random_ids}"
