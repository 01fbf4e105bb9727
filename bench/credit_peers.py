"""Benchmark the credit engine against open-source scorecard peers on German credit.

    .venv/bin/python bench/credit_peers.py [--data PATH] [--splits 20]

20 stratified 70/30 splits (random_state 0-19); per model the mean +- std of test
AUC, KS and Brier score, the median fit seconds, and this engine's ratio to each
peer. "credit (calibrated)" is the same card with ``calibration="sigmoid"``: the
Platt step is fitted on 5-fold out-of-fold log-odds inside the training split only,
never on the test split. optbinning and toad are bench-only extras (``pip install
.[bench]``); a peer that cannot be imported is skipped with a line saying so.
Finally, the time to score 100,000 rows.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from credit import Scorecard  # noqa: E402
from credit.metrics import auc, brier, ks  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "german_credit.csv"
Proba = Callable[[pd.DataFrame], np.ndarray]
Fit = Callable[[pd.DataFrame, pd.Series], Proba]


def fit_credit(X: pd.DataFrame, y: pd.Series) -> Proba:
    card = Scorecard().fit(X, y)
    return lambda Z: card.predict_proba(Z)[:, 1]


def fit_credit_calibrated(X: pd.DataFrame, y: pd.Series) -> Proba:
    card = Scorecard(calibration="sigmoid", cv=5).fit(X, y)
    return lambda Z: card.predict_proba(Z)[:, 1]


def fit_onehot(X: pd.DataFrame, y: pd.Series) -> Proba:
    numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
    other = [c for c in X.columns if c not in numeric]
    prep = ColumnTransformer(
        [("num", StandardScaler(), numeric), ("cat", OneHotEncoder(handle_unknown="ignore"), other)]
    )
    model = make_pipeline(prep, LogisticRegression(max_iter=2000)).fit(X, y)
    return lambda Z: model.predict_proba(Z)[:, 1]


def fit_optbinning(X: pd.DataFrame, y: pd.Series) -> Proba:
    from optbinning import BinningProcess
    from optbinning import Scorecard as OptScorecard

    card = OptScorecard(
        binning_process=BinningProcess(list(X.columns)),
        estimator=LogisticRegression(max_iter=1000),
        scaling_method="min_max",
        scaling_method_params={"min": 300, "max": 850},
    ).fit(X, y)
    return lambda Z: card.predict_proba(Z)[:, 1]


def fit_toad(X: pd.DataFrame, y: pd.Series) -> Proba:
    import toad

    combiner = toad.transform.Combiner()
    combiner.fit(
        X.assign(_target=y.to_numpy()),
        y="_target",
        method="chi",
        min_samples=0.05,
        empty_separate=True,
    )
    woe = toad.transform.WOETransformer()
    train = woe.fit_transform(combiner.transform(X), y)
    model = LogisticRegression(max_iter=1000).fit(train, y)
    return lambda Z: model.predict_proba(woe.transform(combiner.transform(Z)))[:, 1]


def available_models() -> dict[str, Fit]:
    models: dict[str, Fit] = {
        "credit": fit_credit,
        "credit (calibrated)": fit_credit_calibrated,
    }
    peers: list[tuple[str, Fit]] = [("optbinning", fit_optbinning), ("toad", fit_toad)]
    for name, fit in peers:
        try:
            __import__(name)
        except Exception as exc:  # any import failure means: skip this peer
            print(f"skipping {name}: cannot import it ({type(exc).__name__}: {exc})")
            continue
        models[name] = fit
    models["one-hot logistic"] = fit_onehot
    return models


def run_splits(
    X: pd.DataFrame, y: pd.Series, models: dict[str, Fit], n_splits: int
) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for seed in range(n_splits):
        X_tr, X_te, y_tr, y_te = train_test_split(
            X, y, test_size=0.3, stratify=y, random_state=seed
        )
        for name, fit in models.items():
            start = time.perf_counter()
            proba = fit(X_tr, y_tr)
            seconds = time.perf_counter() - start
            p = proba(X_te)
            rows.append(
                {
                    "model": name,
                    "seed": seed,
                    "auc": auc(y_te, p),
                    "ks": ks(y_te, p),
                    "brier": brier(y_te, p),
                    "fit_s": seconds,
                }
            )
        print(f"\rsplit {seed + 1}/{n_splits}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return pd.DataFrame(rows)


def summary_table(results: pd.DataFrame, order: list[str]) -> str:
    stats = (
        results.groupby("model")
        .agg(
            auc=("auc", "mean"),
            auc_sd=("auc", "std"),
            ks=("ks", "mean"),
            ks_sd=("ks", "std"),
            brier=("brier", "mean"),
            brier_sd=("brier", "std"),
            fit_s=("fit_s", "median"),
        )
        .loc[order]
    )
    lines = [f"{'model':<21}{'AUC':>16}{'KS':>16}{'Brier':>16}{'fit s':>8}"]
    for name, row in stats.iterrows():
        lines.append(
            f"{name:<21}{row.auc:>9.4f} ± {row.auc_sd:.3f}{row.ks:>9.4f} ± {row.ks_sd:.3f}"
            f"{row.brier:>9.4f} ± {row.brier_sd:.3f}{row.fit_s:>8.3f}"
        )
    ours = stats.loc["credit (calibrated)"]
    lines += [
        "",
        "ratio credit (calibrated) / model: AUC, KS (>1 better), Brier (<1 better), fit s",
    ]
    for name, row in stats.drop(index=["credit", "credit (calibrated)"]).iterrows():
        lines.append(
            f"  vs {name:<17} AUC {ours.auc / row.auc:.3f}  KS {ours.ks / row.ks:.3f}  "
            f"Brier {ours.brier / row.brier:.3f}  fit {ours.fit_s / row.fit_s:.2f}"
        )
    raw = stats.loc["credit"]
    lines.append(f"  vs {'credit (raw)':<17} Brier {ours.brier / raw.brier:.3f}")
    return "\n".join(lines)


def scoring_speed(
    X: pd.DataFrame, y: pd.Series, models: dict[str, Fit], n_rows: int = 100_000
) -> str:
    big = X.sample(n=n_rows, replace=True, random_state=0).reset_index(drop=True)
    lines = [f"time to score {n_rows:,} rows (best of 3):"]
    card = Scorecard().fit(X, y)
    lines.append(f"  {'credit score()':<28}{_best_of(lambda: card.score(big)):>8.3f} s")
    for name, fit in models.items():
        proba = fit(X, y)
        lines.append(f"  {name + ' proba':<28}{_best_of(lambda p=proba: p(big)):>8.3f} s")  # type: ignore[misc]
    return "\n".join(lines)


def _best_of(work: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="German credit CSV")
    parser.add_argument("--splits", type=int, default=20, help="number of 70/30 splits")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # peers warn a lot on current pandas; the numbers matter here
    frame = pd.read_csv(args.data)
    y = (frame.pop("creditability") == "bad").astype(int)
    models = available_models()
    results = run_splits(frame, y, models, args.splits)
    print(f"German credit ({len(frame)} rows), {args.splits} stratified 70/30 splits, test set")
    print(summary_table(results, list(models)))
    print("fit s: median over the splits; 'credit' is the card before calibration.")
    print(scoring_speed(frame, y, models))


if __name__ == "__main__":
    main()
