"""Line plots drawn with characters, for demos: one distinct marker per series, so they read without colour."""

from __future__ import annotations

import math

from tutor.demos.report import Plot

MARKERS = "●+×◆▲■*#"


def _fmt(value: float, log: bool) -> str:
    if log:
        return f"1e{value:+.0f}" if value == round(value) else f"{10 ** value:.0e}"
    return f"{value:.0f}" if value == round(value) and abs(value) < 1e7 else f"{value:.3g}"


def draw(plot: Plot, width: int = 72, height: int = 12) -> list[str]:
    """The plot as text lines (axes, curves, x labels, legend) fitting in `width` columns."""
    points = []
    for index, series in enumerate(plot.series):
        for x, y in zip(series.x, series.y):
            if y is None or x is None or (plot.log_y and y <= 0) or not math.isfinite(y):
                continue
            points.append((float(x), math.log10(y) if plot.log_y else float(y), index))
    if not points:
        return [f"{plot.title}: nothing to plot"]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x_lo, x_hi, y_lo, y_hi = min(xs), max(xs), min(ys), max(ys)
    if plot.log_y:
        y_lo, y_hi = math.floor(y_lo), math.ceil(y_hi)
    if y_hi == y_lo:
        y_hi, y_lo = y_hi + 1, y_lo - 1
    if x_hi == x_lo:
        x_hi += 1
    labels = [_fmt(y_hi, plot.log_y), _fmt((y_hi + y_lo) / 2, plot.log_y), _fmt(y_lo, plot.log_y)]
    pad = max(len(s) for s in labels)
    cols = max(10, width - pad - 2)
    grid = [[" "] * cols for _ in range(height)]
    for x, y, index in points:
        col = round((x - x_lo) / (x_hi - x_lo) * (cols - 1))
        row = height - 1 - round((y - y_lo) / (y_hi - y_lo) * (height - 1))
        grid[row][col] = MARKERS[index % len(MARKERS)]
    lines = [plot.title + (f"  ({plot.y_label}, log scale)" if plot.log_y else f"  ({plot.y_label})" if plot.y_label else "")]
    label_rows = {0: labels[0], (height - 1) // 2: labels[1], height - 1: labels[2]}
    for row in range(height):
        label = label_rows.get(row, "")
        lines.append(f"{label:>{pad}} {'┤' if label else '│'}{''.join(grid[row])}")
    lines.append(" " * pad + " └" + "─" * cols)
    left, right = _fmt(x_lo, False), _fmt(x_hi, False)
    lines.append(" " * (pad + 2) + left + right.rjust(cols - len(left)))
    if plot.x_label:
        lines.append(" " * (pad + 2) + plot.x_label.center(cols).rstrip())
    legend = "  ".join(f"{MARKERS[i % len(MARKERS)]} {s.name}" for i, s in enumerate(plot.series))
    lines += _wrap(legend, width)
    return lines


def _wrap(text: str, width: int) -> list[str]:
    out, line = [], ""
    for part in text.split("  "):
        if line and len(line) + 2 + len(part) > width:
            out.append(line)
            line = part
        else:
            line = f"{line}  {part}" if line else part
    return out + [line]
