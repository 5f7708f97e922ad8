"""Sphinx extension: what makes the book citable, reusable and findable.

From three settings in book/conf.py (`html_baseurl`, the address of the
site's root; `lacbook_edition_date`; `lacbook_edition`) it sets up the
well-kept extensions for each edition (sphinx-sitemap, sphinxext-opengraph,
sphinx-notfound-page, sphinx-last-updated-by-git), and adds what they do not:

- absolute `hreflang` alternates and each edition's own canonical address;
- each page's description from its opening words (meta and Open Graph), its first
  chart as its preview image, and the book's description on the pages Sphinx
  makes with no text of their own (search, index, 404);
- Google Scholar `citation_*` tags, a "Cite this chapter" block on each page
  and the `how-to-cite` directive of the landing page, all in the page's
  language;
- the licence and the credit to the source documents' publishers in the footer;
- the files that belong to the site's root rather than to an edition
  (`robots.txt`, a sitemap index over both editions' sitemaps, the 404 page),
  which each edition writes under `_root/` and the build lifts to the root
  (`lift_root_files`, called by lacbook.build when it publishes).
"""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
from datetime import date
from pathlib import Path
from urllib.parse import urljoin, urlparse

from babel.dates import format_date
from babel.lists import format_list
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
import sphinx_sitemap

from .chartnode import lacbook_chart
from .i18n import LANGUAGES, SOURCE_LANGUAGE
from .locale import catalogue_path, site_text

ROOT_FILES = "_root"  # inside each edition's output; lifted to the site's root by the build
LICENCE_URL = {"en": "https://creativecommons.org/licenses/by/4.0/",
               "es": "https://creativecommons.org/licenses/by/4.0/deed.es"}
LANGUAGE_NAMES = {"en": "english", "es": "spanish"}  # BibTeX's (babel's) names
# Pages Sphinx makes with no text of their own: not in the sitemap, described as the book is.
GENERATED_PAGES = ("genindex", "search", "404")


def site_root(config) -> str:
    """The site's root address (conf.py's html_baseurl as set there), ending in a slash."""
    return config.lacbook_site_root


def edition_url(config, lang: str, pagename: str = "index") -> str:
    return f"{site_root(config)}{lang}/{pagename}.html"


def pdf_url(config, lang: str) -> str:
    """Where the edition's PDF is published (lacbook.pdf): `<root>/lacbook-<lang>.pdf`."""
    return f"{site_root(config)}lacbook-{lang}.pdf"


def edition_date(config) -> date:
    return date.fromisoformat(config.lacbook_edition_date)


def publishers(data_dir: Path) -> list[str]:
    """The short names of the source documents' publishers (sources.csv), in order of first
    appearance: the name in parentheses ("… (GAATW)"), else the first word ("R4V …")."""
    found = []
    with open(data_dir / "sources.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            full = row["publisher"].strip()
            bracketed = re.search(r"\(([^()]+)\)\s*$", full)
            short = bracketed[1] if bracketed else full.split()[0]
            if short not in found:
                found.append(short)
    return found


def authors(config) -> str:
    """The editorial team as the edition names it, at the start of a sentence."""
    return config.author[:1].upper() + config.author[1:]


def book_title(app: Sphinx) -> str:
    """The landing page's title in the edition's language: the book's full title."""
    title = app.env.titles.get(app.config.root_doc)
    return title.astext() if title else app.config.html_title


def citation(app: Sphinx, url: str, chapter: str | None = None) -> str:
    """The recommended plain-text citation of the book, or of one of its pages."""
    config = app.config
    fields = {"authors": authors(config), "year": edition_date(config).year, "title": book_title(app),
              "date": format_date(edition_date(config), "long", locale=config.language), "url": url}
    if chapter is None:
        return str(site_text("{authors} ({year}). {title}. Edition of {date}. {url}")).format(**fields)
    return str(site_text("{authors} ({year}). “{chapter}”. In {title}. Edition of {date}. {url}")).format(
        chapter=chapter, **fields)


def bibtex(app: Sphinx) -> str:
    """A BibTeX (biblatex-compatible) entry for the edition of the book being read."""
    config, lang = app.config, app.config.language
    day = edition_date(config)
    key = f"lacbook{day.year}" + ("" if lang == SOURCE_LANGUAGE else lang)
    fields = {"title": book_title(app), "author": "{" + authors(config) + "}", "year": str(day.year),
              "date": day.isoformat(), "edition": config.lacbook_edition, "language": LANGUAGE_NAMES[lang],
              "url": edition_url(config, lang)}
    width = max(map(len, fields))
    lines = [f"  {name:<{width}} = {{{value}}}," for name, value in fields.items()]
    return "@book{" + key + ",\n" + "\n".join(lines) + "\n}"


class how_to_cite(nodes.General, nodes.Element):
    """Where the `how-to-cite` directive stands until the book's title is known in the page's language."""


class HowToCite(SphinxDirective):
    """`how-to-cite`: the book's plain-text citation and its BibTeX entry, in the page's language.

    Both are made from the settings, so the edition date is written in one place
    only, and filled in once the page is translated (`fill_citations`), so they
    are no chapter messages.
    """

    def run(self) -> list[nodes.Node]:
        if catalogue_path(self.config.language).is_file():  # its words: a change there reads the page again
            self.env.note_dependency(str(catalogue_path(self.config.language)))
        return [how_to_cite()]


def fill_citations(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """doctree-resolved: each `how-to-cite` mark becomes the citation and the BibTeX entry."""
    for mark in list(doctree.findall(how_to_cite)):
        if app.builder.format != "html":
            mark.parent.remove(mark)
            continue
        url = edition_url(app.config, app.config.language)
        text = nodes.paragraph("", citation(app, url), classes=["lacbook-citation"], translatable=False)
        entry = nodes.literal_block(bibtex(app), bibtex(app), language="bibtex", classes=["lacbook-bibtex"],
                                    translatable=False)
        mark.replace_self([text, entry])


def on_config_inited(app: Sphinx, config) -> None:
    """Each edition's addresses, from the site's root."""
    root = config.html_baseurl.rstrip("/") + "/"
    config.lacbook_site_root = root
    lang = config.language
    config.html_baseurl = f"{root}{lang}/"  # Sphinx's canonical link: this edition's address of the page
    config.site_url = root  # sphinx-sitemap: <root><lang>/<page>.html, with each edition as an alternate
    config.sitemap_url_scheme = "{lang}{link}"
    config.sitemap_locales = list(LANGUAGES)
    config.sitemap_excludes = [f"{page}.html" for page in GENERATED_PAGES]
    config.sitemap_show_lastmod = True
    config.ogp_site_url = config.html_baseurl
    config.ogp_site_name = config.html_title
    config.ogp_type = "book"
    config.ogp_social_cards = {"enable": False}  # no generated images; a chart where the page has one
    config.notfound_urls_prefix = f"{urlparse(root).path}{lang}/"
    config.html_last_updated_fmt = "%d %B %Y" if lang == SOURCE_LANGUAGE else "%d de %B de %Y"
    # `{{ edition_date }}` in the prose (the changelog), written as the edition's language writes dates.
    config.myst_substitutions = {**config.myst_substitutions,
                                 "edition_date": format_date(edition_date(config), "long", locale=lang)}


# Written in the other edition's language, on purpose: the 404 page is for its readers too.
OTHER_EDITION = {"en": "Page not found. Go to the English edition.",
                 "es": "Página no encontrada. Ir a la edición en español."}


def on_builder_inited(app: Sphinx) -> None:
    """The 404 page's words (the extension's catalogue is loaded by now: lacbook.site)."""
    config, lang = app.config, app.config.language
    other = [code for code in LANGUAGES if code != lang]
    home = html.escape(edition_url(config, lang, "index"))
    heading = html.escape(str(site_text("Page not found")))
    gone = html.escape(str(site_text("There is no page at this address: it may have moved, or the link may be wrong.")))
    start = html.escape(str(site_text("Go to the start of the book.")))
    lines = [f"<h1>{heading}</h1>", f'<p>{gone} <a href="{home}">{start}</a></p>']
    for code in other:
        lines.append(f'<p lang="{code}"><a href="{html.escape(edition_url(config, code))}">'
                     f'{html.escape(OTHER_EDITION[code])}</a></p>')
    config.notfound_context = {"title": heading, "body": "\n".join(lines)}


def meta_tag(name: str, content: str, attribute: str = "name") -> str:
    return f'<meta {attribute}="{name}" content="{html.escape(content)}" />'


def describe(doctree: nodes.document, limit: int = 155) -> str:
    """The page's opening words, as plain text: glued numbers as printed, citation labels
    ("[GAATW 2024, Argentina]") left out, cut at a word before `limit` characters."""

    def plain(node: nodes.Node) -> str:
        if isinstance(node, nodes.raw):  # a glued number (lacbook.site): its text is the rawsource
            return node.rawsource
        if isinstance(node, nodes.Text):
            return str(node)
        return "".join(plain(child) for child in node.children)

    words = []
    for paragraph in doctree.findall(nodes.paragraph):
        text = re.sub(r"\s*\[[^\[\]]*\]", "", plain(paragraph))
        words += text.split()
        if sum(map(len, words)) + len(words) > limit:
            break
    text = " ".join(words)
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def preview(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """The page's description (meta and Open Graph) and, where it has charts, its first chart as
    its preview image (the PNG lacbook.chartnode exports beside the page). sphinxext-opengraph,
    which runs next, takes both from the page's metadata and adds no description of its own."""
    if app.builder.format != "html" or doctree is None:
        return
    fields = {**(context.get("meta") or {})}
    description = describe(doctree)
    if description:
        fields["og:description"] = description
        context["metatags"] = context.get("metatags", "") + meta_tag("description", description) + "\n"
    chart = next(iter(doctree.findall(lacbook_chart)), None)
    if chart is not None and chart.get("href"):
        page = edition_url(app.config, app.config.language, pagename)
        described = json.loads(chart["payload"]).get("spec", {}).get("description")
        fields["og:image"] = urljoin(page, chart["href"] + ".png")
        fields["og:image:alt"] = described or nodes_text(context.get("title", ""))
    context["meta"] = fields


def on_page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Addresses, licence, citation and description of the page (after lacbook.site's own context)."""
    if app.builder.format != "html":
        return
    config, lang = app.config, app.config.language
    root = site_root(config)
    # hreflang alternates, absolute (templates/layout.html).
    context["lacbook_alternates"] = [{"code": code, "href": edition_url(config, code, pagename)}
                                     for code in LANGUAGES] + [{"code": "x-default", "href": root}]
    if pagename == config.notfound_pagename:
        # Served at any address: every link must be absolute; the switcher opens the other edition.
        context["lacbook_editions"] = [{**edition, "href": edition_url(config, edition["code"])}
                                       for edition in context.get("lacbook_editions", [])]
        context["lacbook_site_root"] = root
        context["pagetitle"] = context.get("title", "")  # the theme's print-only heading
    context["lacbook_licence_url"] = LICENCE_URL[lang]
    context["lacbook_publishers"] = publisher_names(app)
    tags = []
    if doctree is None or pagename in GENERATED_PAGES:
        # No text to describe (search, index, 404): the book's own description.
        book = site_text("A bilingual book on migration, trafficking and organised crime in Latin America and the Caribbean.")
        tags.append(meta_tag("description", str(book)))
    else:
        tags += scholar_tags(app, pagename, context)
        if pagename != config.root_doc:
            context["lacbook_cite"] = citation(app, edition_url(config, lang, pagename),
                                               chapter=nodes_text(context.get("title", "")))
    tags.append(f'<link rel="license" href="{LICENCE_URL[lang]}" />')
    context["metatags"] = context.get("metatags", "") + "\n".join(tags) + "\n"


def nodes_text(title: str) -> str:
    """A page title as Sphinx hands it to templates (HTML), as plain text."""
    return html.unescape(re.sub(r"<[^>]+>", "", title))


def scholar_tags(app: Sphinx, pagename: str, context: dict) -> list[str]:
    """Google Scholar's `citation_*` tags: the landing page as the book, any other page as a chapter."""
    config, lang = app.config, app.config.language
    title = book_title(app)
    tags = [meta_tag("citation_title", title if pagename == config.root_doc else nodes_text(context["title"])),
            meta_tag("citation_author", authors(config)),
            meta_tag("citation_publication_date", edition_date(config).strftime("%Y/%m/%d")),
            meta_tag("citation_language", lang),
            meta_tag("citation_pdf_url", pdf_url(config, lang)),
            meta_tag("citation_public_url", edition_url(config, lang, pagename))]
    if pagename != config.root_doc:
        tags.append(meta_tag("citation_inbook_title", title))
    return tags


def publisher_names(app: Sphinx) -> str:
    """The publishers of the source documents by the short names both languages use ("GAATW,
    R4V and UNODC"); their full names are in the references."""
    if not app.config.lacbook_data_dir:
        return ""
    names = [html.escape(short) for short in publishers(Path(app.config.lacbook_data_dir))]
    return format_list(names, locale=app.config.language)


def list_every_page(app: Sphinx, exception) -> None:
    """Before sphinx-sitemap writes an edition's sitemap: every page of the edition, not only
    the pages this build wrote (it collects them as they are written, so an incremental build
    would publish a sitemap of the few pages that changed). Its queue and `add_html_link` have
    no documented API; tests/test_publish.py fails if this stops working."""
    links = getattr(app, "sitemap_links", None)
    if exception is not None or app.builder.format != "html" or links is None:
        return
    while not links.empty():
        links.get_nowait()
    for docname in sorted(app.env.found_docs):
        sphinx_sitemap.add_html_link(app, docname, None, {}, None)


def write_root_files(app: Sphinx, exception) -> None:
    """The site root's files, which each edition writes under `_root/` for the build to lift.

    robots.txt names the sitemap index; the index lists each edition's sitemap
    (which sphinx-sitemap writes, with the other edition as an alternate of each
    page); the 404 page is the edition's own, whose links are all absolute, and
    which also speaks to the other edition's readers.
    """
    if exception is not None or app.builder.format != "html":
        return
    root, outdir = site_root(app.config), Path(app.outdir)
    target = outdir / ROOT_FILES
    target.mkdir(exist_ok=True)
    (target / "robots.txt").write_text(f"User-agent: *\nAllow: /\n\nSitemap: {root}sitemap.xml\n", encoding="utf-8")
    entries = "".join(f"  <sitemap><loc>{html.escape(root)}{lang}/sitemap.xml</loc></sitemap>\n" for lang in LANGUAGES)
    (target / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + entries + "</sitemapindex>\n",
        encoding="utf-8")
    notfound = outdir / f"{app.config.notfound_pagename}.html"
    if notfound.is_file():
        shutil.copy(notfound, target / notfound.name)


def lift_root_files(site: Path) -> None:
    """Move the root files the editions wrote (`<lang>/_root/*`) to the site's root; the
    source language's edition, when it has them, wins (its 404 page is the one served)."""
    for lang in sorted(LANGUAGES, key=lambda code: code == SOURCE_LANGUAGE):
        folder = site / lang / ROOT_FILES
        if folder.is_dir():
            shutil.copytree(folder, site, dirs_exist_ok=True)
            shutil.rmtree(folder)


def setup(app: Sphinx) -> dict:
    app.add_config_value("lacbook_edition_date", "", "env", types=[str])
    app.add_config_value("lacbook_edition", "1", "env", types=[str])
    app.add_config_value("lacbook_site_root", "", "env", types=[str])
    app.add_node(how_to_cite)
    app.add_directive("how-to-cite", HowToCite)
    app.connect("doctree-resolved", fill_citations)
    app.connect("config-inited", on_config_inited)
    app.connect("builder-inited", on_builder_inited)
    # Before sphinxext-opengraph (priority 500), which reads the page's og:image from context["meta"];
    # the rest after lacbook.site (500), whose language switcher the 404 page changes.
    app.connect("html-page-context", preview, priority=450)
    app.connect("html-page-context", on_page_context, priority=550)
    app.connect("build-finished", list_every_page, priority=400)  # before sphinx-sitemap's (500)
    app.connect("build-finished", write_root_files)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
