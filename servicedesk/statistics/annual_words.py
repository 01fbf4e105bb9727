"""The annual report's words in each language it is written in: titles, table headings,
row labels and the sentence templates its paragraphs are filled from.

The report is built in ``servicedesk`` (the CLI writes it without the pages), so its
sentences live here rather than in the pages' catalogues; a sentence is one template
per language with the figures as named fields, never a translation of a finished one.
"""

from __future__ import annotations

LANGUAGES = ("zh", "en")

ZH: dict[str, str] = {
    "title.incubators": "一、孵化器概况",
    "title.firms": "二、在孵企业",
    "title.trends": "三、指标趋势",
    "title.credit": "四、信用评级、申诉、免核查与抽查",
    "title.service": "五、窗口服务",
    "head.n": "数量",
    "head.grade": "信用等级",
    "head.district": "所在区",
    "head.level": "级别",
    "head.kind": "类型",
    "head.item": "项目",
    "head.firms": "企业数",
    "head.quarter": "季度",
    "head.appeal": "申诉状态",
    "head.inspection": "核查决定",
    "head.check": "抽查结果",
    "head.month": "月份",
    "head.tickets": "取号量",
    "head.cases": "办件量",
    "grade.none": "未评级",
    "level.national": "国家级",
    "level.municipal": "市级",
    "level.district": "区级",
    "kind.incubator": "孵化器",
    "kind.maker_space": "众创空间",
    "firms.joined": "本年新入孵",
    "firms.graduated": "本年毕业",
    "firms.left": "离孵（累计）",
    "firms.incubated": "年末在孵",
    "appeal.open": "待处理",
    "appeal.upheld": "申诉成立",
    "appeal.upheld_pending": "申诉成立，待复核",
    "appeal.dismissed": "申诉驳回",
    "inspection.waived": "免于实地核查",
    "inspection.spot_check": "抽中核查",
    "inspection.required": "需实地核查",
    "inspection.not_applicable": "不适用",
    "check.pass": "合格",
    "check.fail": "不合格",
    "check.falsified": "材料造假",
    "check.open": "待核查",
    "month": "{month}月",
    "grade_count": "{grade}级{n}家",
    "list_sep": ", ",
    "text.incubators": "截至{year}年末，纳入监测的孵化器共{total}家；已发布信用等级中{top}，"
    "A级占{a_share}。",
    "text.firms": "{year}年新入孵企业{joined}家，毕业{graduated}家，离孵{left}家；"
    "年末在孵企业{incubated}家。",
    "text.trends": "服务窗口满意率（各孵化器平均）由{first}的{first_value}%"
    "变为{last}的{last_value}%。",
    "text.trends_none": "{year}年尚无按季度的服务窗口满意率数据。",
    "text.credit": "{year}年发布评级{runs}批次，收到申诉{appeals}件。"
    "受理时作出核查决定{decided}件，其中免于实地核查{waived}件（{waived_share}）；"
    "抽查{checks}件，不合格{failed}件，其中材料造假{falsified}件。",
    "text.service": "{year}年各服务窗口共取号{tickets}次、收件{cases}件；按承诺时限办结率"
    "{on_time}，按法定时限办结率{on_time_statutory}。等候时间中位数{wait_p50}分钟，"
    "90%的企业在{wait_p90}分钟内被叫号；过号率{no_show}。",
    "text.ratings": "企业共评价{evaluations}次，满意率{satisfaction}；差评{bad}次，"
    "差评整改率{rectification}。",
}

EN: dict[str, str] = {
    "title.incubators": "1. Incubators",
    "title.firms": "2. Incubated firms",
    "title.trends": "3. Indicator trends",
    "title.credit": "4. Credit ratings, appeals, inspection waivers and spot checks",
    "title.service": "5. Window service",
    "head.n": "Number",
    "head.grade": "Credit grade",
    "head.district": "District",
    "head.level": "Level",
    "head.kind": "Kind",
    "head.item": "Item",
    "head.firms": "Firms",
    "head.quarter": "Quarter",
    "head.appeal": "Appeal status",
    "head.inspection": "Inspection decision",
    "head.check": "Spot-check result",
    "head.month": "Month",
    "head.tickets": "Tickets",
    "head.cases": "Cases",
    "grade.none": "Not rated",
    "level.national": "National",
    "level.municipal": "Municipal",
    "level.district": "District",
    "kind.incubator": "Incubator",
    "kind.maker_space": "Maker space",
    "firms.joined": "Joined this year",
    "firms.graduated": "Graduated this year",
    "firms.left": "Left (all years)",
    "firms.incubated": "Incubated at year end",
    "appeal.open": "Open",
    "appeal.upheld": "Upheld",
    "appeal.upheld_pending": "Upheld, awaiting a second official",
    "appeal.dismissed": "Dismissed",
    "inspection.waived": "On-site inspection waived",
    "inspection.spot_check": "Drawn for a spot check",
    "inspection.required": "On-site inspection required",
    "inspection.not_applicable": "Not applicable",
    "check.pass": "Passed",
    "check.fail": "Failed",
    "check.falsified": "Falsified material",
    "check.open": "Not yet inspected",
    "month": "{month_en}",
    "grade_count": "grade {grade}: {n}",
    "list_sep": ", ",
    "text.incubators": "At the end of {year}, {total} incubators were monitored; of the "
    "published credit grades, {top}; grade A makes up {a_share}.",
    "text.firms": "In {year}, {joined} firms joined an incubator, {graduated} graduated and "
    "{left} left; {incubated} firms were incubated at the end of the year.",
    "text.trends": "Window satisfaction (the mean over incubators) went from "
    "{first_value}% in {first} to {last_value}% in {last}.",
    "text.trends_none": "There are no quarterly window-satisfaction figures for {year} yet.",
    "text.credit": "In {year}, {runs} rating runs were published and {appeals} appeals "
    "received. At acceptance, {decided} inspection decisions were made, {waived} of them "
    "waiving the on-site inspection ({waived_share}); {checks} spot checks were drawn, "
    "{failed} failed, {falsified} of them for falsified material.",
    "text.service": "In {year}, the service windows issued {tickets} tickets and received "
    "{cases} cases; {on_time} were completed within the promised time limit and "
    "{on_time_statutory} within the statutory one. The median wait was {wait_p50} minutes, "
    "and 90% of firms were called within {wait_p90} minutes; {no_show} of tickets were no-shows.",
    "text.ratings": "Firms rated the service {evaluations} times, {satisfaction} of them "
    "satisfied; {bad} ratings were bad, and {rectification} of those were rectified.",
}

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def words(lang: str) -> dict[str, str]:
    """The report's words in ``lang`` (Chinese for anything else)."""
    return EN if lang == "en" else ZH


def month(number: int, lang: str) -> str:
    return words(lang)["month"].format(month=number, month_en=MONTHS_EN[number - 1])
