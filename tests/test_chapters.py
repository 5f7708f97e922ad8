"""Every chapter, in both languages: numbers equal the data, charts are complete, text is original."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup

from conftest import REPO
from lacbook.prose import pasted_forms
from lacbook.translations import check_catalogues

pytestmark = pytest.mark.build

LANGS = ("en", "es")
SHARED_TOOLS = REPO.parent / "shared" / "tools"


def content_pages(site, lang):
    return sorted(p for p in (site / lang).glob("*.html") if p.name not in ("genindex.html", "search.html"))


def payloads(page):
    document = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return [json.loads(tag.string) for tag in document.select("script.lacbook-chart__spec")]


def defined_fields(spec: dict) -> set[str]:
    """Columns a compiled Vega spec can read: its data's columns and every derived name."""
    fields = set()
    for dataset in spec.get("data", []):
        for row in dataset.get("values", []):
            fields.update(row)
    for node in walk(spec):
        if isinstance(node, dict):
            for key in ("as", "groupby"):
                names = node.get(key)
                fields.update([names] if isinstance(names, str) else names or [])
    return fields


def used_fields(spec: dict) -> set[str]:
    """Plain field names the marks and scales of a compiled Vega spec read from the data."""
    used = set()
    for node in walk(spec.get("marks", [])) + walk(spec.get("scales", [])):
        if isinstance(node, dict) and isinstance(node.get("field"), str) and "." not in node["field"]:
            used.add(node["field"])
    return used


def walk(node) -> list:
    found = [node]
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    for child in children:
        found.extend(walk(child))
    return found


@pytest.mark.parametrize("lang", LANGS)
def test_every_glued_number_equals_the_data(site, lang):
    checked = 0
    for page in content_pages(site, lang):
        document = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for span in document.select("span.lacbook-figure[data-figure]"):
            assert span.get_text() in pasted_forms(span["data-figure"], lang), f"{lang}/{page.name}: {span['data-figure']}"
            checked += 1
    assert checked >= 10, f"only {checked} glued figures in the {lang} edition"


@pytest.mark.parametrize("lang", LANGS)
def test_every_chart_is_complete(site, lang):
    charts = 0
    for page in content_pages(site, lang):
        for number, payload in enumerate(payloads(page), start=1):
            spec, where = payload["spec"], f"{lang}/{page.name} chart {number}"
            charts += 1
            assert spec.get("title", {}).get("text"), f"{where}: no title"
            assert spec.get("description"), f"{where}: no description"
            assert any(isinstance(n, dict) and "tooltip" in n for n in walk(spec.get("marks", []))), f"{where}: no tooltip"
            missing = used_fields(spec) - defined_fields(spec)
            assert not missing, f"{where}: reads columns that do not exist: {sorted(missing)}"
    assert charts >= 12, f"the {lang} edition has {charts} charts; the book promises at least 12"


def test_both_editions_show_the_same_charts(site):
    for page in content_pages(site, "en"):
        spanish = site / "es" / page.name
        assert len(payloads(page)) == len(payloads(spanish)), page.name


def test_spanish_catalogues_are_complete():
    assert check_catalogues(REPO / "translations", ["es"]) == []


@pytest.mark.skipif(not (SHARED_TOOLS / "check_originality.py").exists(), reason="../shared/tools is not beside the repository")
def test_no_sentence_is_copied_from_a_source():
    done = subprocess.run(
        [sys.executable, str(SHARED_TOOLS / "check_originality.py"), str(REPO)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-3000:]
