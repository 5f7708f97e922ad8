"""The build refuses to publish a broken chapter or a half-translated edition, and never mixes languages."""

from __future__ import annotations

import json
import re

import pytest
from babel.messages.pofile import read_po, write_po
from bs4 import BeautifulSoup

from conftest import run_build
from lacbook.build import kernel_fingerprint
from lacbook.translations import check_catalogues

BROKEN_CHAPTER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# A chapter that fails

```{code-cell} ipython3
raise RuntimeError("deliberately broken cell")
```
"""


BROKEN_CHART = BROKEN_CHAPTER.replace(
    'raise RuntimeError("deliberately broken cell")',
    """import altair as alt
import pandas as pd
from lacbook import charts

charts.use()
from myst_nb import glue

charts.vlc = None  # the compiler is gone: displaying the chart fails, the cell itself does not
glue("chart", alt.Chart(pd.DataFrame({"a": [1]})).mark_bar().encode(x="a:Q"), display=False)""",
)


def add_chapter(root, name: str, text: str) -> None:
    """Write a chapter into a copy of the book and list it in the table of contents."""
    (root / "book" / f"{name}.md").write_text(text, encoding="utf-8")
    with (root / "_toc.yml").open("a", encoding="utf-8") as toc:
        toc.write(f"  - file: {name}\n")


def spoil(catalogue, fuzzy_index: int, empty_index: int) -> tuple[str, str]:
    """Make one entry fuzzy and empty another; return their msgids."""
    with catalogue.open("rb") as handle:
        messages = read_po(handle)
    entries = [m for m in messages if m.id]
    entries[fuzzy_index].flags.add("fuzzy")
    entries[empty_index].string = ""
    with catalogue.open("wb") as handle:
        write_po(handle, messages)
    return entries[fuzzy_index].id, entries[empty_index].id


def test_a_failing_chapter_stops_the_build_and_is_named(book_copy):
    add_chapter(book_copy, "broken", BROKEN_CHAPTER)
    done = run_build("--root", str(book_copy), "--lang", "en", "--only", "broken")
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "broken.md" in output and "deliberately broken cell" in output
    assert "BUILD FAILED" in output


def test_a_chart_that_fails_to_display_stops_the_build(book_copy):
    add_chapter(book_copy, "broken", BROKEN_CHART)
    done = run_build("--root", str(book_copy), "--lang", "en", "--only", "broken")
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "broken.md" in output and "raised while displaying its output" in output


def test_incomplete_catalogues_are_reported_entry_by_entry(book_copy):
    translations = book_copy / "translations"
    def problems() -> set[str]:  # without line numbers, which rewriting the file shifts
        return {re.sub(r":\d+:", ":", p) for p in check_catalogues(translations, ["es"], pages={"glossary"})}

    before = problems()
    fuzzy, empty = spoil(translations / "es/LC_MESSAGES/glossary.po", 0, 1)
    new = problems() - before
    assert len(new) == 2, new
    assert any("fuzzy" in p and repr(fuzzy) in p and "glossary.po" in p for p in new), new
    assert any("untranslated" in p and repr(empty) in p for p in new), new


def test_the_build_refuses_an_incomplete_spanish_edition(book_copy):
    fuzzy, _ = spoil(book_copy / "translations/es/charts/lacbook.po", 0, 1)
    done = run_build("--root", str(book_copy), "--lang", "es")
    assert done.returncode != 0
    assert repr(fuzzy) in done.stderr
    assert not (book_copy / "_build" / "html" / "es").exists()


def test_the_english_cache_never_serves_the_spanish_edition(book_copy):
    """Build English, then Spanish, in one build folder: the Spanish chart must be Spanish."""
    for lang in ("en", "es"):
        done = run_build("--root", str(book_copy), "--lang", lang, "--only", "responses")
        assert done.returncode == 0, done.stderr[-4000:]
    page = BeautifulSoup((book_copy / "_build/html/es/responses.html").read_text(), "html.parser")
    payload = json.loads(page.select_one("script.lacbook-chart__spec").string)
    assert payload["lang"] == "es"
    title = payload["spec"]["title"]["text"]
    assert re.search(r"\b(de|y|del|en)\b", " ".join(title) if isinstance(title, list) else title)


def test_the_cache_key_follows_what_kernels_read(book_copy):
    """The package's Spanish chart text changes the Spanish kernels' inputs, not the English
    ones; a chapter's own catalogue is left to that chapter (test_incremental); data change both."""
    before = {lang: kernel_fingerprint(book_copy, lang) for lang in ("en", "es")}
    chapter = book_copy / "translations/es/charts/responses.po"
    chapter.write_text(chapter.read_text() + "\n# edited\n")
    assert {lang: kernel_fingerprint(book_copy, lang) for lang in ("en", "es")} == before
    catalogue = book_copy / "translations/es/charts/lacbook.po"
    catalogue.write_text(catalogue.read_text() + "\n# edited\n")
    after_catalogue = {lang: kernel_fingerprint(book_copy, lang) for lang in ("en", "es")}
    assert after_catalogue["en"] == before["en"] and after_catalogue["es"] != before["es"]
    data_file = next(p for p in (book_copy / "data").rglob("*.csv"))
    data_file.write_text(data_file.read_text() + "\n")
    after_data = {lang: kernel_fingerprint(book_copy, lang) for lang in ("en", "es")}
    assert after_data["en"] != after_catalogue["en"] and after_data["es"] != after_catalogue["es"]
