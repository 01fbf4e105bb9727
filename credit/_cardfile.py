"""The learned card's JSON document: what :meth:`Scorecard.to_json` writes and reads back.

Format 2 adds ``selection`` (how the features were chosen). A format-1 card loads
as it was written and scores exactly as before, ``__other__`` groups included.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from credit._points import FeaturePoints, check_cutoffs


def document(card: Any, *, format_name: str, version: int) -> dict[str, Any]:
    """Every fitted figure of ``card`` as plain JSON values."""
    data: dict[str, Any] = {
        "format": format_name,
        "format_version": version,
        "params": card.get_params(),
        "scaling": {"factor": card.factor_, "offset": card.offset_},
        "intercept": card.intercept_,
        "features": [
            {
                **fp.to_dict(),
                "iv": card.iv_[fp.name],
                "coefficient": float(c),
                "woe": card.woe_[fp.name].tolist(),
            }
            for fp, c in zip(card.points_, card.coef_, strict=True)
        ],
        "grade_cutoffs": card.cutoffs_,
        "calibration": card.calibration_,
        "dropped": card.dropped_,
        "iv": card.iv_,
        "training": {**card.training_, "fingerprint": card.fingerprint_},
        "metrics": {"training": card.metrics_, "cross_validated": card.cv_metrics_},
    }
    if card.selection_ is not None:
        data["selection"] = card.selection_
    return data


def restore(card: Any, data: dict[str, Any]) -> None:
    """Set the fitted attributes of a freshly constructed ``card`` from ``data``."""
    card.points_ = [FeaturePoints.from_dict(f) for f in data["features"]]
    card.features_ = [fp.name for fp in card.points_]
    card.binnings_ = {fp.name: fp.binning for fp in card.points_}
    card.coef_ = np.asarray([f["coefficient"] for f in data["features"]], dtype=np.float64)
    card.woe_ = {f["name"]: np.asarray(f["woe"], dtype=np.float64) for f in data["features"]}
    card.intercept_ = float(data["intercept"])
    card.iv_, card.dropped_ = data["iv"], data["dropped"]
    card.selection_ = data.get("selection")
    card.cutoffs_ = check_cutoffs(data["grade_cutoffs"])
    card.calibration_ = data["calibration"]
    training = dict(data["training"])
    card.fingerprint_ = training.pop("fingerprint")
    card.training_ = training
    card.feature_names_in_ = np.asarray(training["columns"], dtype=object)
    card.n_features_in_ = len(training["columns"])
    card.classes_ = np.array([0, 1])
    card.metrics_ = data["metrics"]["training"]
    card.cv_metrics_ = data["metrics"]["cross_validated"]
