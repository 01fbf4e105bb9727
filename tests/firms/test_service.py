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


def test_a_real_code_passes() -> None:
    # The example of python-stdnum's documentation, a registered enterprise.
    assert validate_uscc("91110000600037341L") == "91110000600037341L"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("000000000000000000", "registration authority"),
        ("B1110108MA00000010", "registration authority"),
        ("94110108MA01ABCD1X", "kind"),
        ("91000000MA01ABCD1X", "administrative division"),
        ("91990108MA01ABCD1X", "administrative division"),
        ("91110108MA01ABCD9X", "organisation code check digit"),
    ],
)
def test_each_part_of_the_code_is_checked(code: str, message: str) -> None:
    """Passing the last check digit is not enough: every part must be possible."""
    from stdnum.cn import uscc as stdnum_uscc

    code = code[:17] + stdnum_uscc.calc_check_digit(code[:17])  # only the part under test is off
    with pytest.raises(InvalidInput, match=message):
        validate_uscc(code)
