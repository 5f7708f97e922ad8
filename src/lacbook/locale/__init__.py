"""The extension's own interface text, in its own gettext catalogue (`lacbook`).

What the extension writes into pages (the language switcher, landmark and
button labels of the templates it ships, the chart downloads, the editors'
note title) is translated here, with Sphinx's API for extensions
(`app.add_message_catalog` + `sphinx.locale.get_translation`), not through
Sphinx's own `sphinx` domain, which keeps only the strings of Sphinx and the
theme (translations/<lang>/LC_MESSAGES/sphinx.po).

The catalogues are kept as text (`<lang>/LC_MESSAGES/lacbook.po` beside this
file) and compiled with Babel into each build's own folder when the builder
starts (`compile_catalogues`), so a compiled file is never stale nor committed.

In Python, call `site_text` with the English text; in the templates,
`lacbook_text` (site.py passes it in the page context). Not `_`:
`lacbook.catalogues` extracts `_()` calls in the package into the charts
catalogue. tests/test_theme.py checks that every text passed to either is in
each language's catalogue, translated.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from sphinx.locale import get_translation

from ..catalogues import catalogue_problems

CATALOGUE = "lacbook"
HERE = Path(__file__).resolve().parent

site_text = get_translation(CATALOGUE)


def catalogue_path(lang: str) -> Path:
    return HERE / lang / "LC_MESSAGES" / f"{CATALOGUE}.po"


def compile_catalogue(lang: str, into: Path) -> tuple[Path, list[str]]:
    """Compile the language's catalogue to `into/<lang>/LC_MESSAGES/lacbook.mo`.

    Returns the locale folder to register and the problems found (the same checks as
    the book's catalogues), which the extension reports as warnings, so a strict
    build refuses them as it does for the book's own catalogues.
    """
    source = catalogue_path(lang)
    if not source.is_file():
        return into, []
    with source.open("rb") as handle:
        catalogue = read_po(handle, locale=lang)
    problems = catalogue_problems(source)  # the same checks as the book's own catalogues
    target = into / lang / "LC_MESSAGES" / f"{CATALOGUE}.mo"
    target.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    if not target.is_file() or target.read_bytes() != buffer.getvalue():
        target.write_bytes(buffer.getvalue())
    return into, problems
