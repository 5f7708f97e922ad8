"""The catalogue files, as authors and the build handle them: check, merge, report.

`lacbook.i18n` translates and formats at run time, in the kernels; this module
works on the `.po` files themselves. Prose is translated with Sphinx's own
gettext (one catalogue per chapter, extracted by the gettext builder and
merged by sphinx-intl: `lacbook.build --catalogues`); text made by code goes
into the `charts` catalogues, extracted here from the package and from the
code cells of the chapters. A build never ships a broken, untranslated or
fuzzy entry: `check_catalogues` names each one and the build stops.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_python
from babel.messages.pofile import read_po, write_po

from .i18n import LANGUAGES, REPO, SOURCE_LANGUAGE, TRANSLATIONS, charts_catalogues

PACKAGE = Path(__file__).resolve().parent
KEYWORDS = {"_": None, "N_": None}
CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(?:---\n.*?\n---\n)?(.*?)^```", re.S | re.M)


def _catalogues(translations: Path, lang: str) -> list[Path]:
    """Prose catalogues (LC_MESSAGES/), chart catalogues (charts/) of a language, and the
    extension's own interface catalogue (lacbook.locale)."""
    own = PACKAGE / "locale" / lang / "LC_MESSAGES" / "lacbook.po"
    return sorted((translations / lang).rglob("*.po")) + ([own] if own.is_file() else [])


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def syntax_problems(path: Path) -> list[str]:
    """What GNU gettext's own checker says of a catalogue: syntax errors (an unterminated
    string), duplicate entries."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        return [f"{path}: cannot check it: msgfmt not found (Debian: apt-get install gettext)"]
    # Not --check-format: a translated citation locator ({cite}`key{Sección}`) is not a
    # placeholder; what must carry over is checked by catalogue_problems below.
    done = subprocess.run([msgfmt, "--check-domain", "-o", os.devnull, str(path)],
                          capture_output=True, text=True)
    if done.returncode == 0:
        return []
    return [line for line in done.stderr.splitlines() if line.startswith(str(path))] or [done.stderr.strip()]


# What a translation must carry over from the English unchanged: MyST roles with their
# targets ({num}`key`, {cite}`key{locator}`, {term}`text <target>`), Python format fields
# ({value}) and link destinations. Glossary terms are translated, so only their count is kept.
ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<content>[^`]*)`")
FIELD = re.compile(r"\{(?P<field>\w*)\}(?!`)")
LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


def _kept_parts(text: str) -> Counter:
    parts: Counter = Counter()
    for match in ROLE.finditer(text):
        role, content = match["role"], match["content"]
        if role.startswith("cite"):  # keys only: a locator is translated
            content = ",".join(key.strip() for key in re.sub(r"\{[^{}]*\}", "", content).split(","))
        elif role == "term":  # glossary terms are themselves translated: only their number counts
            content = "…"
        elif role in ("ref", "numref", "doc") and content.endswith(">") and "<" in content:
            content = content[content.rindex("<") + 1:-1]  # the target, not the translated text
        parts[f"{{{role}}}`{content}`"] += 1
    parts.update(f"{{{m['field']}}}" for m in FIELD.finditer(ROLE.sub("", text)))
    parts.update(f"]({m['target']})" for m in LINK.finditer(text))
    return parts


def catalogue_problems(path: Path) -> list[str]:
    """One line per problem of a catalogue: syntax, duplicates, untranslated or fuzzy
    entries, and translations that lose or change a number, citation, link or placeholder."""
    problems = syntax_problems(path)
    if problems:
        return problems
    for message in _read(path):
        if not message.id:
            continue
        where = f"{path}:{message.lineno}" if message.lineno else str(path)
        if message.fuzzy:
            problems.append(f"{where}: fuzzy entry {message.id!r}")
        elif not message.string:
            problems.append(f"{where}: untranslated entry {message.id!r}")
        else:
            english, spanish = _kept_parts(message.id), _kept_parts(message.string)
            if english != spanish:
                lost = ", ".join(sorted((english - spanish).elements())) or "-"
                added = ", ".join(sorted((spanish - english).elements())) or "-"
                problems.append(f"{where}: the translation must keep what the English has: "
                                f"missing {lost}; not in the English {added}")
    return problems


def check_catalogues(translations: Path, langs: list[str], pages: set[str] | None = None) -> list[str]:
    """Every problem in the catalogues of the given languages (of some pages only); empty when complete."""
    problems = []
    for lang in langs:
        paths = [p for p in _catalogues(translations, lang) if pages is None or p.stem in pages]
        if not paths:
            problems.append(f"{translations / lang}: no catalogues at all")
        for path in paths:
            problems.extend(catalogue_problems(path))
    return problems


def completeness(translations: Path, lang: str) -> list[tuple[str, int, int]]:
    """(catalogue, translated, total) for each catalogue, fuzzy counting as untranslated."""
    rows = []
    for path in _catalogues(translations, lang):
        messages = [m for m in _read(path) if m.id]
        done = sum(1 for m in messages if m.string and not m.fuzzy)
        rows.append((str(path.relative_to(translations / lang)), done, len(messages)))
    return rows


def code_messages(root: Path = REPO) -> dict[str, list[tuple[Path, int, str]]]:
    """Messages of `_()`/`N_()` calls, per catalogue: `lacbook` for the package, else the chapter."""
    sources = [("lacbook", p, p.read_text(encoding="utf-8")) for p in sorted((root / "src" / "lacbook").glob("*.py"))]
    if not sources:  # a copy of the book without the package: the installed one
        sources = [("lacbook", p, p.read_text(encoding="utf-8")) for p in sorted(PACKAGE.glob("*.py"))]
    for chapter in sorted((root / "book").rglob("*.md")):
        text = chapter.read_text(encoding="utf-8")
        for match in CODE_CELL.finditer(text):
            offset = text.count("\n", 0, match.start(1))
            sources.append((chapter.stem, chapter, "\n" * offset + match.group(1)))
    found: dict[str, list[tuple[Path, int, str]]] = {}
    for catalogue, path, code in sources:
        for lineno, _func, message, _comments in extract_python(io.BytesIO(code.encode()), KEYWORDS, [], {}):
            if isinstance(message, str):
                found.setdefault(catalogue, []).append((path.name, lineno, message))
    return found


def update_chart_catalogues(
    translations: Path, lang: str, root: Path = REPO, only: list[str] | None = None
) -> list[Path]:
    """Merge the messages found in code into `<lang>/charts/<chapter>.po` (and `lacbook.po`);
    a catalogue is rewritten only when its messages changed. Returns those rewritten."""
    folder = charts_catalogues(lang, translations)
    folder.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, messages in code_messages(root).items():
        if only and name not in only:
            continue
        template = Catalog()
        for _path, _lineno, message in messages:
            template.add(message)
        target = folder / f"{name}.po"
        catalogue = _read(target) if target.exists() else Catalog(locale=lang)
        before = _entries(catalogue)
        catalogue.update(template, no_fuzzy_matching=True)
        if target.exists() and _entries(catalogue) == before:
            continue
        with target.open("wb") as handle:
            write_po(handle, catalogue, width=100, ignore_obsolete=True, no_location=True)
        changed.append(target)
    return changed


def _entries(catalogue: Catalog) -> list[tuple]:
    """What a translator sees of a catalogue: messages, translations, flags (no dates, no locations)."""
    return sorted((str(m.id), str(m.string), tuple(sorted(m.flags))) for m in catalogue if m.id)


def report(translations: Path, lang: str) -> str:
    """Per-catalogue completeness, as a small table for the terminal."""
    lines = [f"{'catalogue':<40} {'translated':>10}"]
    for name, done, total in completeness(translations, lang):
        lines.append(f"{name:<40} {done:>4}/{total:<4} {'' if done == total else '  <- incomplete'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """`check`: fail on any gap in the catalogues (`python -m lacbook.build --catalogues` updates them)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m lacbook.catalogues", description=main.__doc__)
    parser.add_argument("command", choices=["check"])
    parser.parse_args(argv)
    langs = [lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE]
    problems = check_catalogues(TRANSLATIONS, langs)
    print("\n".join(problems) or "All catalogues complete.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
