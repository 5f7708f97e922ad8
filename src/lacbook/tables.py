"""Tables that are not charts (the Data page's lists): accessible HTML, cells formatted by the caller.

A table pasted as a notebook output keeps its caption, its column headers
(``scope="col"``) and row ids, which a pandas Styler would not give a screen
reader or a link. Values go in already formatted by `lacbook.i18n` and escaped:
a cell may hold a link or ``<code>``.
"""

from __future__ import annotations

from html import escape

from IPython.display import HTML


def html_table(rows: list[dict], columns: dict[str, str], caption: str, row_ids: list[str] | None = None,
               kind: str = "") -> HTML:
    """An accessible table of ``rows`` (dicts of HTML cells), with ``columns`` as key -> header.

    ``row_ids`` gives each row an HTML id, so that a link can land on it; ``kind`` adds a CSS class.
    """
    if row_ids is not None and len(row_ids) != len(rows):
        raise ValueError(f"table {caption!r}: {len(rows)} rows but {len(row_ids)} row ids")
    head = "".join(f'<th scope="col">{escape(label)}</th>' for label in columns.values())
    ids = [f' id="{escape(row_id)}"' for row_id in row_ids] if row_ids else [""] * len(rows)
    body = "".join(
        f"<tr{row_id}>" + "".join(f"<td>{row[key]}</td>" for key in columns) + "</tr>"
        for row, row_id in zip(rows, ids)
    )
    return HTML(
        # A wide table scrolls sideways in its box: keyboard users need to focus it to scroll.
        f'<div class="{" ".join(["lacbook-table", kind]).strip()}" tabindex="0" role="region" '
        f'aria-label="{escape(caption)}"><table class="table"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def download_link(path: str) -> str:
    """A link that downloads one file of the data package (the Data page sits beside the data/ folder)."""
    return f'<a href="data/{escape(path)}" download>{escape(path)}</a>'
