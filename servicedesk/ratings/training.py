"""Learned cards: trained on the outcomes in the database, promoted by two officials."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd
from tortoise.transactions import in_transaction

from credit import Scorecard, grade_risk_table
from credit._binning import TrendSpec
from credit.incubator import INDICATORS
from credit.metrics import validation_report
from servicedesk.audit import service as audit
from servicedesk.errors import Conflict, FourEyesRequired, NotFound
from servicedesk.incubators import indicators
from servicedesk.ratings import scoring
from servicedesk.ratings.models import ScoringModel
from servicedesk.timeutil import now, today

MIN_ROWS, MIN_BAD = 40, 8
TRENDS: dict[str, TrendSpec] = {
    i.name: "descending" if i.direction == "higher_is_better" else "ascending" for i in INDICATORS
}
"""The bad rate falls as a higher-is-better indicator grows: monotonic bins both ways."""


def _split(periods_of_rows: list[str]) -> tuple[np.ndarray[Any, Any], list[str]]:
    """Hold out the latest quarter of the periods for validation (out of time)."""
    ordered = list(dict.fromkeys(periods_of_rows))
    held = ordered[-max(1, len(ordered) // 4) :]
    return np.asarray([p in held for p in periods_of_rows]), held


def _clean(value: Any) -> Any:
    """JSON-safe figures: NaN and infinities become None."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    return value


def _report(card: scoring.Card, X: pd.DataFrame, y: pd.Series) -> dict[str, Any]:
    report = validation_report(card, X, y)
    report.pop("score_histogram", None)
    return dict(_clean(report))


async def train(*, actor: str, C: float = 1.0) -> ScoringModel:
    """Fit a learned card on older periods, validate it and the active model on the latest."""
    X, y, row_periods = await indicators.training_frame()
    if len(y) < MIN_ROWS or int(y.sum()) < MIN_BAD or int((1 - y).sum()) < MIN_BAD:
        raise Conflict(
            f"not enough outcomes to learn from: {len(y)} incubator-periods with "
            f"{int(y.sum())} bad outcomes (need {MIN_ROWS} and {MIN_BAD})"
        )
    held, held_periods = _split(row_periods)
    if int(y[held].sum()) == 0 or int(y[~held].sum()) < MIN_BAD // 2:
        raise Conflict("the latest periods hold no bad outcome to validate against")
    card = Scorecard(monotonic=TRENDS, C=C, min_bin_share=0.08, max_prebins=10)
    card.fit(X[~held].reset_index(drop=True), y[~held].reset_index(drop=True))
    active = await scoring.get_model(None)
    X_val, y_val = X[held].reset_index(drop=True), y[held].reset_index(drop=True)
    validation: dict[str, Any] = {
        "holdout_periods": held_periods,
        "n_train": int((~held).sum()),
        "n_validation": int(held.sum()),
        "candidate": _report(card, X_val, y_val),
        "active": {"version": active.version, **_report(scoring.load_card(active), X_val, y_val)},
    }
    version = await _next_version()
    async with in_transaction():
        model = await ScoringModel.create(
            version=version,
            kind="learned",
            card=json.loads(card.to_json()),
            params=_clean(card.get_params()),
            training={
                "fingerprint": card.fingerprint_,
                "rows": int((~held).sum()),
                "bad": int(y[~held].sum()),
                "periods": sorted(set(row_periods) - set(held_periods)),
            },
            validation=validation,
            created_by=actor,
            created_at=now(),
        )
        await audit.record(
            "model.train",
            actor=actor,
            entity="model",
            entity_id=version,
            after={
                "auc": validation["candidate"].get("auc"),
                "active_auc": validation["active"].get("auc"),
            },
        )
    return model


async def _next_version() -> str:
    stem = f"learned-{today():%Y%m%d}"
    taken = await ScoringModel.filter(version__startswith=stem).count()
    return f"{stem}-{taken + 1}"


async def promote(version: str, *, actor: str) -> ScoringModel:
    """Record an official's approval; the second, different official's makes it active."""
    model = await ScoringModel.get_or_none(version=version)
    if model is None:
        raise NotFound(f"model version {version!r} does not exist")
    async with in_transaction():
        model = await ScoringModel.filter(id=model.id).select_for_update().get()
        if model.status == "active":
            raise Conflict(f"{version} is already the active model")
        if actor in model.approvals:
            raise FourEyesRequired("you approved this model already; a second official must too")
        approvals = [*model.approvals, actor]
        if len(approvals) >= 2:
            await ScoringModel.filter(status="active").update(status="retired")
            await ScoringModel.filter(id=model.id).update(
                approvals=approvals, status="active", activated_at=now()
            )
        else:
            await ScoringModel.filter(id=model.id).update(approvals=approvals)
        await audit.record(
            "model.approve",
            actor=actor,
            entity="model",
            entity_id=version,
            after={"approvals": approvals, "active": len(approvals) >= 2},
        )
    return await ScoringModel.get(id=model.id)


async def list_models() -> list[ScoringModel]:
    await scoring.ensure_expert()
    return await ScoringModel.all().order_by("-created_at", "-id")


async def grade_risks() -> list[dict[str, Any]]:
    """Each grade's stated bad rate beside what the recorded outcomes show.

    Grades are the ones the expert rubric gives each incubator-period (missing
    indicators scored as the service scores them); each grade's bad rate is a
    beta-binomial update of the rubric's stated rate, checked two-sided."""
    card = scoring.expert_card()
    X, y, _ = await indicators.training_frame()
    counts: dict[str, tuple[int, int]] = {}
    if len(y):
        proposals = scoring.propose(card, X.reset_index(drop=True))
        grades = pd.Series([proposals[i].grade for i in range(len(X))])
        outcomes = pd.Series(np.asarray(y, dtype=int))
        for grade, group in outcomes.groupby(grades):
            counts[str(grade)] = (len(group), int(group.sum()))
    return list(_clean(grade_risk_table(counts, card.grade_pd or {})))
