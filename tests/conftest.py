"""Shared fixtures: the repository, a built site, and throw-away copies of the book."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BOOK_PARTS = ("book", "data", "translations", "_config.yml", "_toc.yml")


def run_build(*args: str) -> subprocess.CompletedProcess:
    """Run the real build command; output is kept for the assertion messages."""
    return subprocess.run(
        [sys.executable, "-m", "lacbook.build", *args], capture_output=True, text=True, cwd=REPO
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
SHARED_PARTS = ("_config.yml", "data", "book/_static", "book/references.bib", "book/references.md",
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


@pytest.fixture
def book_copy(tmp_path) -> Path:
    """A copy of the book's sources to break or trim without touching the repository."""
    return copy_book(tmp_path)
