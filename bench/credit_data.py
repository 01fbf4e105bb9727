"""Data sets for the credit benchmark: German credit, and generated weak incubator histories.

    .venv/bin/python bench/credit_data.py --out incubators_weak.csv   # write the generated set

The generated set is harder than ``credit.incubator.generate_histories``: every
indicator is a weak, noisy proxy of one latent quality, several share a size factor
that has nothing to do with risk (so they are correlated without adding signal), two
carry no signal at all, the spot-check rate is missing more often for weak
incubators, and ``district`` has many rare categories. The seed is fixed, so every
run benchmarks the same rows.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
GERMAN = ROOT / "tests" / "data" / "german_credit.csv"
SEED = 20_260_115
Floats = npt.NDArray[np.float64]


def german(path: Path = GERMAN) -> tuple[pd.DataFrame, pd.Series]:
    """UCI Statlog German credit: 1000 rows, ``creditability`` bad = 1."""
    frame = pd.read_csv(path)
    y = (frame.pop("creditability") == "bad").astype(int).rename("bad")
    return frame, y


def weak_incubators(
    n_incubators: int = 400, n_periods: int = 4, *, seed: int = SEED
) -> tuple[pd.DataFrame, pd.Series]:
    """Incubator-periods with weak, correlated indicators and a 0/1 ``bad`` outcome."""
    rng = np.random.default_rng(seed)
    quality = rng.normal(size=n_incubators)
    size = rng.normal(size=n_incubators)
    district = _districts(rng, n_incubators)
    frames = []
    for _ in range(n_periods):
        q = quality + rng.normal(scale=0.6, size=n_incubators)
        frames.append(_period(rng, q, size=size, district=district))
    frame = pd.concat(frames, ignore_index=True)
    y = frame.pop("bad").rename("bad")
    return frame, y


def _districts(rng: np.random.Generator, n: int) -> npt.NDArray[np.str_]:
    """30 districts with Zipf-like shares: a few large ones and many with a handful of rows."""
    weights = 1.0 / np.arange(1, 31) ** 1.3
    return rng.choice([f"D{k:02d}" for k in range(1, 31)], size=n, p=weights / weights.sum())


def _period(
    rng: np.random.Generator, q: Floats, *, size: Floats, district: npt.NDArray[np.str_]
) -> pd.DataFrame:
    n = len(q)
    firms = rng.poisson(np.exp(3.2 + 0.5 * size + 0.05 * q))
    checked = rng.poisson(3.0, size=n) + 1
    passed = rng.binomial(checked, _sigmoid(1.8 + 0.35 * q))
    unchecked = rng.random(n) < _sigmoid(-1.0 - 0.5 * q)
    data = {
        "level": np.where(q + rng.normal(scale=1.2, size=n) > 0.8, "national", "local"),
        "district": district,
        "mentors_per_100_firms": np.maximum(0.0, 8 + 0.8 * q + 1.5 * size + rng.normal(0, 3, n)),
        "firms_incubated": firms,
        "graduation_rate": 100 * _sigmoid(-1.5 + 0.2 * q + 0.3 * size + rng.normal(0, 0.6, n)),
        "high_tech_firms": rng.binomial(firms, _sigmoid(-2.2 + 0.15 * q)),
        "financing_raised": np.exp(2.3 + 0.25 * q + 0.6 * size + rng.normal(0, 1.0, n)),
        "violations": rng.poisson(np.exp(-1.0 - 0.35 * q)),
        "false_reports": rng.poisson(np.exp(-3.0 - 0.4 * q)),
        "window_satisfaction": 100 * _sigmoid(2.0 + 0.2 * q + rng.normal(0, 0.5, n)),
        "report_timeliness": 100 * _sigmoid(1.5 + 0.3 * q + rng.normal(0, 0.8, n)),
        "spot_check_pass_rate": np.where(unchecked, np.nan, 100 * passed / checked),
        "staff_count": rng.poisson(np.exp(2.0 + 0.4 * size)),
        "site_area": np.exp(7.0 + 0.5 * size + rng.normal(0, 0.5, n)),
    }
    frame = pd.DataFrame(data).round(2)
    district_effect = (pd.Series(district).str[1:].astype(int) % 3 - 1) * 0.15
    log_odds = -1.7 - 0.9 * q + district_effect.to_numpy()
    frame["bad"] = (rng.random(n) < _sigmoid(log_odds)).astype(np.int64)
    return frame


def _sigmoid(x: Floats) -> Floats:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="CSV to write")
    args = parser.parse_args()
    X, y = weak_incubators()
    X.assign(bad=y).to_csv(args.out, index=False)
    print(f"wrote {args.out}: {len(X)} rows, bad rate {y.mean():.3f}")


if __name__ == "__main__":
    main()
