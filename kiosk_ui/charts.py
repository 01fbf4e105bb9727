"""Inline SVG charts of the officials' dashboard and the incubator pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape


def trend_svg(
    points: Sequence[tuple[str, float, str]], *, width: int = 560, height: int = 200
) -> Markup:
    """A score trend as an inline SVG line chart: (period, score, grade) per point."""
    if not points:
        return Markup("")
    pad = 36
    scores = [p[1] for p in points]
    low, high = min(scores), max(scores)
    if high - low < 1:
        low, high = low - 5, high + 5
    step = (width - 2 * pad) / max(len(points) - 1, 1)

    def xy(i: int, score: float) -> tuple[float, float]:
        return pad + i * step, height - pad - (score - low) / (high - low) * (height - 2 * pad)

    coords = [xy(i, s) for i, (_, s, _) in enumerate(points)]
    parts = [
        f'<svg class="trend" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        'stroke="#999"/>',
        '<polyline fill="none" stroke="#0b5394" stroke-width="2" points="'
        + " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        + '"/>',
    ]
    for (label, score, grade), (x, y) in zip(points, coords, strict=True):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#0b5394">'
            f"<title>{escape(label)}: {score:g} ({escape(grade)})</title></circle>"
        )
        parts.append(
            f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle" '
            f'font-size="12">{escape(grade)} {score:g}</text>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{height - pad + 16}" text-anchor="middle" '
            f'font-size="11">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_svg(rows: Sequence[dict[str, Any]], *, width: int = 420, height: int = 180) -> Markup:
    """Observed against predicted failure share per grade, as paired bars."""
    if not rows:
        return Markup("")
    pad, group = 30, (width - 60) / len(rows)
    top = max([0.1, *[(r["observed"] or 0) for r in rows], *[(r["predicted"] or 0) for r in rows]])
    parts = [
        f'<svg class="bars" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, row in enumerate(rows):
        for j, (key, colour) in enumerate((("observed", "#a4161a"), ("predicted", "#0b5394"))):
            share = row[key] or 0.0
            h = share / top * (height - 2 * pad)
            x = pad + i * group + j * group / 3
            parts.append(
                f'<rect x="{x:.1f}" y="{height - pad - h:.1f}" width="{group / 3:.1f}" '
                f'height="{h:.1f}" fill="{colour}"><title>{row["grade"]} {key}: '
                f"{share:.1%}</title></rect>"
            )
        parts.append(
            f'<text x="{pad + i * group + group / 3:.1f}" y="{height - pad + 16}" '
            f'font-size="12">{escape(row["grade"])}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
