"""The five levels of the national 好差评 scale and the reason tags offered at each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Level:
    value: int
    name_zh: str
    name_en: str


LEVELS: dict[int, Level] = {
    5: Level(5, "非常满意", "Very satisfied"),
    4: Level(4, "满意", "Satisfied"),
    3: Level(3, "基本满意", "Fairly satisfied"),
    2: Level(2, "不满意", "Dissatisfied"),
    1: Level(1, "非常不满意", "Very dissatisfied"),
}
GOOD_LEVELS = (4, 5)  # the satisfaction rate is their share
BAD_LEVELS = (1, 2)  # each opens a follow-up

TAG_NAMES: dict[str, tuple[str, str]] = {
    "efficient": ("办事效率高", "Handled quickly"),
    "courteous": ("服务态度好", "Courteous staff"),
    "clear_guidance": ("告知清楚", "Clear guidance"),
    "one_visit": ("一次办成", "Done in one visit"),
    "convenient": ("流程便捷", "Simple procedure"),
    "wait_somewhat_long": ("等候时间偏长", "Waited somewhat long"),
    "guidance_could_be_clearer": ("告知可以更清楚", "Guidance could be clearer"),
    "long_wait": ("等候时间过长", "Waited too long"),
    "poor_attitude": ("服务态度差", "Unfriendly staff"),
    "unclear_notice": ("告知不清楚", "Unclear about what was needed"),
    "multiple_visits": ("多次跑动", "Had to come back several times"),
    "extra_materials": ("要求额外材料", "Asked for materials not on the list"),
    "overdue": ("超时办理", "Not done in the promised time"),
}
_POSITIVE = ("efficient", "courteous", "clear_guidance", "one_visit", "convenient")
_MIXED = ("wait_somewhat_long", "guidance_could_be_clearer", "efficient", "courteous")
_NEGATIVE = (
    "long_wait",
    "poor_attitude",
    "unclear_notice",
    "multiple_visits",
    "extra_materials",
    "overdue",
)
TAGS: dict[int, tuple[str, ...]] = {
    5: _POSITIVE,
    4: _POSITIVE,
    3: _MIXED,
    2: _NEGATIVE,
    1: _NEGATIVE,
}


def tag_name(tag: str, lang: str) -> str:
    zh, en = TAG_NAMES.get(tag, (tag, tag))
    return zh if lang == "zh" else en


def level_name(level: int, lang: str) -> str:
    item = LEVELS.get(level)
    if item is None:
        return str(level)
    return item.name_zh if lang == "zh" else item.name_en
