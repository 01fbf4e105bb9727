"""What the rating widgets of the firm's pages need: levels, tags and their names."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from servicedesk.errors import InvalidInput
from servicedesk.evaluations.levels import LEVELS, TAGS, level_name, tag_name


def rating_context(lang: str, level: int = 0) -> dict[str, Any]:
    """Template context of the rating widget, at the chosen ``level`` (0: none yet)."""
    chosen = level if level in LEVELS else 0
    return {
        "levels": [(value, level_name(value, lang)) for value in sorted(LEVELS, reverse=True)],
        "level": chosen,
        "level_tags": [(t, tag_name(t, lang)) for t in TAGS.get(chosen, ())],
        "level_name": lambda v: level_name(v, lang),
        "tag_name": lambda t: tag_name(t, lang),
    }


def posted_rating(form: FormData) -> tuple[int, list[str], str]:
    """Level, tags and comment of a posted rating form; 422 for a level that is none."""
    raw = str(form.get("level", ""))
    if not raw.isdigit() or int(raw) not in LEVELS:
        raise InvalidInput("choose one of the five levels", extra={"field": "level"})
    tags = [str(t) for t in form.getlist("tags")]
    return int(raw), tags, str(form.get("comment", ""))[:2000]
