"""Chapter kernels forked from a server that has imported the libraries (lacbook.kernelfork):
each chapter still gets a process of its own, in its own folder and environment, that shares no
state with the chapter before it, is counted in the build's CPU time and never outlives the build."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import NOTEBOOK_FRONT_MATTER
from lacbook.execute import Job, KernelServerError, markdown_settings, run_notebooks

pytestmark = pytest.mark.build  # starts kernels


def chapter(folder: Path, name: str, code: str) -> Path:
    source = folder / name / f"{name}.md"
    source.parent.mkdir(parents=True)
    source.write_text(NOTEBOOK_FRONT_MATTER + f"\n# {name}\n\n```{{code-cell}} ipython3\n{code}\n```\n", encoding="utf-8")
    return source


def run(folder: Path, sources: list[Path], env: dict[str, str] | None = None, timeout: int = 60):
    jobs = [Job("en", source.stem, source, folder / "cache", env or {}, folder / "logs" / f"{source.stem}.log")
            for source in sources]
    return run_notebooks(jobs, 1, markdown_settings({}), timeout, started=lambda job: None, finished=lambda o: None)


REPORT = """\
import json, os, sys
preloaded = "pandas" in sys.modules and "altair" in sys.modules
import altair
seen = {"pid": os.getpid(), "parent": os.getppid(), "preloaded": preloaded, "cwd": os.getcwd(),
        "lang": os.environ.get("LACBOOK_LANG"), "leftover": hasattr(altair, "leftover")}
altair.leftover = True  # what the next chapter must not see
open("seen.json", "w").write(json.dumps(seen))
"""


def test_each_chapter_runs_in_a_new_fork_with_the_libraries_imported_and_nothing_else(tmp_path: Path):
    first, second = chapter(tmp_path, "first", REPORT), chapter(tmp_path, "second", REPORT)
    outcomes = run(tmp_path, [first, second], env={"LACBOOK_LANG": "es"})
    assert [outcome.error for outcome in outcomes] == ["", ""]
    one, two = (json.loads((source.parent / "seen.json").read_text()) for source in (first, second))
    assert one["preloaded"] and two["preloaded"]  # pandas and Altair were there before the first line
    assert one["pid"] != two["pid"] and one["parent"] == two["parent"] != os.getpid()  # two forks of one server
    assert not one["leftover"] and not two["leftover"]  # the first chapter's change did not reach the second
    assert (one["cwd"], two["cwd"]) == (str(first.parent), str(second.parent))
    assert one["lang"] == two["lang"] == "es"


BURN = """\
import time
started = time.process_time()
while time.process_time() - started < 1.5:
    pass
"""


def test_a_kernel_s_cpu_time_is_counted_in_the_build_s(tmp_path: Path):
    """The benchmark reads the build's CPU time from getrusage(RUSAGE_CHILDREN), which counts a
    kernel only if the server reaped it before it ended."""
    source = chapter(tmp_path, "burn", BURN)
    script = f"""
import resource, sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
from pathlib import Path
from test_kernelfork import run
(outcome,) = run(Path({str(tmp_path)!r}), [Path({str(source)!r})])
assert not outcome.error, outcome.error
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(usage.ru_utime + usage.ru_stime)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert float(done.stdout) >= 1.5


SPIN = """\
import os
open("pid", "w").write(str(os.getpid()))
while True:
    pass
"""


def test_a_kernel_that_times_out_is_reported_so_and_does_not_outlive_the_build(tmp_path: Path):
    source = chapter(tmp_path, "spin", SPIN)
    (outcome,) = run(tmp_path, [source], timeout=2)
    assert outcome.error.startswith("CellTimeoutError: A cell timed out") and outcome.cell == 1, outcome.error
    pid = int((source.parent / "pid").read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    pytest.fail(f"the kernel {pid} still runs after its chapter timed out")


def test_the_launcher_without_a_server_says_what_is_missing():
    env = {key: value for key, value in os.environ.items() if key != "LACBOOK_KERNEL_SERVER"}
    done = subprocess.run([sys.executable, "-m", "lacbook.kernelfork", "-f", "x.json"], env=env,
                          capture_output=True, text=True)
    assert done.returncode != 0 and "LACBOOK_KERNEL_SERVER is not set" in done.stderr


def test_a_server_that_cannot_start_stops_the_run_saying_so(tmp_path: Path, monkeypatch, capfd):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "altair.py").write_text('raise ImportError("altair is broken here")\n', encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(broken))
    with pytest.raises(KernelServerError, match=r"the kernel server \(python -m lacbook.kernelfork\) did not start"):
        run(tmp_path, [chapter(tmp_path, "never", "1")])
    assert "altair is broken here" in capfd.readouterr().err  # the server's own error, on the build's output
