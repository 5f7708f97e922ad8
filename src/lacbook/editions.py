"""Sphinx extension: what differs between the two editions and between builds.

One configuration (`book/conf.py`) serves both editions; everything that
depends on the language is set here from `config.language` alone, so
`sphinx-build -D language=es` is the whole difference. A partial build
(`--only`) may link to the chapters it leaves out, and to their labels, but
to nothing else. While Sphinx reads and writes, the extension tells the build
where it is (`progress`), so the build can say so.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:  # the build imports this module too, and needs no Sphinx for it
    from sphinx.application import Sphinx

# Interface text that Sphinx, myst-nb and the theme take from configuration rather than gettext.
SETTINGS = {
    "en": {
        "html_title": "Migration, trafficking and organised crime in Latin America",
        "author": "The lacbook editorial team",  # the footer reads "By …"
        "nb_code_prompt_show": "Show the code",
        "nb_code_prompt_hide": "Hide the code",
    },
    "es": {
        "html_title": "Migración, trata y crimen organizado en América Latina",
        "author": "el equipo editorial de lacbook",  # «Por el equipo editorial de lacbook»
        # Chapters hide only code (never outputs), so {type} is always "source".
        "nb_code_prompt_show": "Mostrar el código",
        "nb_code_prompt_hide": "Ocultar el código",
    },
}

LABEL = re.compile(r"^(?::name:\s*(?P<name>\S+)|\((?P<target>[^()\s]+)\)=)\s*$", re.M)


def toc_files(path: Path) -> list[str]:
    """The pages a table of contents lists, root first."""
    book = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [book["root"], *(entry["file"] for entry in book["chapters"])]


def left_out_targets(srcdir: Path, book_toc: Path, partial_toc: Path) -> list[tuple[str, str]]:
    """`nitpick_ignore` entries for a partial build: links to the chapters of the book's
    table of contents that it leaves out, and to the labels those chapters define.

    Sphinx and MyST both document `nitpick_ignore` for references that may not
    resolve; a link to a page that is in no table of contents, or to a label
    defined nowhere, still fails the partial build.
    """
    kept = set(toc_files(partial_toc))
    ignored = []
    for doc in toc_files(book_toc):
        if doc in kept:
            continue
        ignored += [("myst", doc), ("doc", doc), ("std:doc", doc)]
        source = srcdir / f"{doc}.md"
        text = source.read_text(encoding="utf-8") if source.is_file() else ""
        for match in LABEL.finditer(text):
            label = (match["name"] or match["target"]).lower()
            ignored += [("myst", label), ("std:ref", label), ("std:numref", label)]
    return ignored


def on_config_inited(app: Sphinx, config) -> None:
    for name, value in SETTINGS.get(config.language, SETTINGS["en"]).items():
        config[name] = value
    if config.lacbook_book_toc:
        partial = Path(app.srcdir, config.external_toc_path)
        config.nitpick_ignore = [*config.nitpick_ignore,
                                 *left_out_targets(Path(app.srcdir), Path(config.lacbook_book_toc), partial)]


# Set by the build (build.run_edition): a file descriptor on which to report progress, one JSON object a line.
PROGRESS = "LACBOOK_PROGRESS_FD"
_channel = None


def progress(**event) -> None:
    """Tell the build where Sphinx is; nothing when no build listens (plain sphinx-build)."""
    global _channel
    if _channel is None:
        number = os.environ.get(PROGRESS)
        if not number:
            return
        _channel = os.fdopen(int(number), "w", buffering=1, encoding="utf-8")
    _channel.write(json.dumps(event) + "\n")


def executed_notebooks(app: Sphinx) -> Path:
    """Where myst-nb writes each page's executed notebook and glued outputs: its default,
    `jupyter_execute` beside the output folder, which is each edition's own."""
    return Path(app.outdir).parent / "jupyter_execute"


def on_read_docs(app: Sphinx, env, docnames: list[str]) -> None:
    progress(phase="read", total=len(docnames))


def on_doctree_read(app: Sphinx, doctree) -> None:
    """Count the page's charts (kept in the environment, so unchanged pages keep theirs)."""
    from .chartnode import lacbook_chart

    charts = getattr(app.env, "lacbook_charts", {})
    charts[app.env.docname] = sum(1 for _ in doctree.findall(lacbook_chart))
    app.env.lacbook_charts = charts
    progress(read=app.env.docname)


def on_purge_doc(app: Sphinx, env, docname: str) -> None:
    getattr(env, "lacbook_charts", {}).pop(docname, None)


def on_merge_info(app: Sphinx, env, docnames, other) -> None:
    env.lacbook_charts = {**getattr(env, "lacbook_charts", {}), **getattr(other, "lacbook_charts", {})}


def on_doctree_resolved(app: Sphinx, doctree, docname: str) -> None:
    progress(write=docname)


def on_build_finished(app: Sphinx, exception) -> None:
    if exception is None:
        pages = len(app.env.found_docs)
        progress(phase="finish", pages=pages, charts=sum(getattr(app.env, "lacbook_charts", {}).values()))


def setup(app: Sphinx) -> dict:
    app.add_config_value("lacbook_book_toc", "", "env")  # set for partial builds: the whole book's toc
    app.connect("config-inited", on_config_inited)
    app.connect("env-before-read-docs", on_read_docs)
    app.connect("doctree-read", on_doctree_read)
    app.connect("env-purge-doc", on_purge_doc)
    app.connect("env-merge-info", on_merge_info)
    app.connect("doctree-resolved", on_doctree_resolved)
    app.connect("build-finished", on_build_finished, priority=100)  # before the theme is slimmed
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
