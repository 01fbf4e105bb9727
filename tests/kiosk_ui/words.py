"""What a reader sees of a page, and the codes and scripts it must not show (issue 16).

Shared by the server-side page checks (``test_display_words``) and the browser's
(``tests/browser/test_accessibility``): the codes come from the service's own
definitions, and ``leaked`` finds them in a page's visible text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

from servicedesk.accounts.models import Role
from servicedesk.cases.models import CaseStatus

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
SEED = re.compile(r"\b[0-9a-f]{32}\b")
ROLE_LOGIN = re.compile(r"\b(?:" + "|".join(r.value for r in Role) + r"):[\w.-]+")
INSPECTIONS = ("required", "waived", "spot_check", "not_applicable")
OUTCOMES = ("pass", "fail", "falsified")


def codes(materials: Iterable[str]) -> dict[str, set[str]]:
    """Every code a page could leak, by kind; ``materials`` are the catalogue's codes."""
    return {
        "status": {s.value for s in CaseStatus},
        "role": {r.value for r in Role},
        "inspection": set(INSPECTIONS),
        "outcome": set(OUTCOMES),
        "material": {str(m) for m in materials},
    }


class _Text(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts or styles (SVG text is
    drawn as outlines, so a chart's words are checked through its aria-label). Text
    marked as another language (the language switch's "中文", a person's own words
    shown through ``|said``) is left out, and so is what a form holds for editing (a
    textarea's Chinese legal basis is data, not a word of the page)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        marked = tag in ("a", "span") and dict(attrs).get("lang")
        if tag in ("script", "style", "textarea") or marked:
            self._skip += 1
        label = dict(attrs).get("aria-label")
        if label:
            self.parts.append(label)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "textarea") or (tag in ("a", "span") and self._skip):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def leaked(text: str, codes: dict[str, set[str]], *, lang: str) -> list[str]:
    """Codes shown as text. In English a code that is also a plain word ("accepted",
    "license") may be that word; one with an underscore never is."""
    found = []
    for kind, values in codes.items():
        for code in values:
            if lang == "en" and "_" not in code:
                continue
            if re.search(rf"(?<![\w/-]){re.escape(code)}(?![\w-])", text):
                found.append(f"{kind}:{code}")
    found += ROLE_LOGIN.findall(text) + SEED.findall(text)
    return sorted(found)


def without_names(text: str, names: Iterable[str]) -> str:
    """``text`` with every proper name taken out, longest first (names stay as their
    owners write them, in any language)."""
    for name in sorted(set(names), key=len, reverse=True):
        if name:
            text = text.replace(name, "")
    return text


def cjk(text: str, names: Iterable[str]) -> list[str]:
    """The Chinese characters of ``text`` outside ``names``."""
    return sorted(set(CJK.findall(without_names(text, names))))
