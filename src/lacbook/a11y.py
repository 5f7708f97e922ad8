"""Markup fixes that make the theme's and extensions' HTML pass axe-core (serious/critical rules).

Each one corrects a single fixed string that another package writes; if that
package changes it, tests/test_browser.py's axe test says where.
"""

from __future__ import annotations

FIXES = {
    # myst-nb names every code toggle in English, whatever the page's language,
    # and hides its visible text ("Show the code") from the accessible name:
    # without the label, the visible text in the page's language names it.
    '<summary aria-label="Toggle hidden content">': "<summary>",
    # docutils puts bibliography entries (deprecated role doc-biblioentry) in a
    # role="list", which then has no list items.
    'role="doc-biblioentry"': 'role="listitem"',
}


def fix_markup(body: str) -> str:
    for wrong, right in FIXES.items():
        body = body.replace(wrong, right)
    return body
