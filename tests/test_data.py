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
from frictionless import Package

from lacbook import data as lacdata
from lacbook.reconcile import totals_vs_sums
from lacbook.reported import parse, read

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
SEEDS = Path(os.environ.get("LACBOOK_SEEDS_DIR") or REPO.parent / "shared" / "seeds")
PACKAGE = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
FIGURE_FILES = [r["path"] for r in PACKAGE["resources"] if r["name"].startswith("figures_")]


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


SOURCES = {row["key"]: row for row in read_csv(DATA / "sources.csv")}
ROWS = [row for path in FIGURE_FILES for row in read_csv(DATA / path)]
PRINTED = [row for row in ROWS if row["qualifier"] not in lacdata.UNREPORTED]


@pytest.fixture(autouse=True)
def real_data(monkeypatch):
    """Tests read the repository's data unless they point LACBOOK_DATA_DIR elsewhere."""
    monkeypatch.delenv("LACBOOK_DATA_DIR", raising=False)


# --- the package as it is --------------------------------------------------------------


def test_package_validates_with_frictionless():
    report = Package(str(DATA / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])[:20]


def test_every_figure_file_is_a_resource():
    on_disk = {f"figures/{p.name}" for p in (DATA / "figures").glob("*.csv")}
    assert on_disk == set(FIGURE_FILES)


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


@pytest.mark.parametrize("row", PRINTED, ids=[row["id"] for row in PRINTED])
def test_as_reported_reads_back_as_value(row):
    reading = read(row["as_reported"], SOURCES[row["source"]]["language"])
    if row["qualifier"] == "range":  # no single value: both printed ends
        assert row["value"] == ""
        assert abs(reading.low - float(row["low"])) <= reading.end_tolerance
        assert abs(reading.high - float(row["high"])) <= reading.end_tolerance
        return
    printed, tolerance = reading.value, reading.tolerance
    assert abs(printed - float(row["value"])) <= tolerance + 1e-9 * abs(printed)


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


FILE = "figures/rmrp2022_eoy.csv"
FIRST, SECOND = [row for row in ROWS if row["source"] == "rmrp2022_eoy" and row["qualifier"] == "exact"][:2]
OTHER = next(r for r in ROWS if r["source"] != "rmrp2022_eoy")
PERCENT = next(r for r in PRINTED if r["source"] == "rmrp2022_eoy" and r["indicator"].endswith("_share_of_target"))

BREAKAGES = {
    "missing column": ("note", None),
    "wrong type": ("value", "many"),
    "unknown place": ("place", "atlantis"),
    "unknown indicator": ("indicator", "happiness_index"),
    "unknown group": ("group", "martians"),
    "unknown source": ("source", "hearsay"),
    "source of another file": ("source", OTHER["source"]),
    "duplicate key": ("id", SECOND["id"]),
    "id of another file": ("id", OTHER["id"]),
    "negative count": ("value", "-9"),
    "as_reported not matching value": ("value", str(float(FIRST["value"]) * 2 + 1)),
    "value missing": ("value", ""),
    "year out of range": ("period", "1985"),
    "second preferred row": ("preferred", "true"),
}


@pytest.mark.parametrize("case", BREAKAGES)
def test_broken_copy_fails_naming_file_line_and_field(case, tmp_path, monkeypatch):
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    field, new = BREAKAGES[case]
    target = FIRST
    if case == "second preferred row":
        target = next(r for r in ROWS if r["source"] == "rmrp2022_eoy" and r["preferred"] == "false")
    line = edit(root, FILE, target["id"], field, new)
    if case in ("duplicate key", "second preferred row"):
        # reported once: on the second row with the id, or the first row of the repeated quantity
        same = [n for n, r in enumerate(read_csv(root / FILE), start=2)
                if (r["id"] == SECOND["id"] if case == "duplicate key" else quantity(r) == quantity(target))]
        line = max(same) if case == "duplicate key" else min(same)
    monkeypatch.setenv("LACBOOK_DATA_DIR", str(root))
    with pytest.raises(lacdata.DataError) as error:
        lacdata.load()
    message = str(error.value)
    assert f"{FILE}, line {line}, field {field}" in message, message


def test_percentage_over_100_fails(tmp_path, monkeypatch):
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    line = edit(root, FILE, PERCENT["id"], "value", "790")
    edit(root, FILE, PERCENT["id"], "as_reported", "790 per cent")
    monkeypatch.setenv("LACBOOK_DATA_DIR", str(root))
    with pytest.raises(lacdata.DataError, match=rf"{FILE}, line {line}, field value: .*percentage"):
        lacdata.load()


def test_figure_file_missing_from_the_package_fails(tmp_path, monkeypatch):
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    shutil.copy(root / FILE, root / "figures" / "stray.csv")
    monkeypatch.setenv("LACBOOK_DATA_DIR", str(root))
    with pytest.raises(lacdata.DataError, match=r"figures/stray.csv, line 1, field -: file is not listed"):
        lacdata.load()
