"""Words, not codes, in real Chromium (issue 16): a page's visible text
(``document.body.innerText``) shows no status, material, role or seed code, and an
English page no Chinese outside proper names.

The codes and names come from the demo service itself: the catalogue's material codes
and the service points' and incubators' names from the public API, the incubated firms'
from an official's, the staff's display names and the demo cases' firm from the demo seed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
from playwright.async_api import Page

from servicedesk.seed.demo import DEMO_STAFF
from servicedesk.seed.demo_cases import DEMO_FIRM
from servicedesk.seed.demo_credit import OPERATORS
from tests.browser.docs import token
from tests.kiosk_ui.words import cjk, codes, leaked

# The history seed's firms are numbered ("生成企业00042"): firm names, so not words.
GENERATED_FIRM = re.compile(r"生成企业\d+")

# innerText without what is marked as another language (the switch's "中文", a person's
# own Chinese words) or as not to be translated (a login name such as "admin" in the
# administrator's list of accounts, which is a name that happens to spell a role).
_TEXT = """() => {
  let text = document.body.innerText;
  for (const el of document.body.querySelectorAll("[lang], [translate=no]")) {
    if (el.innerText) text = text.replace(el.innerText, " ");
  }
  return text;
}"""


@dataclass(frozen=True)
class Vocabulary:
    codes: dict[str, set[str]]
    names: list[str]


def vocabulary(base: str) -> Vocabulary:
    """The demo's codes and proper names, read from the running service."""
    with httpx.Client(base_url=f"{base}/api/v1", timeout=30) as api:
        points = api.get("/service-points").raise_for_status().json()
        incubators = api.get("/incubators").raise_for_status().json()
        materials = {
            m["code"]
            for p in points
            for matter in api.get(f"/service-points/{p['code']}/matters").json()
            for m in matter["materials"]
        }
        official = token(base, "official-li")
        firms = [
            f["name"]
            for i in incubators
            for f in api.get(f"/incubators/{i['code']}/firms", headers=official).json()
        ]
    people = [s[-1] for s in DEMO_STAFF] + [o[-1] for o in OPERATORS]
    firms.append(DEMO_FIRM)
    names = [p["name"] for p in points] + [i["name"] for i in incubators] + firms + people
    return Vocabulary(codes(materials), [n for n in names if n])


async def word_problems(page: Page, lang: str, vocab: Vocabulary) -> list[str]:
    """Codes in the page's visible text; in English, Chinese outside names too."""
    text: str = await page.evaluate(_TEXT)
    found = [f"code {c}" for c in leaked(text, vocab.codes, lang=lang)]
    if lang == "en":
        chinese = cjk(GENERATED_FIRM.sub("", text), vocab.names)
        if chinese:
            found.append(f"Chinese {''.join(chinese)} in: {_lines_with_cjk(text, vocab)}")
    return found


def _lines_with_cjk(text: str, vocab: Vocabulary) -> list[str]:
    lines = [line.strip() for line in text.splitlines()]
    return [line[:80] for line in lines if cjk(GENERATED_FIRM.sub("", line), vocab.names)][:6]
