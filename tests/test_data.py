"""The data package is valid, traceable to its sources, and loud about any broken row.

Fast: no build. The bad-input tests break a copy of data/ and check that the
loader names the file, the line and the field to fix.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import REPO
from helpers import read_csv
from lacbook import data as lacdata
from lacbook.reconcile import totals_vs_sums
from lacbook.reported import parse

DATA = REPO / "data"
SEEDS = Path(os.environ.get("LACBOOK_SEEDS_DIR") or REPO.parent / "shared" / "seeds")
PACKAGE = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
FIGURE_FILES = [r["path"] for r in PACKAGE["resources"] if r["name"].startswith("figures_")]


SOURCES = {row["key"]: row for row in read_csv(DATA / "sources.csv")}
ROWS = [row for path in FIGURE_FILES for row in read_csv(DATA / path)]
PRINTED = [row for row in ROWS if row["qualifier"] not in lacdata.UNREPORTED]


@pytest.fixture(autouse=True)
def real_data(monkeypatch):
    """Tests read the repository's data unless they point LACBOOK_DATA_DIR elsewhere."""
    monkeypatch.delenv("LACBOOK_DATA_DIR", raising=False)


# --- the package as it is --------------------------------------------------------------


# The loader itself checks the package against its schema (Frictionless), that every figures
# file is listed, and that every row's value reads back from as_reported: its acceptance of
# the package is that check, and each rule's refusal is tested once below.


def test_loader_accepts_the_package_and_keeps_every_row():
    loaded = lacdata.load()
    assert len(loaded.rows) == len(ROWS)
    assert {row["id"] for row in loaded.rows} == {row["id"] for row in ROWS}


def test_each_platform_table_has_a_row_for_every_platform():
    """Every cell of a per-platform table is a row, even when the source printed no figure."""
    platforms = {key for key, place in lacdata.load().places.items() if place["kind"] == "platform"}
    cells = {}
    for row in ROWS:
        if row["place"] in platforms:
            cells.setdefault((row["source"], row["locator"], row["indicator"], row["period"]), set()).add(row["place"])
    assert {source for source, *_ in cells} >= {"rmrp2022_eoy", "rmrp2023_eoy", "rmrp2023_24_plan"}
    incomplete = {cell: platforms - covered for cell, covered in cells.items()
                  if "platform" in cell[1].lower() and covered != platforms}
    assert not incomplete, incomplete


@pytest.mark.parametrize("row", ROWS, ids=[row["id"] for row in ROWS])
def test_as_reported_is_printed_in_the_seed(row):
    seed = SEEDS / SOURCES[row["source"]]["seed_file"]
    if not seed.is_file():
        pytest.skip(f"source texts not found at {SEEDS} (set LACBOOK_SEEDS_DIR)")
    if row["qualifier"] == "not_available":
        assert row["as_reported"] == ""
    else:
        assert row["as_reported"] in seed.read_text(encoding="utf-8")


# --- reading printed figures --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "locale", "value", "tolerance"),
    [
        (r"\$ 4.38 M", "en", 4_380_000, 5_000),
        ("948,2 K", "es", 948_200, 50),
        ("1,56 M", "es", 1_560_000, 5_000),
        (r"\$216,5 K", "es", 216_500, 50),
        ("7.9 per cent", "en", 7.9, 0.05),
        ("78.8%", "en", 78.8, 0.05),
        ("2,1%", "es", 2.1, 0.05),
        ("more than 390,000", "en", 390_000, 0.5),
        ("almost 7 million", "en", 7_000_000, 500_000),
        ("26.2K", "en", 26_200, 50),
        ("eight", "en", 8, 0.5),
        ("twelve", "en", 12, 0.5),
        ("within 24 hours", "en", 24, 0.5),
        ("between 30% and 40%", "en", 35, 5.5),
        ("around half a million", "en", 500_000, 5_000),
    ],
)
def test_parse_reads_the_source_formatting(text, locale, value, tolerance):
    assert parse(text, locale) == pytest.approx((value, tolerance))


@pytest.mark.parametrize(("text", "locale"), [("-", "en"), ("many", "en"), ("1,56 M", "en"), ("4.38 lakh", "en")])
def test_parse_refuses_what_is_not_one_figure(text, locale):
    with pytest.raises(ValueError):
        parse(text, locale)


# --- totals against sums ----------------------------------------------------------------


def test_every_gap_between_total_and_platforms_has_a_reason():
    table = totals_vs_sums()
    assert not table.empty
    unexplained = table[(table["difference"].abs() > table["tolerance"]) & (table["reason"] == "")]
    assert unexplained.empty, unexplained.to_string()


def test_every_recorded_reason_belongs_to_a_compared_total():
    compared = set(totals_vs_sums()[["source", "indicator", "period"]].itertuples(index=False, name=None))
    recorded = {(r["source"], r["indicator"], r["period"]) for r in read_csv(DATA / "reconciliation_reasons.csv")}
    assert recorded <= compared, recorded - compared


def test_totals_vs_sums_adds_up_the_preferred_platform_rows():
    for row in totals_vs_sums().itertuples():
        platform_values = [
            float(r["value"]) for r in ROWS
            if (r["source"], r["indicator"], r["period"]) == (row.source, row.indicator, row.period)
            and r["place"].startswith("platform_") and r["preferred"] == "true" and r["value"] and r["group"] == "all"
        ]
        assert row.platform_sum == pytest.approx(sum(platform_values))
        assert row.platforms == len(platform_values)


def test_reasons_come_in_both_languages():
    english, spanish = totals_vs_sums("en"), totals_vs_sums("es")
    explained = english["reason"] != ""
    assert (spanish.loc[explained, "reason"] != "").all()
    assert (spanish.loc[explained, "reason"] != english.loc[explained, "reason"]).all()


# --- the loader's queries -----------------------------------------------------------------


def test_figures_carry_labels_in_the_requested_language():
    english, spanish = lacdata.figures("en"), lacdata.figures("es")
    indicators = {row["key"]: row for row in read_csv(DATA / "indicators.csv")}
    assert list(english["id"]) == [row["id"] for row in ROWS]
    for frame, lang in ((english, "en"), (spanish, "es")):
        expected = frame["indicator"].map(lambda key: indicators[key][f"label_{lang}"])
        assert (frame["indicator_label"] == expected).all()
    with pytest.raises(ValueError):
        lacdata.figures("fr")


def test_figure_and_value_return_the_row_of_the_csv():
    row = next(r for r in PRINTED if r["source"] == "rmrp2022_eoy")
    assert lacdata.figure(row["id"])["as_reported"] == row["as_reported"]
    assert lacdata.value(row["id"]) == float(row["value"])
    with pytest.raises(KeyError, match="no-such-id"):
        lacdata.figure("no-such-id")


def test_value_refuses_a_figure_the_source_did_not_print():
    row = next(r for r in ROWS if r["qualifier"] == "not_reported")
    with pytest.raises(lacdata.DataError, match=row["id"]):
        lacdata.value(row["id"])


def test_platform_table_has_one_row_per_platform_in_places_order():
    places = read_csv(DATA / "places.csv")
    order = [p["key"] for p in places if p["kind"] == "platform"]
    table = lacdata.platform_table("rmrp2022_eoy", "2022")
    assert list(table["place"]) == order
    expected = {r["place"]: r["value"] for r in ROWS
                if r["source"] == "rmrp2022_eoy" and r["indicator"] == "requirements" and r["place"] in order}
    assert table.set_index("place")["requirements"].to_dict() == {k: float(v) for k, v in expected.items()}


# --- bad input: a broken copy must fail with file, line and field -------------------------
#
# The loader reports every problem at once, so the breakages are made together, each on a row
# of its own, in two copies: what Frictionless refuses (the schema: types, constraints, keys),
# and what the project's rules refuse once the schema holds (Frictionless's refusal stops the
# loader before them). Each case then looks for its own line in the one report.


def edit(root: Path, path: str, row_id: str, field: str, new: str | None) -> int:
    """Set (or, with new=None, drop) one field of one row in a copy; returns the CSV line of the row."""
    with open(root / path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames), [(row, reader.line_num) for row in reader]
    line = next(n for row, n in rows if row["id"] == row_id)
    if new is None:
        header.remove(field)
    with open(root / path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row, n in rows:
            if n == line and new is not None:
                row[field] = new
            writer.writerow(row)
    return 1 if new is None else line


def quantity(row: dict) -> tuple:
    """The columns that make two rows the same quantity."""
    return row["source"], row["place"], row["period"], row["indicator"], row["group"]


def numbered_rows() -> list[tuple[dict, int]]:
    """The rows of FILE in the repository, each with its CSV line."""
    with open(DATA / FILE, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return [(row, reader.line_num) for row in reader]


def line_of(row_id: str) -> int:
    return next(n for row, n in numbered_rows() if row["id"] == row_id)


FILE = "figures/rmrp2022_eoy.csv"
OTHER = next(r for r in ROWS if r["source"] != "rmrp2022_eoy")
PERCENT = next(r for r in PRINTED if r["source"] == "rmrp2022_eoy" and r["indicator"].endswith("_share_of_target"))
# A repeated quantity: a second row marked preferred breaks it.
NOT_PREFERRED = next(r for r in ROWS if r["source"] == "rmrp2022_eoy" and r["preferred"] == "false")
SPARED = {r["id"] for r in ROWS if quantity(r) in (quantity(PERCENT), quantity(NOT_PREFERRED))}
TARGETS = iter([row for row in ROWS if row["source"] == "rmrp2022_eoy" and row["qualifier"] == "exact"
                and row["id"] not in SPARED])
# case -> (row, field, new value); the row's line is where the loader must report it
SCHEMA_BREAKAGES = {
    "wrong type": (next(TARGETS), "value", "many"),
    "unknown place": (next(TARGETS), "place", "atlantis"),
    "unknown indicator": (next(TARGETS), "indicator", "happiness_index"),
    "unknown group": (next(TARGETS), "group", "martians"),
    "unknown source": (next(TARGETS), "source", "hearsay"),
    "negative count": (next(TARGETS), "value", "-9"),
}
DUPLICATED = next(TARGETS)  # its id, given to a row below it, is reported on that row
SCHEMA_BREAKAGES["duplicate key"] = (row := next(TARGETS), "id", DUPLICATED["id"])
assert line_of(row["id"]) > line_of(DUPLICATED["id"])
RULE_BREAKAGES = {
    "source of another file": (next(TARGETS), "source", OTHER["source"]),
    "id of another file": (next(TARGETS), "id", OTHER["id"]),
    "as_reported not matching value": (row := next(TARGETS), "value", str(float(row["value"]) * 2 + 1)),
    "value missing": (next(TARGETS), "value", ""),
    "year out of range": (next(TARGETS), "period", "1985"),
    "percentage over 100": (PERCENT, "value", "790"),
    # reported once, on the first row of the repeated quantity
    "second preferred row": (NOT_PREFERRED, "preferred", "true"),
}


def broken_report(base: Path, breakages: dict) -> str:
    """Make every breakage in one copy of data/; the loader's report (it must refuse the copy)."""
    root = base / "data"
    shutil.copytree(DATA, root)
    for row, field, new in breakages.values():
        edit(root, FILE, row["id"], field, new)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LACBOOK_DATA_DIR", str(root))
        with pytest.raises(lacdata.DataError) as error:
            lacdata.load()
    return str(error.value)


@pytest.fixture(scope="module")
def schema_report(tmp_path_factory) -> str:
    return broken_report(tmp_path_factory.mktemp("schema"), SCHEMA_BREAKAGES)


@pytest.fixture(scope="module")
def rule_report(tmp_path_factory) -> str:
    return broken_report(tmp_path_factory.mktemp("rules"), RULE_BREAKAGES)


def expected_line(case: str, row: dict) -> int:
    if case == "second preferred row":
        return min(n for r, n in numbered_rows() if quantity(r) == quantity(row))
    return line_of(row["id"])


@pytest.mark.parametrize("case", SCHEMA_BREAKAGES)
def test_a_schema_breakage_fails_naming_file_line_and_field(case, schema_report):
    row, field, _ = SCHEMA_BREAKAGES[case]
    assert f"{FILE}, line {expected_line(case, row)}, field {field}: " in schema_report, schema_report


@pytest.mark.parametrize("case", RULE_BREAKAGES)
def test_a_rule_breakage_fails_naming_file_line_and_field(case, rule_report):
    row, field, _ = RULE_BREAKAGES[case]
    assert f"{FILE}, line {expected_line(case, row)}, field {field}: " in rule_report, rule_report


def test_a_percentage_over_100_is_named_as_such(rule_report):
    assert f"{FILE}, line {line_of(PERCENT['id'])}, field value: 790.0 is not a percentage" in rule_report


def test_a_missing_column_fails(tmp_path, monkeypatch):
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    edit(root, FILE, ROWS[0]["id"], "note", None)
    monkeypatch.setenv("LACBOOK_DATA_DIR", str(root))
    with pytest.raises(lacdata.DataError, match=rf"{FILE}, line 1, field note: "):
        lacdata.load()


def test_figure_file_missing_from_the_package_fails(tmp_path, monkeypatch):
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    shutil.copy(root / FILE, root / "figures" / "stray.csv")
    monkeypatch.setenv("LACBOOK_DATA_DIR", str(root))
    with pytest.raises(lacdata.DataError, match=r"figures/stray.csv, line 1, field -: file is not listed"):
        lacdata.load()


def test_a_copy_is_validated_again_where_a_change_reaches(tmp_path, monkeypatch):
    """The loader skips the resources Frictionless already passed with the same bytes; a change
    to a file that others look up (places.csv) must still fail the figures that point to it."""
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    monkeypatch.setenv("LACBOOK_DATA_DIR", str(root))
    lacdata._validated(root)  # the intact copy passes, and is remembered
    places = root / "places.csv"
    lines = places.read_text(encoding="utf-8").splitlines(keepends=True)
    places.write_text("".join(line for line in lines if not line.startswith("colombia,")), encoding="utf-8")
    with pytest.raises(lacdata.DataError) as error:
        lacdata._validated(root)
    with open(DATA / "figures" / "gaatw2024.csv", newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        line = next(reader.line_num for row in reader if row["place"] == "colombia")
    assert f"figures/gaatw2024.csv, line {line}, field place: " in str(error.value), str(error.value)
