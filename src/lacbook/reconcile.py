"""Figures the book derives from the data package: regional totals against the sum of
their platforms, shares, changes and sums of groups, each a named, tested function, and
the grid of figures a chart compares, with its gaps (`grid`).

R4V's platform figures rarely add up to the regional total. The book shows both
and says why; `totals_vs_sums` makes sure no gap goes unexplained: every difference
larger than the printed rounding must have a reason in reconciliation_reasons.csv.
Chapters compute no figure inline: they call these functions by figure ids, so a
reader sees which rows a derived number combines.
"""

from __future__ import annotations

from lacbook.data import LANGS, DataError, figure, figures, load, platform_table, value
from lacbook.reported import parse

ADDITIVE_UNITS = ("persons", "usd")  # shares and partner counts do not add up across platforms
REGION = "r4v_region"


def totals_vs_sums(lang: str = "en"):
    """One row per (source, indicator, period) with a regional total and platform figures.

    Columns: source, indicator, indicator_label (in ``lang``), unit, period, total, platform_sum,
    difference (total minus sum), tolerance (the rounding the printed figures allow), platforms
    (how many reported a figure) and reason (empty when none is recorded).
    """
    import pandas as pd

    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    data = load()
    kinds = {key: place["kind"] for key, place in data.places.items()}
    reasons = {(r["source"], r["indicator"], r["period"]): r[f"reason_{lang}"] for r in data.reasons}
    totals, parts = {}, {}
    for row in data.rows:
        additive = data.indicators[row["indicator"]]["unit"] in ADDITIVE_UNITS
        if not (additive and row["preferred"] and row["group"] == "all" and row["value"] is not None):
            continue
        key = (row["source"], row["indicator"], row["period"])
        locale = data.sources[row["source"]]["language"]
        if row["place"] == REGION:
            totals[key] = (row["value"], parse(row["as_reported"], locale)[1])
        elif kinds[row["place"]] == "platform":
            parts.setdefault(key, []).append((row["value"], parse(row["as_reported"], locale)[1]))
    records = []
    for key in sorted(totals.keys() & parts.keys()):
        total, total_tolerance = totals[key]
        platform_sum = sum(amount for amount, _ in parts[key])
        records.append({
            "source": key[0], "indicator": key[1], "indicator_label": data.indicators[key[1]][f"label_{lang}"],
            "unit": data.indicators[key[1]]["unit"], "period": key[2],
            "total": total, "platform_sum": platform_sum, "difference": total - platform_sum,
            "tolerance": total_tolerance + sum(tolerance for _, tolerance in parts[key]),
            "platforms": len(parts[key]), "reason": reasons.get(key, ""),
        })
    return pd.DataFrame.from_records(records)


def grid(indicators: list[str], periods: list[str], places: list[str], lang: str = "en", group: str = "all"):
    """One row per place, period and indicator, in the orders given: the preferred figure of
    ``group`` from whichever source gives it, or a gap row (no value, no source) where none does,
    so that a chart shows the gap instead of leaving the row out.

    Every row carries the place, indicator and group with their labels and the unit. Two
    sources giving the same cell is a DataError naming their figures.
    """
    import pandas as pd

    keys = ["place", "period", "indicator"]
    frame = figures(lang)
    rows = frame[frame["preferred"] & (frame["group"] == group) & frame["indicator"].isin(indicators)
                 & frame["period"].isin(periods) & frame["place"].isin(places)]
    twice = rows[rows.duplicated(keys, keep=False)]
    if not twice.empty:
        raise DataError(f"grid: more than one source gives the same cell: {', '.join(twice['id'])}")
    cells = pd.MultiIndex.from_product([places, periods, indicators], names=keys)
    package = load()
    for name, wanted, known in [("place", places, package.places), ("indicator", indicators, package.indicators),
                                ("group", [group], package.groups)]:
        if unknown := [key for key in wanted if key not in known]:
            raise KeyError(f"grid: no {name} {', '.join(map(repr, unknown))} in the data package")
    table = rows.set_index(keys).reindex(cells).reset_index()
    return table.assign(
        group=group,
        place_name=[package.places[key][f"name_{lang}"] for key in table["place"]],
        place_kind=[package.places[key]["kind"] for key in table["place"]],
        indicator_label=[package.indicators[key][f"label_{lang}"] for key in table["indicator"]],
        unit=[package.indicators[key]["unit"] for key in table["indicator"]],
        group_label=package.groups[group][f"label_{lang}"],
    )


# Figures the book derives from the data package, each from named rows, so that a
# chapter says which figures it combines and a test can check the arithmetic.

def _comparison(source: str, indicator: str, period: str):
    """The row of `totals_vs_sums` for one figure; KeyError when R4V gives no platform breakdown."""
    table = totals_vs_sums()
    found = table[(table["source"] == source) & (table["indicator"] == indicator) & (table["period"] == period)]
    if found.empty:
        raise KeyError(f"no regional total with platform figures for {source}, {indicator}, {period}")
    return found.iloc[0]


def platform_sum(source: str, indicator: str, period: str) -> float:
    """The sum of the platform figures of one indicator, to set beside the regional total."""
    return float(_comparison(source, indicator, period)["platform_sum"])


def regional_gap(source: str, indicator: str, period: str) -> float:
    """The regional total minus the sum of its platforms (negative when the platforms add up to more)."""
    return float(_comparison(source, indicator, period)["difference"])


def percent_of(part_id: str, whole_id: str) -> float:
    """One figure as a percentage of another (0-100): people reached as a share of the target."""
    return 100 * value(part_id) / value(whole_id)


def percent_change(from_id: str, to_id: str) -> float:
    """The change from one figure to another, in per cent: requirements from 2023 to 2024."""
    return 100 * (value(to_id) / value(from_id) - 1)


def group_sum(source: str, indicator: str, period: str, groups: list[str], place: str = REGION) -> float:
    """The sum of some groups' figures: women and girls as one share of the people in need."""
    frame = figures()
    rows = frame[(frame["source"] == source) & (frame["place"] == place) & (frame["indicator"] == indicator)
                    & (frame["period"] == period) & frame["preferred"]].set_index("group")
    missing = [group for group in groups if group not in rows.index]
    if missing:
        raise KeyError(f"{source}, {place}, {indicator}, {period}: no figure for group {', '.join(missing)}")
    return float(rows.loc[groups, "value"].sum())


def remainder(source: str, indicator: str, period: str, groups: list[str], place: str = REGION) -> float:
    """What the whole (group 'all') counts beyond the named groups: victims whose purpose is not stated."""
    return group_sum(source, indicator, period, ["all"], place) - group_sum(source, indicator, period, groups, place)


def platform_percent(source: str, period: str, part: str, whole: str, lang: str = "en"):
    """Each platform's ``part`` as a percentage of its ``whole`` (funding received of requirements):
    a frame of place, place_name and percent, NaN where a platform reported either figure not."""
    table = platform_table(source, period, lang)
    return table[["place", "place_name"]].assign(percent=table[part] / table[whole] * 100)


LOWER_BOUNDS = ("at_least", "more_than")


def bounds(figure_id: str) -> tuple[float, float]:
    """The lowest and highest value a figure allows, for a bar with a pale extension: both ends of
    a printed range; up to 100 for a percentage given as a lower bound ('at least 80%'); else the value twice."""
    row = figure(figure_id)
    if row["qualifier"] == "range":
        return float(row["low"]), float(row["high"])
    low = value(figure_id)
    return low, (100.0 if row["unit"] == "percent" and row["qualifier"] in LOWER_BOUNDS else low)
