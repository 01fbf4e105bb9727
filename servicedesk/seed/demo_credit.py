"""Demo data for the credit mechanism: 30 incubators, three years of indicators and
outcomes, models, published rating runs, a policy, firms, recommendations, waived cases
and spot checks, so every page of the officials' dashboard and the portal has content.

Indicators come from the credit library's synthetic generator (``generate_histories``):
its ``bad`` outcome is recorded as a serious credit event in the following quarter.
"""

from __future__ import annotations

import math
from datetime import date

from credit.incubator import INDICATOR_NAMES, generate_histories
from servicedesk.accounts import service as accounts
from servicedesk.accounts.models import Role, User
from servicedesk.accounts.service import Principal
from servicedesk.cases import service as cases
from servicedesk.cases import transitions
from servicedesk.errors import Conflict
from servicedesk.exemptions import recommendations, spotchecks
from servicedesk.firms import uscc
from servicedesk.incubators import periods
from servicedesk.incubators import service as incubators
from servicedesk.incubators.models import CreditEvent, Incubator, IndicatorValue
from servicedesk.policy import service as policy
from servicedesk.ratings import appeals, scoring, training
from servicedesk.ratings import service as ratings
from servicedesk.timeutil import now, today

PASSWORD = "demo-pass-2026"
DEMO_INCUBATORS = [
    ("INC-HD-001", "中关村人工智能孵化器", "national", "海淀区", ["ai", "it"]),
    ("INC-DX-001", "大兴生物医药孵化器", "municipal", "大兴区", ["biomedicine", "medical_devices"]),
    ("INC-YZ-001", "亦庄智能制造孵化器", "municipal", "北京经济技术开发区", ["manufacturing"]),
]
DISTRICTS = [
    "海淀区",
    "朝阳区",
    "昌平区",
    "丰台区",
    "顺义区",
    "通州区",
    "大兴区",
    "石景山区",
    "北京经济技术开发区",
]
THEMES = [
    "人工智能",
    "集成电路",
    "生物医药",
    "医疗器械",
    "智能制造",
    "新材料",
    "数字经济",
    "新能源",
    "航空航天",
]
OPERATORS = [
    ("incubator-hd", "INC-HD-001", "中关村孵化器运营"),
    ("incubator-dx", "INC-DX-001", "大兴孵化器运营"),
    ("incubator-yz", "INC-YZ-001", "亦庄孵化器运营"),
]
HD_FIRMS = [
    "北京智源星图科技有限公司",
    "北京深言智能科技有限公司",
    "北京算力方舟科技有限公司",
    "北京灵犀视觉科技有限公司",
    "北京云脉数据科技有限公司",
    "北京启明语义科技有限公司",
    "北京千帆机器人科技有限公司",
    "北京知行芯片科技有限公司",
    "北京数衡科技有限公司",
    "北京清微感知科技有限公司",
    "北京星河大模型科技有限公司",
    "北京观澜安全科技有限公司",
]
OTHER_FIRMS = {
    "INC-DX-001": ["北京康源生物科技有限公司", "北京瑞济医疗器械有限公司"],
    "INC-YZ-001": ["北京精工智造科技有限公司", "北京数控联合科技有限公司"],
}
LI, WANG = "official:official-li", "official:official-wang"


def _uscc(serial: int) -> str:
    return uscc.complete(f"91110108MA{serial:06d}")


async def seed_credit() -> None:
    """Everything the credit pages show; call after the catalogue and staff exist."""
    quarters = periods.quarters_before(periods.quarter_of(today()), 12)
    await _incubators()
    await _indicators(quarters)
    await _operators()
    await _firms()
    await scoring.ensure_expert()
    for period in quarters[-3:]:
        await _publish(period)
    await _learned_model()
    await _waivers()
    await _appeal()


async def _incubators() -> None:
    for code, name, level, district, focus in DEMO_INCUBATORS:
        if await Incubator.exists(code=code):
            continue  # hosts a service point: the catalogue file brought it
        await incubators.create(
            code, name=name, level=level, district=district, focus_industries=focus
        )
    levels = ["national", "municipal", "municipal", "district", "district"]
    for i in range(27):
        district = DISTRICTS[i % len(DISTRICTS)]
        theme = THEMES[i % len(THEMES)]
        await incubators.create(
            f"INC-{i + 2:03d}",
            name=f"{district[:2]}{theme}孵化器{i // 9 + 1}号",
            level=levels[i % len(levels)],
            district=district,
            kind="maker_space" if i % 4 == 3 else "incubator",
        )


async def _indicators(quarters: list[str]) -> None:
    data = generate_histories(n_incubators=30, n_periods=len(quarters), seed=2026)
    codes = [c for c, *_ in DEMO_INCUBATORS] + [f"INC-{i + 2:03d}" for i in range(27)]
    by_code = {i.code: i for i in await Incubator.all()}
    values: list[IndicatorValue] = []
    events: list[CreditEvent] = []
    current = periods.sort_key(periods.quarter_of(today()))
    for _, row in data.iterrows():
        index = int(str(row["incubator_id"])[3:])
        incubator, period = by_code[codes[index]], quarters[int(row["period"]) - 1]
        figures = {n: float(row[n]) for n in INDICATOR_NAMES}
        if index == 0:  # the demo's own incubator: a consistently strong record
            figures |= {
                "violations": 0.0,
                "false_reports": 0.0,
                "spot_check_pass_rate": 100.0,
                "mentors_per_100_firms": 12.0,
                "window_satisfaction": 97.0,
                "report_timeliness": 100.0,
                "graduation_rate": 24.0,
                "high_tech_firms": 7.0,
                "financing_raised": 65.0,
            }
        for name, value in figures.items():
            values.append(
                IndicatorValue(
                    incubator=incubator,
                    period=period,
                    name=name,
                    value=None if math.isnan(value) else value,
                    source="derived" if name in _DERIVED else "reported",
                    recorded_by="system:demo",
                    recorded_at=now(),
                )
            )
        following = periods.next_period(period)
        if int(row["bad"]) and index != 0 and periods.sort_key(following) < current:
            events.append(
                CreditEvent(
                    incubator=incubator,
                    period=following,
                    kind="violation",
                    notes="demo: serious violation on record",
                    recorded_by="system:demo",
                    recorded_at=now(),
                )
            )
    await IndicatorValue.bulk_create(values)
    await CreditEvent.bulk_create(events)


_DERIVED = {
    "graduation_rate",
    "violations",
    "false_reports",
    "window_satisfaction",
    "report_timeliness",
    "spot_check_pass_rate",
}


async def _operators() -> None:
    for username, code, name in OPERATORS:
        if not await User.exists(username=username):
            await accounts.create_user(
                username,
                password=PASSWORD,
                role=Role.INCUBATOR,
                incubator_code=code,
                display_name=name,
            )


async def _firms() -> None:
    hd = await incubators.get("INC-HD-001")
    for i, name in enumerate(HD_FIRMS):
        graduated = date(today().year, 3, 31) if i == len(HD_FIRMS) - 1 else None
        await incubators.register_firm(
            hd,
            uscc=_uscc(100 + i),
            name=name,
            since=date(2023 + i % 3, 1 + i % 12, 1),
            graduated_on=graduated,
        )
    for n, (code, names) in enumerate(OTHER_FIRMS.items()):
        incubator = await incubators.get(code)
        for i, name in enumerate(names):
            await incubators.register_firm(
                incubator, uscc=_uscc(200 + 10 * n + i), name=name, since=date(2024, 6, 1)
            )


async def _publish(period: str) -> None:
    run = await ratings.start_run(period, model_version=None, actor=LI)
    await ratings.approve_all(run.id, actor=LI)
    await ratings.confirm_all(run.id, actor=WANG)
    await ratings.publish(run.id, actor=WANG)


async def _learned_model() -> None:
    try:
        model = await training.train(actor=LI)
    except Conflict:  # too few outcomes in this draw: the expert rubric stays alone
        return
    await training.promote(model.version, actor=LI)  # one approval; a second is pending


async def _waivers() -> None:
    """A pilot policy with a high rate for A, waived cases, spot checks, then the 5 % policy."""
    await policy.save(
        actor=LI,
        waiver_grades=["A"],
        note="试点期：A 级抽查 25%",
        spot_check_rates={"A": 0.25, "B": 0.2, "C": 0.6, "D": 1.0},
        quota_per_period=40,
        waivable_matters=list((await policy.current()).waivable_matters),
    )
    operator = Principal(user=await User.get(username="incubator-hd"))
    clerk = Principal(user=await User.get(username="clerk-hd"))
    drawn: list[int] = []
    matters = ["HTE-CERT", "POLICY-MUNI", "ZGC-HTE", "SRDI-SME"]
    for i, name in enumerate(HD_FIRMS[:11]):
        uscc = _uscc(100 + i)
        matter = matters[i % len(matters)]
        rec = await recommendations.create(
            operator, firm_uscc=uscc, matter_code=matter, note="本孵化器在孵企业，材料已预审"
        )
        view = await cases.submit(
            principal=clerk,
            service_point="HD-AI",
            matter_code=matter,
            uscc=uscc,
            firm_name=name,
            materials=await _core(matter),
            recommendation_id=rec.recommendation.id,
        )
        if i == 10:  # left for the clerk: a recommended case waiting to be accepted
            break
        accepted = await transitions.accept(
            view.case.case_no, principal=clerk, with_deficiency=True
        )
        if accepted.case.spot_check_id:
            drawn.append(accepted.case.spot_check_id)
    # The recorded checks pass: how many are drawn depends on the policy's random seed,
    # and with the pass rate now derived from them, one failure among a few would cost
    # the demo incubator its grade A on some runs and not others.
    for check_id in drawn[:-1]:
        await spotchecks.record_result(check_id, outcome="pass", notes="", actor=WANG)
    await policy.save(
        actor=WANG,
        waiver_grades=["A"],
        note="常态化：A 级抽查 5%",
        spot_check_rates={"A": 0.05, "B": 0.2, "C": 0.6, "D": 1.0},
        quota_per_period=20,
        waivable_matters=list((await policy.current()).waivable_matters),
    )


async def _core(matter_code: str) -> list[str]:
    from servicedesk.catalogue.models import MaterialRequirement

    codes = await MaterialRequirement.filter(matter__code=matter_code, core=True).values_list(
        "code", flat=True
    )
    return [str(c) for c in codes]


async def _appeal() -> None:
    operator = Principal(user=await User.get(username="incubator-dx"))
    await appeals.file(operator, reason="本期违规记录已于上月经区科委撤销，请复核评级。")
