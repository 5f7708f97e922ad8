"""The book as one PDF per language: `lacbook-en.pdf`, `lacbook-es.pdf` at the site's root.

Each edition is built once more with Sphinx's `singlehtml` builder (same
configuration, same `-D` settings, a copy of the edition's doctrees, so no page
is read again and no kernel runs), then turned into a book: a cover, a table of
contents, each chapter on a new page, the charts as the build's own SVG exports
(vector, in the edition's language), no navigation, toggles or code. WeasyPrint
lays it out with a print stylesheet (`assets/pdf/book.css`: A4, running heads,
page numbers, the outline) and writes a tagged PDF (PDF/UA-1) with the title,
language and author in its metadata and every font embedded.
"""

from __future__ import annotations

import datetime
import html
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable

from babel.dates import format_date
from bs4 import BeautifulSoup, Tag

from .buildlog import author_summary
from .i18n import LANGUAGES

STYLESHEET = Path(__file__).resolve().parent / "assets" / "pdf" / "book.css"
# LACBOOK_PDF=0 builds and publishes the site without PDFs: for the test suite's small
# fixture book, built many times, whose PDFs nothing reads.
SKIP = "LACBOOK_PDF"

# The few words the PDF adds around the book's own text.
WORDS = {
    "en": {
        "contents": "Contents",
        "edition": "Edition of {date}",
        "cite": "How to cite this book",
        "code": "The code that computes every number and draws every chart is not printed here: "
                "it is in the web edition (under “Show the code”) and in the book's source files, "
                "book/<chapter>.md.",
    },
    "es": {
        "contents": "Índice",
        "edition": "Edición del {date}",
        "cite": "Cómo citar este libro",
        "code": "El código que calcula cada número y dibuja cada gráfico no se imprime aquí: "
                "está en la edición web (en «Mostrar el código») y en los archivos fuente del libro, "
                "book/<capítulo>.md.",
    },
}


def wanted() -> bool:
    """Whether this build makes the PDFs (not when LACBOOK_PDF=0)."""
    return os.environ.get(SKIP) != "0"


class PdfError(RuntimeError):
    """A PDF could not be made; the message says which edition and why."""


def pdf_name(lang: str) -> str:
    return f"lacbook-{lang}.pdf"


def single_page(root: Path, build_dir: Path, lang: str, environment: dict[str, str], settings: list[str]) -> Path:
    """The whole edition as one HTML page (Sphinx's singlehtml builder), from a copy of the
    edition's doctrees with the very `-D` settings its build used, so no page is read again and
    no kernel runs. `environment` is the edition's own (build.kernel_environment). Returns the
    page's path."""
    work = build_dir / "pdf" / lang
    doctrees, outdir = work / "doctrees", work / "singlehtml"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(build_dir / lang / "doctrees", doctrees)
    command = [sys.executable, "-m", "sphinx", "-b", "singlehtml", "-q", "-d", str(doctrees),
               *settings, str(root / "book"), str(outdir)]
    log = build_dir / "logs" / f"pdf-{lang}.log"
    with log.open("w", encoding="utf-8") as handle:
        status = subprocess.run(command, env=environment, stdout=handle, stderr=subprocess.STDOUT).returncode
    if status != 0:
        raise PdfError(f"the one-page {lang} edition failed:\n"
                       + author_summary(lang, log.read_text(encoding="utf-8"), root, log))
    return outdir / "index.html"


def _unwrap_links(article: Tag, ids: set[str]) -> None:
    """Links inside the book become in-document links; links to the site's other files
    (downloads, pages the PDF does not hold) keep their text only."""
    for link in article.find_all("a", href=True):
        href = link["href"]
        if href.startswith(("http://", "https://", "mailto:")):
            continue
        fragment = href.partition("#")[2]
        if fragment in ids:
            link["href"] = f"#{fragment}"
        else:
            link.unwrap()


def _strip_web_only(article: Tag, soup: BeautifulSoup) -> None:
    """Remove what only makes sense on screen: heading anchors, code and its toggles, the
    hover notes of numbers; each chart becomes its SVG export."""
    for node in article.select(".headerlink, details.hide, .lacbook-number__note, script, noscript > style"):
        node.decompose()
    for cell in article.select("div.cell"):
        if not cell.select(".cell_output > *"):
            cell.decompose()
    for chart in article.select(".lacbook-chart"):
        static = chart.select_one("img.lacbook-chart__static")
        if static is None:
            raise PdfError(f"chart {chart.get('id')} has no static image to print")
        image = soup.new_tag("img", attrs={"class": "chart", "src": static["src"], "alt": static.get("alt", "")})
        chart.replace_with(image)


def _unique_ids(sections: list[Tag]) -> None:
    """singlehtml keeps each page's ids, so two chapters' "Sources" sections share one;
    the second and later get the chapter's name in front, and links inside that chapter
    follow them."""
    seen: set[str] = set()
    for section in sections:
        prefix = section.get("id", "chapter")
        renamed = {}
        for node in section.find_all(id=True):
            if node["id"] in seen:
                renamed[node["id"]] = node["id"] = f"{prefix}--{node['id']}"
            seen.add(node["id"])
        for link in section.find_all("a", href=True):
            if link["href"].startswith("#") and link["href"][1:] in renamed:
                link["href"] = f"#{renamed[link['href'][1:]]}"


def _breakable_ids(section: Tag) -> None:
    """Figure ids in tables (`rmrp2022_eoy.r4v_region.…`) may break after a dot or an
    underscore (a zero-width space; WeasyPrint ignores <wbr>), so narrow columns keep
    whole words."""
    for code in section.select("td code"):
        code.string = re.sub(r"(?<=[._])(?=.)", "\u200b", code.get_text())


def _renumber_headings(section: Tag, level: int) -> None:
    """Chapter titles become h1 and their sections h2, h3…: the outline and running heads
    follow heading levels, which singlehtml nests under the landing page."""
    for child in section.find_all(recursive=False):
        if child.name == "section":
            _renumber_headings(child, level + 1)
        elif child.name in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            child.name = f"h{min(level, 6)}"


def chapters(page: Path) -> tuple[str, list[Tag], BeautifulSoup]:
    """The book's title and its chapters in order (the landing page first), as sections."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article.bd-article")
    if article is None:
        raise PdfError(f"{page}: no article in the one-page edition")
    landing = article.find("section", recursive=False)
    title = landing.find("h1").get_text(" ", strip=True).rstrip("#").strip()
    found = []
    for anchor in article.select('span[id^="document-"]'):
        section = anchor.find_next_sibling("section")
        section.insert(0, anchor.extract())  # links to the chapter itself point at this anchor
        found.append(section.extract())
    wrapper = landing.select_one("div.toctree-wrapper")
    if wrapper is not None:
        holder = wrapper.find_parent("section")
        wrapper.decompose()
        if holder is not landing and not holder.find_all(["p", "ul", "ol", "table", "div", "figure"]):
            holder.decompose()  # the landing page's list of chapters: the PDF has its own
    sections = [landing, *found]
    ids = {node["id"] for section in sections for node in section.find_all(id=True)}
    for section in sections:
        _strip_web_only(section, soup)
        _unwrap_links(section, ids)
        _breakable_ids(section)
        _renumber_headings(section, 1)
        section["class"] = [*section.get("class", []), "chapter"]
    _unique_ids(sections)
    landing["class"].append("landing")
    return title, sections, soup


def _contents(sections: list[Tag], lang: str) -> str:
    """The table of contents: chapters and their sections, with page numbers from the layout."""
    items = []
    for chapter in sections:
        heading = chapter.find("h1")
        subs = "".join(
            f'<li><a href="#{sub["id"]}">{html.escape(sub.find("h2").get_text(" ", strip=True))}</a></li>'
            for sub in chapter.find_all("section", recursive=False) if sub.get("id") and sub.find("h2")
        )
        items.append(f'<li class="toc-chapter"><a href="#{chapter["id"]}">{html.escape(heading.get_text(" ", strip=True))}</a>'
                     + (f"<ol>{subs}</ol>" if subs else "") + "</li>")
    return (f'<nav class="toc" aria-labelledby="toc-title"><h1 id="toc-title">{html.escape(WORDS[lang]["contents"])}</h1>'
            f'<ol>{"".join(items)}</ol></nav>')


def _meta(soup: BeautifulSoup, name: str) -> str:
    tag = soup.find("meta", attrs={"name": name})
    if tag is None or not tag.get("content"):
        raise PdfError(f"the one-page edition has no <meta name={name!r}> (lacbook.publish writes it)")
    return tag["content"]


def _cover(soup: BeautifulSoup, landing: Tag, title: str, lang: str) -> str:
    """Title, authors, edition date, the recommended citation and the licence, as the landing
    page gives them."""
    released = datetime.date.fromisoformat(_meta(soup, "citation_publication_date").replace("/", "-"))
    cite = landing.select_one("p.lacbook-citation")
    parts = [
        f'<section class="cover"><p class="cover-title" role="heading" aria-level="1">{html.escape(title)}</p>',
        f'<p class="cover-author">{html.escape(_meta(soup, "citation_author"))}</p>',
        f'<p class="cover-edition">{html.escape(WORDS[lang]["edition"].format(date=format_date(released, "long", locale=lang)))}</p>',
    ]
    if cite is not None:
        parts.append(f'<div class="cover-cite"><p class="cover-cite-title">{html.escape(WORDS[lang]["cite"])}</p>'
                     f"<p>{html.escape(cite.get_text(' ', strip=True))}</p></div>")
    parts.append(f'<p class="cover-code">{html.escape(WORDS[lang]["code"])}</p>')
    licence = soup.select_one("p.lacbook-licence")  # the site's footer: licences, credit to the publishers
    return "".join(parts) + (str(licence) if licence is not None else "") + "</section>"


def book_html(page: Path, lang: str) -> str:
    """The printable book: cover, contents, chapters, with metadata for the PDF."""
    title, sections, soup = chapters(page)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'<meta name="author" content="{html.escape(_meta(soup, "citation_author"))}">'
        f'<meta name="description" content="{html.escape(_meta(soup, "description"))}">'
        f'<meta name="dcterms.created" content="{_meta(soup, "citation_publication_date").replace("/", "-")}">'
        f'<meta name="generator" content="lacbook.pdf (Sphinx singlehtml, WeasyPrint)"></head><body>'
        + _cover(soup, sections[0], title, lang) + _contents(sections, lang)
        + "".join(str(section) for section in sections) + "</body></html>"
    )


def write_pdf(root: Path, build_dir: Path, lang: str, environment: dict[str, str], settings: list[str]) -> Path:
    """Build one language's PDF into `build_dir/pdf/lacbook-<lang>.pdf`."""
    from weasyprint import CSS, HTML  # 1.7 s to import: loaded only where a PDF is made

    page = single_page(root, build_dir, lang, environment, settings)
    document = book_html(page, lang)
    target = build_dir / "pdf" / pdf_name(lang)
    HTML(string=document, base_url=str(page)).write_pdf(
        target, stylesheets=[CSS(filename=str(STYLESHEET))], pdf_variant="pdf/ua-1", pdf_tags=True,
    )
    return target


def build_pdfs(root: Path, build_dir: Path, langs: list[str], environment: Callable[[str], dict[str, str]],
               settings: Callable[[str], list[str]]) -> list[Path]:
    """The PDFs of these languages, side by side (one process each: WeasyPrint is pure Python),
    into `build_dir/pdf/`, after the editions built; the build publishes them with the editions
    (`publish_pdfs`). `environment(lang)` is the edition's process environment and
    `settings(lang)` the `-D` arguments its Sphinx run had."""
    for lang in langs:
        (build_dir / "pdf" / pdf_name(lang)).unlink(missing_ok=True)
    if not wanted():
        print(f"No PDF made ({SKIP}=0).", flush=True)
        return []
    started = time.perf_counter()
    print(f"Making the PDF edition of {', '.join(langs)}...", flush=True)
    with ProcessPoolExecutor(max_workers=len(langs), mp_context=multiprocessing.get_context("spawn")) as pool:
        paths = list(pool.map(write_pdf, [root] * len(langs), [build_dir] * len(langs), langs,
                              [environment(lang) for lang in langs], [settings(lang) for lang in langs]))
    for path in paths:
        print(f"  {path.name}: {path.stat().st_size / 1e6:.1f} MB", flush=True)
    print(f"  PDFs made in {time.perf_counter() - started:.0f} s", flush=True)
    return paths


def publish_pdfs(build_dir: Path, langs: list[str], fresh: Path, site: Path) -> None:
    """Into the site being published (`fresh`): the PDFs just made for `langs`, and the
    published ones of any language not built this time (as the build keeps its edition)."""
    for lang in LANGUAGES:
        made = build_dir / "pdf" / pdf_name(lang) if lang in langs else site / pdf_name(lang)
        if made.is_file():
            shutil.copyfile(made, fresh / pdf_name(lang))
