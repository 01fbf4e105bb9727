"""Unified Social Credit Codes checked by GB 32100-2015 in full.

``stdnum.cn.uscc`` checks the length, the alphabet and the last check digit. A code can
pass that and still be no code at all (``000000000000000000``), so this also checks
what each part may hold: the registration authority (1st character), the kind of
entity that authority registers (2nd), a province in the region code (3rd–8th), and the
check digit of the embedded organisation code (GB 11714, 17th).
"""

from __future__ import annotations

from stdnum.cn import uscc as uscc_std

from servicedesk.errors import InvalidInput

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Registration authority -> the kinds of entity it registers (GB 32100-2015, table 1).
KINDS = {
    "1": "1239",  # 机构编制: 机关, 事业单位, 群众团体, 其他
    "2": "19",  # 外交
    "3": "1234569",  # 司法行政: 律所, 公证处, 基层法律服务所, 司法鉴定, 仲裁委员会, 其他
    "4": "19",  # 文化
    "5": "1239",  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": "129",  # 旅游
    "7": "129",  # 宗教
    "8": "19",  # 工会
    "9": "123",  # 工商: 企业, 个体工商户, 农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室
    "N": "1239",  # 农业: 组级、村级、乡镇级集体经济组织, 其他
    "Y": "1",  # 其他
}
# The first two digits of an administrative division code (GB/T 2260).
PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_check_digit(body: str) -> str:
    """The GB 11714 check character of an 8-character organisation code body."""
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w
        for c, w in zip(body, _ORG_WEIGHTS, strict=True)
    )
    digit = 11 - total % 11
    return {10: "X", 11: "0"}.get(digit, str(digit))


def complete(first16: str) -> str:
    """A valid code from its first 16 characters: both check characters appended."""
    body = first16 + org_check_digit(first16[8:16])
    return body + str(uscc_std.calc_check_digit(body))


def _invalid(message: str) -> InvalidInput:
    return InvalidInput(message, extra={"field": "uscc"})


def validate(raw: str) -> str:
    """The compact code, or :class:`InvalidInput` saying which part is wrong."""
    code = uscc_std.compact(raw or "")
    if len(code) != 18:
        raise _invalid(f"USCC must be 18 characters, got {len(code)}")
    if any(c not in ALPHABET for c in code):
        raise _invalid(
            f"USCC {code} contains characters not allowed by GB 32100-2015 "
            "(digits and capital letters except I, O, Z, S, V)"
        )
    if code[0] not in KINDS:
        raise _invalid(f"USCC {code}: {code[0]} is not a registration authority code")
    if code[1] not in KINDS[code[0]]:
        raise _invalid(f"USCC {code}: authority {code[0]} registers no entity of kind {code[1]}")
    if not code[2:8].isdigit() or code[2:4] not in PROVINCES:
        raise _invalid(f"USCC {code}: {code[2:8]} is not an administrative division code")
    if code[16] != org_check_digit(code[8:16]):
        raise _invalid(f"USCC {code} has a wrong organisation code check digit (17th character)")
    if code[17] != uscc_std.calc_check_digit(code[:17]):
        raise _invalid(f"USCC {code} has a wrong check digit (last character)")
    return code
