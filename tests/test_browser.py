"""The reader's experience in a real browser: every page of both editions, in Debian's Chromium.

The site built once for the session (conftest's `site`) is served on localhost.
Each test goes through every page (or every chart) of an edition and reports
all the pages that fail, by language and path. Run them alone with
`python3 tasks.py test -m browser`; skip them with `-m "not browser"`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from urllib.parse import urljoin
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import sync_playwright

from chromium import LANGS, axe_source, launch, open_page, serve, site_pages
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
        {"id": tag.parent["id"], **json.loads(tag.string)}
        for tag in document.select("script.lacbook-chart__spec")
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


# -- Every page loads cleanly, offline, and draws its charts -------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_pages_load_without_errors_or_other_hosts(site, base_url, new_context, lang):
    context = new_context()
    problems, seen = [], 0
    for page in site_pages(site, lang):
        visit = open_page(context, f"{base_url}{lang}/{page}")
        seen += len(visit.requests)
        where = f"{lang}/{page}"
        problems += [f"{where}: console error: {error.splitlines()[0][:300]}" for error in visit.errors]
        problems += [f"{where}: failed request {failure}" for failure in visit.failed]
        problems += [f"{where}: request to another host: {url}" for url in visit.foreign()]
        visit.page.close()
    assert seen > 10 * len(site_pages(site, lang)), "requests were not recorded"
    assert not problems, report(problems)


def test_root_page_loads_without_errors_or_other_hosts(base_url, new_context):
    visit = open_page(new_context(locale="en-US"), base_url, wait_for_charts=False)
    visit.page.wait_for_url("**/en/index.html")
    assert not visit.errors and not visit.failed, visit.errors + visit.failed
    assert not visit.foreign(), visit.foreign()


@pytest.mark.parametrize("lang", LANGS)
def test_every_chart_is_drawn_with_marks(site, base_url, new_context, lang):
    context = new_context()
    problems = []
    for page in chart_pages(site, lang):
        visit = open_page(context, f"{base_url}{lang}/{page}")
        for payload in payloads(site, lang, page):
            box = visit.page.locator(f"#{payload['id']}")
            where = f"{lang}/{page} #{payload['id']}"
            if "lacbook-chart--drawn" not in (box.get_attribute("class") or ""):
                problems.append(f"{where}: not drawn")
                continue
            # Items of data marks (axes, legends and titles have their own roles).
            items = box.locator("svg g.role-mark:not(.mark-text):not(.mark-group) > *").count()
            if items == 0:
                problems.append(f"{where}: the SVG has no marks")
        visit.page.close()
    assert not problems, report(problems)


@pytest.mark.parametrize("lang", LANGS)
def test_tooltips_speak_the_page_language(site, base_url, new_context, lang):
    """Hover every chart: its first mark with a tooltip, and one mark of each kind
    (bars, points, rules, text...) not hovered yet in the edition."""
    catalogue = charts_catalogue()
    foreign_titles = set(catalogue) if lang == "es" else set(catalogue.values())
    context = new_context()
    problems, values, kinds = [], [], set()
    for page in chart_pages(site, lang):
        visit = open_page(context, f"{base_url}{lang}/{page}")
        tooltip = visit.page.locator("#vg-tooltip-element.visible")
        for payload in payloads(site, lang, page):
            marks = tooltip_marks(payload["spec"])
            # An item may lie under another mark's item, which then shows its own tooltip.
            expected = {tuple(titles) for _, _, titles in marks}
            targets = marks[:1] + [mark for mark in marks[1:] if mark[1] not in kinds]
            for name, kind, _ in targets:
                kinds.add(kind)
                where = f"{lang}/{page} #{payload['id']} ({kind} mark {name})"
                for item in visit.page.locator(f"#{payload['id']} svg g.{name} > *").all()[:12]:
                    item.hover(force=True)
                    try:
                        tooltip.wait_for(state="visible", timeout=1500)
                        break
                    except Exception:
                        continue  # an item hidden under another one, or without a tooltip
                else:
                    problems.append(f"{where}: hovering its marks shows no tooltip")
                    continue
                keys = tooltip.locator("td.key").all_inner_texts()
                texts = tooltip.locator("td.value").all_inner_texts()
                values += texts
                if tuple(keys) not in expected:
                    problems.append(f"{where}: tooltip titles {keys}, expected one of {sorted(expected)}")
                if foreign_titles & set(keys):
                    problems.append(f"{where}: tooltip titles in the other language: {foreign_titles & set(keys)}")
                wrong = [value for value in texts if FOREIGN_NUMBER[lang].search(value)]
                if wrong:
                    problems.append(f"{where}: numbers in the other language's format: {wrong}")
                visit.page.mouse.move(0, 0)
                tooltip.wait_for(state="hidden")
        visit.page.close()
    assert kinds, f"{lang}: no chart has a tooltip"
    assert not problems, report(problems)
    assert any(OWN_NUMBER[lang].search(value) for value in values), f"{lang}: no formatted number in {values}"


# -- Moving between the editions -----------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_switcher_leads_to_the_same_page_in_the_other_language(site, base_url, new_context, lang):
    other = next(code for code in LANGS if code != lang)
    context = new_context()
    problems = []
    for page in site_pages(site, lang):
        visit = open_page(context, f"{base_url}{lang}/{page}", wait_for_charts=False)
        visit.page.locator(f"a[data-lacbook-lang='{other}']").first.click()
        visit.page.wait_for_load_state("load")
        landed = visit.page.url.split("?")[0].split("#")[0]
        if landed != f"{base_url}{other}/{page}":
            problems.append(f"{lang}/{page}: the switcher led to {landed}")
        elif visit.page.locator("html").get_attribute("lang") != other:
            problems.append(f"{lang}/{page}: {other}/{page} is not marked lang={other}")
        visit.page.close()
    assert not problems, report(problems)


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

FITS = """() => {
  const width = document.scrollingElement.scrollWidth;
  const charts = [...document.querySelectorAll('.lacbook-chart')].map((box) => {
    const view = box.querySelector('.lacbook-chart__view'), svg = view.querySelector('svg');
    return {id: box.id, column: view.clientWidth, drawn: svg ? +svg.getAttribute('width') : null};
  });
  return {width, charts};
}"""


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


@pytest.mark.parametrize("lang", LANGS)
def test_charts_resize_to_the_column(site, base_url, new_context, lang):
    """Narrowing the window lays the charts out again: a chart that filled the
    desktop column fills the phone's, and none is drawn wider than it (the SVG's
    own width, so a drawing merely scaled down by CSS does not pass)."""
    context = new_context()
    problems, refitted = [], 0
    for page in chart_pages(site, lang):
        visit = open_page(context, f"{base_url}{lang}/{page}")
        wide = {chart["id"]: chart for chart in visit.page.evaluate(FITS)["charts"]}
        visit.page.set_viewport_size(PHONE)
        try:
            visit.page.wait_for_function(
                f"() => ({FITS})().charts.every((chart) => chart.drawn <= chart.column + 1)", timeout=5000)
        except Exception:
            pass  # reported below, chart by chart
        for chart in visit.page.evaluate(FITS)["charts"]:
            before = wide[chart["id"]]
            where = f"{lang}/{page} #{chart['id']}"
            if chart["drawn"] > chart["column"] + 1:
                problems.append(f"{where}: {chart['drawn']} px in a {chart['column']} px column")
            elif before["drawn"] >= 0.9 * before["column"]:
                refitted += 1
                if chart["drawn"] < 0.9 * chart["column"]:
                    problems.append(f"{where}: filled {before['column']} px, now {chart['drawn']} of {chart['column']} px")
        visit.page.close()
    assert not problems, report(problems)
    assert refitted, f"{lang}: no chart fills the column"


# -- Accessibility -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_axe_finds_no_serious_violation(site, base_url, new_context, lang):
    axe = axe_source()
    context = new_context()
    problems = []
    for page in site_pages(site, lang):
        visit = open_page(context, f"{base_url}{lang}/{page}")
        # Check the data tables too, which are only rendered when open.
        visit.page.evaluate("document.querySelectorAll('details.lacbook-chart__table').forEach((d) => d.open = true)")
        visit.page.add_script_tag(content=axe)
        result = visit.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        for violation in result["violations"]:
            if violation["impact"] in SEVERE:
                targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
                problems.append(f"{lang}/{page}: {violation['impact']} {violation['id']}: {violation['help']} {targets}")
        visit.page.close()
    assert not problems, report(problems)


# -- What readers can do with a chart: download it, read it without scripts, print it, read it as a table


@pytest.mark.parametrize("lang", LANGS)
def test_downloads_resolve_in_the_page_language(site, base_url, new_context, lang):
    context = new_context()
    problems, numbers = [], []
    for page in chart_pages(site, lang):
        visit = open_page(context, f"{base_url}{lang}/{page}")
        for box in visit.page.locator(".lacbook-chart").all():
            where = f"{lang}/{page} #{box.get_attribute('id')}"
            hrefs = box.locator(".lacbook-chart__downloads a").evaluate_all("a => a.map((l) => l.href)")
            if sorted(href.rsplit(".", 1)[-1] for href in hrefs) != ["csv", "png", "svg"]:
                problems.append(f"{where}: download links {hrefs}")
            for href in hrefs:
                response = context.request.get(href)
                body = response.body()
                kind = href.rsplit(".", 1)[-1]
                if not response.ok or not body:
                    problems.append(f"{where}: {href} -> HTTP {response.status}, {len(body)} bytes")
                elif kind == "png" and not body.startswith(b"\x89PNG"):
                    problems.append(f"{where}: {href} is not a PNG")
                elif kind == "csv" and len(list(csv.reader(io.StringIO(body.decode("utf-8"))))) < 2:
                    problems.append(f"{where}: {href} has no rows")
                elif kind == "svg":
                    texts = [t.text or "" for t in ElementTree.fromstring(body).iter("{http://www.w3.org/2000/svg}text")]
                    numbers += texts
                    wrong = [text for text in texts if FOREIGN_NUMBER[lang].search(text)]
                    if wrong:
                        problems.append(f"{where}: {href} writes numbers the other language's way: {wrong[:5]}")
        visit.page.close()
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


# sphinx-book-theme prints its own title block (#jb-print-docs-body) instead of the first h1.
PRINTED = ["figure .lacbook-chart__view svg", "figure figcaption", "#jb-print-docs-body h1"]
NOT_PRINTED = [
    ".bd-header", ".bd-sidebar-primary", ".bd-sidebar-secondary", ".bd-header-article",
    ".lacbook-lang-switch", ".lacbook-chart__downloads", ".lacbook-chart__table", "details.above-input",
    ".prev-next-area",
]


@pytest.mark.parametrize("lang", LANGS)
def test_print_keeps_charts_and_captions_and_drops_navigation(site, base_url, new_context, lang):
    context = new_context()
    problems = []
    for page in chart_pages(site, lang):
        visit = open_page(context, f"{base_url}{lang}/{page}")
        visit.page.emulate_media(media="print")
        for selector in PRINTED:
            if not visit.page.locator(selector).first.is_visible():
                problems.append(f"{lang}/{page}: {selector} is not printed")
        for selector in NOT_PRINTED:
            shown = [el for el in visit.page.locator(selector).all() if el.is_visible()]
            if shown:
                problems.append(f"{lang}/{page}: {selector} is printed ({len(shown)})")
        widths = visit.page.evaluate(FITS)["charts"]
        problems += [f"{lang}/{page} #{c['id']}: {c['drawn']} px wider than the printed column {c['column']} px"
                     for c in widths if c["drawn"] > c["column"] + 1]
        visit.page.close()
    assert not problems, report(problems)


@pytest.mark.parametrize("lang", LANGS)
def test_each_chart_opens_as_an_accessible_table(site, base_url, new_context, lang):
    context = new_context()
    problems, cells = [], []
    for page in chart_pages(site, lang):
        visit = open_page(context, f"{base_url}{lang}/{page}")
        for payload in payloads(site, lang, page):
            where = f"{lang}/{page} #{payload['id']}"
            toggle = visit.page.locator(f"#{payload['id']} details.lacbook-chart__table")
            table = toggle.locator("table")
            if toggle.count() != 1 or table.is_visible():
                problems.append(f"{where}: no closed table toggle under the chart")
                continue
            toggle.locator("summary").click()
            table.wait_for(state="visible")
            caption = table.locator("caption").inner_text()
            rows = table.locator("tbody tr").count()
            if not caption.strip():
                problems.append(f"{where}: the table has no caption")
            if table.locator("thead th[scope=col]").count() < 1 or table.locator("tbody th[scope=row]").count() != rows:
                problems.append(f"{where}: headers lack scope")
            if rows < 1:
                problems.append(f"{where}: the table is empty")
            texts = table.locator("td").all_inner_texts()
            cells += texts
            wrong = [text for text in texts if FOREIGN_NUMBER[lang].search(text)]
            if wrong:
                problems.append(f"{where}: numbers in the other language's format: {wrong[:5]}")
        visit.page.close()
    assert not problems, report(problems)
    assert any(OWN_NUMBER[lang].search(text) for text in cells), f"{lang}: no formatted number in the tables"
