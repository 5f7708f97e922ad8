"""Tables that are not charts: accessible HTML with caption, column headers and row ids (lacbook.tables)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from lacbook.tables import download_link, html_table


def parsed(table) -> BeautifulSoup:
    return BeautifulSoup(table.data, "html.parser")


def test_a_table_has_its_caption_headers_and_cells():
    table = parsed(html_table([{"a": "1", "b": "<code>x</code>"}, {"a": "2", "b": "y"}],
                              {"a": "Count", "b": "Key & name"}, "Things <counted>"))
    region = table.select_one("div.lacbook-table")
    assert region["tabindex"] == "0" and region["role"] == "region" and region["aria-label"] == "Things <counted>"
    assert table.caption.get_text() == "Things <counted>"  # escaped, so read back as text
    assert [(th.get_text(), th["scope"]) for th in table.select("thead th")] == [("Count", "col"), ("Key & name", "col")]
    assert [[td.get_text() for td in tr.select("td")] for tr in table.select("tbody tr")] == [["1", "x"], ["2", "y"]]
    assert table.select_one("tbody code").get_text() == "x"  # cells are HTML, formatted by the caller


def test_rows_can_carry_ids_for_links_to_land_on():
    table = parsed(html_table([{"a": "1"}, {"a": "2"}], {"a": "A"}, "T", row_ids=["fig-x.1", "fig-x.2"],
                              kind="lacbook-figures"))
    assert [tr["id"] for tr in table.select("tbody tr")] == ["fig-x.1", "fig-x.2"]
    assert table.select_one("div")["class"] == ["lacbook-table", "lacbook-figures"]
    with pytest.raises(ValueError, match="'T': 2 rows but 1 row ids"):
        html_table([{"a": "1"}, {"a": "2"}], {"a": "A"}, "T", row_ids=["only-one"])


def test_a_download_link_points_into_the_data_folder():
    link = BeautifulSoup(download_link("figures/r4v & co.csv"), "html.parser").a
    assert link["href"] == "data/figures/r4v & co.csv" and link.has_attr("download")
    assert link.get_text() == "figures/r4v & co.csv"
