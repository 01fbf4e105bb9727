"""Charts for the pages and the PDF report, drawn on the server by matplotlib as SVG.

matplotlib is maintained, draws without a display or a browser, and writes SVG whose
text is turned into outlines (``svg.fonttype = "path"``): Chinese labels look the same
in any browser and in the PDF, using the server's Noto Sans CJK (Debian's
``fonts-noto-cjk``) and nothing fetched at run time. Only the object API is used (no
pyplot state), and each drawing is remembered for the same data.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import matplotlib

matplotlib.use("Agg")

from markupsafe import Markup, escape  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import PercentFormatter  # noqa: E402


def _ensure_cjk_font() -> None:
    """A font cache written before ``fonts-noto-cjk`` was installed does not know it, and
    Chinese labels would fall back to boxes: add the installed Noto CJK faces."""
    if any(f.name.startswith("Noto Sans CJK") for f in font_manager.fontManager.ttflist):
        return
    for path in font_manager.findSystemFonts():
        if "NotoSansCJK" in path:
            font_manager.fontManager.addfont(path)


_ensure_cjk_font()
matplotlib.rcParams.update(
    {
        "font.family": ["Noto Sans CJK SC", "Noto Sans CJK JP", "DejaVu Sans"],
        "svg.fonttype": "path",
        "svg.hashsalt": "servicedesk",  # the same data draws the same SVG
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.unicode_minus": False,
        "font.size": 9,
    }
)


PALETTE = ("#0b5394", "#a4161a", "#1d6b2f", "#b8860b", "#6a3d9a", "#4a4a4a")
Series = Sequence[tuple[str, Sequence[float | None]]]
Gettext = Callable[[str], str]
# Beyond this many bars, value labels would overlap: the axis carries the scale alone.
MAX_LABELLED_BARS = 24


def same(text: str) -> str:
    return text


@dataclass(frozen=True)
class Frame:
    """What makes a chart defensible: named axes with units, and a fixed value range
    where a small change must not look like a cliff (scores 0–100, rates 0–100 %)."""

    xlabel: str = ""
    ylabel: str = ""
    ylim: tuple[float, float] | None = None


def _svg(figure: Figure, label: str) -> Markup:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(
        r'<svg([^>]*?) width="[^"]+" height="[^"]+"',
        rf'<svg\1 class="chart-svg" role="img" aria-label="{escape(label)}"',
        text,
        count=1,
    )
    return Markup(text)


def _figure(width: float, height: float) -> tuple[Figure, Any]:
    figure = Figure(figsize=(width, height), dpi=96, layout="constrained")
    return figure, figure.add_subplot()


def _number(value: float, percent: bool) -> str:
    if math.isnan(value):
        return ""
    if percent:
        return f"{value * 100:.0f}%" if value * 100 >= 10 else f"{value * 100:.1f}%"
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:.3g}"


def _finish(
    axes: Any, series: Series, *, percent: bool, frame: Frame, horizontal: bool = False
) -> None:
    axis = axes.xaxis if horizontal else axes.yaxis
    if percent:
        axis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    limits = frame.ylim or ((0.0, 1.0) if percent else None)
    if limits is not None:
        (axes.set_xlim if horizontal else axes.set_ylim)(*limits)
    value_label = axes.set_xlabel if horizontal else axes.set_ylabel
    category_label = axes.set_ylabel if horizontal else axes.set_xlabel
    value_label(frame.ylabel)
    category_label(frame.xlabel)
    if len(series) > 1:
        axes.legend(frameon=False, fontsize=8)
    axes.grid(axis="x" if horizontal else "y", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)


def _values(values: Sequence[float | None]) -> list[float]:
    return [float("nan") if v is None else float(v) for v in values]


@lru_cache(maxsize=256)
def _bars(
    categories: tuple[str, ...],
    series: tuple[tuple[str, tuple[float | None, ...]], ...],
    percent: bool,
    horizontal: bool,
    label: str,
    size: tuple[float, float],
    frame: Frame,
) -> Markup:
    figure, axes = _figure(*size)
    width = 0.8 / max(len(series), 1)
    positions = range(len(categories))
    labelled = len(categories) * len(series) <= MAX_LABELLED_BARS
    for i, (name, values) in enumerate(series):
        offsets = [p - 0.4 + width * (i + 0.5) for p in positions]
        draw = axes.barh if horizontal else axes.bar
        bars = draw(offsets, _values(values), width, label=name, color=PALETTE[i % len(PALETTE)])
        if labelled:
            texts = [_number(v, percent) for v in _values(values)]
            axes.bar_label(bars, labels=texts, padding=2, fontsize=7)
    if horizontal:
        axes.set_yticks(list(positions), categories)
        axes.invert_yaxis()
    else:
        axes.set_xticks(list(positions), categories, rotation=30 if len(categories) > 8 else 0)
    _finish(axes, series, percent=percent, frame=frame, horizontal=horizontal)
    return _svg(figure, label)


def bars(
    categories: Sequence[str],
    series: Series,
    *,
    percent: bool = False,
    horizontal: bool = False,
    label: str = "",
    size: tuple[float, float] = (6.4, 2.8),
    frame: Frame = Frame(),
) -> Markup:
    """Grouped bars: one group per category, one bar per series, each bar labelled
    with its value (rates as percentages, on a 0–100 % axis)."""
    if not categories:
        return Markup("")
    frozen = tuple((name, tuple(values)) for name, values in series)
    return _bars(tuple(categories), frozen, percent, horizontal, label, size, frame)


@lru_cache(maxsize=256)
def _lines(
    categories: tuple[str, ...],
    series: tuple[tuple[str, tuple[float | None, ...]], ...],
    percent: bool,
    label: str,
    size: tuple[float, float],
    annotate: tuple[str, ...],
    frame: Frame,
) -> Markup:
    figure, axes = _figure(*size)
    for i, (name, values) in enumerate(series):
        axes.plot(
            list(categories), _values(values), marker="o", markersize=3, linewidth=1.6,
            label=name, color=PALETTE[i % len(PALETTE)],
        )  # fmt: skip
    for text, x, y in zip(annotate, categories, series[0][1] if series else (), strict=False):
        if y is not None:
            axes.annotate(text, (x, y), textcoords="offset points", xytext=(0, 6), ha="center")
    step = max(1, len(categories) // 10)
    axes.set_xticks(list(categories)[::step], list(categories)[::step], rotation=30)
    _finish(axes, series, percent=percent, frame=frame)
    if frame.ylim is None and not percent:
        axes.set_ylim(bottom=0)  # counts start at zero: no change looks steeper than it is
    return _svg(figure, label)


def lines(
    categories: Sequence[str],
    series: Series,
    *,
    percent: bool = False,
    label: str = "",
    size: tuple[float, float] = (6.4, 2.8),
    annotate: Sequence[str] = (),
    frame: Frame = Frame(),
) -> Markup:
    """One line per series over ordered categories (days, periods), from zero up."""
    if not categories:
        return Markup("")
    frozen = tuple((name, tuple(values)) for name, values in series)
    return _lines(tuple(categories), frozen, percent, label, size, tuple(annotate), frame)


# ---------------------------------------------------------------- the dashboard's charts


def trend_svg(points: Sequence[tuple[str, float, str]], _: Gettext = same) -> Markup:
    """A score trend: (period, score, grade) per point, each labelled with its grade,
    on the score's whole 0–100 range so that a point's change is not drawn as a cliff."""
    top = max([100.0, *(p[1] for p in points)])
    return lines(
        [p[0] for p in points],
        [(_("得分"), [p[1] for p in points])],
        label=_("得分走势"),
        size=(5.8, 2.4),
        annotate=[f"{p[2]} {p[1]:.1f}" for p in points],
        frame=Frame(xlabel=_("评级期间"), ylabel=_("得分（0–100）"), ylim=(0.0, top + 8)),
    )


def bar_svg(rows: Sequence[dict[str, Any]], _: Gettext = same) -> Markup:
    """Observed against predicted failure share per grade, as paired bars, each grade
    with the number of spot checks behind it."""
    return bars(
        [f"{r['grade']} (n={r['n']})" for r in rows],
        [
            (_("实际不合格率"), [r["observed"] for r in rows]),
            (_("模型预测风险"), [r["predicted"] for r in rows]),
        ],
        percent=True,
        label=_("各等级抽查不合格率：实际与模型预测"),
        size=(4.8, 2.6),
        frame=Frame(xlabel=_("评级等级（n = 已抽查数）"), ylabel=_("不合格率")),
    )
