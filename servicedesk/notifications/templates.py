"""Message templates in Chinese and English (``messages.<lang>.toml``, Jinja2).

Parameters that differ by language are passed as ``{"zh": …, "en": …}`` and picked
for the recipient's language before rendering, so a template only names values.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, Template
from jinja2.sandbox import SandboxedEnvironment

HERE = Path(__file__).parent
LANGS = ("zh", "en")
TEMPLATES = (
    "received",
    "returned",
    "accepted",
    "accepted_with_deficiency",
    "supplement_due",
    "overdue",
    "approved",
    "denied",
    "rejected",
    "result_issued",
    "appointment_tomorrow",
    "close_to_call",
    "rating_reply",  # the closed follow-up of a bad service rating
)


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str


_env = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)


@lru_cache
def _catalogue(lang: str) -> dict[str, tuple[Template, Template]]:
    with (HERE / f"messages.{lang}.toml").open("rb") as handle:
        raw = tomllib.load(handle)
    return {
        name: (_env.from_string(entry["subject"]), _env.from_string(entry["body"]))
        for name, entry in raw.items()
    }


def localise(value: Any, lang: str) -> Any:
    """``{"zh": a, "en": b}`` -> a or b, all the way down (English falls back to Chinese)."""
    if isinstance(value, dict):
        if set(value) == {"zh", "en"}:
            return value[lang] or value["zh"]
        return {k: localise(v, lang) for k, v in value.items()}
    if isinstance(value, list):
        return [localise(v, lang) for v in value]
    return value


def render(template: str, lang: str, params: dict[str, Any]) -> Rendered:
    """The message ``template`` in ``lang`` (zh unless en) with ``params``."""
    lang = lang if lang in LANGS else "zh"
    subject, body = _catalogue(lang)[template]
    values = localise(params, lang)
    return Rendered(
        title=" ".join(subject.render(values).split())[:200], body=body.render(values).strip()
    )
