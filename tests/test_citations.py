"""Citations a reader can follow (lacbook.citations): a label per source in the
page's language, a locator on every citation, and a bibliography and tooltips
with no English style words on Spanish pages."""

from __future__ import annotations

import re
from collections import Counter

import pybtex.plugin
import pytest
from babel.messages.pofile import read_po
from pybtex.database import parse_file
from sphinxcontrib.bibtex.citation_target import parse_citation_targets

from conftest import REPO
from helpers import LANGS, html_pages, soup
from lacbook import citations

BOOK = REPO / "book"
CATALOGUES = REPO / "translations" / "es" / "LC_MESSAGES"

LABELS = {
    "en": {
        "rmrp2022_eoy": "R4V 2022 end-year",
        "rmrp2023_eoy": "R4V 2023 end-year",
        "rmrp2023_24_plan": "RMRP 2023–2024",
        "gaatw2024": "GAATW 2024",
        "unodc2023_eri": "UNODC 2023",
    },
    "es": {
        "rmrp2022_eoy": "R4V, fin de año 2022",
        "rmrp2023_eoy": "R4V, fin de año 2023",
        "rmrp2023_24_plan": "RMRP 2023–2024",
        "gaatw2024": "GAATW 2024",
        "unodc2023_eri": "UNODC 2023",
    },
}
# Words a citation style adds in English; none may reach a Spanish page.
ENGLISH_STYLE_WORDS = (
    "Tech. Rep.", "Technical report", "In:", "Accessed", "Available at", "Retrieved",
    "In English", "In Spanish", "End-year report", "Regional report", "News story",
)
CITE_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def cite_targets(text: str):
    """Every (key, pre, post) of every `{cite}` role in a piece of MyST text."""
    for match in CITE_ROLE.finditer(text):
        yield from parse_citation_targets(" ".join(match.group(1).split()))


def chapter_texts():
    """(where, text) for each chapter's English source and each Spanish msgstr."""
    for chapter in sorted(BOOK.glob("*.md")):
        yield f"book/{chapter.name}", chapter.read_text(encoding="utf-8")
    for catalogue in sorted(CATALOGUES.glob("*.po")):
        with catalogue.open("rb") as handle:
            for message in read_po(handle):
                if message.id and isinstance(message.string, str) and message.string:
                    yield f"es/{catalogue.name}: {message.id[:60]!r}", message.string


def formatted(lang: str) -> dict[str, object]:
    """The bibliography entries as the edition's pybtex style formats them, by key."""
    citations._register()
    style = pybtex.plugin.find_plugin("pybtex.style.formatting", citations.style_name(lang))()
    entries = style.sort(parse_file(BOOK / "references.bib").entries.values())
    return {entry.key: style.format_entry(label, entry)
            for label, entry in zip(style.format_labels(entries), entries)}


# -- fast: the style and the sources -------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_each_source_has_its_label(lang):
    assert {key: entry.label for key, entry in formatted(lang).items()} == LABELS[lang]


def test_spanish_entries_add_only_spanish_words():
    for key, entry in formatted("es").items():
        text = entry.text.render_as("text")
        assert not [word for word in ENGLISH_STYLE_WORDS if word in text], f"{key}: {text}"


def test_every_cited_key_is_in_the_bibliography():
    known = set(LABELS["en"])
    unknown = sorted({(where, target.key) for where, text in chapter_texts()
                      for target in cite_targets(text) if target.key not in known})
    assert not unknown, unknown


def test_every_citation_in_the_chapters_carries_a_locator():
    """`{cite}`gaatw2024{Argentina}``: the section of the source where the claim is found."""
    missing = [(where, target.key) for where, text in chapter_texts()
               for target in cite_targets(text) if not target.post.strip()]
    per_file = Counter(where.split(":")[0] for where, _ in missing)
    assert not missing, (
        f"{len(missing)} citations without a locator: "
        + ", ".join(f"{where} {count}" for where, count in sorted(per_file.items()))
        + "\nfirst ones:\n" + "\n".join(f"{where}: {key}" for where, key in missing[:10])
    )


def test_spanish_citations_keep_the_english_keys():
    """The msgstr translates the locator words, never the sources cited."""
    changed = []
    for catalogue in sorted(CATALOGUES.glob("*.po")):
        with catalogue.open("rb") as handle:
            for message in read_po(handle):
                if not (message.id and isinstance(message.string, str) and message.string):
                    continue
                english = [target.key for target in cite_targets(message.id)]
                spanish = [target.key for target in cite_targets(message.string)]
                if sorted(english) != sorted(spanish):
                    changed.append(f"{catalogue.name}: {message.id[:60]!r}: {english} -> {spanish}")
    assert not changed, "\n".join(changed)


# -- slow: the built site ------------------------------------------------------

@pytest.mark.build
@pytest.mark.parametrize("lang", LANGS)
def test_every_citation_uses_a_label_of_the_page_language(site, lang):
    labels = set(LABELS[lang].values())
    seen = 0
    for page in html_pages(site, lang):
        document = soup(page)
        for citation in document.select("span.bibtex-citation"):
            for link in citation.select("a"):
                seen += 1
                assert link.get_text() in labels, f"{lang}/{page.name}: {citation.get_text()!r}"
        for label in document.select(".citation-list .citation > .label"):
            assert label.get_text().strip("[]") in labels, f"{lang}/{page.name}: {label.get_text()!r}"
    assert seen, "no citation found"


@pytest.mark.build
def test_spanish_pages_show_no_english_style_words(site):
    for page in html_pages(site, "es"):
        document = soup(page)
        article = document.select_one("article") or document
        shown = [article.get_text(" ")] + [element["title"] for element in document.find_all(attrs={"title": True})]
        found = sorted({word for text in shown for word in ENGLISH_STYLE_WORDS if word in text})
        assert not found, f"es/{page.relative_to(site / 'es')}: {found}"


@pytest.mark.build
def test_spanish_bibliography_and_tooltips_are_spanish(site):
    document = soup(site / "es" / "references.html")
    entries = [entry.get_text(" ") for entry in document.select(".citation-list .citation")]
    assert len(entries) == len(LABELS["es"])
    assert sum("En inglés." in entry for entry in entries) == 4, entries  # all but the Spanish plan
    tooltips = [link["title"] for page in html_pages(site, "es")
                for link in soup(page).select("span.bibtex-citation a[title]")]
    assert tooltips and all(tooltip.rstrip().endswith((".", "En inglés.")) for tooltip in tooltips)
    assert any("Informe regional" in tooltip for tooltip in tooltips), tooltips[:3]
