"""What readers get besides the drawn chart: its data as a table, files to download (drawn once per\nchart), a static image, and a chart script without Vega-Lite; and how the chart reaches the page."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import altair as alt
import pandas as pd
import pytest
import vl_convert as vlc
from bs4 import BeautifulSoup
from docutils import frontend, nodes
from docutils.parsers.rst import Parser
from docutils.utils import new_document
from myst_nb.core.render import MimeData, get_mime_priority, load_mime_renders

from lacbook import chartnode, charts, exports, pagescripts
from lacbook.charts import VEGA_LITE_VERSION
from lacbook.exports import data_table, drawn_fields_only, tooltip_columns
from lacbook.i18n import VEGA_FORMAT_LOCALE

ROWS = pd.DataFrame({
    "place": ["Brasil", "Colombia", "Colombia"],
    "amount": [625000, 4380000.5, 4380000.5],
    "amount_text": ["US$ 625 mil", "US$ 4,38 M", "US$ 4,38 M"],
})


def compiled(chart: alt.Chart) -> dict:
    return vlc.vegalite_to_vega(chart.to_dict(), vl_version=VEGA_LITE_VERSION)


def payload(spec: dict, lang: str = "es") -> dict:
    return {"lang": lang, "formatLocale": VEGA_FORMAT_LOCALE[lang], "spec": spec}


def test_table_columns_are_the_tooltip_with_its_titles():
    chart = alt.Chart(ROWS).mark_bar().encode(
        x="amount:Q", y="place:N",
        tooltip=[alt.Tooltip("place:N", title="Plataforma"), alt.Tooltip("amount_text:N", title="Monto \"total\"")],
    )
    columns, source = tooltip_columns(compiled(chart))
    assert columns == [("Plataforma", "place"), ("Monto \"total\"", "amount_text")]
    assert source.startswith("data-")  # the inline dataset, not a derived one


def test_table_is_accessible_and_in_the_page_format():
    chart = alt.Chart(ROWS).mark_bar().encode(
        x="amount:Q", y="place:N",
        tooltip=[alt.Tooltip("place:N", title="Plataforma"), alt.Tooltip("amount_text:N", title="Monto")],
    )
    table = BeautifulSoup(data_table(payload(compiled(chart)), "Fondos, 2022"), "html.parser")
    assert table.caption.get_text() == "Fondos, 2022"
    assert [th.get_text() for th in table.select("thead th[scope=col]")] == ["Plataforma", "Monto"]
    # One line per distinct row, named by its first cell.
    assert [th.get_text() for th in table.select("tbody th[scope=row]")] == ["Brasil", "Colombia"]
    assert [td.get_text() for td in table.select("tbody td")] == ["US$ 625 mil", "US$ 4,38 M"]


@pytest.mark.parametrize(("lang", "expected"), [("es", "4.380.000,5"), ("en", "4,380,000.5")])
def test_a_chart_without_tooltip_shows_all_its_data_with_formatted_numbers(lang, expected):
    chart = alt.Chart(ROWS).mark_bar().encode(x="amount:Q", y="place:N")
    table = BeautifulSoup(data_table(payload(compiled(chart), lang), "Chart"), "html.parser")
    assert [th.get_text() for th in table.select("thead th")] == ["place", "amount", "amount_text"]
    assert expected in [td.get_text() for td in table.select("td")]


def test_chart_script_is_built_from_the_versions_vl_convert_bundles():
    """The page draws with the same Vega that made the exported SVG and PNG."""
    assert pagescripts.locked_version("vega") == vlc.get_vega_version()
    package = json.loads((pagescripts.SOURCE / "package.json").read_text(encoding="utf-8"))
    assert package["dependencies"]["vega"] == vlc.get_vega_version()
    assert not {"vega-lite", "vega-embed"} & package["dependencies"].keys()


@pytest.mark.build
def test_the_site_chart_script_leaves_vega_lite_out(site):
    for lang in ("en", "es"):
        script = (site / lang / "_static/charts/lacbook-charts-vega.js").read_text(encoding="utf-8")
        assert "vega-lite" not in script.lower() and "vega-embed" not in script.lower()
        assert len(script.encode()) < 450_000, f"{lang}: chart script of {len(script.encode()):,} bytes"


def test_the_page_carries_only_the_fields_a_chart_names():
    """The CSV keeps provenance columns; the inline spec keeps what is drawn or shown."""
    rows = [{"place": "Peru", "amount": 1, "as_reported": "1", "locator": "p. 4"}]
    spec = {"data": [{"name": "table", "values": rows}],
            "marks": [{"encode": {"update": {"x": {"field": "amount"}, "tooltip": {"signal": "{'Place': datum['place']}"}}}}]}
    lean = drawn_fields_only(spec)
    assert lean["data"][0]["values"] == [{"place": "Peru", "amount": 1}]
    assert spec["data"][0]["values"] == rows  # the original, for the CSV, is untouched
    whole = {**spec, "signals": [{"name": "picked", "update": "datum"}]}
    assert drawn_fields_only(whole)["data"][0]["values"] == rows


def test_charts_render_as_svg_in_a_notebook_and_as_the_books_own_output_in_a_build(monkeypatch):
    """A reviewer running a chapter in JupyterLab sees the chart, in the chosen language;
    the build gets the compiled chart under the book's MIME type as well."""
    chart = alt.Chart(ROWS).mark_bar().encode(x=alt.X("amount:Q", title="Monto"), y="place:N").to_dict()
    monkeypatch.setenv("LACBOOK_LANG", "es")
    monkeypatch.delenv(charts.BUILD_FLAG, raising=False)
    notebook = charts.render(chart)
    assert notebook["image/svg+xml"].lstrip().startswith("<svg") and "4.000.000" in notebook["image/svg+xml"]
    assert charts.MIME_TYPE not in notebook
    monkeypatch.setenv(charts.BUILD_FLAG, "1")
    site = charts.render(chart)
    payload = site[charts.MIME_TYPE]
    assert payload["lang"] == "es" and payload["formatLocale"] == VEGA_FORMAT_LOCALE["es"]
    assert "/schema/vega/" in payload["spec"]["$schema"]  # compiled: the page needs no Vega-Lite
    # The static image is drawn once, from the compiled chart the page draws: the notebook's
    # SVG, the site's SVG export and the PNG made from it are the same picture.
    expected = vlc.vega_to_svg(payload["spec"], format_locale=payload["formatLocale"],
                               time_format_locale=payload["timeFormatLocale"])
    assert site["image/svg+xml"] == payload["svg"] == expected and "4.000.000" in expected
    assert vlc.svg_to_png(payload["svg"], scale=2) == vlc.vega_to_png(
        payload["spec"], scale=2, format_locale=payload["formatLocale"],
        time_format_locale=payload["timeFormatLocale"])
    json.dumps(payload)  # a JSON output, as nbformat stores it


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", ["1K", "1M", "US$1.5M", "US$500K"]),
    ("es", ["1\u00a0mil", "1\u00a0M", "US$\u00a01,5\u00a0M", "US$\u00a0500\u00a0mil"]),
])
def test_compact_axis_labels_follow_the_text_not_si_prefixes(lang, expected):
    """Axis ticks read like the numbers in the prose (Babel), not d3's "1k" and "1.5M"."""
    rows = pd.DataFrame({"people": [1, 1_000_000], "money": [500_000, 1_500_000]})
    chart = alt.Chart(rows).mark_point().encode(
        x=alt.X("people:Q", axis=alt.Axis(labelExpr=charts.compact_labels(lang=lang), values=[1_000, 1_000_000])),
        y=alt.Y("money:Q", axis=alt.Axis(labelExpr=charts.compact_labels(money=True, lang=lang),
                                         values=[500_000, 1_500_000])))
    svg = vlc.vegalite_to_svg(chart.to_dict(), format_locale=VEGA_FORMAT_LOCALE[lang])
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert all(label in labels for label in expected), labels


# -- The chart node: myst-nb's MIME render plugin, the exports, the HTML visitor ---------------------

def chart_output(lang: str, monkeypatch, title: str = "Fondos, 2022") -> dict:
    """The book's MIME output for a small chart, as the kernel emits it in a build."""
    monkeypatch.setenv("LACBOOK_LANG", lang)
    monkeypatch.setenv(charts.BUILD_FLAG, "1")
    chart = alt.Chart(ROWS.assign(locator="p. 4"), title=title).mark_bar().encode(
        x="amount:Q", y="place:N",
        tooltip=[alt.Tooltip("place:N", title="Plataforma"), alt.Tooltip("amount_text:N", title="Monto")],
    )
    return charts.render(chart.to_dict())[charts.MIME_TYPE]


def page_with(*outputs: dict, figure: str | None = "fig-test-funding") -> nodes.document:
    """A page holding each output as myst-nb renders it (in a named figure, as {glue:figure} does)."""
    document = new_document("test.md", frontend.get_default_settings(Parser))
    for output in outputs:
        [node] = chartnode.ChartMimeRenderer.handle_mime(None, MimeData(charts.MIME_TYPE, output), False)
        parent = nodes.figure("", node)
        if figure:
            parent["names"].append(figure)
        document += parent
    return document


def resolved(document: nodes.document, tmp_path, docname: str = "chapter") -> nodes.document:
    """What Sphinx's `doctree-resolved` does to the page: export its charts into tmp_path/site."""
    builder = SimpleNamespace(format="html", get_target_uri=lambda name: f"{name}.html")
    config = SimpleNamespace(lacbook_cache_dir=str(tmp_path / "cache"))
    app = SimpleNamespace(builder=builder, config=config, outdir=str(tmp_path / "site"), doctreedir=str(tmp_path))
    chartnode.export_charts(app, document, docname)
    return document


def written(document: nodes.document) -> BeautifulSoup:
    """The HTML the node's visitor writes for each chart of the page."""
    translator = SimpleNamespace(body=[])
    for node in document.findall(chartnode.lacbook_chart):
        with pytest.raises(nodes.SkipNode):
            chartnode.visit_chart_html(translator, node)
    return BeautifulSoup("".join(translator.body), "html.parser")


def test_myst_nb_hands_the_books_chart_output_to_the_chart_renderer():
    """Guard: the plugin is registered on myst-nb's entry point group (pip install -e . registers it),
    and the extension's priority makes HTML builders pick the chart over its SVG."""
    assert chartnode.ChartMimeRenderer in load_mime_renders(), "run: pip install --no-deps -e ."
    config = SimpleNamespace(nb_mime_priority_overrides=())
    chartnode.prefer_charts(None, config)
    for builder in chartnode.HTML_BUILDERS:
        priority = get_mime_priority(builder, config.nb_mime_priority_overrides)
        assert priority.index(charts.MIME_TYPE) < priority.index("image/svg+xml") < priority.index("text/plain")
    assert charts.MIME_TYPE not in get_mime_priority("latex", config.nb_mime_priority_overrides)
    other = MimeData("image/svg+xml", "<svg/>")
    assert chartnode.ChartMimeRenderer.handle_mime(None, other, False) is None
    assert chartnode.ChartMimeRenderer.handle_mime(None, MimeData(charts.MIME_TYPE, {}), True) is None


def test_the_visitor_writes_the_chart_its_fallback_downloads_and_table(tmp_path, monkeypatch):
    output = chart_output("es", monkeypatch)
    page = written(resolved(page_with(output), tmp_path, docname="part/chapter"))
    box = page.select_one("div.lacbook-chart")
    assert box["id"] == "lacbook-chart-1" and box["data-title"] == "Fondos, 2022"
    # The page script's contract (load-charts.js): the box names its payload's file and key;
    # the payload is compiled, in the page's locale, outside the page.
    stem = "../charts/fig-test-funding"  # named after the figure, from a page one folder down
    assert box["data-payload"] == f"{stem}.js" and box["data-chart"] == "fig-test-funding"
    assert not box.select("script")
    script = (tmp_path / "site/charts/fig-test-funding.js").read_text(encoding="utf-8")
    assert script.startswith('(self.lacbookCharts=self.lacbookCharts||{})["fig-test-funding"]=')
    inline = chartnode.read_payload_script(script)
    assert inline["lang"] == "es" and inline["formatLocale"] == VEGA_FORMAT_LOCALE["es"]
    assert "svg" not in inline  # the page links the exported image instead
    assert box.select_one(":scope > div.lacbook-chart__view") is not None
    # Only what is drawn or shown reaches the page; the CSV keeps every column.
    assert "locator" in json.dumps(output) and "locator" not in json.dumps(inline)
    # The exported image stands in for the chart, at the size it declares, fetched near the screen.
    image = box.select_one(":scope > img.lacbook-chart__static")
    assert image["src"] == f"{stem}.svg" and image["loading"] == "lazy"
    svg = (tmp_path / "site/charts/fig-test-funding.svg").read_text(encoding="utf-8")
    assert svg == output["svg"]
    assert f'width="{image["width"]}"' in svg and f'height="{image["height"]}"' in svg
    assert [a["href"] for a in box.select(".lacbook-chart__downloads a[download]")] == [
        f"{stem}.csv", f"{stem}.svg", f"{stem}.png"]
    table = box.select_one("details.lacbook-chart__table .lacbook-chart__scroll[tabindex='0'][role='region'] table")
    assert table.caption.get_text() == "Fondos, 2022"
    assert [td.get_text() for td in table.select("tbody td")] == ["US$ 625 mil", "US$ 4,38 M"]
    files = tmp_path / "site" / "charts"
    assert sorted(path.name for path in files.iterdir()) == [
        "fig-test-funding.csv", "fig-test-funding.js", "fig-test-funding.png", "fig-test-funding.svg"]
    assert (files / "fig-test-funding.png").read_bytes().startswith(b"\x89PNG")
    assert "4.000.000" in (files / "fig-test-funding.svg").read_text(encoding="utf-8")
    assert (files / "fig-test-funding.csv").read_text(encoding="utf-8").splitlines()[0] == "place,amount,amount_text,locator"


def test_a_chart_written_again_is_not_drawn_again(tmp_path, monkeypatch):
    """Exports are cached by the chart's content: a page written again (a prose edit) copies them."""
    output = chart_output("es", monkeypatch)
    before = exports.renders
    first = written(resolved(page_with(output), tmp_path))
    assert exports.renders == before + 1
    svg = (tmp_path / "site/charts/fig-test-funding.svg").read_bytes()
    (tmp_path / "site/charts/fig-test-funding.svg").unlink()
    again = written(resolved(page_with(output), tmp_path))
    assert exports.renders == before + 1, "the same chart was drawn twice"
    assert str(again) == str(first)
    assert (tmp_path / "site/charts/fig-test-funding.svg").read_bytes() == svg
    # Another language, or another chart, is drawn.
    written(resolved(page_with(chart_output("en", monkeypatch)), tmp_path))
    written(resolved(page_with(chart_output("es", monkeypatch, title="Otro")), tmp_path))
    assert exports.renders == before + 3


def test_a_chart_outside_a_named_figure_is_named_by_its_content(tmp_path, monkeypatch):
    first, second = chart_output("es", monkeypatch), chart_output("es", monkeypatch, title="Otro")
    page = written(resolved(page_with(first, second, figure=None), tmp_path))
    boxes = page.select("div.lacbook-chart")
    assert [box["id"] for box in boxes] == ["lacbook-chart-1", "lacbook-chart-2"]
    stems = [box.select_one("img.lacbook-chart__static")["src"].removesuffix(".svg") for box in boxes]
    assert stems == [f"charts/chart-{exports.payload_digest(output)[:12]}" for output in (first, second)]
    assert len(set(stems)) == 2


@pytest.mark.build
def test_the_site_names_chart_files_after_their_figures(site):
    for lang in ("en", "es"):
        for page in sorted((site / lang).glob("*.html")):
            document = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
            for box in document.select("figure[id] div.lacbook-chart"):
                figure = box.find_parent("figure")["id"]
                hrefs = [a["href"] for a in box.select(".lacbook-chart__downloads a")]
                assert hrefs == [f"charts/{figure}.{ext}" for ext in ("csv", "svg", "png")], (lang, page.name)
                assert all((site / lang / href).is_file() for href in hrefs)
