"""What a chart travels as from a chapter's kernel to the page: the book's own MIME type.

The kernel side (`charts.render`) and the Sphinx side (`chartnode`) both need these,
and the Sphinx side should not import Altair and pandas to get them.
"""

from __future__ import annotations

MIME_TYPE = "application/vnd.lacbook.chart+json"


def title_text(spec: dict) -> str:
    """A chart's title as one line, from a Vega-Lite or a compiled Vega spec."""
    title = spec.get("title", "")
    if isinstance(title, dict):
        title = title.get("text", "")
    return " ".join(title) if isinstance(title, list) else str(title)
