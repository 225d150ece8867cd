"""Bar charts for the homes: one row per kab/kota or step, its bar an SVG drawn from segments, the whole
row a link to the schools behind it. Labels and numbers are HTML beside the bar, so they stay readable
at 360 px and to screen readers; no meaning rests on colour alone (each number is written)."""

from dataclasses import dataclass, field

OK, WAITING, NEUTRAL = "#1e7b3a", "#a15c00", "#0b5cad"
EMPTY = "#dde3ea"  # what is not there yet: the rest of the bar


@dataclass
class BarRow:
    label: str
    value: int
    total: int
    url: str
    text: str  # what the numbers say, written beside the bar: "12 dari 40"
    color: str = NEUTRAL


@dataclass
class Chart:
    title: str
    rows: list = field(default_factory=list)
    note: str = ""

    @property
    def scale(self):
        return max([row.total for row in self.rows] + [1])

    def bars(self):
        """Each row with the widths (0–100) of its filled part and of its rest, on the chart's scale."""
        scale = self.scale
        for row in self.rows:
            filled = 100 * row.value / scale
            yield row, f"{filled:.2f}", f"{100 * row.total / scale - filled:.2f}"
