"""Server-drawn SVG charts: plain numbers prepared here so templates never localise them."""

BAR_HEIGHT = 7
GROUP_GAP = 8
LABEL_WIDTH = 150
PLOT_WIDTH = 330
SERIES_COLORS = ["#0b5cad", "#7aa6d6", "#a5a5a5", "#d0d0d0"]


def _fmt(value):
    return f"{value:.1f}"


def standards_chart(labels, series):
    """Grouped horizontal bars, one group per standard, one bar per series (name, values 0–7 or None)."""
    groups = []
    bar_count = len(series)
    group_height = bar_count * BAR_HEIGHT + GROUP_GAP
    for g, label in enumerate(labels):
        top = 24 + g * group_height
        bars = []
        for s, (name, values) in enumerate(series):
            value = values[g]
            bars.append(
                {
                    "y": top + s * BAR_HEIGHT,
                    "width": _fmt(PLOT_WIDTH * value / 7) if value is not None else "0",
                    "label": _fmt(value) if value is not None else "–",
                    "text_x": _fmt(LABEL_WIDTH + 4 + (PLOT_WIDTH * value / 7 if value is not None else 0)),
                    "color": SERIES_COLORS[s % len(SERIES_COLORS)],
                    "name": name,
                }
            )
        groups.append({"label": label, "y": _fmt(top + bar_count * BAR_HEIGHT / 2 + 3), "bars": bars})
    height = 24 + len(labels) * group_height + 10
    ticks = [{"x": _fmt(LABEL_WIDTH + PLOT_WIDTH * t / 7), "label": str(t)} for t in range(8)]
    legend = [
        {
            "x": LABEL_WIDTH + i * 110,
            "text_x": LABEL_WIDTH + i * 110 + 14,
            "color": SERIES_COLORS[i % len(SERIES_COLORS)],
            "name": name,
        }
        for i, (name, _values) in enumerate(series)
    ]
    return {
        "width": LABEL_WIDTH + PLOT_WIDTH + 40,
        "height": height,
        "groups": groups,
        "ticks": ticks,
        "legend": legend,
        "label_width": LABEL_WIDTH,
        "plot_bottom": height - 10,
    }
