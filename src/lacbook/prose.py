"""Numbers for the prose: a figure of the data package, worded for the page's language.

Chapters never type a number into a paragraph. A page names the figures it
quotes in its front matter (`page_figures`), and the text pastes each with
``{num}`name```, so both editions print the same value from `data/`, each in
its own format and with the source's qualifier ("more than 390,000" / "más de
390.000"). A figure the source printed rounded reads "about 26,200" (money
keeps its short form, "US$13.62M"), a printed range reads "between 30% and
40%", and a Spanish percentage comes with its article ("el 44 %", "más del
80 %"), so the Spanish text puts none before it. Words a chapter's code works
out from the figures (a sum, a change) are glued under a name (`glue_text`)
and pasted the same way.

In the page a figure is a link to its row on the Data page, and on hover,
keyboard focus or tap it shows where it comes from: the source's short name,
the section, the figure as printed and its qualifier (`figure_markup`). A
reader (or a test) can trace every number.
"""

from __future__ import annotations

import html
import re

import yaml
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
    """Every way a pasted figure may read on a page: as worded, or in a card's short form
    ("almost 3M"); in Spanish also capitalised at the start of a sentence ("Más de 390.000")
    and, after "de"/"a" or on a card, without the article that site.PasteGluedNumbers
    contracts into "del"/"al" ("un aumento del 30 %")."""
    lang = lang or language()
    texts = {worded(figure_id, lang), worded(figure_id, lang, short=True)}
    if lang != "es":
        return texts
    forms = set()
    for text in texts:
        forms |= {text, text[:1].upper() + text[1:]}
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


FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
FORMS = {"figure", "article", "short"}


def page_figures(source: str, page: str = "page") -> dict[str, dict]:
    """The figures a page quotes, by name, from its front matter's ``figures`` map::

        figures:
          hosted: gaatw2024.colombia.people_hosted.venezuelan.2023_12
          hosted_card: {figure: gaatw2024.colombia.people_hosted.venezuelan.2023_12, short: true}

    A name maps to a figure id, or to the id and the keywords of `worded` (``short``,
    ``article``). The binding lives with the prose, not in a kernel, so that pages
    without code need none and a renamed figure is one line in the page that quotes it.
    """
    found = FRONT_MATTER.match(source)
    listed = (yaml.safe_load(found[1]) or {}).get("figures") if found else None
    uses = {}
    for name, use in (listed or {}).items():
        use = {"figure": use} if isinstance(use, str) else use
        if not isinstance(use, dict) or "figure" not in use or use.keys() - FORMS:
            raise ValueError(f"{page}: figures: {name}: give a figure id, or a map of "
                             f"{', '.join(sorted(FORMS))} with at least its figure; got {use!r}")
        uses[str(name)] = use
    return uses


def figure_markup(figure_id: str, lang: str, *, article: bool = True, short: bool = False) -> tuple[str, str]:
    """What the page shows for a figure: its words, linked to its row on the Data page, with its
    source on hover or focus. Returns the text and the markup (site.PasteGluedNumbers numbers
    the note's id per paste)::

        <span class="lacbook-number">
          <a class="lacbook-number__link" href="data.html#fig-ID" aria-describedby="lacbook-note-ID">
            <span class="lacbook-figure" data-figure="ID">44%</span></a>
          <span class="lacbook-number__note" id="lacbook-note-ID" role="tooltip">Source: …</span>
        </span>
    """
    text = worded(figure_id, lang, article=article, short=short)
    note_id = html.escape("lacbook-note-" + figure_id.replace(".", "-"))
    markup = (
        '<span class="lacbook-number">'
        f'<a class="lacbook-number__link" href="{DATA_PAGE}#{html.escape(anchor(figure_id))}" '
        f'aria-describedby="{note_id}">'
        f'<span class="lacbook-figure" data-figure="{html.escape(figure_id)}">{html.escape(text)}</span></a>'
        f'<span class="lacbook-number__note" id="{note_id}" role="tooltip">'
        f"{html.escape(source_note(figure_id, lang))}</span>"
        "</span>"
    )
    return text, markup


def glue_text(name: str, text: str) -> None:
    """Glue words worked out from the figures (a sum, a share, a change) for ``{num}`name``` in the text;
    they carry no link, since no single row of the data holds them."""
    glue(name, text, display=False)
