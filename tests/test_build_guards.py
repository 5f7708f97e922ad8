"""What ships is exactly what was checked.

Each bad input an author might leave in the book is tried on the small fixture
book (tests/fixtures/minibook), built once and copied for each case: the build
must fail with a message naming the file and what to do, fail again the same
way when run again unchanged, and leave the published site byte for byte as it
was. Partial builds never touch the published site.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import REPO, build_minibook, copy_minibook
from lacbook.build import kernel_fingerprint
from lacbook.chartnode import read_payload_script

pytestmark = pytest.mark.build

BROKEN_CELL = """
```{code-cell} ipython3
raise RuntimeError("deliberately broken cell")
```
"""

# Displaying a chart fails (its compiler is gone) although the cell itself does not raise.
BROKEN_DISPLAY = """
```{code-cell} ipython3
charts.vlc = None
glue("fig-broken", alt.Chart(pd.DataFrame({"a": [1]})).mark_bar().encode(x="a:Q"), display=False)
```
"""


def published(root: Path) -> dict[str, str]:
    """Every file of the published site and a digest of its bytes."""
    site = root / "_build" / "html"
    return {str(p.relative_to(site)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def failure(done) -> str:
    """The author's part of a failed build's output (the log paths aside)."""
    assert done.returncode != 0, f"the build passed:\n{done.stdout[-2000:]}"
    message = done.stderr[done.stderr.index("BUILD FAILED"):]
    return re.sub(r"\(\w+: full log with tracebacks: [^)]*\)", "(log)", message)


def fails(root: Path, *args: str) -> str:
    """Build: it fails with a message for the author, and the site is untouched."""
    before = published(root)
    started = time.perf_counter()
    message = failure(build_minibook(root, *args))
    assert published(root) == before, "the failed build changed the published site"
    assert "was left as it was" in message or "Nothing was published" in message
    print(f"\n[{time.perf_counter() - started:.1f} s] {message}")
    return message


def fails_twice(root: Path, *args: str) -> str:
    """Build twice without a fix: both fail with the same message, and the site is untouched.

    Sphinx keeps a page it read, warnings and all, so a second build would pass silently if
    the build did not remember the failure; one case of each kind (a page's warning, a
    failing notebook, a check before Sphinx) asks for the second build."""
    first = fails(root, *args)
    second = fails(root, *args)
    assert first == second, f"first:\n{first}\nsecond:\n{second}"
    return first


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def page(root: Path, lang: str, name: str) -> str:
    return (root / "_build/html" / lang / f"{name}.html").read_text(encoding="utf-8")


# --- Sphinx-time failures: fail, fail again, then pass once fixed -----------------------------

def test_a_missing_number_fails_until_fixed_and_then_publishes(book):
    chapter, catalogue = book / "book/one.md", book / "translations/es/LC_MESSAGES/one.po"
    edit(chapter, "{num}`reached` people", "{num}`reachd` people")
    edit(catalogue, "{num}`reached` people", "{num}`reachd` people")
    edit(catalogue, "{num}`reached` personas", "{num}`reachd` personas")
    message = fails(book)
    assert "en: book/one.md:30:" in message and "es: book/one.md:30:" in message
    assert "{num}`reachd`" in message and "(figures: reached)" in message and "(glued: fig-one-bars)" in message
    edit(chapter, "reachd", "reached")
    edit(catalogue, "reachd", "reached")
    edit(catalogue, "reachd", "reached")
    done = build_minibook(book)
    assert done.returncode == 0, done.stderr[-3000:]
    assert 'data-figure="rmrp2022_eoy.r4v_region.people_reached.all.2022"' in page(book, "es", "one")


def test_a_figure_the_data_lacks_fails_naming_the_page_and_the_name(book):
    chapter = book / "book/one.md"
    edit(chapter, "reached: rmrp2022_eoy.r4v_region.people_reached.all.2022",
         "reached: rmrp2022_eoy.r4v_region.people_reached.all.2021")
    message = fails(book)
    assert "book/one.md:30:" in message and "{num}`reached` (front matter: figures)" in message
    assert "no figure with id 'rmrp2022_eoy.r4v_region.people_reached.all.2021'" in message


def test_untranslated_text_fails_and_says_what_to_do(book):
    append(book / "book/two.md", "\nA sentence nobody translated.\n")
    message = fails_twice(book)
    assert "es: book/two.md:" in message and "A sentence nobody translated." in message
    assert "python3 tasks.py catalogues" in message and "translations/es/LC_MESSAGES/two.po" in message
    assert "en:" not in message


def test_links_images_and_citations_to_nothing_fail_each_named(book):
    """--keep-going: one build reports every broken reference of the page, each with its line."""
    append(book / "book/two.md", "\nSee [nowhere](nowhere.md).\n\n![A missing picture](missing.png)\n\n"
                                  "As shown {cite}`nobody2024`.\n")
    message = fails(book, "--lang", "en")
    for problem in ("'myst' cross-reference target not found: 'nowhere.md'",
                    "image file not readable: missing.png", 'could not find bibtex key "nobody2024"'):
        assert re.search(rf"book/two\.md:\d+: .*{re.escape(problem)}", message), (problem, message)


def test_a_failing_cell_fails_naming_the_chapter(book):
    append(book / "book/one.md", BROKEN_CELL)
    message = fails_twice(book, "--lang", "en")
    assert "one" in message and "deliberately broken cell" in message
    assert "please report" not in message


def test_a_chart_that_fails_to_display_fails(book):
    append(book / "book/one.md", BROKEN_DISPLAY)
    message = fails(book, "--lang", "en")
    assert "book/one.md" in message and "raised while displaying its output" in message
    assert "'NoneType' object has no attribute" in message  # the error itself


# --- Failures found before anything runs ------------------------------------------------------

def test_a_toc_entry_without_its_page_fails(book):
    append(book / "_toc.yml", "  - file: three\n")
    message = fails_twice(book)
    assert "_toc.yml: 'three' is listed but book/three.md does not exist" in message


def test_a_page_missing_from_the_toc_fails(book):
    (book / "book/three.md").write_text("# Three\n", encoding="utf-8")
    message = fails_twice(book)
    assert "book/three.md is not in _toc.yml" in message


@pytest.mark.parametrize("case, change, expected", [
    ("unterminated string", lambda t: t.replace('msgstr "Segunda página"', 'msgstr "Segunda página'),
     "end-of-line within string"),
    ("duplicate entry", lambda t: t + '\nmsgid "Second page"\nmsgstr "Otra vez"\n', "duplicate message definition"),
    ("number lost", lambda t: t.replace('msgstr "Una página sin código."', 'msgstr "Una página {cite}`gaatw2024`."'),
     "not in the English {cite}`gaatw2024`"),
    ("fuzzy entry", lambda t: t.replace('msgid "A page', '#, fuzzy\nmsgid "A page'), "fuzzy entry 'A page without code.'"),
    ("untranslated entry", lambda t: t.replace('msgstr "Una página sin código."', 'msgstr ""'),
     "untranslated entry 'A page without code.'"),
])
def test_a_broken_catalogue_fails_with_file_and_line(book, case, change, expected):
    catalogue = book / "translations/es/LC_MESSAGES/two.po"
    catalogue.write_text(change(catalogue.read_text(encoding="utf-8")), encoding="utf-8")
    message = fails_twice(book)
    assert re.search(r"translations/es/LC_MESSAGES/two\.po:\d+: ", message), message
    assert expected in message, message


def test_a_chart_catalogue_that_changes_a_placeholder_fails(book):
    catalogue = book / "translations/es/charts/lacbook.po"
    text = catalogue.read_text(encoding="utf-8")
    english = re.search(r'msgid "([^"]*\{(\w+)\}[^"]*)"\nmsgstr "([^"]*)"', text)
    assert english, "the package catalogue has no entry with a placeholder"
    field = english[2]
    edit(catalogue, f'msgstr "{english[3]}"', f'msgstr "{english[3].replace("{" + field + "}", "{valor}")}"')
    message = fails_twice(book)
    assert "charts/lacbook.po:" in message and f"missing {{{field}}}" in message


@pytest.mark.parametrize("case, change", [
    ("empty figures file", lambda text: b""),
    ("byte-order mark", lambda text: b"\xef\xbb\xbf" + text.encode("utf-8")),
    ("another encoding", lambda text: (text.rstrip("\n") + " (revisión)\n").encode("latin-1")),
])
def test_bad_data_files_fail_before_anything_runs(book, case, change):
    figures = book / "data/figures/rmrp2022_eoy.csv"
    figures.write_bytes(change(figures.read_text(encoding="utf-8")))
    message = fails_twice(book)
    assert "data package is not valid" in message and "figures/rmrp2022_eoy.csv" in message


# --- Partial builds ------------------------------------------------------------------------------

def test_a_partial_build_writes_elsewhere_and_keeps_reference_checks(book):
    before = published(book)
    done = build_minibook(book, "--only", "one")
    assert done.returncode == 0, done.stderr[-3000:]  # its link to two.md, left out, is fine
    assert published(book) == before
    partial = book / "_build/partial/html"
    assert (partial / "en/one.html").is_file() and not (partial / "en/two.html").exists()
    assert "not published" in done.stdout
    append(book / "book/one.md", "\nSee [nowhere](nowhere.md) and {numref}`no-such-figure`.\n")
    append(book / "translations/es/LC_MESSAGES/one.po",
           '\nmsgid "See [nowhere](nowhere.md) and {numref}`no-such-figure`."\n'
           'msgstr "Véase [ninguna parte](nowhere.md) y {numref}`no-such-figure`."\n')
    message = fails(book, "--only", "one")
    assert "nowhere" in message and "no-such-figure" in message
    assert "Nothing was published" in message


# --- Languages never mix -------------------------------------------------------------------------

def test_the_spanish_edition_has_spanish_charts(good_book):
    page_es = BeautifulSoup(page(good_book, "es", "one"), "html.parser")
    box = page_es.select_one("div.lacbook-chart[data-payload]")
    payload = read_payload_script((good_book / "_build/html/es" / box["data-payload"]).read_text(encoding="utf-8"))
    assert payload["lang"] == "es"
    title = payload["spec"]["title"]["text"]
    assert "Personas por año" in (" ".join(title) if isinstance(title, list) else title)


def test_the_cache_key_follows_what_kernels_read(tmp_path):
    """The package's Spanish chart text changes the Spanish kernels' inputs, not the English
    ones; a chapter's own catalogue is left to that chapter (test_incremental); data change both."""
    book = copy_minibook(tmp_path)
    before = {lang: kernel_fingerprint(book, lang) for lang in ("en", "es")}
    append(book / "translations/es/charts/one.po", "\n# edited\n")
    assert {lang: kernel_fingerprint(book, lang) for lang in ("en", "es")} == before
    append(book / "translations/es/charts/lacbook.po", "\n# edited\n")
    after_catalogue = {lang: kernel_fingerprint(book, lang) for lang in ("en", "es")}
    assert after_catalogue["en"] == before["en"] and after_catalogue["es"] != before["es"]
    append(book / "data/figures/rmrp2022_eoy.csv", "\n")
    after_data = {lang: kernel_fingerprint(book, lang) for lang in ("en", "es")}
    assert after_data["en"] != after_catalogue["en"] and after_data["es"] != after_catalogue["es"]


# --- The live preview ----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def preview(root: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "lacbook.build", "--root", str(root), "--preview", str(port), "--lang", "en"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def test_the_preview_says_when_its_port_is_taken_before_building(book):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        started = time.perf_counter()
        process = preview(book, taken.getsockname()[1])
        output, _ = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "already in use" in output and "--port" in output
    assert time.perf_counter() - started < 15  # refused before any build
    assert not (book / "_build/preview/html").exists()


def test_ending_the_preview_ends_its_server(book):
    port = free_port()
    process = preview(book, port)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/one.html", timeout=2) as page:
                    assert b"One chapter" in page.read()
                break
            except OSError:
                assert process.poll() is None, process.stdout.read()
                time.sleep(1)
        else:
            pytest.fail("the preview never served the page")
    finally:
        process.terminate()
        process.communicate(timeout=30)  # waits, and closes the pipe
    with socket.socket() as probe:  # nothing is left listening on the port
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))
        probe.listen()
