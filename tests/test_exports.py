"""What readers get besides the drawn chart: its data as a table, and a chart script without Vega-Lite."""

from __future__ import annotations

import json
import re

import altair as alt
import pandas as pd
import pytest
import vl_convert as vlc
from bs4 import BeautifulSoup

from lacbook import charts, pagescripts
from lacbook.a11y import fix_markup
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


def test_markup_fixes_remove_the_english_toggle_label_and_the_deprecated_role():
    body = '<summary aria-label="Toggle hidden content"><p>Mostrar el código</p></summary>' \
           '<div role="list"><div class="citation" role="doc-biblioentry"></div></div>'
    fixed = fix_markup(body)
    assert "Toggle hidden content" not in fixed and "doc-biblioentry" not in fixed
    assert 'role="listitem"' in fixed


@pytest.mark.build
def test_the_site_chart_script_leaves_vega_lite_out(site):
    for lang in ("en", "es"):
        script = (site / lang / "_static/charts/lacbook-charts.js").read_text(encoding="utf-8")
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


def test_charts_render_for_the_site_in_a_build_and_as_svg_in_a_notebook(monkeypatch):
    """A reviewer running a chapter in JupyterLab sees the chart, in the chosen language."""
    chart = alt.Chart(ROWS).mark_bar().encode(x=alt.X("amount:Q", title="Monto"), y="place:N").to_dict()
    monkeypatch.setenv("LACBOOK_LANG", "es")
    monkeypatch.delenv(charts.BUILD_FLAG, raising=False)
    notebook = charts.render(chart)
    assert notebook["image/svg+xml"].lstrip().startswith("<svg") and "4.000.000" in notebook["image/svg+xml"]
    monkeypatch.setenv(charts.BUILD_FLAG, "1")
    site = charts.render(chart)
    assert 'class="lacbook-chart"' in site["text/html"] and "image/svg+xml" not in site


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
