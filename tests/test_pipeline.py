"""The build goes through documented mechanisms; where none exists, these tests fail loudly
when the library underneath changes."""

from __future__ import annotations

import ast
import inspect
import runpy
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

from conftest import REPO, copy_minibook
from lacbook.build import kernel_fingerprint, kernel_modules

PACKAGE = REPO / "src" / "lacbook"
# The build's own machinery: each must be pinned below its next minor release.
MACHINERY = ("sphinx", "docutils", "jupyter-book", "myst-nb", "myst-parser", "jupyter-cache",
             "sphinx-book-theme", "pydata-sphinx-theme", "sphinx-external-toc", "sphinxcontrib-bibtex")


def test_the_book_has_one_sphinx_configuration_without_unused_extensions():
    conf = runpy.run_path(str(REPO / "book" / "conf.py"))
    assert not (REPO / "_config.yml").exists(), "book/conf.py is the one configuration"
    assert "lacbook.site" in conf["extensions"] and "myst_nb" in conf["extensions"]
    for unused in ("sphinx_thebe", "sphinx_comments", "sphinx_jupyterbook_latex", "sphinx_togglebutton"):
        assert unused not in conf["extensions"]
    assert "language" not in conf, "the language is set per edition with -D language=xx"


def test_machinery_is_pinned_below_its_next_minor_release():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = {Requirement(dep).name.lower(): Requirement(dep) for dep in project["dependencies"]}
    for name in MACHINERY:
        specifier = pins[name].specifier
        assert any(spec.operator == "<" for spec in specifier), f"{name} has no upper bound: {specifier}"
        assert any(spec.operator == ">=" for spec in specifier), f"{name} has no lower bound: {specifier}"


def _imports(module: Path) -> set[str]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                names.add(node.module.split(".")[0])
            elif node.level == 1:
                names |= {alias.name for alias in node.names}
            elif node.module and node.module.startswith("lacbook."):
                names.add(node.module.split(".")[1])
    return {name for name in names if (PACKAGE / f"{name}.py").is_file()}


def test_no_import_cycle_between_the_package_modules():
    graph = {path.stem: _imports(path) for path in PACKAGE.glob("*.py")}

    def visit(name: str, trail: tuple[str, ...]) -> None:
        assert name not in trail, f"import cycle: {' -> '.join((*trail, name))}"
        for imported in graph.get(name, ()):
            visit(imported, (*trail, name))

    for name in graph:
        visit(name, ())


def test_kernels_depend_on_the_modules_chapters_import_and_not_on_the_build():
    modules = {path.stem for path in kernel_modules(REPO)}
    assert {"charts", "data", "i18n", "prose"} <= modules
    assert not modules & {"site", "build", "buildlog", "translations", "editions", "report"}


def test_the_execution_cache_ignores_what_kernels_do_not_read(tmp_path):
    book = copy_minibook(tmp_path)
    before = kernel_fingerprint(book, "en")
    (book / "data" / "README.md").write_text("Edited.\n", encoding="utf-8")
    assert kernel_fingerprint(book, "en") == before
    figures = next((book / "data" / "figures").glob("*.csv"))
    figures.write_text(figures.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert kernel_fingerprint(book, "en") != before


# --- Undocumented, on purpose: guards ------------------------------------------------------------

def test_myst_nb_still_offers_what_the_num_role_reads():
    """The {num} role (site.PasteGluedNumbers) exists because {glue} cannot live inside
    translated text; it reads a page's glued outputs the way myst-nb's own glue roles do."""
    from myst_nb.ext.glue.crossref import read_glue_cache

    assert list(inspect.signature(read_glue_cache).parameters)[:2] == ["folder", "docname"]


def test_myst_nb_still_keeps_the_execution_statistics_the_report_reads():
    """lacbook.editions writes the statistics that myst-nb's nb-exec-table directive shows."""
    from myst_nb.sphinx_ import NbMetadataCollector

    assert list(inspect.signature(NbMetadataCollector.get_exec_data).parameters) == ["env", "docname"]


def test_sphinx_still_offers_what_the_translation_check_walks():
    """site.RequireTranslation finds untranslated text with the function Sphinx's own
    Locale transform uses; Sphinx documents no hook for it."""
    from sphinx.util.nodes import extract_messages

    assert list(inspect.signature(extract_messages).parameters) == ["doctree"]


GROUPED = '''
import pytest

@pytest.fixture(scope="session")
def expensive():
    with open("setups.txt", "a") as log:
        log.write("built\\n")

@pytest.mark.xdist_group("shared")
@pytest.mark.parametrize("n", range(6))
def test_uses_it(expensive, n):
    pass
'''


def test_tests_grouped_for_xdist_share_one_worker(tmp_path):
    """`tasks.py test` runs `-n auto --dist loadgroup` so that the real book is built once per
    run: the tests that read it must land on one worker. (pytest 9 with pytest-xdist 3.8 lost
    the grouping without a word, and the book was built on every worker.)"""
    (tmp_path / "test_grouped.py").write_text(GROUPED, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "2", "--dist", "loadgroup",
                           "-p", "no:cacheprovider", "test_grouped.py"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / "setups.txt").read_text().count("built") == 1
