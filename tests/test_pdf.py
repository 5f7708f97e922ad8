"""The PDF edition of each language (lacbook.pdf), as the build publishes it at the site's root.

The PDFs come from the session's built site (conftest's `site`); their text is read with
poppler's `pdftotext` and `pdffonts` (Debian's poppler-utils), their structure with pypdf.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from helpers import LANGS, soup
from lacbook.pdf import WORDS, pdf_name
from lacbook.editions import toc_files

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.build
A4 = (595.28, 841.89)  # points


def normalised(text: str) -> str:
    """Text as compared here: compatibility forms (ligatures, no-break spaces) folded, zero-width
    break opportunities dropped, runs of white space made one space."""
    text = unicodedata.normalize("NFKC", text).replace("\u200b", "")
    return re.sub(r"\s+", " ", text)


def poppler(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: install Debian's poppler-utils (apt-get install poppler-utils)")
    return subprocess.run([tool, *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="session")
def pdfs(site: Path) -> dict[str, Path]:
    return {lang: site / pdf_name(lang) for lang in LANGS}


@pytest.fixture(scope="session")
def pdf_lines(pdfs) -> dict[str, list[str]]:
    """Each PDF's text, line by line as pdftotext reads it."""
    return {lang: poppler("pdftotext", "-enc", "UTF-8", str(path), "-").splitlines() for lang, path in pdfs.items()}


@pytest.fixture(scope="session")
def pdf_text(pdf_lines) -> dict[str, str]:
    return {lang: normalised(" ".join(lines)) for lang, lines in pdf_lines.items()}


@pytest.fixture(scope="session")
def readers(pdfs) -> dict[str, PdfReader]:
    return {lang: PdfReader(path) for lang, path in pdfs.items()}


def chapter_titles(site: Path, lang: str) -> list[str]:
    """Each page's title (h1) in the edition, in the table of contents' order."""
    titles = []
    for doc in toc_files(REPO / "_toc.yml"):
        heading = soup(site / lang / f"{doc}.html").select_one("article h1")
        titles.append(normalised(heading.get_text(" ", strip=True).rstrip("#").strip()))
    return titles


def site_figures(site: Path, lang: str, selector: str) -> list[str]:
    """The text of `selector` on every page of the edition, as the site shows it."""
    found = []
    for doc in toc_files(REPO / "_toc.yml"):
        found += [normalised(node.get_text(" ", strip=True)) for node in soup(site / lang / f"{doc}.html").select(selector)]
    return found


def test_both_pdfs_are_published_at_the_site_root(pdfs):
    for lang, path in pdfs.items():
        assert path.is_file(), f"{path} is missing: the build publishes lacbook-<lang>.pdf at the site's root"
        assert path.read_bytes()[:5] == b"%PDF-", f"{path} is not a PDF"


@pytest.mark.parametrize("lang", LANGS)
def test_every_chapter_title_is_in_the_pdf(site, pdf_text, lang):
    missing = [title for title in chapter_titles(site, lang) if title not in pdf_text[lang]]
    assert not missing, f"{lang} PDF lacks these chapter titles: {missing}"


def test_the_spanish_pdf_has_no_english_chapter_title_or_interface_text(site, readers, pdf_lines, pdf_text):
    spanish = set(chapter_titles(site, "es"))
    english = [title for title in chapter_titles(site, "en") if title not in spanish]
    interface = [text.split("{")[0].strip() for text in WORDS["en"].values()] + ["Editors’ note", "Key points"]
    # A short title ("Data", "Context") may be a word of an English source's title, which the
    # Spanish edition cites as published: it must not stand alone on a line (a heading, a
    # running head, a table of contents entry). Longer text must not appear at all.
    lines = {normalised(line).strip() for line in pdf_lines["es"]}
    lines |= {normalised(re.sub(r"[ .]+\d+$", "", line)).strip() for line in lines}  # contents entries: title ..... page
    found = [text for text in [*english, *interface]
             if (normalised(text) in pdf_text["es"] if len(text.split()) > 3 else normalised(text) in lines)]
    found += [n for n in site_figures(site, "en", "figcaption .caption-number")[:1] if n.split()[0] in pdf_text["es"]]
    assert not found, f"English text in the Spanish PDF: {found}"
    outline = [normalised(entry.title) for entry in readers["es"].outline if not isinstance(entry, list)]
    assert not [title for title in english if title in outline], f"English titles in the Spanish outline: {outline}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_figure_number_and_chart_of_the_site_is_in_the_pdf(site, pdf_text, lang):
    numbers = site_figures(site, lang, "figcaption .caption-number")
    assert numbers, f"no numbered figure found in the {lang} site"
    missing = [n for n in numbers if not re.search(re.escape(n) + r"(?!\d)", pdf_text[lang])]
    assert not missing, f"{lang} PDF lacks figure numbers {missing}"
    # Each chart is drawn from its SVG export: its title is text in the PDF, not pixels.
    titles = [normalised(box["data-title"]) for doc in toc_files(REPO / "_toc.yml")
              for box in soup(site / lang / f"{doc}.html").select(".lacbook-chart[data-title]") if box["data-title"]]
    assert titles and not [t for t in titles if t not in pdf_text[lang]], f"{lang} PDF lacks chart titles"


@pytest.mark.parametrize("lang", LANGS)
def test_charts_are_vectors_not_images(pdfs, lang):
    images = poppler("pdfimages", "-list", str(pdfs[lang])).splitlines()[2:]
    assert not images, f"{lang} PDF has raster images (page, size…): {images}; charts must be the SVG exports"


@pytest.mark.parametrize("lang", LANGS)
def test_glued_numbers_read_as_on_the_site(site, pdf_text, lang):
    numbers = sorted(set(site_figures(site, lang, ":not(td) > .lacbook-number .lacbook-figure")))
    assert len(numbers) > 20, f"too few glued numbers found in the {lang} site: {numbers}"
    missing = [n for n in numbers if n not in pdf_text[lang]]
    assert not missing, f"{lang} PDF prints these glued numbers differently from the site: {missing}"


@pytest.mark.parametrize("lang", LANGS)
def test_no_code_toggles_or_number_notes(site, pdf_text, lang):
    # Code that every chapter's hidden cells contain, and the hover note of the first glued number.
    assert "glue(" not in pdf_text[lang] and "import " not in pdf_text[lang], f"{lang} PDF prints code"
    note = site_figures(site, lang, ".lacbook-number__note")[0]
    assert note not in pdf_text[lang], f"{lang} PDF prints a number's hover note: {note!r}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_font_is_embedded(pdfs, lang):
    rows = poppler("pdffonts", str(pdfs[lang])).splitlines()[2:]
    assert rows, f"pdffonts lists no font in the {lang} PDF"
    not_embedded = [row for row in rows if row.split()[-5] != "yes"]
    assert not not_embedded, f"fonts not embedded in the {lang} PDF: {not_embedded}"


@pytest.mark.parametrize("lang", LANGS)
def test_outline_lists_the_chapters_in_order(site, readers, lang):
    outline = readers[lang].outline
    top = [normalised(entry.title) for entry in outline if not isinstance(entry, list)]
    titles = chapter_titles(site, lang)
    assert [t for t in top if t in titles] == titles, f"{lang} PDF outline {top} does not list {titles} in order"
    assert any(isinstance(entry, list) for entry in outline), f"{lang} PDF outline has no sections under chapters"


@pytest.mark.parametrize("lang", LANGS)
def test_a4_title_language_and_tags(site, readers, lang):
    reader = readers[lang]
    sizes = {(round(float(p.mediabox.width), 2), round(float(p.mediabox.height), 2)) for p in reader.pages}
    assert sizes == {A4}, f"{lang} PDF page sizes {sizes}, expected A4 {A4}"
    assert normalised(reader.metadata.title) == chapter_titles(site, lang)[0], f"{lang} PDF title: {reader.metadata.title!r}"
    catalog = reader.root_object
    assert catalog.get("/Lang") == lang, f"{lang} PDF declares language {catalog.get('/Lang')!r}"
    tagged = bool(catalog.get("/MarkInfo", {}).get("/Marked")) and catalog.get("/StructTreeRoot") is not None
    assert tagged, f"{lang} PDF is not tagged (no /MarkInfo /Marked true and /StructTreeRoot)"


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_links_to_its_edition_pdf(site, lang):
    """Readers find the PDF from any page, the landing page included, in the page's language."""
    label = {"en": "Download PDF", "es": "Descargar PDF"}[lang]
    pages = [page for page in (site / lang).glob("*.html") if page.name not in ("search.html", "genindex.html", "404.html")]
    assert (site / lang / "index.html") in pages
    for page in pages:
        links = soup(page).select("a.lacbook-pdf-link")
        assert len(links) == 1, f"{lang}/{page.name}: {len(links)} PDF links"
        target = (page.parent / links[0]["href"]).resolve()
        assert target == (site / pdf_name(lang)).resolve() and target.is_file(), f"{lang}/{page.name}: {links[0]['href']}"
        assert links[0].get_text(" ", strip=True) == label
