"""Incremental builds are right: each kind of edit redoes what depends on it, and only that.

One copy of the book, partly built (two chapters with charts, plus the pages every build
keeps, into `_build/partial/`), is built once; each test then makes one edit, rebuilds both editions
and checks, from each edition's saved Sphinx environment, which pages were
read again and which notebooks ran again, and from the pages that the edit
shows. The tests run in file order, each on the state the previous one left.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from jupyter_cache import get_cache

from conftest import copy_book, run_build

pytestmark = pytest.mark.build

CHAPTERS = ("context", "migration")
NOTEBOOKS = {"index", *CHAPTERS}  # the pages of this build that run code
LANGS = ("en", "es")
ADDED = "A sentence added to test incremental builds."
ADDED_ES = "Una frase añadida para probar las compilaciones incrementales."


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    root = copy_book(tmp_path_factory.mktemp("incremental"))
    rebuild(root)
    return root


def rebuild(root: Path) -> None:
    done = run_build("--root", str(root), "--only", *CHAPTERS)
    assert done.returncode == 0, f"build failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}"


def environment(root: Path, lang: str) -> tuple[dict[str, int], dict[str, str]]:
    """When each page was last read (Sphinx's saved environment), and when its notebook last
    ran: the creation time of its record in the edition's execution cache."""
    with (root / "_build/partial/doctrees" / lang / "environment.pickle").open("rb") as handle:
        read = dict(pickle.load(handle).all_docs)
    (folder,) = (root / "_build/.jupyter_cache").glob(f"{lang}-*")
    ran = {Path(record.uri).stem: str(record.created) for record in get_cache(folder).list_cache_records()}
    return read, ran


def rebuild_and_compare(root: Path) -> dict[str, tuple[set[str], set[str]]]:
    """Rebuild; per language, the pages read again and the notebooks executed again."""
    before = {lang: environment(root, lang) for lang in LANGS}
    rebuild(root)
    changes = {}
    for lang in LANGS:
        (read_then, ran_then), (read_now, ran_now) = before[lang], environment(root, lang)
        changes[lang] = (
            {doc for doc, stamp in read_now.items() if read_then.get(doc) != stamp},
            {doc for doc, stamp in ran_now.items() if ran_then.get(doc) != stamp},
        )
    return changes


def page(root: Path, lang: str, name: str) -> str:
    return (root / "_build/partial/html" / lang / f"{name}.html").read_text(encoding="utf-8")


def edit_catalogue(path: Path, msgid: str, change) -> str:
    """Set msgid's translation to change(old translation); return the new one."""
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    message = catalogue[msgid]
    message.string = change(message.string)
    with path.open("wb") as handle:
        write_po(handle, catalogue)
    return message.string


def test_a_rebuild_without_changes_reads_and_runs_nothing(book):
    for lang, (read, ran) in rebuild_and_compare(book).items():
        assert read == set() and ran == set(), f"{lang}: read {read}, ran {ran}"


def test_a_prose_edit_rereads_only_that_chapter(book):
    chapter = book / "book/context.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + f"\n{ADDED}\n", encoding="utf-8")
    catalogue = book / "translations/es/LC_MESSAGES/context.po"
    catalogue.write_text(catalogue.read_text(encoding="utf-8") + f'\nmsgid "{ADDED}"\nmsgstr "{ADDED_ES}"\n',
                         encoding="utf-8")
    for lang, (read, ran) in rebuild_and_compare(book).items():
        assert read == {"context"} and ran == set(), f"{lang}: read {read}, ran {ran}"
    assert ADDED in page(book, "en", "context")
    assert ADDED_ES in page(book, "es", "context") and ADDED not in page(book, "es", "context")


def test_a_code_edit_reruns_only_that_chapter_in_each_language(book):
    chapter = book / "book/context.md"
    text = chapter.read_text(encoding="utf-8")
    cell = "```{code-cell} ipython3\n:tags: [hide-input]\n\n"  # a cell whose code the page shows
    assert cell in text
    chapter.write_text(text.replace(cell, cell + "# edited cell\n", 1), encoding="utf-8")
    for lang, (read, ran) in rebuild_and_compare(book).items():
        assert read == {"context"} and ran == {"context"}, f"{lang}: read {read}, ran {ran}"
        assert "edited cell" in page(book, lang, "context")


def test_a_prose_catalogue_edit_rerenders_only_that_spanish_page(book):
    catalogue = book / "translations/es/LC_MESSAGES/context.po"
    new = edit_catalogue(catalogue, ADDED, lambda old: old.replace("probar", "comprobar"))
    changes = rebuild_and_compare(book)
    assert changes["es"] == ({"context"}, set()), changes["es"]
    assert changes["en"] == (set(), set()), changes["en"]
    assert new in page(book, "es", "context")


def test_a_chart_catalogue_edit_reruns_only_that_spanish_chapter(book):
    catalogue = book / "translations/es/charts/context.po"
    new = edit_catalogue(catalogue, "Share of the population", lambda old: old + " (revisada)")
    changes = rebuild_and_compare(book)
    assert changes["es"] == ({"context"}, {"context"}), changes["es"]
    assert changes["en"] == (set(), set()), changes["en"]
    assert new in page(book, "es", "context")


def test_a_package_catalogue_edit_reruns_every_spanish_chapter(book):
    """The package's own messages (lacbook.po) may reach every page: all Spanish notebooks run again."""
    catalogue = book / "translations/es/charts/lacbook.po"
    edit_catalogue(catalogue, "around {value}", lambda old: old.replace("{value}", "{value} [revisado]"))
    changes = rebuild_and_compare(book)
    assert changes["es"][1] == NOTEBOOKS, changes["es"]
    assert changes["en"] == (set(), set()), changes["en"]
    assert "[revisado]" in page(book, "es", "migration")


def test_a_data_package_edit_reruns_every_chapter_in_both_languages(book):
    """Chapters read the data package; the execution cache is keyed by all of it."""
    readme = book / "data/README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nEdited to test incremental builds.\n",
                      encoding="utf-8")
    for lang, (read, ran) in rebuild_and_compare(book).items():
        assert ran == NOTEBOOKS, f"{lang}: ran {ran}"
        assert 'class="lacbook-chart' in page(book, lang, "migration")
