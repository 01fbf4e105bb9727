"""axe-core in the page (vendored under tests/browser/vendor, never served by the
product), touch-target sizes, and the gallery's small screenshots."""

from __future__ import annotations

from typing import Any

from PIL import Image
from playwright.async_api import Page

from tests.browser.conftest import ROOT

VENDOR = ROOT / "tests" / "browser" / "vendor"
GALLERY = ROOT / "docs" / "screenshots" / "pages"
BLOCKING = {"serious", "critical"}

# The touch-target check: every visible control's box (a check box counts by its label).
_TARGETS = """() => {
  const seen = [];
  const controls = "a[href], button, input, select, textarea, summary";
  for (const el of document.querySelectorAll(controls)) {
    if (el.type === "hidden" || !el.checkVisibility()) continue;
    const box = ["checkbox", "radio"].includes(el.type) && el.closest("label") || el;
    const r = box.getBoundingClientRect();
    const size = `${Math.round(r.width)}x${Math.round(r.height)}`;
    if (r.width < 48 || r.height < 48) seen.push(`${el.outerHTML.slice(0, 80)} ${size}`);
  }
  return seen;
}"""


async def axe_violations(page: Page) -> list[str]:
    """Serious and critical WCAG 2.x A/AA violations of the page as it stands."""
    await page.add_script_tag(path=str(VENDOR / "axe.min.js"))
    result: dict[str, Any] = await page.evaluate(
        """() => axe.run(document, {runOnly: {type: "tag",
             values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
             resultTypes: ["violations"]})"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


async def small_targets(page: Page) -> list[str]:
    found: list[str] = await page.evaluate(_TARGETS)
    return found


async def gallery_shot(page: Page, name: str) -> None:
    """A viewport-sized screenshot, reduced to a 256-colour palette to stay small."""
    GALLERY.mkdir(parents=True, exist_ok=True)
    path = GALLERY / f"{name}.png"
    await page.screenshot(path=str(path))
    with Image.open(path) as image:
        image.convert("RGB").quantize(colors=256).save(path, optimize=True)
