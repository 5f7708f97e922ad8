#!/usr/bin/env python3
"""The book's task runner: needs nothing but python3.

On first use it makes `.venv` from the committed lock file (and remakes it
whenever the lock changes), then runs the task inside it.

usage: python3 tasks.py TASK [ARGS...]      (python3 tasks.py help)
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".lock-sha256"
PYTHON = VENV / "bin" / "python"


def lock_digest() -> str:
    return hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_venv() -> None:
    """Create or refresh .venv so that it holds exactly what the lock file says."""
    if STAMP.exists() and STAMP.read_text() == lock_digest():
        return
    print(f"Installing the locked environment into {VENV} (first run or lock changed)...", flush=True)
    if not PYTHON.exists():
        venv.create(VENV, with_pip=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "--no-compile", "-q"]
    for args in (["--require-hashes", "--no-deps", "-r", str(LOCK)], ["--no-deps", "-e", str(ROOT)]):
        done = subprocess.run([*pip, *args], stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            sys.exit(f"pip install {' '.join(args)} failed:\n{done.stderr}")
    # The bytecode is written once, here (PYTHONDONTWRITEBYTECODE may keep imports from caching
    # it), on every core: pip compiles on one, which made a fresh install 46 s instead of 33 s.
    # Like pip, ignore the few files of test fixtures inside packages that do not compile.
    site_packages = subprocess.run([str(PYTHON), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                   capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([str(PYTHON), "-m", "compileall", "-q", "-j", "0", site_packages], stdout=subprocess.DEVNULL)
    STAMP.write_text(lock_digest())


def run(*command: str, **env: str) -> int:
    return subprocess.run(command, cwd=ROOT, env=os.environ | env).returncode


def python(*args: str, **env: str) -> int:
    return run(str(PYTHON), *args, **env)


def task_build(*args: str) -> int:
    """Run every chapter (all languages at once, one kernel per core; --jobs N for N) and build both editions into _build/html (--lang es to build one)."""
    return python("-m", "lacbook.build", *args)


def task_test(*args: str) -> int:
    """Run the whole test suite on every core (builds the book once, in a temporary folder)."""
    workers = [] if any(arg.startswith("-n") for arg in args) else ["-n", "auto", "--dist", "loadgroup"]
    return python("-m", "pytest", *workers, *args)


def exec_python(*args: str) -> int:
    """Become the task's process, so that ending this one (Ctrl+C, kill) ends the server too."""
    os.chdir(ROOT)
    os.execv(str(PYTHON), [str(PYTHON), *args])


def task_serve(*args: str) -> int:
    """Serve the built site on http://localhost:8000/ (serve PORT for another port; build first)."""
    port = args[0] if args else "8000"
    print(f"Serving {ROOT / '_build/html'} on http://localhost:{port}/ (Ctrl+C to stop)", flush=True)
    return exec_python("-m", "http.server", "--bind", "127.0.0.1", "--directory", "_build/html", port)


def task_preview(*args: str) -> int:
    """Live preview of one edition, rebuilt on every edit, never published (preview [--port 8000] [--lang es] [--only responses])."""
    args = list(args)
    port = "8000"
    if "--port" in args:
        at = args.index("--port")
        port = args[at + 1] if at + 1 < len(args) else port
        del args[at:at + 2]
    lang = [] if "--lang" in args else ["--lang", "en"]
    return exec_python("-m", "lacbook.build", "--preview", port, *lang, *args)


def task_catalogues(*args: str) -> int:
    """Extract the text to translate, merge it into the Spanish catalogues, report completeness."""
    only = ["--only", *args] if args else []
    return python("-m", "lacbook.build", "--catalogues", *only)


def task_check_translations(*args: str) -> int:
    """Fail if any Spanish catalogue has an untranslated or fuzzy entry."""
    return python("-m", "lacbook.catalogues", "check", *args)


def task_rerun(*args: str) -> int:
    """Rerun every chapter from scratch in both languages (no cache); writes _build/execution-report.md."""
    return python("-m", "lacbook.build", "--rerun", *args)


def task_clean(*args: str) -> int:
    """Remove the build folder (site, doctrees, execution caches)."""
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    print(f"Removed {ROOT / '_build'}")
    return 0


TASKS = {name[5:].replace("_", "-"): fn for name, fn in globals().items() if name.startswith("task_")}


def task_help(*args: str) -> int:
    """List the tasks."""
    print(__doc__.strip().splitlines()[0], "\n")
    for name, fn in TASKS.items():
        print(f"  {name:<20} {fn.__doc__}")
    return 0


TASKS["help"] = task_help


def main(argv: list[str]) -> int:
    name, *args = argv or ["help"]
    if name not in TASKS:
        print(f"unknown task {name!r}\n", file=sys.stderr)
        task_help()
        return 2
    if name not in ("help", "clean"):
        ensure_venv()
    return TASKS[name](*args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
