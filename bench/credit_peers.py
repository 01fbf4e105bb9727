"""Benchmark the credit engine against open-source scorecard peers.

    .venv/bin/python bench/credit_peers.py [--splits 20] [--data german|incubator ...]

Two data sets: German credit (``tests/data/german_credit.csv``) and generated incubator
histories with weak, correlated indicators (``bench/credit_data.py``, fixed seed). On
each, 20 stratified 70/30 splits (random_state 0-19); per model the mean +- std of
test AUC, KS and Brier score and the median fit seconds. Then, per peer, the paired
per-split differences (this engine's default ``Scorecard()`` minus the peer, AUC; the
peer minus this engine, Brier: positive = this engine is better either way), the
splits won, and a two-sided sign-test p-value. "credit (calibrated)" is the same card
with ``calibration="sigmoid"``, fitted inside the training split only (``--isotonic``
adds the isotonic one); the calibration is checked decile by decile against the exact
95 % interval of each decile's observed rate, beside the number of deciles a perfectly
calibrated model would miss (outcomes drawn from its own predictions).
optbinning and toad are bench-only extras (``pip install .[bench]``); a peer that
cannot be imported is skipped with a line saying so. Finally, the time to score
100,000 rows.
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
from scipy.stats import beta, binomtest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from credit_data import german, weak_incubators  # noqa: E402

from credit import Scorecard  # noqa: E402
from credit.metrics import auc, brier, exact_interval, ks  # noqa: E402

Proba = Callable[[pd.DataFrame], np.ndarray]
Fit = Callable[[pd.DataFrame, pd.Series], Proba]
OURS, CALIBRATED, ISOTONIC = "credit", "credit (calibrated)", "credit (isotonic)"
PEERS = ("optbinning", "toad")


def fit_credit(X: pd.DataFrame, y: pd.Series) -> Proba:
    card = Scorecard().fit(X, y)
    return lambda Z: card.predict_proba(Z)[:, 1]


def fit_credit_calibrated(X: pd.DataFrame, y: pd.Series) -> Proba:
    card = Scorecard(calibration="sigmoid", cv=5).fit(X, y)
    return lambda Z: card.predict_proba(Z)[:, 1]


def fit_credit_isotonic(X: pd.DataFrame, y: pd.Series) -> Proba:
    card = Scorecard(calibration="isotonic", cv=5).fit(X, y)
    return lambda Z: card.predict_proba(Z)[:, 1]


def fit_onehot(X: pd.DataFrame, y: pd.Series) -> Proba:
    numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
    other = [c for c in X.columns if c not in numeric]
    prep = ColumnTransformer(
        [
            ("num", make_pipeline(_Imputer(), StandardScaler()), numeric),
            ("cat", OneHotEncoder(handle_unknown="ignore"), other),
        ]
    )
    model = make_pipeline(prep, LogisticRegression(max_iter=2000)).fit(X, y)
    return lambda Z: model.predict_proba(Z)[:, 1]


def _Imputer() -> Any:
    from sklearn.impute import SimpleImputer

    return SimpleImputer(strategy="median", add_indicator=True)


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


def available_models(*, isotonic: bool = False) -> dict[str, Fit]:
    models: dict[str, Fit] = {OURS: fit_credit, CALIBRATED: fit_credit_calibrated}
    if isotonic:
        models[ISOTONIC] = fit_credit_isotonic
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
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Per split and model: test figures and fit time; plus the calibrated card's deciles."""
    rows: list[dict[str, Any]] = []
    deciles: list[dict[str, Any]] = []
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
            if name in (OURS, CALIBRATED, ISOTONIC):
                deciles += _deciles(name, seed, y_te.to_numpy(), p)
        print(f"\rsplit {seed + 1}/{n_splits}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return pd.DataFrame(rows), deciles


def _deciles(model: str, seed: int, y: np.ndarray, p: np.ndarray) -> list[dict[str, Any]]:
    order = np.argsort(p, kind="stable")
    out = []
    for k, part in enumerate(np.array_split(order, 10), start=1):
        n, bad = len(part), int(y[part].sum())
        low, high = exact_interval(n, bad)
        predicted = float(p[part].mean())
        out.append(
            {
                "model": model,
                "seed": seed,
                "decile": k,
                "n": n,
                "bad": bad,
                "predicted": predicted,
                "inside": low <= predicted <= high,
                "p": p[part],
            }
        )
    return out


def _misses_if_calibrated(group: pd.DataFrame, *, draws: int = 400) -> tuple[float, int, int]:
    """Deciles outside their interval when outcomes are drawn from the predictions.

    The yardstick for "every decile inside": even a perfectly calibrated model misses
    about 5 % of 95 % intervals. Returns the mean and the 2.5-97.5 % range of the misses.
    """
    rng = np.random.default_rng(0)
    misses = np.zeros(draws, dtype=np.int64)
    for row in group.itertuples():
        n = len(row.p)
        bad = (rng.random((draws, n)) < row.p).sum(axis=1)
        with np.errstate(all="ignore"):
            low = np.where(bad == 0, 0.0, beta.ppf(0.025, bad, n - bad + 1))
            high = np.where(bad == n, 1.0, beta.ppf(0.975, bad + 1, n - bad))
        misses += (row.predicted < low) | (row.predicted > high)
    return float(misses.mean()), int(np.quantile(misses, 0.025)), int(np.quantile(misses, 0.975))


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
    return "\n".join(lines)


def paired_table(results: pd.DataFrame, peers: list[str]) -> str:
    """Per peer: per-split differences, splits won, sign-test p, fit-time ratio."""
    wide = results.pivot(index="seed", columns="model")
    lines = [
        f"paired per split, {OURS} vs peer (+ = {OURS} better): "
        "mean difference, splits won/lost, two-sided sign-test p"
    ]
    for peer in peers:
        auc_diff = wide["auc"][OURS] - wide["auc"][peer]
        brier_diff = wide["brier"][peer] - wide["brier"][OURS]
        fit_ratio = wide["fit_s"][OURS].median() / wide["fit_s"][peer].median()
        lines.append(f"  vs {peer} (median fit time {fit_ratio:.2f}x the peer's)")
        for label, diff in (("AUC", auc_diff), ("Brier", brier_diff)):
            lines.append(f"    {label:<6}{_sign_summary(diff)}")
            lines.append("      per split: " + " ".join(f"{d:+.4f}" for d in diff))
    return "\n".join(lines)


def _sign_summary(diff: pd.Series) -> str:
    won, lost = int((diff > 0).sum()), int((diff < 0).sum())
    p = binomtest(won, won + lost, 0.5).pvalue if won + lost else 1.0
    return f"mean {diff.mean():+.4f}  won {won:>2}, lost {lost:>2}  sign-test p = {p:.3f}"


def calibration_check(deciles: list[dict[str, Any]]) -> str:
    """How many deciles' mean prediction lies inside the 95 % interval of the observed rate."""
    frame = pd.DataFrame(deciles)
    lines = [
        "calibration per test decile (decile 10 = riskiest): mean predicted bad rate inside "
        "the exact 95 % interval of the decile's observed rate"
    ]
    for model, group in frame.groupby("model", sort=False):
        splits = group["seed"].nunique()
        riskiest = group[group["decile"] == 10]
        pooled = group.groupby("decile").agg(
            n=("n", "sum"), bad=("bad", "sum"), predicted=("predicted", "mean")
        )
        expected, low, high = _misses_if_calibrated(group)
        lines.append(
            f"  {model:<20} {int(group['inside'].sum())}/{len(group)} deciles inside; "
            f"riskiest decile inside in {int(riskiest['inside'].sum())}/{splits} splits; "
            f"outside: {int((~group['inside']).sum())}, a calibrated model: {expected:.1f} "
            f"({low}-{high})"
        )
        pooled_parts = []
        for k, row in pooled.iterrows():
            low, high = exact_interval(int(row.n), int(row.bad))
            mark = "" if low <= row.predicted <= high else "*"
            pooled_parts.append(f"{k}:{row.predicted:.3f}/{row.bad / row.n:.3f}{mark}")
        lines.append("    pooled predicted/observed: " + " ".join(pooled_parts))
    lines.append("    (* = pooled over the splits, outside the 95 % interval)")
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


DATA_SETS: dict[str, tuple[str, Callable[[], tuple[pd.DataFrame, pd.Series]]]] = {
    "german": ("German credit", german),
    "incubator": ("generated incubator histories (weak, correlated indicators)", weak_incubators),
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--splits", type=int, default=20, help="number of 70/30 splits")
    parser.add_argument("--data", nargs="*", choices=list(DATA_SETS), default=list(DATA_SETS))
    parser.add_argument("--no-speed", action="store_true", help="skip the scoring-speed runs")
    parser.add_argument(
        "--isotonic", action="store_true", help='add Scorecard(calibration="isotonic")'
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # peers warn a lot on current pandas; the numbers matter here
    models = available_models(isotonic=args.isotonic)
    peers = [name for name in PEERS if name in models] + ["one-hot logistic"]
    for key in args.data:
        title, load = DATA_SETS[key]
        X, y = load()
        results, deciles = run_splits(X, y, models, args.splits)
        print(f"\n== {title}: {len(X)} rows, bad rate {y.mean():.3f}, {args.splits} splits ==")
        print(summary_table(results, list(models)))
        print("fit s: median over the splits")
        print(paired_table(results, peers))
        print(calibration_check(deciles))
    if not args.no_speed:
        X, y = german()
        print()
        print(scoring_speed(X, y, models))


if __name__ == "__main__":
    main()
