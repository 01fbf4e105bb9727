"""The learned scorecard: binning, WoE, logistic regression, points."""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Mapping
from typing import Any, Literal, Self

import numpy as np
import pandas as pd
from sklearn import config_context
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils import ClassifierTags, Tags

from credit import _calibration, _cardfile, _selection
from credit._binning import (
    Binning,
    BinningConfig,
    FloatArray,
    IntArray,
    TrendSpec,
    TrendWarning,
    bin_counts,
    fit_binning,
    information_value,
    min_rows,
    woe_table,
)
from credit._inputs import check_X, check_y, fingerprint
from credit._points import FeaturePoints, PointsCard, UnseenPolicy, check_cutoffs
from credit.metrics import summary_metrics

Calibration = Literal["sigmoid", "isotonic"] | None
FORMAT = "credit.scorecard"
FORMAT_VERSION = 2
DEFAULT_GRADE_PD = {"A": 0.05, "B": 0.10, "C": 0.25}
"""Default grades: A when the bad probability is at most 5 %, B 10 %, C 25 %, else D."""
_TRENDS = ("ascending", "descending", "auto", None)


class Scorecard(PointsCard, BaseEstimator):  # type: ignore[misc]
    """A points scorecard learned from outcomes (``y`` = 1 for the bad outcome).

    ``monotonic`` is the trend of the bad rate as a numeric value grows: one of
    ``"ascending"``, ``"descending"``, ``"auto"`` (the trend that keeps more
    information value) or ``None``, for all numeric features or per feature in a
    dict (features left out of the dict get ``"auto"``). Points follow the PDO
    convention: ``base_score`` points at good:bad odds ``base_odds``, and every
    ``pdo`` points double the odds.

    Features are selected by out-of-fold evidence (``min_iv=None``, the default): a
    feature is kept when it lowers the ``cv``-fold cross-validated log-loss. A number
    for ``min_iv`` keeps every feature with at least that information value instead.
    A declared trend the data contradicts is a :class:`TrendWarning` (a ``ValueError``
    with ``strict=True``). See docs/credit.md for the rest.
    """

    def __init__(
        self,
        monotonic: TrendSpec | Mapping[str, TrendSpec] = "auto",
        *,
        pdo: float = 20.0,
        base_score: float = 600.0,
        base_odds: float = 50.0,
        min_iv: float | None = None,
        max_features: int | None = None,
        max_prebins: int = 20,
        min_bin_share: float = 0.05,
        C: float = 1.0,
        calibration: Calibration = None,
        cv: int = 5,
        unseen: UnseenPolicy = "worst",
        grade_cutoffs: Mapping[str, float] | None = None,
        random_state: int = 0,
        strict: bool = False,
    ) -> None:
        self.monotonic = monotonic
        self.pdo = pdo
        self.base_score = base_score
        self.base_odds = base_odds
        self.min_iv = min_iv
        self.max_features = max_features
        self.max_prebins = max_prebins
        self.min_bin_share = min_bin_share
        self.C = C
        self.calibration = calibration
        self.cv = cv
        self.unseen = unseen
        self.grade_cutoffs = grade_cutoffs
        self.random_state = random_state
        self.strict = strict

    def __sklearn_tags__(self) -> Tags:
        """A binary classifier to model selection (``scoring="roc_auc"`` works)."""
        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags

    # -- fitting ---------------------------------------------------------------

    def fit(self, X: pd.DataFrame, y: Any) -> Self:
        """Bin every column, select features, fit the regression, scale the points."""
        X = check_X(X)
        target = check_y(y, n_rows=len(X))
        self._check_params(X)
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = X.shape[1]
        self.classes_ = np.array([0, 1])
        # hundreds of one-column trees: scikit-learn's per-call checks would cost a
        # quarter of the fit, and the parameters are checked above
        with config_context(assume_finite=True, skip_parameter_validation=True):
            self._fit_bins(X, target)
            self._select(X, target)
        self._fit_regression(X, target)
        self.calibration_: dict[str, Any] = {"method": None}
        self.cv_metrics_: dict[str, float] | None = None
        if self.calibration is not None:
            self._fit_calibration(X, target)
        self._set_points()
        self.fingerprint_ = fingerprint(X, target)
        self.training_ = {"n_rows": len(X), "n_bad": int(target.sum()), "columns": list(X.columns)}
        self.metrics_ = summary_metrics(target, self.predict_proba(X)[:, 1])
        return self

    def _check_params(self, X: pd.DataFrame) -> None:
        if isinstance(self.monotonic, Mapping):
            unknown = sorted(set(self.monotonic) - set(map(str, X.columns)))
            if unknown:
                raise ValueError(f"monotonic names column(s) not in X: {unknown}")
            bad = {k: v for k, v in self.monotonic.items() if v not in _TRENDS}
        else:
            bad = {"monotonic": self.monotonic} if self.monotonic not in _TRENDS else {}
        if bad:
            raise ValueError(f"monotonic trends must be one of {_TRENDS}, got {bad}")
        if self.calibration not in ("sigmoid", "isotonic", None):
            raise ValueError(
                f"calibration must be 'sigmoid', 'isotonic' or None, got {self.calibration!r}"
            )
        if self.unseen not in ("worst", "neutral", "error"):
            raise ValueError(f"unseen must be 'worst', 'neutral' or 'error', got {self.unseen!r}")
        if self.pdo <= 0 or self.base_odds <= 0:
            raise ValueError("pdo and base_odds must be positive")
        _check_numbers(self)

    def _trend_for(self, name: str) -> TrendSpec:
        if isinstance(self.monotonic, Mapping):
            return self.monotonic.get(name, "auto")
        return self.monotonic

    def _config(self) -> BinningConfig:
        return BinningConfig(self.max_prebins, self.min_bin_share, self.random_state)

    def _fit_bins(self, X: pd.DataFrame, y: IntArray) -> None:
        self.binnings_: dict[str, Binning] = {}
        self.iv_: dict[str, float] = {}
        self.dropped_: dict[str, str] = {}
        for name in map(str, X.columns):
            fitted = fit_binning(X[name], y, trend=self._trend_for(name), config=self._config())
            binning = self.binnings_[name] = fitted.binning
            self.iv_[name] = information_value(*bin_counts(binning))
            if fitted.contradicted is not None:
                self._contradicted(name, fitted.contradicted)
            reason = _drop_reason(X[name], binning, self.iv_[name], self.min_iv)
            if reason:
                self.dropped_.setdefault(name, reason)

    def _contradicted(self, name: str, shown: str) -> None:
        declared = self._trend_for(name)
        message = (
            f"feature {name!r}: the declared trend {declared!r} cannot be honoured, the "
            f"data shows {shown}"
        )
        if self.strict:
            raise ValueError(message)
        warnings.warn(f"{message}; the feature is left out", TrendWarning, stacklevel=4)
        self.dropped_[name] = f"declared trend {declared} not honoured: the data shows {shown}"

    def _woe_of(self, binning: Binning, y: IntArray) -> FloatArray:
        total_bad = int(y.sum())
        return woe_table(
            binning,
            total_bad=total_bad,
            total_good=len(y) - total_bad,
            min_rows=min_rows(self._config(), len(y)),
        )

    def _select(self, X: pd.DataFrame, y: IntArray) -> None:
        """Choose the features: out-of-fold log-loss (default) or the ``min_iv`` threshold."""
        ranked = sorted(
            (n for n in self.binnings_ if n not in self.dropped_), key=lambda n: -self.iv_[n]
        )
        if not ranked:
            floor = "> 0" if self.min_iv is None else f">= min_iv={self.min_iv}"
            raise ValueError(f"no feature has IV {floor}: {self.dropped_}")
        self.selection_: dict[str, Any] | None = {"method": "min_iv", "min_iv": self.min_iv}
        folds = _selection.n_folds(y, self.cv)
        if self.min_iv is None and folds >= 2 and len(ranked) > 1:
            ranked = self._select_by_cv(X, y, ranked, n_splits=folds)
        for name in ranked[self.max_features :] if self.max_features else []:
            self.dropped_[name] = f"not among the top {self.max_features} by IV"
        self.woe_ = {
            name: self._woe_of(binning, y)
            for name, binning in self.binnings_.items()
            if name not in self.dropped_
        }

    def _select_by_cv(
        self, X: pd.DataFrame, y: IntArray, ranked: list[str], *, n_splits: int
    ) -> list[str]:
        folds = _selection.make_folds(
            X, y, ranked, encoder=self._encoder, n_splits=n_splits, random_state=self.random_state
        )
        threshold, steps = _selection.select_min_iv(folds, _selection.IV_GRID, C=self.C)
        self.selection_ = {
            "method": "min_iv by cross-validation",
            "folds": n_splits,
            "min_iv": threshold,
            "log_loss": steps,
        }
        # the strongest feature stays even when no feature beats the intercept alone
        kept = [name for name in ranked if self.iv_[name] >= threshold] or ranked[:1]
        for name in [n for n in ranked if n not in kept]:
            self.dropped_[name] = (
                f"IV {self.iv_[name]:.4f} below min_iv {threshold} (chosen by cross-validation)"
            )
        return kept

    def _encoder(self, column: pd.Series, y: IntArray) -> tuple[_selection.Encode, float]:
        """Bins ``column`` on these rows; the returned function maps a column to WoE."""
        binning = fit_binning(
            column, y, trend=self._trend_for(str(column.name)), config=self._config()
        ).binning
        table = self._woe_of(binning, y)
        # code -1 (unseen value) takes the last entry, as the points table does
        extended = np.append(table, table.min() if self.unseen == "worst" else 0.0)
        return (lambda values: extended[binning.codes(values)]), information_value(
            *bin_counts(binning)
        )

    def _woe_matrix(self, X: pd.DataFrame, names: list[str]) -> FloatArray:
        columns = [self.woe_[n][self.binnings_[n].codes(X[n])] for n in names]
        return np.column_stack(columns)

    def _fit_regression(self, X: pd.DataFrame, y: IntArray) -> None:
        """Fit, then drop features with a reversed sign until every sign is the expected one.

        With WoE = ln(%good / %bad) a coefficient on the bad log-odds must be negative;
        a positive one (collinear features) would make a better bin cost points.
        """
        names = list(self.woe_)
        while True:
            model = LogisticRegression(C=self.C, max_iter=1000)
            model.fit(self._woe_matrix(X, names), y)
            coef = model.coef_[0]
            if len(names) == 1 or coef.max() <= 0:
                break
            worst = names[int(np.argmax(coef))]
            self.dropped_[worst] = "reversed sign in the regression (collinear with others)"
            names.remove(worst)
        self.features_ = names
        self.coef_ = coef.astype(np.float64)
        self.intercept_ = float(model.intercept_[0])

    def _fit_calibration(self, X: pd.DataFrame, y: IntArray) -> None:
        unseen = "neutral" if self.unseen == "error" else self.unseen
        # the folds reuse the chosen min_iv: one more cross-validation per fold would
        # multiply the fit time by cv for a single number
        chosen = None if self.selection_ is None else self.selection_["min_iv"]
        raw = clone(self).set_params(calibration=None, unseen=unseen, min_iv=chosen)
        logits = _calibration.out_of_fold_logits(
            raw, X, y, cv=self.cv, random_state=self.random_state
        )
        self.cv_metrics_ = summary_metrics(y, 1.0 / (1.0 + np.exp(-logits)))
        if self.calibration == "sigmoid":
            slope, shift = _calibration.platt(logits, y)
            self.coef_ = self.coef_ * slope
            self.intercept_ = self.intercept_ * slope + shift
            self.calibration_ = {"method": "sigmoid", "slope": slope, "shift": shift}
        else:
            self.calibration_ = {"method": "isotonic", **_calibration.isotonic(logits, y)}

    # -- points ------------------------------------------------------------------

    @property
    def factor_(self) -> float:
        return self.pdo / math.log(2.0)

    @property
    def offset_(self) -> float:
        return self.base_score - self.factor_ * math.log(self.base_odds)

    def _set_points(self) -> None:
        share = (self.offset_ - self.factor_ * self.intercept_) / len(self.features_)
        self.points_: list[FeaturePoints] = []
        for name, coef in zip(self.features_, self.coef_, strict=True):
            pts = [float(share - self.factor_ * coef * w) for w in self.woe_[name]]
            binning = self.binnings_[name]
            n_regular = binning.n_bins
            missing = pts[n_regular] if binning.has_missing_bin else None
            unseen = {"worst": min(pts), "neutral": share, "error": None}[self.unseen]
            self.points_.append(FeaturePoints(binning, pts[:n_regular], missing, unseen))
        cutoffs = self.grade_cutoffs or {
            g: self._score_at(pd_) for g, pd_ in DEFAULT_GRADE_PD.items()
        }
        self.cutoffs_ = check_cutoffs(cutoffs)

    def _score_at(self, bad_probability: float) -> float:
        return round(
            self.offset_ + self.factor_ * math.log((1 - bad_probability) / bad_probability), 1
        )

    def _feature_points(self) -> list[FeaturePoints]:
        return self.points_

    def _grade_cutoffs(self) -> dict[str, float]:
        return self.cutoffs_

    # -- probabilities -------------------------------------------------------------

    def decision_function(self, X: pd.DataFrame) -> FloatArray:
        """Log-odds of the bad outcome, an exact linear transform of the score."""
        scores = self.score(X).to_numpy(dtype=np.float64)
        return (self.offset_ - scores) / self.factor_

    def predict_proba(self, X: pd.DataFrame) -> FloatArray:
        """Columns: probability of good (0), probability of bad (1)."""
        logits = self.decision_function(X)
        if self.calibration_["method"] == "isotonic":
            bad = _calibration.apply_isotonic(logits, self.calibration_)
        else:
            bad = 1.0 / (1.0 + np.exp(-logits))
        return np.column_stack([1.0 - bad, bad])

    def predict(self, X: pd.DataFrame, *, threshold: float = 0.5) -> IntArray:
        return (self.predict_proba(X)[:, 1] >= threshold).astype(np.int64)

    # -- model file ------------------------------------------------------------------

    def to_json(self, *, indent: int | None = 2) -> str:
        """A readable JSON card: bins, points, cut-offs, parameters, fingerprint, metrics."""
        document = _cardfile.document(self, format_name=FORMAT, version=FORMAT_VERSION)
        return json.dumps(document, indent=indent, ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> Scorecard:
        """Load a card written by :meth:`to_json`; it scores exactly as the original."""
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} file (format={data.get('format')!r})")
        card = cls(**data["params"])
        _cardfile.restore(card, data)
        return card


def _check_numbers(card: Scorecard) -> None:
    limits = {
        "C": card.C > 0,
        "cv": isinstance(card.cv, int) and card.cv >= 2,
        "max_prebins": isinstance(card.max_prebins, int) and card.max_prebins >= 2,
        "min_bin_share": 0 < card.min_bin_share < 0.5,
        "min_iv": card.min_iv is None or card.min_iv >= 0,
        "max_features": card.max_features is None or card.max_features >= 1,
    }
    wrong = [name for name, ok in limits.items() if not ok]
    if wrong:
        raise ValueError(
            f"out of range: {', '.join(f'{n}={getattr(card, n)!r}' for n in wrong)} (C > 0, "
            "cv >= 2, max_prebins >= 2, 0 < min_bin_share < 0.5, min_iv >= 0, max_features >= 1)"
        )


def _drop_reason(
    column: pd.Series, binning: Binning, iv: float, min_iv: float | None
) -> str | None:
    if binning.missing_n == len(column):
        return "all values missing"
    if column.nunique(dropna=False) < 2:
        return "constant"
    if iv <= 0.0:
        return f"IV {iv:.4f}: one bin, no information"
    if min_iv is not None and iv < min_iv:
        return f"IV {iv:.4f} below min_iv {min_iv}"
    return None
