"""Scoring models as stored versions, and the hard rules that stand beside them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

from credit import ExpertScorecard, Scorecard
from credit.incubator import incubator_rubric_v1
from servicedesk.errors import NotFound
from servicedesk.incubators.models import CreditEvent, Incubator, Suspension
from servicedesk.ratings.models import Rating, ScoringModel
from servicedesk.timeutil import now

GRADES = ("A", "B", "C", "D")
EXPERT_VERSION = "expert-v1"
Card = ExpertScorecard | Scorecard


MAX_MISSING = 3
"""More missing indicators than this and an incubator is not rated (README: missing data)."""


@dataclass(frozen=True)
class Proposal:
    score: float
    grade: str
    predicted_bad: float | None
    reasons: list[dict[str, Any]]
    missing: list[str]


def worse(a: str, b: str) -> str:
    return max(a, b, key=GRADES.index)


def expert_card() -> ExpertScorecard:
    """The shipped expert rubric whose stated grade risks officials rely on."""
    return incubator_rubric_v1()


async def ensure_expert(actor: str = "system") -> ScoringModel:
    """The shipped expert rubric as a model version; active when nothing else is."""
    row = await ScoringModel.get_or_none(version=EXPERT_VERSION)
    if row is not None:
        return row
    card = expert_card()
    active = await ScoringModel.exists(status="active")
    return await ScoringModel.create(
        version=EXPERT_VERSION,
        kind="expert",
        card=json.loads(card.to_json()),
        params={"rubric": f"{card.name} v{card.version}"},
        created_by=actor,
        created_at=now(),
        status="candidate" if active else "active",
        activated_at=None if active else now(),
    )


async def get_model(version: str | None) -> ScoringModel:
    """The named version, or the active one (the expert rubric on a cold start)."""
    if version:
        row = await ScoringModel.get_or_none(version=version)
        if row is None:
            raise NotFound(f"model version {version!r} does not exist")
        return row
    active = await ScoringModel.get_or_none(status="active")
    return active or await ensure_expert()


def load_card(model: ScoringModel) -> Card:
    if model.kind == "expert":
        return ExpertScorecard.from_dict(model.card)
    return Scorecard.from_json(json.dumps(model.card))


def missing_of(card: Card, frame: pd.DataFrame) -> dict[Any, list[str]]:
    """Per row, the card's indicators without a value."""
    if isinstance(card, ExpertScorecard):
        names = [fp.name for fp in card.points_]
    else:
        names = [str(c) for c in frame.columns]
    mask = frame[names].isna()
    return {key: [n for n in names if bool(mask.at[key, n])] for key in frame.index}


def neutral_points(card: ExpertScorecard, frame: pd.DataFrame) -> pd.DataFrame:
    """The rubric's points, a missing indicator scored at its neutral value: halfway
    between its worst and best bin, so an unknown neither earns nor costs the
    indicator's full weight (README "missing data")."""
    pts = card.points(frame)
    for fp in card.points_:
        neutral = (min(fp.points) + max(fp.points)) / 2
        pts.loc[frame[fp.name].isna(), fp.name] = neutral
    return pts


def _grade(score: float, cutoffs: dict[str, float]) -> str:
    return next((g for g in GRADES[:3] if score >= cutoffs[g]), "D")


def _expert(card: ExpertScorecard, frame: pd.DataFrame) -> dict[Any, Proposal]:
    pts = neutral_points(card, frame)
    best = {fp.name: fp.best() for fp in card.points_}
    missing = missing_of(card, frame)
    out = {}
    for key in frame.index:
        row = pts.loc[key]
        score = round(float(row.sum()), 2)
        grade = _grade(score, card.cutoffs_)
        lost = sorted(
            ((best[n] - float(row[n]), n) for n in pts.columns if best[n] - float(row[n]) > 0),
            key=lambda item: -item[0],
        )[:3]
        out[key] = Proposal(
            score=score,
            grade=grade,
            predicted_bad=card.grade_pd[grade] if card.grade_pd else None,
            reasons=[{"feature": n, "points_lost": round(v, 2)} for v, n in lost],
            missing=missing[key],
        )
    return out


def propose(card: Card, frame: pd.DataFrame) -> dict[Any, Proposal]:
    """Score, grade, bad probability, top reasons and missing indicators per row.

    An expert rubric scores a missing indicator at its neutral value; a learned card
    has its own missing bin, fitted from data.
    """
    if frame.empty:
        return {}
    if isinstance(card, ExpertScorecard):
        return _expert(card, frame)
    scores = card.score(frame)
    grades = card.grade(frame)
    reasons = card.explain(frame, top=3)
    bad = card.predict_proba(frame)[:, 1]
    missing = missing_of(card, frame)
    return {
        key: Proposal(
            score=round(float(scores.iloc[i]), 2),
            grade=str(grades.iloc[i]),
            predicted_bad=float(bad[i]),
            reasons=[
                {"feature": r["feature"], "points_lost": round(r["points_lost"], 2)}
                for r in reasons[i]
            ],
            missing=missing[key],
        )
        for i, key in enumerate(frame.index)
    }


async def hard_caps(
    incubator: Incubator, row: pd.Series, indicator_period: str
) -> list[dict[str, Any]]:
    """Serious dishonesty caps the grade at D, whatever the score (DESIGN §4)."""
    caps: list[dict[str, Any]] = []
    false_reports = row.get("false_reports")
    if false_reports is not None and pd.notna(false_reports) and float(false_reports) > 0:
        caps.append(
            {
                "rule": "false_reports",
                "grade": "D",
                "detail": f"{int(false_reports)} false report(s) in {indicator_period}",
            }
        )
    last = (
        await Rating.filter(incubator=incubator, published_at__isnull=False)
        .order_by("-published_at")
        .first()
    )
    events = CreditEvent.filter(incubator=incubator, kind__in=["falsified", "false_report"])
    if last is not None and last.published_at is not None:
        events = events.filter(recorded_at__gt=last.published_at)
    for event in await events.order_by("recorded_at"):
        caps.append(
            {
                "rule": event.kind,
                "grade": "D",
                "detail": f"{event.kind.replace('_', ' ')} recorded {event.recorded_at:%Y-%m-%d}"
                f" ({event.ref or event.period})",
            }
        )
    suspension = await Suspension.filter(incubator=incubator, lifted_at__isnull=True).first()
    if suspension is not None:
        caps.append(
            {
                "rule": "suspended",
                "grade": "D",
                "detail": f"recommendation privilege suspended since "
                f"{suspension.started_at:%Y-%m-%d}",
            }
        )
    return caps


def cap_grade(grade: str, caps: list[dict[str, Any]]) -> str:
    for cap in caps:
        grade = worse(grade, str(cap["grade"]))
    return grade
