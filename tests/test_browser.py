"""The reader's experience in a real browser: every page of both editions, in Debian's Chromium.

The site built once for the session (conftest's `site`) is served on localhost.
Each edition is visited once at desktop width (the `survey` fixture): on every
page it records what each test below checks (errors and requests, drawn charts,
tooltips, tables, accessibility, print, narrowing the window, the switcher), so
a page is loaded once, not once per test. Each test then reports all the pages
that fail its check, by language and path. The phone-width and no-JavaScript
checks need their own browser profiles and load the pages again. Run them alone
with `python3 tasks.py test -m browser`; skip them with `-m "not browser"`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from chromium import LANGS, axe_source, launch, open_page, serve, site_pages
from lacbook.chartnode import read_payload_script
from lacbook.exports import TOOLTIP_FIELD, _signals
from helpers import charts_catalogue

pytestmark = [pytest.mark.build, pytest.mark.browser]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}
BROWSER_LOCALE = {"en": "en-US", "es": "es-ES"}
# A word of each edition's own language, present in its home page and chapters.
SEARCH_WORD = {"en": "trafficking", "es": "trata"}
# Numbers written the other edition's way: 1,234 or 4.38 in Spanish; 1.234 or 4,38 in English.
FOREIGN_NUMBER = {
    "es": re.compile(r"\d,\d{3}(?!\d)|\d\.\d{1,2}(?!\d)"),
    "en": re.compile(r"\d\.\d{3}(?!\d)|\d,\d{1,2}(?!\d)"),
}
# ...and the edition's own separators, which some figure on the edition must show.
OWN_NUMBER = {"es": re.compile(r"\d\.\d{3}(?!\d)|\d,\d"), "en": re.compile(r"\d,\d{3}(?!\d)|\d\.\d")}
SEVERE = {"serious", "critical"}


# -- Fixtures: one server and one browser for the module, a fresh profile per test ----------


@pytest.fixture(scope="module")
def base_url(site):
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser):
    """Fresh browser profiles (cookies, storage, cache), closed after the test."""
    contexts = []

    def make(**options):
        options = {"viewport": DESKTOP, **options}
        contexts.append(browser.new_context(**options))
        return contexts[-1]

    yield make
    for context in contexts:
        context.close()


# -- What the built pages hold -------------------------------------------------------------


def payloads(site: Path, lang: str, page: str) -> list[dict]:
    document = BeautifulSoup((site / lang / page).read_text(encoding="utf-8"), "html.parser")
    return [
        {"id": box["id"], **read_payload_script((site / lang / box["data-payload"]).read_text(encoding="utf-8"))}
        for box in document.select("div.lacbook-chart[data-payload]")
    ]


def chart_pages(site: Path, lang: str) -> list[str]:
    pages = [page for page in site_pages(site, lang) if payloads(site, lang, page)]
    assert pages, f"{lang}: no page with a chart"
    return pages


def tooltip_marks(spec: dict) -> list[tuple[str, str, list[str]]]:
    """(mark name, mark type, tooltip titles) of every mark that shows a tooltip."""
    found = []

    def walk(marks):
        for mark in marks:
            encode = mark.get("encode", {})
            tooltip = encode.get("update", {}).get("tooltip") or encode.get("enter", {}).get("tooltip")
            titles = [json.loads(f'"{t}"') for s in _signals(tooltip) for t, _ in TOOLTIP_FIELD.findall(s)]
            if titles and mark.get("name"):
                found.append((mark["name"], mark["type"], titles))
            walk(mark.get("marks", []))

    walk(spec.get("marks", []))
    return found


def report(problems: list[str]) -> str:
    return f"{len(problems)} problem(s):\n" + "\n".join(problems[:40])


# Page width, and each chart's column and drawn width (its SVG's own width attribute).
FITS = """() => {
  const width = document.scrollingElement.scrollWidth;
  const charts = [...document.querySelectorAll('.lacbook-chart')].map((box) => {
    const view = box.querySelector('.lacbook-chart__view'), svg = view.querySelector('svg');
    return {id: box.id, column: view.clientWidth, drawn: svg ? +svg.getAttribute('width') : null};
  });
  return {width, charts};
}"""


# -- One visit per page: every check that reads a loaded desktop page ----------------------


@dataclass
class Survey:
    """What one edition's desktop visit found: the problems of each check, and what the
    checks read (request count, tooltip and table texts, chart download links, charts that
    filled the column) so that a test can also assert the check really looked at something."""

    lang: str
    problems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    requests: int = 0
    tooltip_kinds: set[str] = field(default_factory=set)
    tooltip_values: list[str] = field(default_factory=list)
    table_cells: list[str] = field(default_factory=list)
    downloads: dict[str, list[str]] = field(default_factory=dict)
    refitted: int = 0


def check_load(survey: Survey, visit, where: str) -> None:
    survey.requests += len(visit.requests)
    found = survey.problems["load"]
    found += [f"{where}: console error: {error.splitlines()[0][:300]}" for error in visit.errors]
    found += [f"{where}: failed request {failure}" for failure in visit.failed]
    found += [f"{where}: request to another host: {url}" for url in visit.foreign()]


def check_drawn(survey: Survey, visit, where: str, charts: list[dict]) -> None:
    for payload in charts:
        box = visit.page.locator(f"#{payload['id']}")
        if "lacbook-chart--drawn" not in (box.get_attribute("class") or ""):
            survey.problems["drawn"].append(f"{where} #{payload['id']}: not drawn")
        # Items of data marks (axes, legends and titles have their own roles).
        elif not box.locator("svg g.role-mark:not(.mark-text):not(.mark-group) > *").count():
            survey.problems["drawn"].append(f"{where} #{payload['id']}: the SVG has no marks")


def check_tooltips(survey: Survey, visit, where: str, charts: list[dict], foreign_titles: set[str]) -> None:
    """Hover every chart: its first mark with a tooltip, and one mark of each kind
    (bars, points, rules, text...) not hovered yet in the edition."""
    found = survey.problems["tooltips"]
    tooltip = visit.page.locator("#vg-tooltip-element.visible")
    for payload in charts:
        marks = tooltip_marks(payload["spec"])
        # An item may lie under another mark's item, which then shows its own tooltip.
        expected = {tuple(titles) for _, _, titles in marks}
        targets = marks[:1] + [mark for mark in marks[1:] if mark[1] not in survey.tooltip_kinds]
        for name, kind, _ in targets:
            survey.tooltip_kinds.add(kind)
            mark = f"{where} #{payload['id']} ({kind} mark {name})"
            for item in visit.page.locator(f"#{payload['id']} svg g.{name} > *").all()[:12]:
                item.hover(force=True)
                try:
                    tooltip.wait_for(state="visible", timeout=1500)
                    break
                except PlaywrightTimeout:
                    continue  # an item hidden under another one, or without a tooltip
            else:
                found.append(f"{mark}: hovering its marks shows no tooltip")
                continue
            keys = tooltip.locator("td.key").all_inner_texts()
            texts = tooltip.locator("td.value").all_inner_texts()
            survey.tooltip_values += texts
            if tuple(keys) not in expected:
                found.append(f"{mark}: tooltip titles {keys}, expected one of {sorted(expected)}")
            if foreign_titles & set(keys):
                found.append(f"{mark}: tooltip titles in the other language: {foreign_titles & set(keys)}")
            wrong = [value for value in texts if FOREIGN_NUMBER[survey.lang].search(value)]
            if wrong:
                found.append(f"{mark}: numbers in the other language's format: {wrong}")
            visit.page.mouse.move(0, 0)
            tooltip.wait_for(state="hidden")


def check_tables(survey: Survey, visit, where: str, charts: list[dict]) -> None:
    """Each chart opens as a table with a caption, scoped headers and numbers in the page's format."""
    found = survey.problems["tables"]
    for payload in charts:
        chart = f"{where} #{payload['id']}"
        toggle = visit.page.locator(f"#{payload['id']} details.lacbook-chart__table")
        table = toggle.locator("table")
        if toggle.count() != 1 or table.is_visible():
            found.append(f"{chart}: no closed table toggle under the chart")
            continue
        toggle.locator("summary").click()
        table.wait_for(state="visible")
        rows = table.locator("tbody tr").count()
        if not table.locator("caption").inner_text().strip():
            found.append(f"{chart}: the table has no caption")
        if table.locator("thead th[scope=col]").count() < 1 or table.locator("tbody th[scope=row]").count() != rows:
            found.append(f"{chart}: headers lack scope")
        if rows < 1:
            found.append(f"{chart}: the table is empty")
        texts = table.locator("td").all_inner_texts()
        survey.table_cells += texts
        wrong = [text for text in texts if FOREIGN_NUMBER[survey.lang].search(text)]
        if wrong:
            found.append(f"{chart}: numbers in the other language's format: {wrong[:5]}")


def check_axe(survey: Survey, visit, where: str, axe: str) -> None:
    # The data tables are checked too: they are only rendered when open.
    visit.page.evaluate("document.querySelectorAll('details.lacbook-chart__table').forEach((d) => d.open = true)")
    visit.page.add_script_tag(content=axe)
    result = visit.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    for violation in result["violations"]:
        if violation["impact"] in SEVERE:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            survey.problems["axe"].append(
                f"{where}: {violation['impact']} {violation['id']}: {violation['help']} {targets}")


# sphinx-book-theme prints its own title block (#jb-print-docs-body) instead of the first h1.
PRINTED = ["figure .lacbook-chart__view svg", "figure figcaption", "#jb-print-docs-body h1"]
NOT_PRINTED = [
    ".bd-header", ".bd-sidebar-primary", ".bd-sidebar-secondary", ".bd-header-article",
    ".lacbook-lang-switch", ".lacbook-chart__downloads", ".lacbook-chart__table", "details.above-input",
    ".prev-next-area",
]


def check_print(survey: Survey, visit, where: str) -> None:
    found = survey.problems["print"]
    visit.page.emulate_media(media="print")
    for selector in PRINTED:
        if not visit.page.locator(selector).first.is_visible():
            found.append(f"{where}: {selector} is not printed")
    for selector in NOT_PRINTED:
        shown = [el for el in visit.page.locator(selector).all() if el.is_visible()]
        if shown:
            found.append(f"{where}: {selector} is printed ({len(shown)})")
    found += [f"{where} #{c['id']}: {c['drawn']} px wider than the printed column {c['column']} px"
              for c in visit.page.evaluate(FITS)["charts"] if c["drawn"] > c["column"] + 1]
    visit.page.emulate_media(media="screen")


def check_refit(survey: Survey, visit, where: str) -> None:
    """Narrowing the window lays the charts out again: a chart that filled the
    desktop column fills the phone's, and none is drawn wider than it (the SVG's
    own width, so a drawing merely scaled down by CSS does not pass)."""
    wide = {chart["id"]: chart for chart in visit.page.evaluate(FITS)["charts"]}
    visit.page.set_viewport_size(PHONE)
    try:
        visit.page.wait_for_function(
            f"() => ({FITS})().charts.every((chart) => chart.drawn <= chart.column + 1)", timeout=5000)
    except PlaywrightTimeout:
        pass  # reported below, chart by chart
    for chart in visit.page.evaluate(FITS)["charts"]:
        before, name = wide[chart["id"]], f"{where} #{chart['id']}"
        if chart["drawn"] > chart["column"] + 1:
            survey.problems["refit"].append(f"{name}: {chart['drawn']} px in a {chart['column']} px column")
        elif before["drawn"] >= 0.9 * before["column"]:
            survey.refitted += 1
            if chart["drawn"] < 0.9 * chart["column"]:
                survey.problems["refit"].append(
                    f"{name}: filled {before['column']} px, now {chart['drawn']} of {chart['column']} px")


def check_switcher(survey: Survey, visit, where: str, expected: str, other: str) -> None:
    """Last, since it leaves the page: the switcher leads to the same page in the other language."""
    visit.page.locator(f"a[data-lacbook-lang='{other}']").first.click()
    visit.page.wait_for_load_state("load")
    landed = visit.page.url.split("?")[0].split("#")[0]
    if landed != expected:
        survey.problems["switcher"].append(f"{where}: the switcher led to {landed}")
    elif visit.page.locator("html").get_attribute("lang") != other:
        survey.problems["switcher"].append(f"{where}: {expected} is not marked lang={other}")


@pytest.fixture(scope="module", params=LANGS)
def survey(request, site, base_url, browser) -> Survey:
    """Visit every page of one edition once at desktop width and run every check on it."""
    lang = request.param
    other = next(code for code in LANGS if code != lang)
    catalogue = charts_catalogue()
    foreign_titles = set(catalogue) if lang == "es" else set(catalogue.values())
    axe = axe_source()
    result = Survey(lang)
    context = browser.new_context(viewport=DESKTOP)
    try:
        for page in site_pages(site, lang):
            where, charts = f"{lang}/{page}", payloads(site, lang, page)
            visit = open_page(context, f"{base_url}{lang}/{page}")
            check_load(result, visit, where)
            if charts:
                check_drawn(result, visit, where, charts)
                check_tooltips(result, visit, where, charts, foreign_titles)
                result.downloads[where] = visit.page.locator(".lacbook-chart").evaluate_all(
                    "boxes => boxes.map((box) => [box.id, [...box.querySelectorAll('.lacbook-chart__downloads a')]"
                    ".map((a) => a.href)])")
                check_tables(result, visit, where, charts)
            check_axe(result, visit, where, axe)
            if charts:
                check_print(result, visit, where)
                check_refit(result, visit, where)
            check_switcher(result, visit, where, f"{base_url}{other}/{page}", other)
            visit.page.close()
    finally:
        context.close()
    return result


# -- Every page loads cleanly, offline, and draws its charts -------------------------------


def test_pages_load_without_errors_or_other_hosts(site, survey):
    assert survey.requests > 10 * len(site_pages(site, survey.lang)), "requests were not recorded"
    assert not survey.problems["load"], report(survey.problems["load"])


def test_root_page_loads_without_errors_or_other_hosts(base_url, new_context):
    visit = open_page(new_context(locale="en-US"), base_url, wait_for_charts=False)
    visit.page.wait_for_url("**/en/index.html")
    assert not visit.errors and not visit.failed, visit.errors + visit.failed
    assert not visit.foreign(), visit.foreign()


def test_every_chart_is_drawn_with_marks(site, survey):
    assert survey.downloads.keys() == {f"{survey.lang}/{page}" for page in chart_pages(site, survey.lang)}
    assert not survey.problems["drawn"], report(survey.problems["drawn"])


def test_tooltips_speak_the_page_language(survey):
    assert survey.tooltip_kinds, f"{survey.lang}: no chart has a tooltip"
    assert not survey.problems["tooltips"], report(survey.problems["tooltips"])
    assert any(OWN_NUMBER[survey.lang].search(value) for value in survey.tooltip_values), \
        f"{survey.lang}: no formatted number in {survey.tooltip_values}"


# -- Moving between the editions -----------------------------------------------------------


def test_switcher_leads_to_the_same_page_in_the_other_language(survey):
    assert not survey.problems["switcher"], report(survey.problems["switcher"])


@pytest.mark.parametrize("lang", LANGS)
def test_root_page_follows_the_browser_language_on_the_first_visit_only(base_url, new_context, lang):
    context = new_context(locale=BROWSER_LOCALE[lang])
    page = context.new_page()
    page.goto(base_url)
    page.wait_for_url(f"{base_url}{lang}/index.html")
    # From now on the stored choice decides, whatever the browser says.
    other = next(code for code in LANGS if code != lang)
    context.add_init_script(f"Object.defineProperty(navigator, 'languages', {{get: () => ['{other}']}});")
    page.goto(base_url)
    page.wait_for_url(f"{base_url}{lang}/index.html")
    assert page.evaluate("navigator.languages[0]") == other, "the browser language was not changed"


def test_a_manual_choice_sticks(base_url, new_context):
    """A Spanish browser that picked English in the switcher is sent to English from the root."""
    page = new_context(locale="es-ES").new_page()
    page.goto(base_url)
    page.wait_for_url(f"{base_url}es/index.html")
    page.locator("a[data-lacbook-lang='en']").first.click()
    page.wait_for_url(f"{base_url}en/index.html")
    page.goto(base_url)
    page.wait_for_url(f"{base_url}en/index.html")
    assert page.evaluate("localStorage.getItem('lacbook-lang')") == "en"


# -- Search --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_search_finds_a_word_of_the_edition_language(base_url, new_context, lang):
    word = SEARCH_WORD[lang]
    visit = open_page(new_context(), f"{base_url}{lang}/search.html?q={word}", wait_for_charts=False)
    results = visit.page.locator("#search-results ul.search li")
    results.first.wait_for(timeout=10_000)
    links = [urljoin(visit.page.url, href) for href in results.locator("a").evaluate_all(
        "links => links.map((a) => a.getAttribute('href'))")]
    assert links, f"{lang}: searching {word!r} found nothing"
    assert all(link.startswith(f"{base_url}{lang}/") for link in links), links
    assert f"{base_url}{lang}/index.html" in links, f"{lang}: {word!r} not found in the home page: {links}"
    assert not visit.errors, visit.errors


# -- Phone width ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_nothing_overflows_at_phone_width(site, base_url, new_context, lang):
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    problems = []
    for page in site_pages(site, lang):
        visit = open_page(context, f"{base_url}{lang}/{page}")
        layout = visit.page.evaluate(FITS)
        if layout["width"] > PHONE["width"]:
            problems.append(f"{lang}/{page}: the page is {layout['width']} px wide at {PHONE['width']} px")
        for chart in layout["charts"]:
            if chart["drawn"] is None or chart["drawn"] > chart["column"] + 1:
                problems.append(f"{lang}/{page} #{chart['id']}: chart {chart['drawn']} px in a {chart['column']} px column")
        visit.page.close()
    assert not problems, report(problems)


def test_charts_resize_to_the_column(survey):
    assert not survey.problems["refit"], report(survey.problems["refit"])
    assert survey.refitted, f"{survey.lang}: no chart fills the column"


# -- Accessibility -------------------------------------------------------------------------


def test_axe_finds_no_serious_violation(survey):
    assert not survey.problems["axe"], report(survey.problems["axe"])


# -- What readers can do with a chart: download it, read it without scripts, print it, read it as a table


def test_downloads_resolve_in_the_page_language(survey):
    lang, problems, numbers = survey.lang, [], []
    for where, boxes in survey.downloads.items():
        for box_id, hrefs in boxes:
            chart = f"{where} #{box_id}"
            if sorted(href.rsplit(".", 1)[-1] for href in hrefs) != ["csv", "png", "svg"]:
                problems.append(f"{chart}: download links {hrefs}")
            for href in hrefs:
                with urllib.request.urlopen(href) as response:
                    status, body = response.status, response.read()
                kind = href.rsplit(".", 1)[-1]
                if status != 200 or not body:
                    problems.append(f"{chart}: {href} -> HTTP {status}, {len(body)} bytes")
                elif kind == "png" and not body.startswith(b"\x89PNG"):
                    problems.append(f"{chart}: {href} is not a PNG")
                elif kind == "csv" and len(list(csv.reader(io.StringIO(body.decode("utf-8"))))) < 2:
                    problems.append(f"{chart}: {href} has no rows")
                elif kind == "svg":
                    texts = [t.text or "" for t in ElementTree.fromstring(body).iter("{http://www.w3.org/2000/svg}text")]
                    numbers += texts
                    wrong = [text for text in texts if FOREIGN_NUMBER[lang].search(text)]
                    if wrong:
                        problems.append(f"{chart}: {href} writes numbers the other language's way: {wrong[:5]}")
    assert not problems, report(problems)
    assert any(OWN_NUMBER[lang].search(text) for text in numbers), f"{lang}: no formatted number in any SVG"


@pytest.mark.parametrize("lang", LANGS)
def test_without_javascript_every_chart_is_a_static_image(site, base_url, new_context, lang):
    context = new_context(java_script_enabled=False)
    problems = []
    for page in chart_pages(site, lang):
        visit = open_page(context, f"{base_url}{lang}/{page}", wait_for_charts=False)
        expected = len(payloads(site, lang, page))
        images = visit.page.locator(".lacbook-chart img.lacbook-chart__static")
        if images.count() != expected:
            problems.append(f"{lang}/{page}: {images.count()} static images for {expected} charts")
        for image in images.all():
            box = image.bounding_box()
            loaded = image.evaluate("(img) => img.complete && img.naturalWidth > 0")
            if not (image.is_visible() and loaded and box and box["width"] > 100):
                problems.append(f"{lang}/{page}: {image.get_attribute('src')} is not shown ({box}, loaded={loaded})")
        if visit.page.locator(".lacbook-chart__view svg").count():
            problems.append(f"{lang}/{page}: charts were drawn with JavaScript disabled")
        visit.page.close()
    assert not problems, report(problems)


def test_print_keeps_charts_and_captions_and_drops_navigation(survey):
    assert not survey.problems["print"], report(survey.problems["print"])


def test_each_chart_opens_as_an_accessible_table(survey):
    assert not survey.problems["tables"], report(survey.problems["tables"])
    assert any(OWN_NUMBER[survey.lang].search(text) for text in survey.table_cells), \
        f"{survey.lang}: no formatted number in the tables"
