"""The house chart shapes: small functions that take a tidy frame, its field names and
the translated words, and return a finished Altair chart (`lacbook.charts` re-exports them).

Chapters say which rows, which fields and which words; everything else is decided
here once, the same way for every chart: rows named above their marks so that long
names never take width from the data on a phone, axes in the page's own number
format, logarithmic axes ticked at powers of ten, figures the sources do not give
shown as gaps and said so, bounds and approximations drawn as such, tooltips and
labels in words from `lacbook.i18n`, the Okabe-Ito palette, and a description for
screen readers.
"""

from __future__ import annotations

import json
import math
import textwrap
import warnings
from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd

from . import data
from .i18n import MONEY_PREFIX, N_, _, language

# Okabe-Ito: distinguishable with the common forms of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
GREY, PALE_GREY, INK = "#bbbbbb", "#d9d9d9", "#333333"

ROW = 40  # pixels per named row: its name above, its marks below
BAR = 14  # bar thickness
LINE = 15  # height of one line of a row's name
PANEL = 290  # width of each panel of a linked pair, so that both fit a phone
TITLE_WIDTH, SUBTITLE_WIDTH, LABEL_WIDTH = 38, 48, 42  # characters per line that fit a phone

NOT_REPORTED = N_("not reported")
NOT_AVAILABLE = N_("n/a")  # a lollipop's label where the sources give no figure
# How a figure's qualifier is drawn: a marker at the end of its bar, and what it means.
BOUNDS = {"more_than": "lower", "at_least": "lower", "less_than": "upper", "at_most": "upper",
          "approximately": "approximate", "rounded": "approximate"}
BOUND_WORDS = {
    "lower": N_("Lower bound: the true figure is higher"),
    "upper": N_("Upper bound: the true figure is lower"),
    "approximate": N_("Approximate figure"),
}
BOUND_SHAPES = {"lower": "triangle-right", "upper": "triangle-left", "approximate": "diamond"}

Words = Mapping[str, str]  # tooltip field -> its title, in the page's language
Colours = Mapping[str, str] | Sequence[str]  # value -> colour, or colours for the values in order (`colour_map`)


def indicator_label(key: str, lang: str | None = None) -> str:
    """An indicator's label from data/indicators.csv, for tooltip and legend titles."""
    return data.load().indicators[key][f"label_{lang or language()}"]


# What a tooltip tells about a figure of the data package (see `described`).
FIGURE_WORDS = {"figure_text": N_("Value"), "period_text": N_("Period"), "how": N_("How the source words it"),
                "what": N_("What it counts"), "source_text": N_("Source")}
ASSUMED_DATE = N_("(assumed: the source prints no date)")


def described(rows: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """Figure rows of `data.figures` with the text a chart shows about each: the figure in
    words, its period (and whether its date is assumed), how the source words it, what the
    indicator counts and which document gives it."""
    from .i18n import period, qualifier_label
    from .prose import worded

    lang = lang or language()
    package = data.load()
    return rows.assign(
        figure_text=[worded(key, lang, article=False) for key in rows["id"]],
        period_text=[period(p, lang) + (" " + _(ASSUMED_DATE, lang) if "assumed" in note else "")
                     for p, note in zip(rows["period"], rows["note"])],
        how=[qualifier_label(q, lang) for q in rows["qualifier"]],
        what=[package.indicators[key][f"definition_{lang}"] for key in rows["indicator"]],
        source_text=[package.sources[key][f"citation_{lang}"] for key in rows["source"]],
    )


def as_text(frame: pd.DataFrame, lang: str | None = None, *fields: str, **units: str) -> pd.DataFrame:
    """The frame with a `<field>_text` column for each field, in its unit's format
    (`i18n.amount`: 48,204 / US$13.62M / 7.5%), 'not reported' where a value is missing.

    A field named after an indicator takes its unit from indicators.csv; another field takes the
    unit of its row (the `unit` column of figure rows and of `reconcile.totals_vs_sums`);
    field=unit names the unit of any other column.
    """
    from .i18n import amount

    indicators = data.load().indicators
    per_row = {field: ([indicators[field]["unit"]] * len(frame) if field in indicators else frame["unit"])
               for field in fields}
    per_row |= {field: [unit] * len(frame) for field, unit in units.items()}
    return frame.assign(**{f"{field}_text": [amount(v, unit, lang) for v, unit in zip(frame[field], row_units)]
                           for field, row_units in per_row.items()})


def indicator_tooltip(*keys: str, **first: str) -> dict[str, str]:
    """Tooltip words: the given fields (field=title), then the `<key>_text` column of each
    indicator (see `as_text`) under the indicator's label."""
    return {**first, **{f"{key}_text": indicator_label(key) for key in keys}}


def figure_tooltip(**first: str) -> dict[str, str]:
    """Tooltip words for `described` rows, after the given fields (field=title)."""
    return {**first, **{field: _(title) for field, title in FIGURE_WORDS.items()}}


def compact_labels(money: bool = False, lang: str | None = None) -> str:
    """A Vega label expression writing axis numbers as the text does (1.5M / 1,5 M, 20K / 20 mil).

    d3's SI format ("~s") gives "20k", "1.5M" and "1G" in every language; this
    gives the page's own short forms, with its decimal mark (Vega's `format`
    follows the page's number locale).
    """
    from .i18n import compact_suffixes

    lang = lang or language()
    suffix = {scale: json.dumps(text) for scale, text in compact_suffixes(lang).items()}
    prefix = json.dumps(MONEY_PREFIX[lang] if money else "")
    value = "datum.value"
    return (f"{prefix} + (abs({value}) >= 1e6 ? format({value} / 1e6, '~r') + {suffix[10**6]}"
            f" : abs({value}) >= 1e3 ? format({value} / 1e3, '~r') + {suffix[10**3]}"
            f" : format({value}, '~r'))")


def titled(title: str, subtitle: str | None = None, narrow: bool = False) -> alt.Title:
    """A title, and a subtitle, broken into lines that fit a phone (``narrow``: a linked panel)."""
    widths = (30, 42) if narrow else (TITLE_WIDTH, SUBTITLE_WIDTH)
    lines = textwrap.wrap(subtitle, widths[1]) if subtitle else alt.Undefined
    return alt.Title(textwrap.wrap(title, widths[0]), subtitle=lines)


def _rewrapped(chart):
    """A chart whose title is wrapped again to a panel's width."""
    title = chart.title
    subtitle = title.subtitle if title.subtitle is not alt.Undefined else None
    return chart.properties(title=titled(" ".join(title.text), " ".join(subtitle) if subtitle else None, narrow=True))


def tooltips(words: Words) -> list[alt.Tooltip]:
    """Tooltip entries, in order, for fields that already hold text in the page's language."""
    return [alt.Tooltip(f"{field}:N", title=title) for field, title in words.items()]


def written(field: str, words: Words, wording: str | None = None) -> alt.Text:
    """The text a mark writes, from ``field``; a screen reader announces it under the title the
    tooltip gives that field (or the field it words, ``wording``), not under the field's name."""
    return alt.Text(f"{field}:N", title=words.get(wording or field, alt.Undefined))


def log_domain(values) -> list[float]:
    """Powers of ten around the positive values, for a logarithmic axis."""
    values = [v for v in values if pd.notna(v) and v > 0]
    return [10.0 ** math.floor(math.log10(min(values))), 10.0 ** math.ceil(math.log10(max(values)))]


def axis_for(unit: str, domain: Sequence[float] | None = None, log: bool = False) -> alt.Axis:
    """The axis of a unit: people and money in short forms, shares as percentages, powers of ten on a log axis."""
    if unit == "percent":
        return alt.Axis(format=".0%", tickCount=5)
    if unit == "change":
        return alt.Axis(format="+.0%", tickCount=5)
    labels = compact_labels(money=unit == "usd")
    # On a phone a panel is under 300 px wide: labels closer than 6 px are thinned out (every
    # other one on a linear axis, so the rest stay evenly spaced), not run together.
    if log:
        low, high = (round(math.log10(bound)) for bound in domain)
        return alt.Axis(labelExpr=labels, values=[10 ** k for k in range(low, high + 1)],
                        labelOverlap="greedy", labelSeparation=6)
    return alt.Axis(labelExpr=labels, tickCount=4, labelOverlap="parity", labelSeparation=6)


def scaled(unit: str, values: pd.Series) -> pd.Series:
    """Values as drawn: percentages (0-100 in the data) as fractions, for Vega's % format."""
    return values / 100 if unit in ("percent", "change") else values


def named_rows(field: str, order: Sequence[str], above: float = BAR / 2 + 3, inner: float = 0.1,
               outer: float = 0.7) -> alt.Y:
    """Rows whose names sit above their marks, left-aligned, inside the plot."""
    return alt.Y(f"{field}:N", sort=list(order), scale=alt.Scale(paddingInner=inner, paddingOuter=outer),
                 axis=alt.Axis(title=None, domain=False, ticks=False, grid=False, labelAlign="left",
                               labelBaseline="bottom", labelPadding=0, labelOffset=-above,
                               labelFontWeight="bold", labelLimit=0))


def faded(highlight: alt.Parameter | None):
    """Full opacity, or faded outside a linked selection."""
    return alt.condition(highlight, alt.value(1), alt.value(0.25)) if highlight is not None else alt.Undefined


def colour_map(colours: Colours | None, values) -> dict[str, str]:
    """Value -> colour: as given, or the listed colours (by default the house ones) given to
    the values in the order they first appear."""
    if isinstance(colours, Mapping):
        return dict(colours)
    return dict(zip(dict.fromkeys(values), colours or PALETTE))


def legend() -> alt.Legend:
    return alt.Legend(direction="vertical", labelLimit=0)


def finish(chart, title: str, subtitle: str | None, description: str | None, highlight=None, **properties):
    """The house words on a chart: wrapped title and subtitle, and the description for screen
    readers (a panel of a linked pair leaves it to the pair)."""
    if highlight is not None:
        chart = chart.add_params(highlight)
    if description is not None:
        properties["description"] = description
    return chart.properties(title=titled(title, subtitle), **properties)


def dumbbell(frame: pd.DataFrame, *, y: str, start: str, end: str, unit: str, axis_title: str, tooltip: Words,
             title: str, ends: tuple[str, str] | None = None, description: str | None = None,
             subtitle: str | None = None, log: bool = False, order: Sequence[str] | None = None,
             colour: str | None = None, colours: Colours | None = None, offset: bool = False,
             note: str | None = None, note_as: str = "{value}", missing: str | None = None,
             reference: float | None = None, highlight: alt.Parameter | None = None) -> alt.LayerChart:
    """One row per item: a circle at `start`, an arrowhead at `end` pointing the way it
    changed, and a line between them; a figure missing at either end leaves only the other.

    ``colour`` colours lines and markers by a field (`colour_map`: its values in ``colours``
    order), else the two ends get the first two house colours; with ``offset`` each value of ``colour``
    gets its own line within the row (two years of one platform). ``ends`` names the two
    ends in the legend (by default the indicators' labels, or the field names). ``note`` is
    written at the right of each row, as ``note_as`` words it ('{value} reached'); given ``note_as``
    or ``missing``, a row with no figure at its end reads ``missing``, one with neither 'not reported'.
    ``reference`` draws a dashed line at one value (100%).
    """
    frame = frame.reset_index(drop=True).copy()
    if ends is None:
        ends = tuple(indicator_label(field) if field in data.load().indicators else field for field in (start, end))
    said = note
    if note and (note_as != "{value}" or missing):
        frame["_note"] = [_(NOT_REPORTED) if pd.isna(a) and pd.isna(b) else missing if pd.isna(b) and missing
                          else note_as.format(value=text) for a, b, text in zip(frame[start], frame[end], frame[note])]
        note = "_note"
    if colour:
        colours = colour_map(colours, frame[colour])
    order = list(order if order is not None else dict.fromkeys(frame[y]))
    frame["_start"], frame["_end"] = scaled(unit, frame[start]), scaled(unit, frame[end])
    drawn = frame[["_start", "_end"]].stack()
    if log:
        domain = log_domain(drawn)
    else:
        values = [*drawn, *([scaled(unit, pd.Series([reference]))[0]] if reference is not None else [])]
        domain = [min(0.0, min(values)), max(values)]
        if unit in ("percent", "change"):  # room either side for the labels of shares near 100%
            domain = [min(values) - 0.25, max(values) + 0.25]
    x = lambda field: alt.X(f"{field}:Q", title=axis_title, axis=axis_for(unit, domain, log),
                            scale=alt.Scale(type="log" if log else "linear", domain=domain,
                                            nice=not log and unit not in ("percent", "change")))
    tips, opacity = tooltips(tooltip), faded(highlight)
    y_enc = named_rows(y, order, above=17 if offset else BAR / 2 + 3, inner=0.4 if offset else 0.1)
    extra = {"yOffset": alt.YOffset(f"{colour}:N", sort=list(colours))} if offset else {}
    if colour:
        colour_enc = alt.Color(f"{colour}:N", title=None, legend=legend(),
                               scale=alt.Scale(domain=list(colours), range=list(colours.values())))
    else:
        colour_enc = alt.Color("_which:N", title=None, legend=legend(),
                               scale=alt.Scale(domain=list(ends), range=PALETTE[:2]))
    base = alt.Chart(frame).encode(y=y_enc, tooltip=tips, opacity=opacity, **extra)
    line = base.transform_filter("isValid(datum._start) && isValid(datum._end)").mark_rule(
        strokeWidth=2 if colour else 3).encode(
        x=x("_start"), x2="_end:Q", **({"color": colour_enc} if colour else {"color": alt.value(GREY)}))
    points = pd.concat([frame.assign(_which=ends[0], _at=frame["_start"], _angle=0),
                        frame.assign(_which=ends[1], _at=frame["_end"],
                                     _angle=[0 if b >= a or pd.isna(a) else 180
                                             for a, b in zip(frame["_start"], frame["_end"])])])
    points = points[points["_at"].notna()]
    marks = alt.Chart(points).mark_point(filled=True, size=80, opacity=1).encode(
        y=y_enc, x=x("_at"), color=colour_enc, tooltip=tips, opacity=opacity,
        shape=alt.Shape("_which:N", title=None, legend=legend(),
                        scale=alt.Scale(domain=list(ends), range=["circle", "triangle-right"])),
        angle=alt.Angle("_angle:Q", scale=None), **extra)
    layers = [line, marks]
    if note:
        where = dict(baseline="middle") if offset else dict(baseline="bottom", dy=-(BAR / 2 + 3))
        layers.append(base.transform_calculate(_right=str(float(domain[1]))).mark_text(
            align="right", fontSize=11, **where).encode(x=x("_right"), text=written(note, tooltip, said),
                                                        color=alt.value(INK)))
    if reference is not None:
        at = float(scaled(unit, pd.Series([reference]))[0])
        layers.insert(0, alt.Chart(frame.head(1)).transform_calculate(_at=str(at)).mark_rule(
            strokeDash=[4, 3], color=INK).encode(x=x("_at")))
    return finish(alt.layer(*layers), title, subtitle, description, highlight,
                  height=alt.Step(16 if offset else ROW))


def bars(frame: pd.DataFrame, *, label: str, value: str, text: str, unit: str, axis_title: str,
         tooltip: Words, title: str, description: str | None = None, subtitle: str | None = None,
         text_as: str = "{value}", missing: str | None = None,
         high: str | None = None, qualifier: str | None = None, section: str | None = None,
         colour: str | None = None, colours: Colours | None = None,
         parts: Sequence[str] | None = None, domain: Sequence[float] | None = None,
         highlight: alt.Parameter | None = None) -> alt.LayerChart:
    """Horizontal bars, each named above itself and followed by its figure in words: ``text``,
    worded by ``text_as`` ('{value} funded'), or ``missing`` where the bar has no ``value``.

    ``high`` extends a bar, pale, to the upper end that a range or a lower bound leaves
    open (or to a whole it is part of); a missing ``value`` with a ``high`` draws only the
    pale whole, in grey. ``qualifier`` (the data's qualifier key) marks each bar's end as
    a lower bound, an upper bound or an approximate figure, with a legend saying so.
    ``section`` puts the rows under bold headings; ``colour`` colours bars by a field (`colour_map`);
    ``parts`` names the solid, pale and grey bars in a legend instead.
    """
    rows = frame.reset_index(drop=True).copy()
    rows["_value"] = scaled(unit, rows[value])
    said = text
    if text_as != "{value}" or missing:
        rows["_text"] = [missing if pd.isna(v) and missing else text_as.format(value=t)
                         for v, t in zip(rows[value], rows[text])]
        text = "_text"
    rows["_high"] = scaled(unit, rows[high]) if high else rows["_value"]
    rows["_label"] = [textwrap.wrap(str(name), LABEL_WIDTH) for name in rows[label]]
    depth = max(len(lines) for lines in rows["_label"])
    rows["_label"] = [[""] * (depth - len(lines)) + lines for lines in rows["_label"]]
    headings = pd.DataFrame(columns=["_line", "_heading"])
    if section:
        lines, line = [], 0
        for name, group in rows.groupby(section, sort=False):
            lines.append({"_line": line, "_heading": name})
            rows.loc[group.index, "_line"] = range(line + 1, line + 1 + len(group))
            line += 1 + len(group)
        headings = pd.DataFrame(lines)
    else:
        rows["_line"] = range(len(rows))
    rows["_line"] = rows["_line"].astype(int)
    widest = float(scaled(unit, pd.Series(domain)).max()) if domain else float(rows[["_value", "_high"]].max().max())
    rows["_end"], rows["_right"] = rows[["_value", "_high"]].max(axis=1), widest
    # Each bar's figure goes after its end, inside a long solid bar, or above a long pale one.
    # (the narrowest plot, a linked panel, is PANEL pixels wide; a bold character about 7.5).
    rows["_place"] = ["inside" if v > 0.75 * widest else "above" if e / widest + 7.5 * len(str(t)) / PANEL > 1
                      else "after" for v, e, t in zip(rows["_value"].fillna(0), rows["_end"].fillna(0), rows[text])]
    lines_domain = list(range(int(rows["_line"].max()) + 1))
    step = BAR + LINE * depth + 14
    drop = (LINE * depth + 3) / 2  # the bar sits below the middle of its row, its name above it
    y = alt.Y("_line:O", axis=None, scale=alt.Scale(domain=lines_domain, paddingInner=0, paddingOuter=0.2))
    scale = alt.Scale(domain=list(scaled(unit, pd.Series(domain)))) if domain else alt.Undefined
    x = lambda field: alt.X(f"{field}:Q", title=axis_title, axis=axis_for(unit), scale=scale)
    tips, opacity = tooltips(tooltip), faded(highlight)
    if colour:
        colours = colour_map(colours, rows[colour])
        fill = pale_fill = alt.Color(f"{colour}:N", legend=None,
                                     scale=alt.Scale(domain=list(colours), range=list(colours.values())))
    elif parts:  # solid, pale and grey bars named in a legend
        rows["_part"], rows["_pale"] = parts[0], [parts[1] if pd.notna(v) else parts[2] for v in rows["_value"]]
        named = alt.Scale(domain=list(parts), range=[PALETTE[0], "#a6cbe3", PALE_GREY])
        fill = alt.Color("_part:N", title=None, legend=legend(), scale=named)
        pale_fill = alt.Color("_pale:N", title=None, legend=legend(), scale=named)
    else:
        fill = pale_fill = alt.value(PALETTE[0])
    rows["_start"] = rows["_value"].fillna(0)
    base = alt.Chart(rows).encode(y=y, tooltip=tips, opacity=opacity)
    marks = [  # (layer, whether it draws anything): an empty layer is an unlabelled image to a screen reader
        (base.transform_filter("isValid(datum._value)").mark_bar(height=BAR, yOffset=drop).encode(
            x=x("_value"), color=fill), rows["_value"].notna().any()),
        (base.transform_filter("datum._high > datum._start").mark_bar(
            height=BAR, yOffset=drop, **({} if parts else {"opacity": 0.35})).encode(
            x=x("_start"), x2="_high:Q", color=pale_fill), (rows["_high"] > rows["_start"]).any()),
        (base.mark_text(align="left", baseline="bottom", lineHeight=LINE, fontSize=12,
                        dy=drop - BAR / 2 - 3 - LINE * (depth - 1)).encode(x=alt.value(0), text="_label"), True),
    ]
    figure = dict(fontSize=12, fontWeight="bold", yOffset=drop)
    room = 10 if qualifier else 0  # for the bound marker at the bar's end
    placed = {
        "after": dict(align="left", dx=4 + room, field="_end", colour=INK),
        "inside": dict(align="right", dx=-4 - room, field="_value", colour="white"),
        "above": dict(align="right", baseline="bottom", dy=-BAR / 2 - 3, field="_right", colour=INK),
    }
    for place, how in placed.items():
        field, colour_ = how.pop("field"), how.pop("colour")
        layer = base.transform_filter(f"datum._place == '{place}'").mark_text(**figure, **how).encode(
            x=alt.X(f"{field}:Q", scale=scale), text=written(text, tooltip, said), color=alt.value(colour_))
        marks.append((layer, (rows["_place"] == place).any()))
    layers = [layer for layer, drawn in marks if drawn]
    if qualifier:
        rows["_bound"] = [_(BOUND_WORDS[BOUNDS[q]]) if q in BOUNDS else None for q in rows[qualifier]]
        kinds = [k for k in BOUND_WORDS if _(BOUND_WORDS[k]) in set(rows["_bound"])]
        marked = alt.Chart(rows[rows["_bound"].notna()]).mark_point(
            size=150, filled=True, opacity=1, color=INK, yOffset=drop).encode(
            y=y, x=alt.X("_value:Q", scale=scale), tooltip=tips,
            shape=alt.Shape("_bound:N", title=None, legend=legend(), scale=alt.Scale(
                domain=[_(BOUND_WORDS[k]) for k in kinds], range=[BOUND_SHAPES[k] for k in kinds])))
        layers.append(marked)
    if section:
        layers.append(alt.Chart(headings).mark_text(align="left", fontWeight="bold", fontSize=12, yOffset=drop).encode(
            y=y, x=alt.value(0), text="_heading:N"))
    return finish(alt.layer(*layers), title, subtitle, description, highlight, height=alt.Step(step))


def stacked_shares(frame: pd.DataFrame, *, y: str, part: str, share: str, text: str, colours: Mapping[str, str],
                   tooltip: Words, title: str, description: str, subtitle: str | None = None,
                   legend_title: str | None = None) -> alt.LayerChart:
    """One bar per row, split into its parts (shares on a 0-100 scale, in ``colours`` order),
    each share written on its segment."""
    frame = frame.copy()
    frame["_order"] = frame[part].map(list(colours).index)
    frame = frame.sort_values([y, "_order"], kind="stable")
    frame["_end"] = frame.groupby(y, sort=False)[share].cumsum() / 100
    frame["_start"] = frame["_end"] - frame[share] / 100
    frame["_middle"] = (frame["_start"] + frame["_end"]) / 2
    base = alt.Chart(frame).encode(y=named_rows(y, list(dict.fromkeys(frame[y])), above=18, outer=0.5),
                                   tooltip=tooltips(tooltip))
    segments = base.mark_bar(size=28).encode(
        x=alt.X("_start:Q", title=None, axis=axis_for("percent"),
                scale=alt.Scale(domain=[0, float(frame["_end"].max())], nice=False)),
        x2="_end:Q",
        color=alt.Color(f"{part}:N", title=legend_title, legend=alt.Legend(columns=2, labelLimit=0),
                        scale=alt.Scale(domain=list(colours), range=list(colours.values()))))
    shares = base.mark_text(fontSize=11, color="black").encode(x="_middle:Q", text=written(text, tooltip))
    return finish(segments + shares, title, subtitle, description, height=alt.Step(60))


def diverging(frame: pd.DataFrame, *, y: str, value: str, band: str, label: str, colour: str,
              axis_title: str, tooltip: Words, title: str, description: str,
              subtitle: str | None = None) -> alt.LayerChart:
    """Signed differences (0-100 scale) as bars either side of zero, each over a grey band
    of ±``band`` (what rounding allows), labelled beside zero on the side its bar leaves free."""
    frame = frame.reset_index(drop=True).assign(_value=lambda d: d[value] / 100, _band=lambda d: d[band] / 100)
    x = lambda field: alt.X(f"{field}:Q", axis=axis_for("change"),
                            title=textwrap.wrap(axis_title, LABEL_WIDTH))
    base = alt.Chart(frame).encode(y=named_rows(y, list(frame[y])), tooltip=tooltips(tooltip))
    bars_ = base.mark_bar(size=BAR).encode(x=x("_value"), color=alt.Color(
        f"{colour}:N", title=None, legend=alt.Legend(columns=3, labelLimit=0)))
    rounding = base.transform_calculate(_low="-datum._band").mark_bar(size=BAR + 8, color="#e0e0e0").encode(
        x=x("_low"), x2="_band:Q")
    zero = base.mark_rule(color=INK).encode(x=alt.datum(0))
    labels = [base.transform_filter(test).mark_text(align=align, dx=dx, fontSize=11).encode(
                  x=alt.datum(0), text=written(label, tooltip))
              for test, align, dx in (("datum._value < 0", "left", 6), ("datum._value >= 0", "right", -6))]
    return finish(alt.layer(rounding, bars_, zero, *labels), title, subtitle, description, height=alt.Step(ROW))


def pick(field: str) -> alt.Parameter:
    """A click selection on ``field``, shared by the panels of a linked pair (double-click clears)."""
    return alt.selection_point(name="pick", fields=[field], on="click", clear="dblclick")


def linked(top, bottom, *, title: str, description: str, subtitle: str | None = None) -> alt.VConcatChart:
    """Two panels one above the other, built with the same `pick`: clicking an item in
    either highlights it in both. Each keeps its own colours and legend."""
    with warnings.catch_warnings():  # both panels carry the one `pick`: Altair merges it, as meant, and says so
        warnings.filterwarnings("ignore", message="Automatically deduplicated selection parameter")
        pair = alt.vconcat(*(_rewrapped(panel).properties(width=PANEL) for panel in (top, bottom)), spacing=30)
    return pair.resolve_scale(color="independent", shape="independent").properties(
        autosize=alt.AutoSizeParams(type="pad"),  # compound charts keep their own width
        title=titled(title, subtitle, narrow=True), description=description)


def lollipops_by_choice(frame: pd.DataFrame, *, x: str, series: str, value: str, choose: str,
                        options: Mapping[str, str], axis_title: str, tooltip: Words, title: str,
                        description: str, subtitle: str | None = None, menu: str = "") -> alt.LayerChart:
    """Lollipops on a logarithmic scale of people, one per ``series`` within each ``x`` (years),
    for the item chosen in a menu below the chart (``options``: key -> name, the first shown
    first), each labelled with its figure (short from 10,000: 34.3K). A missing value sits on
    the axis floor with only its label, 'n/a'."""
    from .i18n import amount

    names = list(dict.fromkeys(frame[series]))
    low, high = log_domain(frame[value])
    frame = frame.assign(_y=frame[value].fillna(low), _label=[
        _(NOT_AVAILABLE) if pd.isna(v) else amount(v, "persons", short=v >= 1e4) for v in frame[value]])
    menu_param = alt.param(name="choice", value=next(iter(options)), bind=alt.binding_select(
        options=list(options), labels=list(options.values()), name=menu))
    kinds = dict(scale=alt.Scale(domain=names), title=None, legend=legend())
    base = alt.Chart(frame).transform_filter(alt.datum[choose] == menu_param).encode(
        x=alt.X(f"{x}:N", title=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset(f"{series}:N", scale=alt.Scale(domain=names)),
        y=alt.Y("_y:Q", title=axis_title, scale=alt.Scale(type="log", domain=[low, high]),
                axis=axis_for("persons", [low, high], log=True)),
        color=alt.Color(f"{series}:N", **kinds), shape=alt.Shape(f"{series}:N", **kinds),
        tooltip=tooltips(tooltip))
    reported = base.transform_filter(f"isValid(datum[{json.dumps(value)}])")
    stems = reported.mark_rule(strokeWidth=2).encode(y2=alt.datum(low))
    dots = reported.mark_point(filled=True, size=70, opacity=1)
    labels = base.mark_text(angle=270, align="left", dx=8, fontSize=11).encode(
        text=written("_label", tooltip, value), color=alt.value(INK))
    return finish((stems + dots + labels).add_params(menu_param), title, subtitle, description, height=320)
