"""What the build says while it runs: a live line on a terminal, plain lines in a log, and a
failing chapter reported by page, line, cell and the end of its traceback."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from jupyter_cache import get_cache

from helpers import NOTEBOOK_FRONT_MATTER
from lacbook.buildlog import notebook_failure
from lacbook.execute import Job, Outcome, markdown_settings, run_notebooks
from lacbook.progress import Progress
from lacbook.report import execution_report


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_log_gets_only_lines_that_stay():
    out = io.StringIO()
    with Progress(out, heartbeat=60, tick=0.01) as progress:
        progress.begin("en/one", "en/one")
        time.sleep(0.05)
        progress.end("en/one", "  en  one  1.0 s")
    assert out.getvalue() == "  en  one  1.0 s\n"


def test_a_log_hears_about_what_runs_long():
    out = io.StringIO()
    with Progress(out, heartbeat=0.05, tick=0.01) as progress:
        progress.heading = "running "
        progress.begin("es/two", "es/two")
        time.sleep(0.2)
        progress.end("es/two")
    lines = out.getvalue().splitlines()
    assert lines and all(line.startswith("  still running: [") and "running es/two" in line for line in lines)
    assert "\r" not in out.getvalue() and "\x1b" not in out.getvalue()


def test_a_terminal_sees_what_runs_now_and_keeps_what_finished():
    out = Terminal()
    with Progress(out, tick=0.01) as progress:
        progress.begin("en/one", "en/one")
        progress.begin("es/one", "es/one")
        progress.update("es/one", "es: writing one")
        shown = out.getvalue()
        progress.end("en/one", "  en  one  1.0 s")
    assert "en/one 0 s, es: writing one 0 s" in shown and "\r\x1b[K" in shown
    assert out.getvalue().endswith("  en  one  1.0 s\n\r\x1b[K[0 s] es: writing one 0 s\r\x1b[K")


BROKEN = NOTEBOOK_FRONT_MATTER + """
# A chapter

```{code-cell} ipython3
greeting = "hello"
print(greeting)
```

Some text.

```{code-cell} ipython3
x = 1
raise RuntimeError("deliberately broken cell")
```
"""


@pytest.mark.build  # starts a kernel
def test_a_failing_chapter_is_reported_by_cell_and_line_with_its_log(tmp_path: Path):
    (tmp_path / "book").mkdir()
    source = tmp_path / "book" / "broken.md"
    source.write_text(BROKEN, encoding="utf-8")
    job = Job("es", "broken", source, tmp_path / "cache", {}, tmp_path / "logs" / "es" / "broken.log")
    seen = []
    (outcome,) = run_notebooks([job], 1, markdown_settings({}), 60, started=seen.append, finished=seen.append)
    assert seen == [job, outcome]
    assert outcome.error == "RuntimeError: deliberately broken cell" and outcome.cell == 2
    message = notebook_failure(outcome, tmp_path)
    assert message.splitlines()[0] == "  es: book/broken.md:22 (chapter broken, code cell 2): " + outcome.error
    assert '----> 2 raise RuntimeError("deliberately broken cell")' in message
    assert f"(es: full log with tracebacks: {job.log})" in message
    log = job.log.read_text(encoding="utf-8")
    assert "deliberately broken cell" in log and "Traceback" in log
    assert "TCP" not in log and "WARNING" not in log  # the kernel spoke over IPC, and said nothing else


def test_the_execution_report_has_a_row_per_chapter_and_the_failing_cell(tmp_path: Path):
    jobs = [Job(lang, doc, tmp_path / f"{doc}.md", tmp_path, {}, tmp_path / f"{doc}.log")
            for lang in ("en", "es") for doc in ("one", "two")]
    outcomes = [Outcome(job, seconds=1.5) for job in jobs]
    outcomes[3].error, outcomes[3].cell = "KeyError: 'a|b'", 4
    report = execution_report(outcomes, ["en", "es"])
    assert "| one | 1.5 | ok |  |" in report and "| **total** | 3.0 | | |" in report
    assert report.index("## es") < report.index("| two | 1.5 | FAILED | cell 4: KeyError: 'a\\|b' |")


@pytest.mark.build
def test_sphinx_takes_every_notebook_from_the_cache_the_build_filled(good_book: Path):
    """Had myst-nb read a notebook differently from the build (another hash), it would have run
    it again itself and added a second record for the page to the edition's cache."""
    for lang in ("en", "es"):
        (cache,) = (good_book / "_build" / ".jupyter_cache").glob(f"{lang}-*")
        pages = [Path(record.uri).stem for record in get_cache(cache).list_cache_records()]
        assert sorted(pages) == ["one"], f"{lang}: {pages}"
