"""Numbers for the prose: a figure of the data package, worded for the page's language.

Chapters never type a number into a paragraph. A code cell glues each one
under a name, and the text pastes it with ``{num}`name```, so both editions
print the same value from `data/`, each in its own format and with the
source's qualifier ("more than 390,000" / "más de 390.000"). A figure the source
printed rounded reads "about 26,200" (money keeps its short form, "US$13.62M"),
a printed range reads "between 30% and 40%", and a Spanish percentage comes with
its article ("el 44 %", "más del 80 %"), so the Spanish text puts none before it.

In the page the number is a link to the figure's row on the Data page, and
on hover, keyboard focus or tap it shows where it comes from: the source's
short name, the section, the figure as printed and its qualifier
(``GluedFigure``). A reader (or a test) can trace every number.
"""

from __future__ import annotations

import html

from myst_nb import glue

from . import data
from .i18n import figure_text, language, provenance

DATA_PAGE = "data.html"  # every chapter sits beside the Data page (book/*.md)


def anchor(figure_id: str) -> str:
    """The HTML id of a figure's row on the Data page: ids are [a-z0-9_.], so 'fig-' + id is a valid, unique id."""
    return f"fig-{figure_id}"


def worded(figure_id: str, lang: str | None = None, *, article: bool = True, short: bool = False) -> str:
    """A figure as the prose says it: formatted for the language, with its qualifier and, in
    Spanish, a percentage's article (``article=False`` leaves it out, for a table cell or a
    card); ``short`` writes people in compact form (1.56M), for headline cards."""
    row = data.figure(figure_id)
    if row["qualifier"] in data.UNREPORTED:
        raise ValueError(f"figure {figure_id}: the source printed no number ({row['qualifier']})")
    try:
        return figure_text(row["value"], row["unit"], row["qualifier"], lang, low=row["low"], high=row["high"],
                           article=article, short=short)
    except ValueError as error:
        raise ValueError(f"figure {figure_id}: {error}") from None


def pasted_forms(figure_id: str, lang: str | None = None) -> set[str]:
    """Every way a pasted figure may read on a page: as worded; in Spanish also capitalised at the
    start of a sentence ("Más de 390.000") and, after "de"/"a", without the article that
    site.PasteGluedNumbers contracts into "del"/"al" ("un aumento del 30 %")."""
    lang = lang or language()
    text = worded(figure_id, lang)
    if lang != "es":
        return {text}
    forms = {text, text[:1].upper() + text[1:]}
    if text.startswith("el "):
        forms.add(text[3:])
    return forms


def printed(as_reported: str) -> str:
    r"""The figure as the source shows it: the text extraction's escape before "$" (``\$ 4.38 M``) is not printed."""
    return as_reported.replace("\\$", "$")


def source_note(figure_id: str, lang: str | None = None) -> str:
    """Where a figure comes from, in the page's language: source, section, the figure as printed, its qualifier."""
    lang = lang or language()
    row = data.figure(figure_id)
    locator = row["locator_es"] if lang == "es" else row["locator"]
    source = data.load().source_short(row["source"], lang)
    return provenance(source, locator, printed(row["as_reported"]), row["qualifier"], lang)


class GluedFigure:
    """What the page shows for a figure: its words, linked to its row on the Data page, with its source on hover or focus.

    The markup (site.PasteGluedNumbers numbers the note's id per paste)::

        <span class="lacbook-number">
          <a class="lacbook-number__link" href="data.html#fig-ID" aria-describedby="lacbook-note-…">
            <span class="lacbook-figure" data-figure="ID">44%</span></a>
          <span class="lacbook-number__note" id="lacbook-note-…" role="tooltip">Source: …</span>
        </span>
    """

    def __init__(self, figure_id: str, text: str, lang: str | None = None):
        self.figure_id, self.text, self.lang = figure_id, text, lang or language()

    def __repr__(self) -> str:
        return self.text

    def note_id(self) -> str:
        return "lacbook-note-" + self.figure_id.replace(".", "-")

    def _repr_html_(self) -> str:
        figure_id, note_id = html.escape(self.figure_id), html.escape(self.note_id())
        return (
            '<span class="lacbook-number">'
            f'<a class="lacbook-number__link" href="{DATA_PAGE}#{html.escape(anchor(self.figure_id))}" '
            f'aria-describedby="{note_id}">'
            f'<span class="lacbook-figure" data-figure="{figure_id}">{html.escape(self.text)}</span></a>'
            f'<span class="lacbook-number__note" id="{note_id}" role="tooltip">'
            f"{html.escape(source_note(self.figure_id, self.lang))}</span>"
            "</span>"
        )


def glue_figures(names: dict[str, str], lang: str | None = None, *, article: bool = True,
                 short: bool = False) -> None:
    """Glue each figure id under its name, for ``{num}`name``` in the text (see `worded`)."""
    for name, figure_id in names.items():
        glue(name, GluedFigure(figure_id, worded(figure_id, lang, article=article, short=short), lang),
             display=False)


def glue_text(name: str, text: str) -> None:
    """Glue words worked out from the figures (a sum, a share, a change) for ``{num}`name``` in the text;
    they carry no link, since no single row of the data holds them."""
    glue(name, text, display=False)
