"""Bounded request fields, shared by the JSON API and the page forms.

Every string is as long as its column holds at most, every list has a count, every
number a range, and no value carries a control character: a NUL byte is refused the
same way on SQLite (which would store it) and PostgreSQL (which cannot).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

# Free text keeps tabs and line breaks; one-line values (codes, names) keep none.
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
CONTROL_MESSAGE = "control characters (such as NUL or line breaks in a code) are not allowed"
MAX_PARAM_LENGTH = 100  # path and query parameters: codes, numbers, dates

INT32_MAX = 2**31 - 1


def check_text(value: str) -> str:
    if _TEXT_CONTROL.search(value):
        raise ValueError(CONTROL_MESSAGE)
    return value


def check_line(value: str) -> str:
    if _LINE_CONTROL.search(value):
        raise ValueError(CONTROL_MESSAGE)
    return value


def has_control(value: str) -> bool:
    return _TEXT_CONTROL.search(value) is not None


def has_line_control(value: str) -> bool:
    return _LINE_CONTROL.search(value) is not None


_Line = AfterValidator(check_line)
_Text = AfterValidator(check_text)

# A code of the catalogue or the registry (service point, matter, material, queue, window).
Code = Annotated[str, StringConstraints(min_length=1, max_length=32), _Line]
# A USCC as typed: 18 characters, maybe with spaces or dashes the service strips.
UsccText = Annotated[str, StringConstraints(min_length=1, max_length=24), _Line]
# A query code from a receipt (8 characters, maybe grouped with a dash).
QueryCode = Annotated[str, StringConstraints(min_length=1, max_length=16), _Line]
CaseNo = Annotated[str, StringConstraints(min_length=1, max_length=48), _Line]
Version = Annotated[str, StringConstraints(min_length=1, max_length=48), _Line]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200), _Line]
Username = Annotated[str, StringConstraints(min_length=1, max_length=64), _Line]
Password = Annotated[str, StringConstraints(min_length=1, max_length=256), _Line]
Note = Annotated[str, StringConstraints(max_length=2000), _Text]
LongNote = Annotated[str, StringConstraints(max_length=4000), _Text]
# Database integer ids (PostgreSQL INTEGER).
DbId = Annotated[int, Field(ge=1, le=INT32_MAX)]
Count = Annotated[int, Field(ge=0, le=100_000)]
Codes = Annotated[list[Code], Field(max_length=100)]


def _walk(value: Any, path: str) -> str | None:
    """The path of the first string under ``value`` holding a control character."""
    if isinstance(value, str):
        return path if has_control(value) else None
    if isinstance(value, BaseModel):
        value = value.__dict__
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and has_control(key):
                return where
            found = _walk(item, where)
            if found:
                return found
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _walk(item, f"{path}[{index}]")
            if found:
                return found
    return None


class Body(BaseModel):
    """A request body: unknown fields refused, and no control character anywhere in it
    (dictionary keys and values of loosely typed fields included)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _no_control_characters(self) -> Body:
        where = _walk(self, "")
        if where:
            raise ValueError(f"{where}: {CONTROL_MESSAGE}")
        return self
