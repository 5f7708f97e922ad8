"""Every chapter, in both languages: numbers equal the data, charts are complete, text is original."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO
from helpers import LANGS, chart_payloads, content_pages, soup, spec_nodes
from lacbook.prose import pasted_forms
from lacbook.catalogues import check_catalogues

SHARED_TOOLS = REPO.parent / "shared" / "tools"


def defined_fields(spec: dict) -> set[str]:
    """Columns a compiled Vega spec can read: its data's columns and every derived name."""
    fields = set()
    for dataset in spec.get("data", []):
        for row in dataset.get("values", []):
            fields.update(row)
    for node in spec_nodes(spec):
        if isinstance(node, dict):
            for key in ("as", "groupby"):
                names = node.get(key)
                fields.update([names] if isinstance(names, str) else names or [])
    return fields


def used_fields(spec: dict) -> set[str]:
    """Plain field names the marks and scales of a compiled Vega spec read from the data."""
    used = set()
    for node in spec_nodes(spec.get("marks", [])) + spec_nodes(spec.get("scales", [])):
        if isinstance(node, dict) and isinstance(node.get("field"), str) and "." not in node["field"]:
            used.add(node["field"])
    return used


@pytest.mark.build
@pytest.mark.parametrize("lang", LANGS)
def test_every_glued_number_equals_the_data(site, lang):
    checked = 0
    for page in content_pages(site, lang):
        for span in soup(page).select("span.lacbook-figure[data-figure]"):
            assert span.get_text() in pasted_forms(span["data-figure"], lang), f"{lang}/{page.name}: {span['data-figure']}"
            checked += 1
    assert checked >= 10, f"only {checked} glued figures in the {lang} edition"


@pytest.mark.build
@pytest.mark.parametrize("lang", LANGS)
def test_every_chart_is_complete(site, lang):
    charts = 0
    for page in content_pages(site, lang):
        for number, payload in enumerate(chart_payloads(page), start=1):
            spec, where = payload["spec"], f"{lang}/{page.name} chart {number}"
            charts += 1
            assert spec.get("title", {}).get("text"), f"{where}: no title"
            assert spec.get("description"), f"{where}: no description"
            assert any(isinstance(n, dict) and "tooltip" in n for n in spec_nodes(spec.get("marks", []))), f"{where}: no tooltip"
            missing = used_fields(spec) - defined_fields(spec)
            assert not missing, f"{where}: reads columns that do not exist: {sorted(missing)}"
    assert charts >= 12, f"the {lang} edition has {charts} charts; the book promises at least 12"


@pytest.mark.build
def test_both_editions_show_the_same_charts(site):
    for page in content_pages(site, "en"):
        spanish = site / "es" / page.relative_to(site / "en")
        assert len(chart_payloads(page)) == len(chart_payloads(spanish)), page.name


def test_spanish_catalogues_are_complete():
    assert check_catalogues(REPO / "translations", ["es"]) == []


@pytest.mark.skipif(not (SHARED_TOOLS / "check_originality.py").exists(), reason="../shared/tools is not beside the repository")
def test_no_sentence_is_copied_from_a_source():
    done = subprocess.run(
        [sys.executable, str(SHARED_TOOLS / "check_originality.py"), str(REPO)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-3000:]
