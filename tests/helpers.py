"""What several test files read from a built edition, written once: its pages, the chart
payloads of a page, a walker over compiled Vega specs, and the list of languages."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

from lacbook.chartnode import read_payload_script

REPO = Path(__file__).resolve().parents[1]
LANGS = ("en", "es")
# Pages Sphinx generates for every edition, with no book content.
GENERATED = ("genindex.html", "search.html")
# What makes a MyST Markdown page a notebook (the tests' small chapters).
NOTEBOOK_FRONT_MATTER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""
NOT_FOUND = "404.html"


def site_pages(site: Path, lang: str) -> list[str]:
    """Page paths of one edition, relative to it (both editions have the same). Not the 404 page:
    served for any missing address, its links are absolute (tests/test_publish.py checks it)."""
    edition = site / lang
    pages = (str(p.relative_to(edition)) for p in edition.rglob("*.html") if "_static" not in p.parts)
    return sorted(page for page in pages if page != NOT_FOUND)


def html_pages(site: Path, lang: str) -> list[Path]:
    """Every page of one edition."""
    return [site / lang / page for page in site_pages(site, lang)]


def content_pages(site: Path, lang: str) -> list[Path]:
    """The pages of one edition that hold book content (not the generated index and search)."""
    return [site / lang / page for page in site_pages(site, lang) if page not in GENERATED]


def soup(page: Path) -> BeautifulSoup:
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


def chart_payloads(page: Path) -> list[dict]:
    """The payload of each chart on a page: {"lang", "formatLocale", "spec" (compiled Vega)},
    from the file the page script loads (chartnode.payload_script)."""
    return [
        read_payload_script((page.parent / box["data-payload"]).read_text(encoding="utf-8"))
        for box in soup(page).select("div.lacbook-chart[data-payload]")
    ]


def spec_nodes(node) -> list:
    """Every node of a compiled spec (dicts, lists and plain values), the spec itself first."""
    found, stack = [], [node]
    while stack:
        node = stack.pop()
        found.append(node)
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend(reversed(list(children)))
    return found


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def charts_catalogue() -> dict[str, str]:
    """English to Spanish, for every chart message whose translation differs."""
    messages = {}
    for path in (REPO / "translations/es/charts").glob("*.po"):
        with path.open("rb") as handle:
            messages |= {m.id: m.string for m in read_po(handle) if m.id and m.string and m.id != m.string}
    return messages
