"""A self-contained HTML validation report: figures, tables and inline SVG plots.

Nothing is loaded from the internet: styles and plots are inline, so the page opens
on an intranet or from a USB stick.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_curve

from credit._points import FeaturePoints

_W, _H, _PAD = 360, 260, 40
_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;
text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
.plots{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}figcaption{font-size:.9em;color:#555}
.bad{color:#b00020;font-weight:bold}svg text{font-size:11px}
"""


def render_report(
    *,
    title: str,
    summary: dict[str, Any],
    report: dict[str, Any],
    features: Sequence[FeaturePoints],
    scores: Sequence[float],
    y: Sequence[int],
) -> str:
    """The HTML page for one card evaluated on one labelled data set."""
    parts = [
        f"<h1>{escape(title)}</h1>",
        f"<p>Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.</p>",
        _key_value_table("Card", summary),
        _metrics_section(report),
        '<div class="plots">',
        _figure("ROC curve", _roc_svg(scores, y)),
        _figure(
            "Calibration: predicted vs observed bad rate per score band", _calibration_svg(report)
        ),
        _figure("Score distribution: good (blue) and bad (red)", _histogram_svg(report)),
        "</div>",
        _records_table("Calibration table", report["calibration_table"]),
        _records_table("Per-grade binomial check", report["grade_check"], flag="ok"),
        _stability_section(report),
        _features_section(features),
    ]
    body = "\n".join(parts)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title><style>{_STYLE}</style></head><body>{body}</body></html>"
    )


def _metrics_section(report: dict[str, Any]) -> str:
    keys = {
        "n": "rows",
        "n_bad": "bad rows",
        "auc": "AUC",
        "ks": "KS",
        "gini": "Gini",
        "brier": "Brier",
    }
    return _key_value_table("Validation figures", {label: report[k] for k, label in keys.items()})


def _stability_section(report: dict[str, Any]) -> str:
    if "psi" not in report:
        return ""
    rows = [{"feature": name, "CSI": value} for name, value in report["csi"].items()]
    return f"<h2>Stability</h2><p>Score PSI: {report['psi']:.4f}</p>" + _records_table("CSI", rows)


def _features_section(features: Sequence[FeaturePoints]) -> str:
    out = ["<h2>Bins and points</h2>"]
    for fp in features:
        rows: list[dict[str, Any]] = [
            {"bin": label, "points": pts}
            for label, pts in zip(fp.binning.labels(), fp.points, strict=True)
        ]
        if fp.missing_points is not None:
            rows.append({"bin": "missing", "points": fp.missing_points})
        if fp.unseen_points is not None:
            rows.append({"bin": "unseen / other", "points": fp.unseen_points})
        out.append(_records_table(fp.name, rows))
    return "\n".join(out)


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else '<span class="bad">NO</span>'
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    if value is None:
        return ""
    return escape(str(value))


def _key_value_table(title: str, data: dict[str, Any]) -> str:
    rows = "".join(f"<tr><th>{escape(str(k))}</th><td>{_fmt(v)}</td></tr>" for k, v in data.items())
    return f"<h2>{escape(title)}</h2><table>{rows}</table>"


def _records_table(
    title: str, records: Sequence[dict[str, Any]], *, flag: str | None = None
) -> str:
    if not records:
        return ""
    head = "".join(f"<th>{escape(k)}</th>" for k in records[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{_fmt(v)}</td>" for v in r.values()) + "</tr>" for r in records
    )
    note = (
        f"<p>{escape(flag)} = NO marks a grade whose predicted bad rate lies outside the 95 % "
        "interval of its observed rate (two-sided, p &lt; 0.05): flag says whether the grade "
        "is riskier or safer than predicted.</p>"
        if flag
        else ""
    )
    return f"<h3>{escape(title)}</h3><table><tr>{head}</tr>{body}</table>{note}"


def _figure(caption: str, svg: str) -> str:
    return f"<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>"


def _scale(
    values: Sequence[float], lo: float, hi: float, out_lo: float, out_hi: float
) -> list[float]:
    span = (hi - lo) or 1.0
    return [out_lo + (v - lo) / span * (out_hi - out_lo) for v in values]


def _axes(x_label: str, y_label: str) -> str:
    x0, y0, x1, y1 = _PAD, _H - _PAD, _W - 10, 10
    return (
        f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}" stroke="#444"/>'
        f'<line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}" stroke="#444"/>'
        f'<text x="{(x0 + x1) / 2}" y="{_H - 8}" text-anchor="middle">{escape(x_label)}</text>'
        f'<text x="12" y="{(y0 + y1) / 2}" transform="rotate(-90 12 {(y0 + y1) / 2})" '
        f'text-anchor="middle">{escape(y_label)}</text>'
    )


def _polyline(xs: Sequence[float], ys: Sequence[float], color: str) -> str:
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    return f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>'


def _svg(content: str) -> str:
    return f'<svg width="{_W}" height="{_H}" role="img">{content}</svg>'


def _unit_plot(
    xs: Sequence[float], ys: Sequence[float], x_label: str, y_label: str, hi: float = 1.0
) -> str:
    px = _scale(xs, 0.0, hi, _PAD, _W - 10)
    py = _scale(ys, 0.0, hi, _H - _PAD, 10)
    diagonal = _polyline([_PAD, _W - 10], [_H - _PAD, 10], "#bbb")
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1f5fbf"/>'
        for x, y in zip(px, py, strict=True)
    )
    return _svg(
        _axes(x_label, y_label)
        + diagonal
        + _polyline(px, py, "#1f5fbf")
        + (dots if len(xs) < 30 else "")
    )


def _roc_svg(scores: Sequence[float], y: Sequence[int]) -> str:
    fpr, tpr, _ = roc_curve(np.asarray(y), -np.asarray(scores, dtype=np.float64))
    keep = np.unique(np.linspace(0, len(fpr) - 1, min(len(fpr), 200)).astype(int))
    return _unit_plot(
        fpr[keep].tolist(), tpr[keep].tolist(), "false positive rate", "true positive rate"
    )


def _calibration_svg(report: dict[str, Any]) -> str:
    table = pd.DataFrame(report["calibration_table"])
    hi = float(max(table["predicted"].max(), table["observed"].max(), 0.05)) * 1.05
    return _unit_plot(
        table["predicted"].tolist(), table["observed"].tolist(), "predicted", "observed", hi
    )


def _histogram_svg(report: dict[str, Any]) -> str:
    hist = report["score_histogram"]
    edges, good, bad = hist["edges"], hist["good"], hist["bad"]
    top = max([*good, *bad, 1])
    width = (_W - 10 - _PAD) / max(len(good), 1)
    bars = []
    for i, (g, b) in enumerate(zip(good, bad, strict=True)):
        x = _PAD + i * width
        for count, color, shift in ((g, "#1f5fbf", 0.0), (b, "#c0392b", width / 2)):
            h = count / top * (_H - _PAD - 10)
            bars.append(
                f'<rect x="{x + shift:.1f}" y="{_H - _PAD - h:.1f}" width="{width / 2:.1f}" '
                f'height="{h:.1f}" fill="{color}" opacity=".8"/>'
            )
    ticks = f'<text x="{_PAD}" y="{_H - _PAD + 14}">{edges[0]:.0f}</text>' + (
        f'<text x="{_W - 10}" y="{_H - _PAD + 14}" text-anchor="end">{edges[-1]:.0f}</text>'
    )
    return _svg(_axes("score", "rows") + "".join(bars) + ticks)
