"""Numbers for the prose: a figure of the data package, worded for the page's language.

Chapters never type a number into a paragraph. A code cell glues each one
under a name, and the text pastes it with ``{num}`name```, so both editions
print the same value from `data/`, each in its own format and with the
source's qualifier ("more than 390,000" / "más de 390.000"). In the page the
number carries the id of its figure, so a reader (or a test) can trace it.
"""

from __future__ import annotations

import html

from myst_nb import glue

from . import data
from .i18n import language, money, number, percent, qualified

FORMATTERS = {
    "persons": lambda value, lang: number(value, lang),
    "count": lambda value, lang: number(value, lang),
    "years": lambda value, lang: number(value, lang),
    "hours": lambda value, lang: number(value, lang),
    "usd": lambda value, lang: money(value, lang),
    "percent": lambda value, lang: percent(value, lang, digits=0 if float(value).is_integer() else 1),
    "ratio": lambda value, lang: number(value, lang, digits=0 if float(value).is_integer() else 1),
}


def worded(figure_id: str, lang: str | None = None) -> str:
    """A figure as the prose says it: formatted for the language, with its qualifier."""
    lang = lang or language()
    row = data.figure(figure_id)
    try:
        formatter = FORMATTERS[row["unit"]]
    except KeyError:
        raise ValueError(f"figure {figure_id}: no wording for unit {row['unit']!r}") from None
    return qualified(formatter(row["value"], lang), row["qualifier"], lang)


class GluedFigure:
    """What the page shows for a figure: its words, tagged with the figure's id."""

    def __init__(self, figure_id: str, text: str):
        self.figure_id, self.text = figure_id, text

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return (
            f'<span class="lacbook-figure" data-figure="{html.escape(self.figure_id)}">'
            f"{html.escape(self.text)}</span>"
        )


def glue_figures(names: dict[str, str], lang: str | None = None) -> None:
    """Glue each figure id under its name, for ``{num}`name``` in the text."""
    for name, figure_id in names.items():
        glue(name, GluedFigure(figure_id, worded(figure_id, lang)), display=False)
