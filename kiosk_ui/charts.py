"""Charts for the pages and the PDF report, drawn on the server by matplotlib as SVG.

matplotlib is maintained, draws without a display or a browser, and writes SVG whose
text is turned into outlines (``svg.fonttype = "path"``): Chinese labels look the same
in any browser and in the PDF, using the server's Noto Sans CJK (Debian's
``fonts-noto-cjk``) and nothing fetched at run time. Only the object API is used (no
pyplot state), and each drawing is remembered for the same data.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import matplotlib

matplotlib.use("Agg")

from markupsafe import Markup  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import PercentFormatter  # noqa: E402

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


def _register_cjk_fonts() -> None:
    """matplotlib lists the system's fonts once and caches the list: a CJK font installed
    after that (``make test`` installs fonts-noto-cjk) is added here, so that labels
    never fall back to empty boxes."""
    from matplotlib import font_manager

    known = font_manager.fontManager.ttflist
    if any(f.name.startswith("Noto Sans CJK") for f in known):
        return
    for path in font_manager.findSystemFonts(fontext="ttf"):
        if "NotoSansCJK" in path.replace(" ", ""):
            font_manager.fontManager.addfont(path)


_register_cjk_fonts()
PALETTE = ("#0b5394", "#a4161a", "#1d6b2f", "#b8860b", "#6a3d9a", "#4a4a4a")
Series = Sequence[tuple[str, Sequence[float | None]]]


def _svg(figure: Figure, label: str) -> Markup:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(
        r'<svg([^>]*?) width="[^"]+" height="[^"]+"',
        rf'<svg\1 class="chart-svg" role="img" aria-label="{label}"',
        text,
        count=1,
    )
    return Markup(text)


def _figure(width: float, height: float) -> tuple[Figure, Any]:
    figure = Figure(figsize=(width, height), dpi=96, layout="constrained")
    return figure, figure.add_subplot()


def _finish(axes: Any, series: Series, *, percent: bool, horizontal: bool = False) -> None:
    axis = axes.xaxis if horizontal else axes.yaxis
    if percent:
        axis.set_major_formatter(PercentFormatter(1.0, decimals=0))
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
) -> Markup:
    figure, axes = _figure(*size)
    width = 0.8 / max(len(series), 1)
    positions = range(len(categories))
    for i, (name, values) in enumerate(series):
        offsets = [p - 0.4 + width * (i + 0.5) for p in positions]
        draw = axes.barh if horizontal else axes.bar
        draw(offsets, _values(values), width, label=name, color=PALETTE[i % len(PALETTE)])
    if horizontal:
        axes.set_yticks(list(positions), categories)
        axes.invert_yaxis()
    else:
        axes.set_xticks(list(positions), categories, rotation=30 if len(categories) > 8 else 0)
    _finish(axes, series, percent=percent, horizontal=horizontal)
    return _svg(figure, label)


def bars(
    categories: Sequence[str],
    series: Series,
    *,
    percent: bool = False,
    horizontal: bool = False,
    label: str = "",
    size: tuple[float, float] = (6.4, 2.8),
) -> Markup:
    """Grouped bars: one group per category, one bar per series."""
    if not categories:
        return Markup("")
    frozen = tuple((name, tuple(values)) for name, values in series)
    return _bars(tuple(categories), frozen, percent, horizontal, label, size)


@lru_cache(maxsize=256)
def _lines(
    categories: tuple[str, ...],
    series: tuple[tuple[str, tuple[float | None, ...]], ...],
    percent: bool,
    label: str,
    size: tuple[float, float],
    annotate: tuple[str, ...],
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
    _finish(axes, series, percent=percent)
    return _svg(figure, label)


def lines(
    categories: Sequence[str],
    series: Series,
    *,
    percent: bool = False,
    label: str = "",
    size: tuple[float, float] = (6.4, 2.8),
    annotate: Sequence[str] = (),
) -> Markup:
    """One line per series over ordered categories (days, periods)."""
    if not categories:
        return Markup("")
    frozen = tuple((name, tuple(values)) for name, values in series)
    return _lines(tuple(categories), frozen, percent, label, size, tuple(annotate))


# ---------------------------------------------------------------- the dashboard's charts


def trend_svg(points: Sequence[tuple[str, float, str]]) -> Markup:
    """A score trend: (period, score, grade) per point, each labelled with its grade."""
    return lines(
        [p[0] for p in points],
        [("score", [p[1] for p in points])],
        label="score trend",
        size=(5.8, 2.2),
        annotate=[f"{p[2]} {p[1]:g}" for p in points],
    )


def bar_svg(rows: Sequence[dict[str, Any]]) -> Markup:
    """Observed against predicted failure share per grade, as paired bars."""
    return bars(
        [str(r["grade"]) for r in rows],
        [
            ("实际不合格率", [r["observed"] for r in rows]),
            ("模型预测风险", [r["predicted"] for r in rows]),
        ],
        percent=True,
        label="observed and predicted failure share per grade",
        size=(4.6, 2.2),
    )
