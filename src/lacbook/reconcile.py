"""Regional totals against the sum of their platforms, with the reason they differ.

R4V's platform figures rarely add up to the regional total. The book shows both
and says why; this table makes sure no gap goes unexplained: every difference
larger than the printed rounding must have a reason in reconciliation_reasons.csv.
"""

from __future__ import annotations

from lacbook.data import LANGS, load
from lacbook.reported import parse

ADDITIVE_UNITS = ("persons", "usd")  # shares and partner counts do not add up across platforms
REGION = "r4v_region"


def totals_vs_sums(lang: str = "en"):
    """One row per (source, indicator, period) with a regional total and platform figures.

    Columns: source, indicator, period, total, platform_sum, difference (total minus sum),
    tolerance (the rounding the printed figures allow), platforms (how many reported
    a figure) and reason (empty when none is recorded).
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
        platform_sum = sum(value for value, _ in parts[key])
        records.append({
            "source": key[0], "indicator": key[1], "period": key[2],
            "total": total, "platform_sum": platform_sum, "difference": total - platform_sum,
            "tolerance": total_tolerance + sum(tolerance for _, tolerance in parts[key]),
            "platforms": len(parts[key]), "reason": reasons.get(key, ""),
        })
    return pd.DataFrame.from_records(records)
