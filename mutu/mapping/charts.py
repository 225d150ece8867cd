"""The standards chart as HTML bars, readable from a 360 px phone to an A4 page (WeasyPrint draws the
same markup): one group per standard, one named bar per series with its value written on it, and the
level of the first series named beside the standard, so that no meaning rests on colour alone."""

from .scoring import SCALE

# Series colours with at least 3:1 contrast on white (WCAG 2.1 AA for graphics).
SERIES_COLORS = ["#0b5cad", "#b45309", "#4b5563", "#047857"]


def standards_chart(labels, series, level_of=None, scale=SCALE, label=""):
    """labels: one per standard; series: [(name, [value 0–`scale` or None per standard])]; level_of: the
    band of a value (named beside each standard, for the first series). A negative value (a change) is
    drawn by its size; its number, written on the bar, keeps the sign."""
    groups = []
    for g, label in enumerate(labels):
        bars = [
            {
                "name": name,
                "value": values[g],
                "percent": f"{100 * min(abs(values[g]) / scale, 1):.2f}" if values[g] is not None else "0",
                "color": SERIES_COLORS[s % len(SERIES_COLORS)],
            }
            for s, (name, values) in enumerate(series)
        ]
        first = series[0][1][g] if series else None
        groups.append(
            {"label": label, "bars": bars, "level": level_of(first) if level_of and first is not None else None}
        )
    legend = [{"name": name, "color": SERIES_COLORS[i % len(SERIES_COLORS)]} for i, (name, _v) in enumerate(series)]
    return {"groups": groups, "legend": legend, "label": label}
