"""Publishing: the book can be cited, reused and found.

The fast tests check the files people and tools read without building
(CITATION.cff with cffconvert, the REUSE licensing with `reuse lint`, the Pages
workflow against GitHub's workflow schema); the build tests read the built site:
sitemap, robots.txt, canonical and hreflang addresses, meta descriptions, Google
Scholar tags, the 404 page, the citation blocks and the footer's licence.
"""

from __future__ import annotations

import re
import runpy
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from conftest import REPO
from helpers import LANGS, content_pages, html_pages, soup

BIN = Path(sys.executable).parent
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
# Pages with no text of their own: described as the book is, left out of the sitemap, not cited.
GENERATED = ("genindex.html", "search.html", "404.html")


def conf() -> dict:
    """book/conf.py's settings, as the build (in this environment) reads them."""
    return runpy.run_path(str(REPO / "book" / "conf.py"))


def site_root() -> str:
    return conf()["html_baseurl"].rstrip("/") + "/"


def citation_file() -> dict:
    return yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO)


def book_pages(site: Path, lang: str) -> list[Path]:
    """The pages of an edition that hold the book's text (no index, search or 404 page)."""
    return [page for page in content_pages(site, lang) if page.name not in GENERATED]


def meta(page_soup, name: str, attribute: str = "name") -> list[str]:
    return [tag["content"] for tag in page_soup.find_all("meta", attrs={attribute: name})]


# --- Files read without building -------------------------------------------------------------


def test_citation_file_is_valid_cff():
    done = run(str(BIN / "cffconvert"), "--validate", "-i", "CITATION.cff")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "valid" in done.stdout, done.stdout


def test_citation_file_agrees_with_the_book_settings(monkeypatch):
    monkeypatch.delenv("LACBOOK_BASE_URL", raising=False)
    settings, cff = conf(), citation_file()
    title = (REPO / "book" / "index.md").read_text(encoding="utf-8").split("\n# ", 1)[1].splitlines()[0]
    assert str(cff["date-released"]) == settings["lacbook_edition_date"], "CITATION.cff date-released != conf.py"
    assert cff["version"] == settings["lacbook_edition"]
    assert cff["url"] == settings["html_baseurl"]
    assert cff["title"] == cff["preferred-citation"]["title"] == title
    assert [author["name"] for author in cff["authors"]] == [settings["author"]]
    assert cff["preferred-citation"]["year"] == int(settings["lacbook_edition_date"][:4])


def test_base_url_is_one_setting_a_fork_can_override(monkeypatch):
    monkeypatch.setenv("LACBOOK_BASE_URL", "https://fork.example.org/book/")
    assert conf()["html_baseurl"] == "https://fork.example.org/book/"


def test_licensing_follows_reuse():
    done = run(str(BIN / "reuse"), "lint")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "CC-BY-4.0" in done.stdout and "MIT" in done.stdout
    assert "Creative Commons Attribution 4.0 International" in (REPO / "LICENSES/CC-BY-4.0.txt").read_text()
    licence = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and conf()["author"] in licence


def workflows() -> list[Path]:
    found = sorted((REPO / ".github" / "workflows").glob("*.yml"))
    assert found, "no GitHub workflow in .github/workflows"
    return found


def test_workflows_follow_the_github_schema():
    done = run(str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
               *map(str, workflows()))
    assert done.returncode == 0, done.stdout + done.stderr


def test_pages_workflow_builds_with_the_readme_command_and_deploys_the_site():
    workflow = yaml.safe_load((REPO / ".github/workflows/pages.yml").read_text(encoding="utf-8"))
    steps = [step for job in workflow["jobs"].values() for step in job.get("steps", [])]
    runs = [step["run"].strip() for step in steps if "run" in step]
    assert "python3 tasks.py build" in runs
    assert "python3 tasks.py build" in (REPO / "README.md").read_text(encoding="utf-8")
    uses = {step["uses"].split("@")[0]: step for step in steps if "uses" in step}
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "_build/html"
    assert "actions/deploy-pages" in uses
    assert uses["actions/checkout"]["with"]["fetch-depth"] == 0, "the last-updated dates need the history"
    cached = " ".join(step["with"]["path"] for step in steps if step.get("uses", "").startswith("actions/cache@"))
    for folder in (".venv", "_build/.jupyter_cache"):
        assert folder in cached, f"{folder} is not cached"
    build = next(step for step in steps if step.get("run", "").strip() == "python3 tasks.py build")
    assert "LACBOOK_BASE_URL" in build.get("env", {}), "the build must take the site's address from Pages"


# --- The built site --------------------------------------------------------------------------


@pytest.mark.build
def test_sitemap_covers_both_editions_with_alternates(site):
    root = site_root()
    index = ElementTree.parse(site / "sitemap.xml").getroot()
    assert index.tag == f"{SITEMAP}sitemapindex"
    assert [loc.text for loc in index.iter(f"{SITEMAP}loc")] == [f"{root}{lang}/sitemap.xml" for lang in LANGS]
    for lang in LANGS:
        urls = ElementTree.parse(site / lang / "sitemap.xml").getroot().findall(f"{SITEMAP}url")
        listed = {url.find(f"{SITEMAP}loc").text: url for url in urls}
        expected = {f"{root}{lang}/{page.relative_to(site / lang).as_posix()}" for page in book_pages(site, lang)}
        assert set(listed) == expected
        for loc, url in listed.items():
            alternates = {link.get("hreflang"): link.get("href") for link in url.iter(f"{XHTML}link")}
            assert set(alternates) == set(LANGS), loc
            for code, href in alternates.items():
                assert (site / href.removeprefix(root)).is_file(), f"{loc}: alternate {href} does not exist"


@pytest.mark.build
def test_robots_txt_names_the_sitemap(site):
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    assert "User-agent: *" in robots
    assert f"Sitemap: {site_root()}sitemap.xml" in robots.splitlines()


@pytest.mark.build
def test_every_page_has_absolute_canonical_and_hreflang_addresses(site):
    root = site_root()
    for lang in LANGS:
        for page in html_pages(site, lang):
            path = page.relative_to(site / lang).as_posix()
            if path == "404.html":
                continue
            page_soup = soup(page)
            canonical = [link["href"] for link in page_soup.find_all("link", rel="canonical")]
            assert canonical == [f"{root}{lang}/{path}"], f"{lang}/{path}: canonical {canonical}"
            alternates = {link["hreflang"]: link["href"] for link in page_soup.find_all("link", rel="alternate")
                          if link.get("hreflang")}
            assert alternates == {**{code: f"{root}{code}/{path}" for code in LANGS}, "x-default": root}, path


@pytest.mark.build
def test_every_page_has_a_description_in_its_language(site):
    descriptions = {}
    for lang in LANGS:
        for page in html_pages(site, lang):
            page_soup = soup(page)
            found = meta(page_soup, "description")
            assert len(found) == 1 and len(found[0]) > 40, f"{page}: meta description {found}"
            text = found[0]
            assert len(text) <= 160 and "[" not in text, f"{page}: {text}"
            if page.name not in GENERATED:
                assert meta(page_soup, "og:description", "property") == [text], page
                # The page's own opening words: in its language, as the page prints them.
                article_soup = page_soup.select_one("article")
                for note in article_soup.select(".lacbook-number__note"):  # a number's hover note
                    note.decompose()
                article = " ".join(article_soup.get_text().split())
                opening = text.rstrip("…").rsplit(" ", 1)[0][:60]
                assert opening in re.sub(r"\s*\[[^\[\]]*\]", "", article), f"{page}: {opening!r}"
            descriptions[lang, page.relative_to(site / lang).as_posix()] = text
    for (lang, path), text in descriptions.items():
        if lang != "en":
            assert text != descriptions["en", path], f"{lang}/{path}: the description is the English one"


@pytest.mark.build
def test_scholar_tags_on_the_landing_page_and_every_chapter(site):
    settings, root = conf(), site_root()
    day = settings["lacbook_edition_date"].replace("-", "/")
    for lang in LANGS:
        book_title = soup(site / lang / "index.html").find("h1").get_text(" ", strip=True).rstrip("#").strip()
        for page in book_pages(site, lang):
            page_soup = soup(page)
            title = page_soup.find("h1").get_text(" ", strip=True).rstrip("#").strip()
            assert meta(page_soup, "citation_title") == [title], page
            assert meta(page_soup, "citation_publication_date") == [day], page
            assert meta(page_soup, "citation_language") == [lang], page
            assert meta(page_soup, "citation_pdf_url") == [f"{root}lacbook-{lang}.pdf"], page
            assert len(meta(page_soup, "citation_author")) == 1 and meta(page_soup, "citation_author")[0], page
            if page.name != "index.html":
                assert meta(page_soup, "citation_inbook_title") == [book_title], page


@pytest.mark.build
def test_a_chart_page_previews_with_its_first_chart(site):
    root = site_root()
    for lang in LANGS:
        with_charts = 0
        for page in book_pages(site, lang):
            page_soup = soup(page)
            image = meta(page_soup, "og:image", "property")
            chart = page_soup.select_one(".lacbook-chart img.lacbook-chart__static")
            if chart is None:
                assert not image, f"{page}: a preview image but no chart"
                continue
            with_charts += 1
            assert image and image[0].startswith(root) and image[0].endswith(".png"), f"{page}: {image}"
            assert (site / image[0].removeprefix(root)).is_file(), image[0]
            assert meta(page_soup, "og:image:alt", "property"), page
        assert with_charts, f"no {lang} page has a chart"


@pytest.mark.build
def test_404_pages_work_at_any_depth_in_both_languages(site):
    words = {"en": "Page not found", "es": "Página no encontrada"}
    for path, lang in (("404.html", "en"), ("en/404.html", "en"), ("es/404.html", "es")):
        page_soup = soup(site / path)
        assert page_soup.html["lang"] == lang, path
        assert page_soup.select_one("article h1").get_text(strip=True) == words[lang], path
        assert all(heading.get_text(strip=True) for heading in page_soup.find_all("h1")), f"{path}: an empty h1"
        links = [tag.get("href") or tag.get("src") for tag in page_soup.find_all(["a", "link", "script", "img"])]
        relative = [link for link in links if link and not re.match(r"^(/|https?:|#|mailto:|data:)", link)]
        assert not relative, f"{path}: relative links break at depth: {relative[:5]}"
        other = next(code for code in LANGS if code != lang)
        assert page_soup.select_one(f'article [lang="{other}"] a'), f"{path}: no way to the {other} edition"
        assert len(meta(page_soup, "description")) == 1 and page_soup.select_one("p.lacbook-licence"), path


@pytest.mark.build
def test_every_chapter_can_be_cited_on_its_own(site):
    root = site_root()
    heading = {"en": "Cite this chapter", "es": "Cómo citar este capítulo"}
    quotes = {"en": "“{}”", "es": "«{}»"}
    for lang in LANGS:
        for page in book_pages(site, lang):
            page_soup = soup(page)
            block = page_soup.select_one("div.lacbook-cite")
            if page.name == "index.html":
                assert block is None, "the landing page cites the whole book instead"
                continue
            assert block is not None, page
            assert block.select_one(".lacbook-cite__title").get_text(strip=True) == heading[lang]
            title = page_soup.find("h1").get_text(" ", strip=True).rstrip("#").strip()
            text = block.select_one(".lacbook-cite__text").get_text(" ", strip=True)
            assert quotes[lang].format(title) in text, f"{page}: {text}"
            assert text.endswith(f"{root}{lang}/{page.relative_to(site / lang).as_posix()}"), text


@pytest.mark.build
def test_landing_page_shows_how_to_cite_the_edition(site):
    settings, root = conf(), site_root()
    for lang in LANGS:
        page_soup = soup(site / lang / "index.html")
        citation = page_soup.select_one("p.lacbook-citation").get_text(" ", strip=True)
        bibtex = page_soup.select_one(".lacbook-bibtex").get_text()
        assert citation.endswith(f"{root}{lang}/index.html"), citation
        assert settings["lacbook_edition_date"][:4] in citation
        assert bibtex.startswith("@book{") and bibtex.rstrip().endswith("}")
        assert re.search(rf"\bdate\s*=\s*{{{settings['lacbook_edition_date']}}},", bibtex), bibtex
        assert f"{root}{lang}/index.html" in bibtex
    english = soup(site / "en" / "index.html").select_one("p.lacbook-citation").get_text()
    spanish = soup(site / "es" / "index.html").select_one("p.lacbook-citation").get_text()
    assert "Edition of" in english and "Edición del" in spanish and "equipo editorial" in spanish


@pytest.mark.build
def test_footer_states_the_licence_and_credits_the_publishers(site):
    licence = {"en": "Text and data: CC BY 4.0. Code: MIT.", "es": "Texto y datos: CC BY 4.0. Código: MIT."}
    for lang in LANGS:
        for page in html_pages(site, lang):
            footer = soup(page).select_one("p.lacbook-licence")
            assert footer is not None, page
            text = " ".join(footer.get_text(" ", strip=True).split()).replace(" .", ".")
            assert licence[lang] in text, f"{page}: {text}"
            for publisher in ("GAATW", "R4V", "UNODC"):
                assert publisher in text, f"{page}: {publisher} not credited"
            assert footer.find("a", rel="license")["href"].startswith("https://creativecommons.org/licenses/by/4.0/")


@pytest.mark.build
def test_pages_say_when_git_last_changed_them(site):
    if not (REPO / ".git").exists():
        pytest.skip("no git history (a tarball): the pages show no date, by design")
    tracked = set(run("git", "ls-files", "book").stdout.split())
    words = {"en": "Last updated on", "es": "Última actualización:"}
    for lang in LANGS:
        for page in book_pages(site, lang):
            stamp = soup(page).select_one("p.last-updated")
            if f"book/{page.stem}.md" in tracked:
                assert stamp is not None and words[lang] in stamp.get_text(), page
