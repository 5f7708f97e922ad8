"""Incremental builds are right: each kind of edit redoes what depends on it, and only that.

The fixture book (tests/fixtures/minibook), with `two` made a second notebook and with its own
copy of the lacbook package (so that a test may edit `site.py`), is built once for the module;
each test gets a fresh copy of that built book (conftest's `book`), makes one edit, rebuilds
both editions and checks which pages Sphinx read again and which notebooks ran again, and
what the edit shows on the pages. No test depends on another.

What was read: Sphinx writes a page's doctree (`<doctreedir>/<page>.doctree`) when, and only
when, it reads the page, so the doctrees' modification times tell. What ran: the records of
each edition's execution cache (jupyter-cache's public `list_cache_records()`), by creation time.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
from babel.messages.pofile import read_po, write_po
from jupyter_cache import get_cache

from conftest import build_env, build_minibook, built_minibook, own_package, run_build
from helpers import LANGS, NOTEBOOK_FRONT_MATTER

pytestmark = pytest.mark.build

NOTEBOOKS = {"one", "two"}  # the pages that run code
ADDED = "A sentence added to test incremental builds."
ADDED_ES = "Una frase añadida para probar las compilaciones incrementales."
# The second page, made a notebook: front matter, and a hidden cell that reads the data package.
CELL = """
```{code-cell} ipython3
:tags: [remove-cell]

from lacbook import data

rows = len(data.load().rows)
```
"""
A_TEST = "def test_nothing():\n    pass\n"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def prepare(root: Path) -> None:
    two = root / "book/two.md"
    text = two.read_text(encoding="utf-8")
    assert "# Second page\n" in text
    two.write_text(NOTEBOOK_FRONT_MATTER + text.replace("# Second page\n", "# Second page\n" + CELL, 1), encoding="utf-8")
    own_package(root)
    (root / "tests").mkdir()
    (root / "tests/test_example.py").write_text(A_TEST, encoding="utf-8")


@pytest.fixture(scope="module")
def good_book(tmp_path_factory) -> Path:
    """Overrides conftest's: the fixture book with two notebooks and its own package."""
    return built_minibook(tmp_path_factory.mktemp("incremental"), prepare)


def only_folder(root: Path, name: str, lang: str) -> Path:
    """The one folder under root/_build holding `name` for edition `lang` (named by the language)."""
    found = {path.parent for path in (root / "_build").rglob(name)
             if lang in path.parent.relative_to(root / "_build").parts
             or path.parent.name.startswith(f"{lang}-")}
    assert len(found) == 1, f"expected one {lang} folder with {name} under {root / '_build'}, found {sorted(found)}"
    return found.pop()


def state(root: Path, lang: str) -> tuple[dict[str, int], dict[str, str]]:
    """When each page was last read (its doctree's time), and when each notebook last ran
    (the creation time of its record in the edition's execution cache)."""
    doctrees = only_folder(root, "index.doctree", lang)
    read = {path.stem: path.stat().st_mtime_ns for path in doctrees.glob("*.doctree")}
    cache = get_cache(only_folder(root, "global.db", lang))
    ran = {Path(record.uri).stem: str(record.created) for record in cache.list_cache_records()}
    return read, ran


def rebuild(root: Path) -> dict[str, tuple[set[str], set[str]]]:
    """Rebuild both editions; per language, the pages read again and the notebooks run again."""
    before = {lang: state(root, lang) for lang in LANGS}
    done = build_minibook(root)
    assert done.returncode == 0, f"build failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}"
    changes = {}
    for lang in LANGS:
        (read_then, ran_then), (read_now, ran_now) = before[lang], state(root, lang)
        changes[lang] = (
            {doc for doc, stamp in read_now.items() if read_then.get(doc) != stamp},
            {doc for doc, stamp in ran_now.items() if ran_then.get(doc) != stamp},
        )
    return changes


def page(root: Path, lang: str, name: str) -> str:
    return (root / "_build/html" / lang / f"{name}.html").read_text(encoding="utf-8")


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


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
    for lang, (read, ran) in rebuild(book).items():
        assert read == set() and ran == set(), f"{lang}: read {read}, ran {ran}"


def test_a_prose_edit_rereads_only_that_page_and_runs_nothing(book):
    append(book / "book/one.md", f"\n{ADDED}\n")
    append(book / "translations/es/LC_MESSAGES/one.po", f'\nmsgid "{ADDED}"\nmsgstr "{ADDED_ES}"\n')
    for lang, (read, ran) in rebuild(book).items():
        assert read == {"one"} and ran == set(), f"{lang}: read {read}, ran {ran}"
    assert ADDED in page(book, "en", "one")
    assert ADDED_ES in page(book, "es", "one") and ADDED not in page(book, "es", "one")
    # sphinx-sitemap lists only the pages a build writes; lacbook.publish adds the others.
    for lang in LANGS:
        edition = book / "_build/html" / lang
        listed = ElementTree.parse(edition / "sitemap.xml").getroot().iter(f"{SITEMAP}loc")
        pages = [page.name for page in edition.glob("*.html") if page.name not in ("genindex.html", "search.html", "404.html")]
        assert "one.html" in pages and sorted(loc.text.rsplit("/", 1)[1] for loc in listed) == sorted(pages), lang


def test_a_code_edit_reruns_only_that_chapter_in_each_language(book):
    chapter = book / "book/one.md"
    text = chapter.read_text(encoding="utf-8")
    cell = "```{code-cell} ipython3\n:tags: [hide-input]\n\n"  # a cell whose code the page shows
    assert cell in text
    chapter.write_text(text.replace(cell, cell + "# edited cell\n", 1), encoding="utf-8")
    for lang, (read, ran) in rebuild(book).items():
        assert read == {"one"} and ran == {"one"}, f"{lang}: read {read}, ran {ran}"
        assert "edited cell" in page(book, lang, "one")


def test_a_prose_catalogue_edit_rereads_only_that_spanish_page(book):
    new = edit_catalogue(book / "translations/es/LC_MESSAGES/one.po", "People by year.",
                         lambda old: old.replace("año", "año (revisado)"))
    changes = rebuild(book)
    assert changes["es"] == ({"one"}, set()), changes["es"]
    assert changes["en"] == (set(), set()), changes["en"]
    assert new in page(book, "es", "one")


def test_a_chart_catalogue_edit_reruns_only_that_spanish_chapter(book):
    new = edit_catalogue(book / "translations/es/charts/one.po", "People by year", lambda old: old + " (revisada)")
    changes = rebuild(book)
    assert changes["es"] == ({"one"}, {"one"}), changes["es"]
    assert changes["en"] == (set(), set()), changes["en"]
    assert new in page(book, "es", "one")


def test_a_package_catalogue_edit_reruns_every_spanish_notebook(book):
    """The package's own messages (lacbook.po) may reach every page: all Spanish notebooks run again."""
    edit_catalogue(book / "translations/es/charts/lacbook.po", "exact", lambda old: old + " [revisado]")
    changes = rebuild(book)
    assert changes["es"][1] == NOTEBOOKS, changes["es"]
    assert changes["en"] == (set(), set()), changes["en"]
    assert "[revisado]" in page(book, "es", "one")  # the source note of the pasted number


def test_a_data_edit_reruns_every_notebook_in_both_languages(book):
    """Notebooks read the data package: a changed figure runs every one of them again."""
    figures = book / "data/figures/rmrp2022_eoy.csv"
    row = "rmrp2022_eoy.r4v_region.people_reached.all.2022,"  # the number `one` pastes
    lines = figures.read_text(encoding="utf-8").splitlines(keepends=True)
    (at,) = [n for n, line in enumerate(lines) if line.startswith(row)]
    assert ',3344,,,exact,"3,344",' in lines[at]
    lines[at] = lines[at].replace(',3344,,,exact,"3,344",', ',3345,,,exact,"3,345",')
    figures.write_text("".join(lines), encoding="utf-8")
    for lang, (read, ran) in rebuild(book).items():
        assert ran == NOTEBOOKS, f"{lang}: ran {ran}"
        assert "index" in read, f"{lang}: the page without code that quotes the figure was not read again"
    for name in ("one", "index"):  # a notebook page, and a page without code (front matter: figures)
        assert "3,345" in page(book, "en", name) and "3.345" in page(book, "es", name), name


def test_a_site_built_without_pdfs_is_not_up_to_date_for_a_build_that_makes_them(book):
    """Its pages link to lacbook-<lang>.pdf: a build with the PDFs on makes them, then rests."""
    with_pdfs = build_env(book) | {"LACBOOK_PDF": "1"}
    done = run_build("--root", str(book), env=with_pdfs)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "Nothing changed" not in done.stdout
    assert all((book / "_build/html" / f"lacbook-{lang}.pdf").is_file() for lang in LANGS)
    assert "Nothing changed" in run_build("--root", str(book), env=with_pdfs).stdout


# Edits to what no kernel reads: nothing runs again (issue #12).

def test_editing_the_data_readme_or_a_test_file_reads_and_runs_nothing(book):
    append(book / "data/README.md", "\nEdited to test incremental builds.\n")
    append(book / "tests/test_example.py", "\n# edited\n")
    for lang, (read, ran) in rebuild(book).items():
        assert read == set() and ran == set(), f"{lang}: read {read}, ran {ran}"


def test_editing_the_sphinx_extension_runs_nothing(book):
    append(book / "src/lacbook/site.py", "\n# edited to test incremental builds\n")
    for lang, (read, ran) in rebuild(book).items():
        assert ran == set(), f"{lang}: ran {ran}"


def test_a_stylesheet_edit_is_published_and_runs_nothing(book):
    """Sphinx copies static files only when it writes a page (lacbook.site.static_outdated)."""
    append(book / "src/lacbook/assets/static/lacbook.css", "\nbody { --lacbook-edited: 1; }\n")
    for lang, (read, ran) in rebuild(book).items():
        assert ran == set(), f"{lang}: ran {ran}"
        assert "--lacbook-edited" in (book / "_build/html" / lang / "_static/lacbook.css").read_text(encoding="utf-8")


def test_a_deleted_edition_is_published_again(book):
    shutil.rmtree(book / "_build/html/es")
    for lang, (read, ran) in rebuild(book).items():
        assert ran == set(), f"{lang}: ran {ran}"
    assert "Una página" in page(book, "es", "two")
