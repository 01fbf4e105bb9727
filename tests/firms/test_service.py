from __future__ import annotations

import pytest

from servicedesk.errors import InvalidInput
from servicedesk.firms.service import validate_uscc
from tests.factories import make_uscc


def test_valid_code_is_compacted() -> None:
    code = make_uscc(42)
    assert validate_uscc(f" {code[:6]} {code[6:]} ") == code


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91110108MA0000001", "18 characters"),
        ("91110108MA00000012X", "18 characters"),
        ("", "18 characters"),
    ],
)
def test_wrong_length(code: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        validate_uscc(code)


def test_wrong_check_digit() -> None:
    code = make_uscc(7)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(InvalidInput, match="check digit"):
        validate_uscc(wrong)


def test_forbidden_characters() -> None:
    with pytest.raises(InvalidInput, match="characters not allowed"):
        validate_uscc("91110108MA0000I01X")
