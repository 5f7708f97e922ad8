"""Sphinx extension: citations a reader recognises, in the edition's language.

A citation names its source by a short label and the place in the source
where the claim is found (sphinxcontrib-bibtex's post-text):

    {cite}`gaatw2024{Argentina}`             ->  [GAATW 2024, Argentina]
    {cite}`gaatw2024{Migration policies},rmrp2023_eoy{footnote 2}`
        ->  [GAATW 2024, Migration policies] [R4V 2023 end-year, footnote 2]

Everything goes through sphinxcontrib-bibtex's documented plugin points, no
HTML is rewritten afterwards:

- a pybtex *formatting style* per edition (`lacbook-en`, `lacbook-es`,
  registered with `pybtex.plugin.register_plugin`) writes the bibliography
  entries and the citation tooltips (which use the same style) with every
  word the style adds in the edition's language; titles stay as published,
  followed by a gloss in the edition's language where the bib file has one;
- its *label style* takes each source's label from the bib file (`shorthand`,
  and `shorthand_es` for the Spanish edition), since author-year labels by
  publication year mislead ("2022 figures [R4V, 2023]");
- its *sorting style* orders the bibliography by that label;
- a *referencing style* (`lacbook`, registered with
  `sphinxcontrib.bibtex.plugin.register_plugin`) is sphinxcontrib-bibtex's
  own label style with one pair of brackets per source, so that a locator
  may hold commas or semicolons ("Sector totals; Response") and still never
  be mistaken for the next source.

`book/conf.py` sets `bibtex_default_style = "lacbook"` and
`bibtex_reference_style = "lacbook"`; at `config-inited` the formatting style
becomes the one of the edition's language (`lacbook-es` for `language = "es"`).

Fields of references.bib read here (a field `<name>_<lang>`, e.g. `type_es`,
is that field in the edition's language and wins over `<name>`):

    shorthand     the citation label
    title         as published; `title_<lang>` is a gloss shown in brackets
    type          the kind of document ("End-year report")
    institution / organization, address, date (ISO) or year
    langid        language the source is written in (english, spanish)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pybtex.plugin
from pybtex.backends.plaintext import Backend as PlainTextBackend
from babel.dates import format_date
from pybtex.richtext import Tag, Text
from pybtex.style import FormattedEntry
from pybtex.style.formatting import BaseStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle
from sphinx.application import Sphinx
from sphinxcontrib.bibtex.plugin import register_plugin as register_referencing_plugin
from sphinxcontrib.bibtex.style.referencing.basic_label import BasicLabelParentheticalReferenceStyle
from sphinxcontrib.bibtex.style.referencing.label import LabelReferenceStyle
from sphinxcontrib.bibtex.style.template import join

from .i18n import LANGUAGES, SOURCE_LANGUAGE

if TYPE_CHECKING:
    from pybtex.style.template import Node

NAME = "lacbook"

# The only words this style adds to an entry, per edition.
WORDS = {
    "en": {"written in": "In {language}.", "english": "English", "spanish": "Spanish"},
    "es": {"written in": "En {language}.", "english": "inglés", "spanish": "español"},
}
LANGUAGE_CODES = {"english": "en", "spanish": "es"}
DATE_LOCALES = {"en": "en_GB", "es": "es"}


def style_name(lang: str) -> str:
    return f"{NAME}-{lang}"


def localised(entry, name: str, lang: str) -> str | None:
    """The field in the edition's language (`type_es`), else the field itself."""
    fields = entry.fields
    for key in (f"{name}_{lang}", name):
        if fields.get(key):
            return fields[key]
    return None


def rich(value: str) -> Text:
    return Text.from_latex(value)


def sentence_end(text: Text) -> Text:
    """Close a block with a period unless it already ends with punctuation."""
    return text if str(text).rstrip().endswith((".", "?", "!")) else Text(text, ".")


class LabelStyle(BaseLabelStyle):
    lang = SOURCE_LANGUAGE

    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            label = localised(entry, "shorthand", self.lang)
            if not label:
                raise KeyError(f"references.bib: {entry.key} has no shorthand (its citation label)")
            yield str(rich(label))


class SortingStyle(BaseSortingStyle):
    lang = SOURCE_LANGUAGE

    def sorting_key(self, entry):
        return (str(rich(localised(entry, "shorthand", self.lang) or entry.key)).casefold(), entry.key)


class Style(BaseStyle):
    """One entry layout for every kind of source the book cites:

    Author. *Title as published* [gloss]. Kind. Publisher, place, date. Written in ...
    """

    lang = SOURCE_LANGUAGE

    def format_entry(self, label, entry, bib_data=None):
        lang = self.lang
        words = WORDS[lang]
        blocks: list[Text] = []
        authors = entry.persons.get("author", [])
        if authors:
            blocks.append(Text(*_join([self.person_name(person) for person in authors], ", ")))
        title = Text(Tag("em", rich(entry.fields["title"])))
        gloss = entry.fields.get(f"title_{lang}")
        if gloss:
            title = Text(title, " [", rich(gloss), "]")
        blocks.append(title)
        kind = localised(entry, "type", lang)
        if kind:
            blocks.append(rich(kind))
        where = [rich(value) for value in (
            localised(entry, "institution", lang) or localised(entry, "organization", lang),
            localised(entry, "address", lang),
        ) if value]
        when = self.date(entry)
        blocks.append(Text(*_join([*where, when], ", ")))
        written_in = LANGUAGE_CODES.get(entry.fields.get("langid", "").lower())
        if written_in and written_in != lang:
            blocks.append(Text(words["written in"].format(language=words[entry.fields["langid"].lower()])))
        text = Text(*_join([sentence_end(block) for block in blocks], " "))
        return FormattedEntry(entry.key, text, label)

    def person_name(self, person) -> Text:
        if person.first_names:
            return self.name_style.format(person, False).format()
        return Text(*_join(person.rich_last_names, " "))  # a corporate author: {{R4V}}

    def date(self, entry) -> Text:
        if entry.fields.get("date"):
            day = dt.date.fromisoformat(entry.fields["date"])
            return Text(format_date(day, format="long", locale=DATE_LOCALES[self.lang]))
        return Text(entry.fields["year"])


def _join(parts: list, sep: str) -> list:
    joined: list = []
    for part in parts:
        if joined:
            joined.append(sep)
        joined.append(part)
    return joined


@dataclass
class EachSourceBracketed(BasicLabelParentheticalReferenceStyle):
    """`{cite}` (`cite:p`): each source in its own brackets, so that a locator
    may hold any punctuation: [GAATW 2024, Migration policies] [R4V 2023 end-year, footnote 2]."""

    def outer(self, role_name: str, children: list) -> "Node":
        return join(sep=" ")[children] if "al" not in role_name else super().outer(role_name, children)

    def inner(self, role_name: str) -> "Node":
        inner = super().inner(role_name)
        return inner if "al" in role_name else join[self.bracket.left, inner, self.bracket.right]


@dataclass
class ReferenceStyle(LabelReferenceStyle):
    """sphinxcontrib-bibtex's label style, with one pair of brackets per source."""

    def __post_init__(self):
        super().__post_init__()
        each = EachSourceBracketed(bracket=self.bracket_parenthetical, pre_text_sep=self.pre_text_sep,
                                   post_text_sep=self.post_text_sep)
        self.role_style.update((role_name, each) for role_name in each.role_names())


def _edition_plugins(lang: str) -> dict[str, type]:
    """The label, sorting and formatting styles of one edition, by pybtex plugin group."""
    name = style_name(lang)
    return {
        "pybtex.style.labels": type(f"LabelStyle_{lang}", (LabelStyle,), {"lang": lang}),
        "pybtex.style.sorting": type(f"SortingStyle_{lang}", (SortingStyle,), {"lang": lang}),
        "pybtex.style.formatting": type(f"Style_{lang}", (Style,), {
            "lang": lang, "default_label_style": name, "default_sorting_style": name,
            "default_name_style": "plain",
        }),
    }


PLUGINS = {lang: _edition_plugins(lang) for lang in LANGUAGES}


def _register() -> None:
    for lang, plugins in PLUGINS.items():
        for group, klass in plugins.items():
            pybtex.plugin.register_plugin(group, style_name(lang), klass)
    register_referencing_plugin("sphinxcontrib.bibtex.style.referencing", NAME, ReferenceStyle)
    # sphinxcontrib-bibtex asks pybtex for its plain-text backend at every citation it resolves;
    # registered at run time, it is found at once instead of by scanning every installed
    # package's entry points (about 10 ms a citation: 0.9 s per edition of the book).
    pybtex.plugin.register_plugin("pybtex.backends", "plaintext", PlainTextBackend, force=True)


def on_config_inited(app: Sphinx, config) -> None:
    """`bibtex_default_style: lacbook` means the style of the edition's language."""
    if config.bibtex_default_style == NAME:
        lang = config.language if config.language in LANGUAGES else SOURCE_LANGUAGE
        config.bibtex_default_style = style_name(lang)


def setup(app: Sphinx) -> dict:
    _register()
    app.connect("config-inited", on_config_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
