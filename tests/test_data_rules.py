"""The data package's own rules, each broken once in a copy: the loader must name file, line and field.

Fast: no build. Complements tests/test_data.py with the rules of issue #10 (ids
that agree with their row, no markup in text shown on pages, plain UTF-8 files,
no empty figures file) and of issue #11 (rounded and range figures said so,
assumptions flagged, reconciliation reasons that say what R4V says).
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from helpers import read_csv
from lacbook import data as lacdata
from lacbook.i18n import QUALIFIER_LABELS, QUALIFIER_TEMPLATES

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"


@pytest.fixture(autouse=True)
def real_data(monkeypatch):
    monkeypatch.delenv("LACBOOK_DATA_DIR", raising=False)


@pytest.fixture
def broken(tmp_path, monkeypatch):
    """A copy of data/ that the loader reads instead of the real one."""
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    monkeypatch.setenv("LACBOOK_DATA_DIR", str(root))
    return root


def set_field(root: Path, path: str, key: tuple[str, str], field: str, new: str) -> int:
    """Set one field of the row whose column key[0] is key[1]; returns the row's CSV line."""
    with open(root / path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames), [(row, reader.line_num) for row in reader]
    line = next(n for row, n in rows if row[key[0]] == key[1])
    with open(root / path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        for row, n in rows:
            if n == line:
                row[field] = new
            writer.writerow(row)
    return line


def problems() -> list[str]:
    with pytest.raises(lacdata.DataError) as error:
        lacdata.load()
    return str(error.value).splitlines()[1:]


GAATW = "figures/gaatw2024.csv"
ECUADOR = "gaatw2024.ecuador.extortion_cases.all.2023_01_2023_06"
RANGE = "gaatw2024.colombia.share_of_victims.foreign.2020_2024"
PLAN = "figures/rmrp2022_eoy.csv"
SHORT = "rmrp2022_eoy.r4v_region.people_targeted.all.2022"  # printed "42.2 K"
COUNT = "rmrp2022_eoy.r4v_region.people_reached.all.2022"  # printed "3,344"


# --- ids agree with their row ---------------------------------------------------------


# That every id of the package spells out its row is the loader's own check (data._id_problems),
# run on every load; here, each way of breaking it.


def test_an_id_that_disagrees_with_its_row_fails_each_row_named(broken):
    """Each way an id can disagree with its row, each on its own row, all named at once."""
    cases = [  # (row, field, new value, what the message says)
        (ECUADOR, "place", "peru", "id says place 'ecuador' but place is 'peru'"),
        ("gaatw2024.ecuador.femicides.all.2023_01_2023_09", "period", "2023-01/2023-10",
         "id says period '2023_01_2023_09' but period is '2023-01/2023-10'"),
        ("gaatw2024.peru.trust_in_armed_forces.all.2024", "indicator", "femicides",
         "id says indicator 'trust_in_armed_forces' but indicator is 'femicides'"),
        ("gaatw2024.mexico.population_in_poverty.all.2024", "group", "women",
         "id says group 'all' but group is 'women'"),
        ("gaatw2024.peru.presidents_in_office.all.2018_2024", "id", "gaatw2024.peru",
         "'gaatw2024.peru' is not source.place.indicator.group.period with an optional .tag"),
    ]
    expected = [f"{GAATW}, line {set_field(broken, GAATW, ('id', row), field, new)}, field id: {said}"
                for row, field, new, said in cases]
    listed = problems()
    assert [message for message in expected if message not in listed] == []


# --- no markup in text shown on pages ---------------------------------------------------


MARKUP = [  # (file, row key, field, markup put in, what the message quotes)
    ("places.csv", ("key", "peru"), "name_es", "<b>Perú</b>", "'<'"),
    ("indicators.csv", ("key", "people_reached"), "label_en", "People reached &amp; assisted", "'&amp;'"),
    ("groups.csv", ("key", "women"), "label_es", "Mujeres&#160;adultas", "'&#160;'"),
    ("sources.csv", ("key", "gaatw2024"), "title_en", "Migration <i>and</i> trafficking", "'<'"),
    ("sources.csv", ("key", "gaatw2024"), "short_es", "GAATW&nbsp;2024", "'&nbsp;'"),
    ("reconciliation_reasons.csv", ("indicator", "funding_received"), "reason_es", "Redondeo <br> FTS", "'<'"),
    (GAATW, ("id", ECUADOR), "note", "Reported cases <script>", "'<'"),
    (GAATW, ("id", ECUADOR), "locator_es", "Contexto &gt; social", "'&gt;'"),
    (GAATW, ("id", ECUADOR), "note_es", "Casos denunciados <script>", "'<'"),
]


def test_markup_in_shown_text_fails_each_place_named(broken):
    """Markup in every kind of shown text at once: the loader names each one, not just the first."""
    expected = []
    for path, key, field, new, found in MARKUP:
        line = set_field(broken, path, key, field, new)
        expected.append(f"{path}, line {line}, field {field}: {found}: "
                        "markup is not allowed in text shown on pages; write plain text")
    listed = problems()
    assert [message for message in expected if message not in listed] == []


def test_a_lone_ampersand_is_plain_text():
    assert any("&" in place["name_en"] for place in lacdata.load().places.values())  # "Central America & Mexico"


# --- files: plain UTF-8, and a figures file holds figures ---------------------------------


def test_a_byte_order_mark_fails(broken):
    path = broken / PLAN
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert problems() == [f"{PLAN}, line 1, field -: the file starts with a byte-order mark (BOM); save it as UTF-8 without BOM"]


def test_another_encoding_fails_naming_line_and_field(broken):
    path = broken / GAATW
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("latin-1"))
    lines = text.splitlines()
    line = next(n for n, content in enumerate(lines, start=1) if not content.isascii())
    cells = next(csv.reader([lines[line - 1]]))
    field = lines[0].split(",")[next(i for i, cell in enumerate(cells) if not cell.isascii())]
    column = next(i for i, char in enumerate(lines[line - 1]) if not char.isascii()) + 1
    byte = lines[line - 1][column - 1].encode("latin-1")[0]
    assert problems() == [f"{GAATW}, line {line}, field {field}: not UTF-8 (byte 0x{byte:02x} at column {column}); save the file as UTF-8"]


def test_an_empty_figures_file_fails(broken):
    (broken / PLAN).write_bytes(b"")
    assert problems() == [f"{PLAN}, line 1, field -: the file is empty: it needs the header line and at least one figure"]


def test_a_figures_file_with_only_a_header_fails(broken):
    path = broken / PLAN
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    assert problems() == [f"{PLAN}, line 2, field -: no figures after the header line; a figures file holds at least one figure"]


# --- rounded and range figures ------------------------------------------------------------


def test_a_short_form_stored_as_exact_fails(broken):
    line = set_field(broken, PLAN, ("id", SHORT), "qualifier", "exact")
    assert (f"{PLAN}, line {line}, field qualifier: as_reported '42.2 K' is printed rounded, in a short form: "
            "qualifier must be 'rounded'") in problems()


def test_rounded_is_only_for_a_short_form(broken):
    line = set_field(broken, PLAN, ("id", COUNT), "qualifier", "rounded")
    assert (f"{PLAN}, line {line}, field qualifier: 'rounded' is for a figure printed in a short form "
            "(26.2K, 1.56 M, two million); as_reported '3,344' is not one") in problems()


def test_a_printed_range_stored_as_one_value_fails(broken):
    set_field(broken, GAATW, ("id", RANGE), "value", "35")
    set_field(broken, GAATW, ("id", RANGE), "low", "")
    set_field(broken, GAATW, ("id", RANGE), "high", "")
    line = set_field(broken, GAATW, ("id", RANGE), "qualifier", "approximately")
    assert (f"{GAATW}, line {line}, field qualifier: as_reported 'between 30% and 40%' is a range: "
            "qualifier must be 'range', with low and high") in problems()


@pytest.mark.parametrize(("field", "new", "message"), [
    ("value", "35", "must be empty when qualifier is 'range': low and high hold the two ends"),
    ("low", "", "is empty but qualifier is 'range'"),
    ("high", "45", "45 does not match as_reported 'between 30% and 40%', whose high end reads as 40"),
])
def test_a_range_keeps_its_two_printed_ends(broken, field, new, message):
    line = set_field(broken, GAATW, ("id", RANGE), field, new)
    assert f"{GAATW}, line {line}, field {field}: {message}" in problems()


def test_low_and_high_belong_to_ranges_only(broken):
    line = set_field(broken, GAATW, ("id", ECUADOR), "low", "4000")
    assert f"{GAATW}, line {line}, field low: must be empty unless qualifier is 'range' (it is 'exact')" in problems()


def test_range_with_a_single_printed_figure_fails(broken):
    set_field(broken, GAATW, ("id", ECUADOR), "low", "4000")
    set_field(broken, GAATW, ("id", ECUADOR), "high", "5000")
    set_field(broken, GAATW, ("id", ECUADOR), "value", "")
    line = set_field(broken, GAATW, ("id", ECUADOR), "qualifier", "range")
    assert (f"{GAATW}, line {line}, field qualifier: 'range' needs a printed range ('between 30% and 40%'); "
            "as_reported '4,600' is not one") in problems()


def test_a_range_has_no_single_value():
    with pytest.raises(lacdata.DataError, match="is a range"):
        lacdata.value(RANGE)


def test_every_qualifier_of_the_schema_has_words():
    schema = (DATA / "schemas" / "figures.json").read_text(encoding="utf-8")
    enum = re.search(r'"qualifier".*?"enum": \[([^\]]*)\]', schema, re.S)[1]
    qualifiers = set(re.findall(r'"(\w+)"', enum))
    assert qualifiers == set(QUALIFIER_LABELS)
    assert qualifiers - set(lacdata.UNREPORTED) == set(QUALIFIER_TEMPLATES) | {"range"}


# --- assumptions, reasons, source names ---------------------------------------------------------


ASSUMED_PERIODS = [
    "gaatw2024.cuba.displaced_by_disasters.all.2022",
    "gaatw2024.brazil.displaced_by_disasters.all.2022",
    "gaatw2024.colombia.displaced_by_disasters.all.2022",
    "gaatw2024.colombia.people_hosted.venezuelan.2023_12",
    "gaatw2024.peru.people_hosted.venezuelan.2024",
    "gaatw2024.mexico.wealth_share.richest_10_percent.2024",
    "gaatw2024.latin_america_caribbean.people_hosted.all.2020",
    "unodc2023_eri.peru_ecuador_border.response_time.all.2023",
]


@pytest.mark.parametrize("figure_id", ASSUMED_PERIODS)
def test_a_period_no_source_prints_is_flagged_as_an_assumption(figure_id):
    note = lacdata.figure(figure_id)["note"]
    assert "ASSUMPTION:" in note and "assumed" in note, note


def test_no_note_gives_a_date_that_no_source_prints():
    notes = " ".join(row["note"] for row in lacdata.load().rows)
    assert "September 2022" not in notes  # Hurricane Ian's month: in no source


def test_reasons_say_that_the_region_leaves_people_in_transit_out():
    reasons = read_csv(DATA / "reconciliation_reasons.csv")
    for reason in reasons:
        assert "once" not in reason["reason_en"] and "una sola vez" not in reason["reason_es"], reason
        if reason["indicator"] in ("people_in_need", "people_targeted", "people_reached"):
            assert "leave" in reason["reason_en"] and "transit" in reason["reason_en"], reason
            assert "tránsito" in reason["reason_es"], reason
        if reason["source"] in ("rmrp2022_eoy", "rmrp2023_24_plan") and reason["indicator"] != "funding_received":
            # those sources are silent: the reason is the book's assumption, and says so
            assert reason["reason_en"].startswith("Assumption (the book's"), reason
            assert reason["reason_es"].startswith("Supuesto del libro"), reason


def test_source_short_names_are_the_citation_labels():
    bib = (REPO / "book" / "references.bib").read_text(encoding="utf-8")
    for key, source in lacdata.load().sources.items():
        entry = bib[bib.index("{" + key + ","):]
        entry = entry[: entry.find("\n}")]
        labels = dict(re.findall(r"^\s*(shorthand(?:_es)?)\s*=\s*\{(.*)\},?$", entry, re.M))
        clean = {name: label.replace("{", "").replace("}", "").replace("--", "–") for name, label in labels.items()}
        assert source["short_en"] == clean["shorthand"], key
        assert source["short_es"] == clean.get("shorthand_es", clean["shorthand"]), key


# --- the notes in Spanish: the Spanish Data page shows note_es, never the English note ------------


def test_every_note_has_its_spanish_version_and_keeps_its_assumption_flag():
    schema = (DATA / "schemas" / "figures.json").read_text(encoding="utf-8")
    assert '"name": "note_es"' in schema
    for row in lacdata.load().rows:
        assert bool(row["note"]) == bool(row["note_es"]), row["id"]
        assert ("ASSUMPTION:" in row["note"]) == ("SUPUESTO:" in row["note_es"]), row["id"]
        assert "ASSUMPTION" not in row["note_es"], row["id"]


def test_spanish_notes_follow_r4v_vocabulary():
    notes = {row["id"]: row["note_es"] for row in lacdata.load().rows}
    assert "personas con necesidades (PiN)" in notes["rmrp2023_24_plan.r4v_region.pin_share.all.2023"]
    assert "Requerimientos" in notes["rmrp2022_eoy.r4v_region.funding_unmet.all.2022"]
    assert "tráfico ilícito de migrantes" in notes["gaatw2024.ecuador.victims_identified.all.2023_2024_07"]
    # numbers quoted from a source stay as printed, in quotation marks
    assert "«2,8%»" in notes["rmrp2023_24_plan.r4v_region.target_share_of_pin.all.2024"]
    assert "«more than 1.5 million»" in notes["gaatw2024.peru.people_hosted.venezuelan.2024"]


def test_a_note_without_its_spanish_version_fails(broken):
    line = set_field(broken, GAATW, ("id", ECUADOR), "note_es", "")
    assert (f"{GAATW}, line {line}, field note_es: is empty but note is not; "
            "write the note in Spanish for the Spanish edition") in problems()


def test_a_spanish_note_without_an_english_one_fails(broken):
    set_field(broken, GAATW, ("id", ECUADOR), "note", "")
    line = set_field(broken, GAATW, ("id", ECUADOR), "note_es", "Casos de extorsión denunciados.")
    assert (f"{GAATW}, line {line}, field note_es: must be empty when note is empty "
            "(the Spanish note translates the English one)") in problems()


def test_an_assumption_must_stay_flagged_in_spanish(broken):
    figure_id = ASSUMED_PERIODS[0]
    note_es = next(row["note_es"] for row in read_csv(DATA / GAATW) if row["id"] == figure_id)
    line = set_field(broken, GAATW, ("id", figure_id), "note_es", note_es.replace("SUPUESTO:", "Se supone que"))
    assert (f"{GAATW}, line {line}, field note_es: an 'ASSUMPTION:' in note is written 'SUPUESTO:' "
            "in note_es, and only then") in problems()
