"""Derived figures: what the chapters compute from the data package, by name (lacbook.reconcile)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from lacbook import data, reconcile

PLAN = "rmrp2023_24_plan.r4v_region.{}.all.{}"


@pytest.fixture(autouse=True)
def real_data(monkeypatch):
    """These figures are the book's own: read the repository's data."""
    monkeypatch.delenv("LACBOOK_DATA_DIR", raising=False)


def platform_rows(source, indicator, period):
    frame = data.figures()
    return frame[(frame["source"] == source) & (frame["indicator"] == indicator) & (frame["period"] == period)
                 & (frame["place_kind"] == "platform") & frame["preferred"] & (frame["group"] == "all")]


@pytest.mark.parametrize(("source", "indicator", "period"), [
    ("rmrp2023_24_plan", "people_in_need", "2023"),
    ("rmrp2022_eoy", "requirements", "2022"),
    ("rmrp2022_eoy", "people_reached", "2022"),  # one platform did not report: it adds nothing
])
def test_platform_sum_and_gap_against_the_regional_total(source, indicator, period):
    values = platform_rows(source, indicator, period)["value"]
    total = data.value(f"{source}.r4v_region.{indicator}.all.{period}")
    assert reconcile.platform_sum(source, indicator, period) == pytest.approx(values.sum(skipna=True))
    assert reconcile.regional_gap(source, indicator, period) == pytest.approx(total - values.sum(skipna=True))


def test_a_figure_without_platforms_has_no_platform_sum():
    with pytest.raises(KeyError, match="rmrp2023_eoy, people_reached, 2023"):
        reconcile.platform_sum("rmrp2023_eoy", "people_reached", "2023")


def test_the_comparison_table_carries_labels_and_units_in_the_page_language():
    english, spanish = reconcile.totals_vs_sums("en"), reconcile.totals_vs_sums("es")
    labels = {key: row for key, row in data.load().indicators.items()}
    for en, es in zip(english.itertuples(), spanish.itertuples()):
        assert (en.indicator_label, es.indicator_label) == (labels[en.indicator]["label_en"],
                                                            labels[en.indicator]["label_es"])
        assert en.unit == es.unit == labels[en.indicator]["unit"]
    assert set(english["unit"]) <= set(reconcile.ADDITIVE_UNITS)


def test_percent_of_and_percent_change():
    target, need = PLAN.format("people_targeted", 2024), PLAN.format("people_in_need", 2024)
    assert reconcile.percent_of(target, need) == pytest.approx(100 * data.value(target) / data.value(need))
    first, second = PLAN.format("requirements", 2023), PLAN.format("requirements", 2024)
    assert reconcile.percent_change(first, second) == pytest.approx(reconcile.percent_of(second, first) - 100)
    assert reconcile.percent_change(first, second) < 0  # requirements fell from 2023 to 2024
    assert reconcile.percent_change(first, first) == 0


def test_a_derived_figure_refuses_a_figure_the_source_did_not_print():
    with pytest.raises(data.DataError, match="no value"):
        reconcile.percent_of("rmrp2022_eoy.platform_chile.people_reached.all.2022",
                             "rmrp2022_eoy.platform_chile.people_targeted.all.2022")


def test_group_sum_adds_the_named_groups():
    shares = {group: data.value(f"rmrp2023_24_plan.r4v_region.pin_group_share.{group}.2023_2024")
              for group in ("women", "girls", "boys", "men")}
    female = reconcile.group_sum("rmrp2023_24_plan", "pin_group_share", "2023/2024", ["women", "girls"])
    assert female == pytest.approx(shares["women"] + shares["girls"])
    male = reconcile.group_sum("rmrp2023_24_plan", "pin_group_share", "2023/2024", ["men", "boys"])
    assert female + male == pytest.approx(100, abs=0.2)  # four printed shares, each rounded
    with pytest.raises(KeyError, match="no figure for group elders"):
        reconcile.group_sum("rmrp2023_24_plan", "pin_group_share", "2023/2024", ["women", "elders"])


def test_platform_percent_per_platform_with_gaps():
    table = data.platform_table("rmrp2022_eoy", "2022", "es")
    funded = reconcile.platform_percent("rmrp2022_eoy", "2022", "funding_received", "requirements", "es")
    assert list(funded["place_name"]) == list(table["place_name"])  # labels in the page's language
    for row, share in zip(table.itertuples(), funded["percent"]):
        if math.isnan(row.funding_received):
            assert math.isnan(share)
        else:
            assert share == pytest.approx(100 * row.funding_received / row.requirements)
    assert funded["percent"].isna().any() and funded["percent"].notna().any()


@pytest.mark.parametrize(("figure_id", "expected"), [
    ("gaatw2024.colombia.share_of_victims.foreign.2020_2024", (30.0, 40.0)),  # a printed range
    ("gaatw2024.colombia.share_of_foreign_victims.venezuelan.2020_2024", (80.0, 100.0)),  # "at least 80%"
    ("gaatw2024.world.share_of_forced_labour_victims.private_sector.2024", (80.0, 100.0)),  # "more than 80%"
    ("gaatw2024.peru.share_of_victims.foreign.2023", (20.0, 20.0)),  # "almost 20%": drawn to its value
    ("gaatw2024.darien_gap.irregular_crossings.all.2023_01_2023_09", (390_000.0, 390_000.0)),  # not a share
])
def test_bounds_of_a_figure(figure_id, expected):
    assert reconcile.bounds(figure_id) == expected


def test_remainder_is_what_the_groups_leave_out_of_the_whole():
    whole = data.value("gaatw2024.argentina.victims_identified.all.2024")
    purposes = ["labour_exploitation", "sexual_exploitation"]
    parts = sum(data.value(f"gaatw2024.argentina.victims_identified.{group}.2024") for group in purposes)
    left = reconcile.remainder("gaatw2024", "victims_identified", "2024", purposes, place="argentina")
    assert left == pytest.approx(whole - parts)
    assert 0 < left < whole


def test_grid_has_a_row_per_cell_and_a_gap_row_where_no_source_gives_one():
    places, periods = ["r4v_region", "platform_chile"], ["2022", "2023"]
    table = reconcile.grid(["people_in_need", "people_reached"], periods, places, "es")
    assert list(zip(table["place"], table["period"], table["indicator"])) == [
        (place, period, indicator) for place in places for period in periods
        for indicator in ["people_in_need", "people_reached"]]
    found = table.dropna(subset=["id"]).set_index("id")
    assert not found.empty and all(found.loc[key, "value"] == data.figure(key)["value"] or math.isnan(
        found.loc[key, "value"]) for key in found.index)  # a figure the source printed as '-' keeps no value
    gaps = table[table["id"].isna()]
    assert len(gaps) and gaps["value"].isna().all() and gaps["source"].isna().all()
    chile = gaps[gaps["place"] == "platform_chile"].iloc[0]  # a gap still says what it is, in the page's language
    assert (chile["place_name"], chile["unit"]) == (data.load().places["platform_chile"]["name_es"], "persons")
    assert chile["indicator_label"] == data.load().indicators[chile["indicator"]]["label_es"]


def test_grid_refuses_two_sources_for_one_cell_and_names_unknown_keys(monkeypatch):
    frame = data.figures()
    row = frame[(frame["id"] == PLAN.format("people_in_need", 2023))]
    twice = pd.concat([frame, row.assign(id="copy.of.the.same.cell", source="rmrp2023_eoy")])
    monkeypatch.setattr(reconcile, "figures", lambda lang="en": twice)
    with pytest.raises(data.DataError, match="copy.of.the.same.cell"):
        reconcile.grid(["people_in_need"], ["2023"], ["r4v_region"])
    monkeypatch.undo()
    with pytest.raises(KeyError, match="atlantis"):
        reconcile.grid(["people_in_need"], ["2023"], ["r4v_region", "atlantis"])
