"""Sphinx configuration of the book: one file for both editions.

This is what `jupyter-book config sphinx` writes for a Jupyter Book, kept by
hand so that only the extensions the book uses are loaded (no sphinx-thebe,
sphinx-comments or the LaTeX helpers). Each edition is one plain Sphinx build:

    sphinx-build -b html -D language=es -n -W --keep-going book _build/es/html

(`python3 tasks.py build` runs exactly that for both languages, with the
execution cache and data folders set by `-D`). What differs by language
(titles, interface words) is set by the book's extension, `lacbook.site`,
from `language` alone.
"""

import os

project = "lacbook"
author = "The lacbook editorial team"
copyright = "2026"

# Publication (lacbook.publish): where the site lives and which edition this is.
# html_baseurl is the address of the site's root, the page that offers both
# editions (each edition is under <root>/en/ and <root>/es/); canonical links,
# hreflang alternates, the sitemap, robots.txt, the 404 page and social and
# Google Scholar metadata are all built from it. A fork sets LACBOOK_BASE_URL
# (the Pages workflow passes its own address) instead of editing this line.
html_baseurl = os.environ.get("LACBOOK_BASE_URL") or "https://lacbook.github.io/lacbook/"
# The date and number of this edition: the citations, the Scholar tags and the
# changelog read them from here; CITATION.cff repeats them (the tests compare).
lacbook_edition_date = "2026-11-26"
lacbook_edition = "1"

extensions = [
    "myst_nb",
    "sphinx_copybutton",
    "sphinx_external_toc",
    "sphinx_design",
    "sphinx_book_theme",
    "sphinxcontrib.bibtex",
    "sphinx_sitemap",
    "sphinxext.opengraph",
    "notfound.extension",
    "sphinx_last_updated_by_git",
    "lacbook.site",
    "lacbook.publish",
]

# The table of contents sits beside book/ (it lists pages relative to book/).
external_toc_path = "../_toc.yml"
external_toc_exclude_missing = True  # pages not in _toc.yml are not built (the build refuses them)
exclude_patterns = ["_build", ".venv", "**.ipynb_checkpoints"]

# Translations: Sphinx's gettext, one catalogue per page.
locale_dirs = ["../translations"]
gettext_compact = False
gettext_uuid = False
gettext_location = False

# MyST and notebooks.
myst_enable_extensions = ["colon_fence", "deflist", "substitution"]
myst_url_schemes = ["mailto", "http", "https"]
numfig = True
nb_execution_mode = "cache"
nb_execution_timeout = 120
nb_execution_allow_errors = False
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
nb_output_stderr = "show"
# Git gives each page its "last updated" date (sphinx-last-updated-by-git); a build from a
# tarball (no .git) or a shallow clone shows none rather than failing.
suppress_warnings = ["myst.domains", "git.subprocess_error", "git.command_not_found", "git.too_shallow"]

# Citations: labels a reader recognises, per edition (lacbook.citations).
bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "lacbook"
bibtex_reference_style = "lacbook"

# Pages.
html_theme = "sphinx_book_theme"
html_favicon = "_static/favicon.svg"
html_static_path = ["_static"]
html_show_sourcelink = False
html_context = {"default_mode": "light"}
html_theme_options = {
    "use_download_button": False,
    "use_fullscreen_button": True,
    "article_header_end": ["lang-switcher.html", "pdf-link.html", "article-header-buttons.html"],
    # The theme's footer, plus the licence and the credit to the sources' publishers.
    "footer_content_items": ["author.html", "copyright.html", "last-updated.html", "lacbook-licence.html"],
}
pygments_style = "sphinx"

# Strict: a reference that does not resolve is an error (with -n -W).
nitpicky = True
