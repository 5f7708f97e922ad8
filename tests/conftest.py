"""Shared fixtures: the repository, the real book built once per session (`site`), and the
small fixture book (tests/fixtures/minibook) built once per session (`good_book`) with a fresh
copy for each test to edit (`book`). Shared helpers that read built pages are in helpers.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BOOK_PARTS = ("book", "data", "translations", "_toc.yml")


# Fixtures that build a book: a test that uses one must carry the `build` marker, so that
# `-m "not build and not browser"` (the authors' fast run) never builds.
BUILDING_FIXTURES = {"site", "good_book", "book"}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook reads the groups
def pytest_collection_modifyitems(config, items) -> None:
    unmarked = [item.nodeid for item in items
                if BUILDING_FIXTURES & set(getattr(item, "fixturenames", ())) and not item.get_closest_marker("build")]
    if unmarked:
        raise pytest.UsageError("these tests build a book but lack @pytest.mark.build:\n  " + "\n  ".join(unmarked))
    # With pytest-xdist (`tasks.py test` runs `-n auto --dist loadgroup`), the tests that read
    # the real book's site share one worker, so the book is built once; so do the tests that use
    # the fixture book, which is built once per worker; a module that builds a variant of its
    # own (test_incremental overrides `good_book`) keeps its tests on one worker too. (Without
    # the plugin, `-p no:xdist`, there are no workers to group.)
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if "site" in used:
            item.add_marker(pytest.mark.xdist_group("site"))
        elif used & BUILDING_FIXTURES:
            own = "good_book" in vars(item.module)
            item.add_marker(pytest.mark.xdist_group(item.module.__name__ if own else "minibook"))


def run_build(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the real build command; output is kept for the assertion messages. `env` adds
    variables to the build's environment."""
    return subprocess.run(
        [sys.executable, "-m", "lacbook.build", *args], capture_output=True, text=True, cwd=REPO,
        env={**os.environ, **env} if env else None,
    )


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """Both editions, built once for the session from the repository, into a temporary folder."""
    out = tmp_path_factory.mktemp("build")
    done = run_build("--out", str(out))
    assert done.returncode == 0, f"build failed:\n{done.stdout[-4000:]}\n{done.stderr[-8000:]}"
    return out / "html"


def copy_book(into: Path) -> Path:
    """Copy the book's sources (not the package, which stays installed) into `into`/book-copy."""
    root = into / "book-copy"
    root.mkdir()
    for part in BOOK_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, root / part, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
        else:
            shutil.copy(source, root / part)
    return root


FIXTURE = Path(__file__).resolve().parent / "fixtures" / "minibook"
# What the small fixture book takes from the real one rather than repeating it.
SHARED_PARTS = ("book/conf.py", "data", "book/_static", "book/references.bib", "book/references.md",
                "translations/es/LC_MESSAGES/sphinx.po", "translations/es/LC_MESSAGES/references.po",
                "translations/es/charts/lacbook.po")


def copy_minibook(into: Path) -> Path:
    """The two-page fixture book (tests/fixtures/minibook) with the real settings, data and
    interface catalogues, in `into`/minibook."""
    root = into / "minibook"
    shutil.copytree(FIXTURE, root)
    for part in SHARED_PARTS:
        source, target = REPO / part, root / part
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy(source, target)
    return root


def own_package(root: Path) -> dict[str, str]:
    """Give the book in `root` its own copy of the lacbook package (root/src/lacbook) and of the
    lock file, as in the repository's layout, so that a test may edit the package without
    touching the repository; returns the environment that makes the build and its kernels
    import that copy (build_minibook passes it on)."""
    shutil.copytree(REPO / "src" / "lacbook", root / "src" / "lacbook", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "requirements.lock", root / "requirements.lock")
    return build_env(root)


def build_env(root: Path) -> dict[str, str]:
    """The build's environment for the fixture book in `root`: no PDF editions (test_pdf reads
    the real book's), and its own package first, if it has one."""
    package = root / "src"
    return {"LACBOOK_PDF": "0"} | ({"PYTHONPATH": str(package)} if (package / "lacbook").is_dir() else {})


def build_minibook(root: Path, *args: str) -> subprocess.CompletedProcess:
    """Build the (fixture) book in `root` with the real command, with its own package if it has one."""
    return run_build("--root", str(root), *args, env=build_env(root))


def built_minibook(base: Path, prepare=None) -> Path:
    """The fixture book, optionally changed by `prepare(root)`, built and published in
    `base`/work/minibook, then kept aside as `base`/built/minibook (returned): read it, never edit it."""
    root = copy_minibook(base / "work")
    if prepare:
        prepare(root)
    done = build_minibook(root)
    assert done.returncode == 0, f"build failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}"
    # The npm workspace of the page scripts (node_modules: two thirds of the built book's files)
    # moves out of the book and is linked back, so that each test's copy (`book`) copies a link.
    for workspace in (root / "_build" / ".cache").glob("page-scripts-*"):
        shared = base / workspace.name
        workspace.rename(shared)
        workspace.symlink_to(shared, target_is_directory=True)
    built = base / "built" / "minibook"
    shutil.copytree(root, built, symlinks=True)
    return built


@pytest.fixture(scope="session")
def good_book(tmp_path_factory) -> Path:
    """The fixture book, built and published once per session (per xdist worker). Read it;
    edit `book` instead. (A module may override this fixture to build a changed fixture book:
    see test_incremental.)"""
    return built_minibook(tmp_path_factory.mktemp("minibook"))


@pytest.fixture
def book(good_book: Path) -> Path:
    """A fresh copy of the built fixture book, for one test to edit and rebuild.

    It is put back at the very path where it was built (copying keeps every file's time):
    Sphinx's saved environment, the execution cache's records and the build's stamp all name
    absolute paths, so a copy elsewhere would be read again from scratch."""
    work = good_book.parent.parent / "work" / good_book.name
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(good_book, work, symlinks=True)
    return work
