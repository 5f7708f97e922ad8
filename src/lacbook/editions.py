"""Sphinx extension: what differs between the two editions and between builds.

One configuration (`book/conf.py`) serves both editions; everything that
depends on the language is set here from `config.language` alone, so
`sphinx-build -D language=es` is the whole difference. A partial build
(`--only`) may link to the chapters it leaves out, and to their labels, but
to nothing else. After each build the execution statistics myst-nb keeps
for every notebook are written next to the edition for the report.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
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


def executed_notebooks(app: Sphinx) -> Path:
    """Where myst-nb writes each page's executed notebook and glued outputs: its default,
    `jupyter_execute` beside the output folder, which is each edition's own."""
    return Path(app.outdir).parent / "jupyter_execute"


def write_execution_statistics(app: Sphinx, exception) -> None:
    """myst-nb's execution statistics for every notebook (what its `nb-exec-table`
    directive shows), as JSON beside the edition: `execution.json`."""
    if exception is not None:
        return
    from myst_nb.sphinx_ import NbMetadataCollector  # the collector nb-exec-table reads

    records = {}
    for docname in sorted(app.env.found_docs):
        data = NbMetadataCollector.get_exec_data(app.env, docname)
        if data:
            records[docname] = {key: data.get(key) for key in ("mtime", "runtime", "method", "succeeded", "error")}
    target = Path(app.outdir).parent / "execution.json"
    target.write_text(json.dumps(records, indent=1, default=str), encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.add_config_value("lacbook_book_toc", "", "env")  # set for partial builds: the whole book's toc
    app.connect("config-inited", on_config_inited)
    app.connect("build-finished", write_execution_statistics)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
