"""What a demo hands the screen: tables, plots and a lesson, as plain data (no Rich, no torch).

A demo module builds a `Report` from its `Result` in `report(result)`; `tutor.ui` draws it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

Cell = str | int | float
Progress = Callable[[int, int, dict], None]  # (step, total, metrics) for demos that train


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Cell]]


@dataclass
class Series:
    name: str
    x: list[float]
    y: list[float]


@dataclass
class Plot:
    title: str
    series: list[Series]
    x_label: str = ""
    y_label: str = ""
    log_y: bool = False  # use when the values span orders of magnitude


@dataclass
class Report:
    lesson: str  # one or two sentences that cite the figures just computed
    tables: list[Table] = field(default_factory=list)
    plots: list[Plot] = field(default_factory=list)
