"""Command line: ``python -m credit fit | evaluate | score | report``.

Progress goes to stderr, results to stdout or the ``--out`` file.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from credit.expert import ExpertScorecard, load_rubric
from credit.metrics import validation_report
from credit.report import render_report
from credit.scorecard import Scorecard

Card = Scorecard | ExpertScorecard
CHUNK_ROWS = 50_000


@contextmanager
def step(label: str) -> Iterator[None]:
    """Say what is running and, when it ends, how long it took."""
    print(f"{label} …", end="", file=sys.stderr, flush=True)
    start = time.perf_counter()
    yield
    print(f" done in {time.perf_counter() - start:.2f} s", file=sys.stderr, flush=True)


def load_card(ref: str) -> Card:
    """A card file (learned or rubric JSON, rubric TOML) or a shipped rubric name."""
    path = Path(ref)
    if not path.exists():
        return load_rubric(ref)
    if path.suffix == ".toml":
        return ExpertScorecard.from_file(path)
    text = path.read_text(encoding="utf-8")
    if json.loads(text).get("format") == "credit.rubric":
        return ExpertScorecard.from_file(path)
    return Scorecard.from_json(text)


def read_labelled(path: Path, *, target: str, bad: str | None) -> tuple[pd.DataFrame, pd.Series]:
    frame = pd.read_csv(path)
    if target not in frame.columns:
        raise ValueError(f"target column {target!r} not in {path}")
    y = frame.pop(target)
    if bad is not None:
        y = (y.astype(str) == bad).astype(np.int64)
    return frame, y


def _fit(args: argparse.Namespace) -> None:
    with step(f"reading {args.data}"):
        X, y = read_labelled(args.data, target=args.target, bad=args.bad)
        X = X.drop(columns=args.drop)
    card = Scorecard(
        monotonic=args.monotonic,
        calibration=args.calibration,
        min_iv=args.min_iv,
        strict=args.strict,
    )
    label = f"fitting on {len(X):,} rows x {X.shape[1]} columns"
    with step(label + (f" (+{card.cv}-fold calibration)" if args.calibration else "")):
        card.fit(X, y)
    args.out.write_text(card.to_json(), encoding="utf-8")
    print(
        f"wrote {args.out}: {len(card.features_)} features, training AUC {card.metrics_['auc']:.4f}"
    )
    for name, reason in card.dropped_.items():
        print(f"  dropped {name}: {reason}")


def _evaluate(args: argparse.Namespace) -> dict[str, Any]:
    card = load_card(args.card)
    with step(f"reading {args.data}"):
        X, y = read_labelled(args.data, target=args.target, bad=args.bad)
        reference = pd.read_csv(args.reference) if args.reference else None
    with step("computing validation figures"):
        report = validation_report(card, X, y, reference=reference)
    if args.command == "evaluate":
        text = json.dumps(report, indent=2, ensure_ascii=False)
        _emit(text, args.out)
        figures = {k: round(report[k], 4) for k in ("auc", "ks", "gini", "brier")}
        print(f"{figures}", file=sys.stderr)
    return {"card": card, "report": report, "X": X, "y": y}


def _score(args: argparse.Namespace) -> None:
    card = load_card(args.card)
    frame = pd.read_csv(args.data)
    chunks = []
    for start in range(0, len(frame), CHUNK_ROWS):
        part = frame.iloc[start : start + CHUNK_ROWS]
        chunks.append(_score_chunk(card, part, top=args.top))
        done = min(start + CHUNK_ROWS, len(frame))
        print(f"\rscored {done:,}/{len(frame):,} rows", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    result = pd.concat(chunks) if chunks else pd.DataFrame(columns=["score", "grade", "reasons"])
    keep = [c for c in args.keep if c in frame.columns]
    _emit(pd.concat([frame[keep], result], axis=1).to_csv(index=False), args.out)


def _score_chunk(card: Card, part: pd.DataFrame, *, top: int) -> pd.DataFrame:
    out = pd.DataFrame({"score": card.score(part), "grade": card.grade(part)}, index=part.index)
    if isinstance(card, Scorecard):
        out["p_bad"] = card.predict_proba(part)[:, 1]
    reasons = card.explain(part, top=top)
    out["reasons"] = [json.dumps(r, ensure_ascii=False) for r in reasons]
    return out


def _report(args: argparse.Namespace) -> None:
    evaluated = _evaluate(args)
    card: Card = evaluated["card"]
    with step("rendering the report"):
        html = render_report(
            title=args.title,
            summary=_card_summary(card),
            report=evaluated["report"],
            features=card._feature_points(),
            scores=card.score(evaluated["X"]).tolist(),
            y=np.asarray(evaluated["y"], dtype=np.int64).tolist(),
        )
    args.out.write_text(html, encoding="utf-8")
    print(f"wrote {args.out}")


def _card_summary(card: Card) -> dict[str, Any]:
    if isinstance(card, ExpertScorecard):
        return {
            "kind": "expert rubric",
            "name": card.name,
            "version": card.version,
            **card.cutoffs_,
        }
    return {
        "kind": "learned scorecard",
        "features": len(card.features_),
        "training rows": card.training_["n_rows"],
        "training fingerprint": card.fingerprint_[:16],
        "calibration": str(card.calibration_["method"]),
        **{f"cut-off {g}": v for g, v in card.cutoffs_.items()},
    }


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m credit", description="Credit scorecards.")
    sub = parser.add_subparsers(dest="command", required=True)
    fit = sub.add_parser("fit", help="fit a scorecard on a labelled CSV, write its JSON")
    fit.add_argument("data", type=Path)
    _target_args(fit)
    fit.add_argument("--drop", nargs="*", default=[], help="columns to leave out (ids, dates)")
    fit.add_argument("--monotonic", default="auto", choices=["auto", "ascending", "descending"])
    fit.add_argument("--calibration", choices=["sigmoid", "isotonic"], default=None)
    fit.add_argument(
        "--min-iv", type=float, default=None, help="fixed IV threshold (default: cross-validated)"
    )
    fit.add_argument("--strict", action="store_true", help="a contradicted trend is an error")
    fit.add_argument("--out", type=Path, required=True, help="card JSON to write")
    for name, text in (("evaluate", "validation figures as JSON"), ("report", "HTML report")):
        cmd = sub.add_parser(name, help=f"{text} of a card on a labelled CSV")
        cmd.add_argument("card", help="card JSON, rubric JSON/TOML, or a shipped rubric name")
        cmd.add_argument("data", type=Path)
        _target_args(cmd)
        cmd.add_argument("--reference", type=Path, help="reference CSV (e.g. training) for PSI/CSI")
        cmd.add_argument("--out", type=Path, required=name == "report", default=None)
        cmd.add_argument("--title", default="Scorecard validation report")
    score = sub.add_parser("score", help="score a CSV: score, grade, reasons per row")
    score.add_argument("card")
    score.add_argument("data", type=Path)
    score.add_argument("--top", type=int, default=3)
    score.add_argument("--keep", nargs="*", default=[], help="input columns to copy (ids)")
    score.add_argument("--out", type=Path, default=None)
    return parser


def _target_args(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--target", required=True, help="outcome column")
    cmd.add_argument("--bad", default=None, help="value of the target meaning bad (else 0/1)")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    commands = {"fit": _fit, "evaluate": _evaluate, "score": _score, "report": _report}
    try:
        commands[args.command](args)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
