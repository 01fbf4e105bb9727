"""The on-site inspection decision taken when a case is accepted (DESIGN §3).

Every condition is evaluated and reported, even after one has failed, so the clerk
and the firm see the whole picture. The decision is stored with the rating and the
policy version it used, and, when the waiver holds, the spot-check draw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tortoise.exceptions import IntegrityError

from servicedesk.audit import service as audit
from servicedesk.cases.models import Case
from servicedesk.errors import Conflict
from servicedesk.exemptions import recommendations, spotchecks
from servicedesk.exemptions.models import Recommendation, SpotCheck, WaiverDecision
from servicedesk.incubators import service as incubators
from servicedesk.policy import service as policy
from servicedesk.policy.service import PolicyView
from servicedesk.ratings.models import Rating
from servicedesk.timeutil import beijing_date, now, today

STATUS_ZH = {"incubated": "在孵", "graduated": "已毕业"}


@dataclass
class InspectionDecision:
    inspection: str  # required / waived / spot_check / not_applicable
    reasons: list[dict[str, Any]] = field(default_factory=list)
    spot_check_id: int | None = None


def _score(score: float) -> str:
    """A rating's score as people read it: 97, 88.5 (never the rating's row id)."""
    return f"{round(score, 1):g}"


def _reason(rule: str, ok: bool, detail: str, detail_zh: str) -> dict[str, Any]:
    return {"rule": rule, "ok": ok, "detail": detail, "detail_zh": detail_zh}


@dataclass
class _Facts:
    """What the decision looked at, gathered once."""

    rules: PolicyView
    rec: Recommendation | None = None
    rating: Rating | None = None
    reasons: list[dict[str, Any]] = field(default_factory=list)

    def add(self, rule: str, ok: bool, detail: str, detail_zh: str) -> None:
        self.reasons.append(_reason(rule, ok, detail, detail_zh))

    @property
    def all_ok(self) -> bool:
        return all(r["ok"] for r in self.reasons)


async def decide(*, case: Case, actor: str) -> InspectionDecision:
    """Whether the accepted case needs an on-site inspection, with every reason.

    Call inside the acceptance transaction: the stored decision and any spot check
    commit or roll back with the case's transition.
    """
    try:
        return await _decide(case, actor=actor)
    except IntegrityError:  # a decision per case: another request decided it first
        raise Conflict(f"case {case.case_no} was decided by someone else; reload it") from None


async def _decide(case: Case, *, actor: str) -> InspectionDecision:
    matter = case.matter
    facts = _Facts(rules=await policy.current())
    if not matter.inspection_applies:
        facts.add("matter", True, "this matter has no on-site inspection", "该事项不需要实地核查")
        return await _store(case, facts, "not_applicable", actor=actor)
    _check_matter(facts, matter.code, matter.inspection_waivable)
    await _check_recommendation(facts, case)
    await _check_incubator(facts, case)
    waivable = facts.all_ok
    carried = await _carried_check(case, facts, actor=actor)
    if not waivable:
        return await _store(
            case, facts, "required", actor=actor, spot_check_id=carried.id if carried else None
        )
    if carried is not None:
        return await _store(case, facts, "spot_check", actor=actor, spot_check_id=carried.id)
    return await _draw(case, facts, actor=actor)


async def _carried_check(case: Case, facts: _Facts, *, actor: str) -> SpotCheck | None:
    """An open check of a withdrawn case with the same recommendation moves to this one:
    withdrawing after a draw does not escape the inspection."""
    if facts.rec is None:
        return None
    check = await spotchecks.open_of_withdrawn(facts.rec.id)
    if check is None:
        return None
    withdrawn = check.case_no
    await spotchecks.carry_over(check, to_case=case.case_no, actor=actor)
    facts.add(
        "spot_check_carried",
        False,
        f"spot check {check.id} drawn for the withdrawn case {withdrawn} (same recommendation) "
        "carries over: on-site inspection",
        f"同一推荐的已撤回办件 {withdrawn} 被抽中的抽查（编号 {check.id}）转入本办件，仍需实地核查",
    )
    return check


def _check_matter(facts: _Facts, code: str, waivable: bool) -> None:
    v = facts.rules.version
    ok = waivable and code in facts.rules.waivable_matters
    facts.add(
        "matter_waivable",
        ok,
        f"matter {code} {'is' if ok else 'is not'} waivable under policy v{v}",
        f"事项 {code} {'属于' if ok else '不属于'}可免于实地核查的事项（政策第 {v} 版）",
    )


async def _check_recommendation(facts: _Facts, case: Case) -> None:
    if case.recommendation_id is None:
        facts.add(
            "recommendation",
            False,
            "the case carries no incubator recommendation",
            "该办件没有孵化器推荐",
        )
        facts.add("recommendation_valid", False, "no recommendation to check", "无推荐可核验")
        return
    rec = await Recommendation.get_or_none(id=case.recommendation_id).prefetch_related(
        "incubator", "firm", "matter"
    )
    matches = rec is not None and (rec.firm_id, rec.matter_id) == (case.firm_id, case.matter_id)
    if rec is None or not matches:
        facts.add(
            "recommendation",
            False,
            f"recommendation {case.recommendation_id} is not for this firm and matter",
            f"推荐 {case.recommendation_id} 与本办件的企业或事项不符",
        )
        facts.add(
            "recommendation_valid",
            False,
            "no matching recommendation to check",
            "无相符的推荐可核验",
        )
        return
    facts.rec = rec
    facts.add(
        "recommendation",
        True,
        f"recommended by {rec.incubator.code} (recommendation {rec.id})",
        f"由孵化器 {rec.incubator.code} 推荐（推荐编号 {rec.id}）",
    )
    await _check_validity(facts, rec)


async def _check_validity(facts: _Facts, rec: Recommendation) -> None:
    quota = facts.rules.quota_per_period
    rank = await Recommendation.filter(
        incubator_id=rec.incubator_id,
        period=rec.period,
        revoked_at__isnull=True,
        id__lte=rec.id,
    ).count()
    problems: list[tuple[str, str]] = []
    if rec.revoked_at is not None:
        problems.append(("revoked", "已撤回"))
    if rec.valid_until < today():
        problems.append((f"expired on {rec.valid_until}", f"已于 {rec.valid_until} 过期"))
    if rec.revoked_at is None and rank > quota:
        problems.append(
            (
                f"number {rank} of {rec.period}, beyond the quota of {quota}",
                f"为 {rec.period} 第 {rank} 个推荐，超出配额 {quota}",
            )
        )
    if problems:
        facts.add(
            "recommendation_valid",
            False,
            "the recommendation is " + "; ".join(p[0] for p in problems),
            "推荐无效：" + "；".join(p[1] for p in problems),
        )
    else:
        facts.add(
            "recommendation_valid",
            True,
            f"valid until {rec.valid_until}, number {rank} of {quota} for {rec.period}",
            f"有效期至 {rec.valid_until}，{rec.period} 第 {rank} 个（配额 {quota}）",
        )


async def _check_incubator(facts: _Facts, case: Case) -> None:
    rec = facts.rec
    if rec is None:
        for rule in ("incubation", "rating", "privilege"):
            facts.add(rule, False, "no recommending incubator to check", "无推荐孵化器可核验")
        return
    code = rec.incubator.code
    window = facts.rules.graduate_window_days
    row = await incubators.incubation(rec.incubator, case.firm_id)
    ok = recommendations.incubation_holds(row, on=today(), window_days=window)
    status = row.status.value if row else "none"
    facts.add(
        "incubation",
        ok,
        f"firm incubation status at {code}: {status}"
        + (
            f" (graduated {row.graduated_on}, window {window} days)"
            if row and row.graduated_on
            else ""
        ),
        f"企业在 {code} 的孵化状态：{STATUS_ZH.get(status, '无记录')}"
        + (
            f"（{row.graduated_on} 毕业，政策窗口 {window} 天）" if row and row.graduated_on else ""
        ),
    )
    await _check_rating(facts, rec)
    suspended = await recommendations.active_suspension(rec.incubator)
    facts.add(
        "privilege",
        suspended is None,
        f"recommendation privilege of {code} "
        + (
            "is active"
            if suspended is None
            else f"is suspended since {beijing_date(suspended.started_at)}"
        ),
        f"{code} 的推荐资格"
        + ("正常" if suspended is None else f"自 {beijing_date(suspended.started_at)} 起暂停"),
    )


async def _check_rating(facts: _Facts, rec: Recommendation) -> None:
    code, grades = rec.incubator.code, facts.rules.waiver_grades
    rating = await Rating.get_or_none(incubator=rec.incubator, is_current=True).prefetch_related(
        "run"
    )
    if rating is None:
        facts.add(
            "rating", False, f"{code} has no published rating", f"{code} 尚无已发布的信用评级"
        )
        return
    facts.rating = rating
    ok = rating.grade in grades
    allowed = "/".join(grades) or "-"
    facts.add(
        "rating",
        ok,
        f"{code} published rating {rating.grade} (score {_score(rating.score)}, "
        f"run {rating.run.period}, model {rating.run.model_version}); "
        f"policy v{facts.rules.version} waives grade {allowed}",
        f"{code} 已发布评级 {rating.grade}（得分 {_score(rating.score)}，批次 {rating.run.period}，"
        f"模型 {rating.run.model_version}）；"
        f"政策第 {facts.rules.version} 版允许免核查的等级：{allowed}",
    )


async def _draw(case: Case, facts: _Facts, *, actor: str) -> InspectionDecision:
    assert facts.rec is not None
    assert facts.rating is not None
    grade, rules = facts.rating.grade, facts.rules
    rate = rules.rate_for(grade)
    value = spotchecks.draw_value(spotchecks.draw_key(), facts.rec.id)
    drawn = value < rate
    # The value stays out of the reasons: the firm sees them, and must not learn its draw.
    facts.add(
        "spot_check_draw",
        not drawn,
        f"random spot check at {rate:.0%} for grade {grade} (policy v{rules.version}): "
        + ("drawn for inspection" if drawn else "not drawn"),
        f"双随机抽查：{grade} 级抽查比例 {rate:.0%}（政策第 {rules.version} 版），"
        + ("被抽中，仍需实地核查" if drawn else "未被抽中"),
    )
    check_id = None
    if drawn:
        check = await spotchecks.create(
            case_no=case.case_no,
            incubator=facts.rec.incubator,
            grade=grade,
            rate=rate,
            value=value,
            policy_version=rules.version,
        )
        check_id = check.id
    return await _store(
        case,
        facts,
        "spot_check" if drawn else "waived",
        actor=actor,
        draw=(rate, value),
        spot_check_id=check_id,
    )


async def _store(
    case: Case,
    facts: _Facts,
    inspection: str,
    *,
    actor: str,
    draw: tuple[float, float] | None = None,
    spot_check_id: int | None = None,
) -> InspectionDecision:
    rating = facts.rating
    row = await WaiverDecision.create(
        case_no=case.case_no,
        recommendation_id=case.recommendation_id,
        incubator_code=facts.rec.incubator.code if facts.rec else None,
        matter_code=case.matter.code,
        inspection=inspection,
        reasons=facts.reasons,
        rating_id=rating.id if rating else None,
        grade=rating.grade if rating else None,
        policy_version=facts.rules.version,
        spot_check_id=spot_check_id,
        draw_rate=draw[0] if draw else None,
        draw_value=draw[1] if draw else None,
        decided_at=now(),
        decided_by=actor,
    )
    await audit.record(
        "inspection.decide",
        actor=actor,
        entity="case",
        entity_id=case.case_no,
        after={
            "inspection": inspection,
            "decision": row.id,
            "rating_id": row.rating_id,
            "policy_version": row.policy_version,
            "spot_check_id": spot_check_id,
        },
    )
    return InspectionDecision(inspection, facts.reasons, spot_check_id)


async def decision_for(case_no: str) -> WaiverDecision | None:
    return await WaiverDecision.get_or_none(case_no=case_no)


async def recent_decisions(limit: int = 300) -> list[WaiverDecision]:
    return await WaiverDecision.all().order_by("-decided_at").limit(limit)
