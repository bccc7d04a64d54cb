"""Bar charts as SVG geometry computed on the server: no script, no chart library, no CDN.

The templates draw the rectangles; the same numbers stand beside each chart as a table.
"""

from __future__ import annotations

from dataclasses import dataclass

BAR_HEIGHT = 18
BAR_GAP = 6
LABEL_WIDTH = 200
PLOT_WIDTH = 420
COLUMN_WIDTH = 28
COLUMN_GAP = 8
PLOT_HEIGHT = 200


@dataclass
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    text_x: float
    text_y: float


@dataclass
class Chart:
    bars: list[Bar]
    width: int
    height: int
    label_width: int = LABEL_WIDTH

    def __bool__(self) -> bool:
        return bool(self.bars)


def bars(rows: list[tuple[str, int]]) -> Chart:
    """Horizontal bars, one per row, longest for the largest value."""
    top = max((value for _, value in rows), default=0) or 1
    chart_bars = []
    for index, (label, value) in enumerate(rows):
        y = index * (BAR_HEIGHT + BAR_GAP)
        width = round(PLOT_WIDTH * value / top, 1)
        chart_bars.append(
            Bar(label, value, LABEL_WIDTH, y, width, BAR_HEIGHT, LABEL_WIDTH + width + 4, y + BAR_HEIGHT - 4)
        )
    height = max(len(rows) * (BAR_HEIGHT + BAR_GAP), BAR_HEIGHT)
    return Chart(chart_bars, LABEL_WIDTH + PLOT_WIDTH + 60, height)


def columns(rows: list[tuple[str, int]]) -> Chart:
    """Vertical columns in the given order (years left to right)."""
    top = max((value for _, value in rows), default=0) or 1
    chart_bars = []
    for index, (label, value) in enumerate(rows):
        x = index * (COLUMN_WIDTH + COLUMN_GAP)
        height = round(PLOT_HEIGHT * value / top, 1)
        chart_bars.append(
            Bar(
                label, value, x, 20 + PLOT_HEIGHT - height, COLUMN_WIDTH, height, x + COLUMN_WIDTH / 2, PLOT_HEIGHT + 36
            )
        )
    return Chart(chart_bars, max(len(rows) * (COLUMN_WIDTH + COLUMN_GAP), COLUMN_WIDTH), PLOT_HEIGHT + 44, 0)
