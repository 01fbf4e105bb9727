"""Regenerate the pages' Chinese web font: a subset of Noto Sans CJK SC.

Kiosks and hall screens run without internet and with whatever fonts their system
has, so the pages bring their own font (kiosk_ui/static/fonts). The subset holds the
characters of the templates, translation catalogues, seed catalogue, demo data and
the Chinese text in code (errors, notifications, chart labels),
plus GB2312's level-1 hanzi (the 3,755 most common characters) for names typed at a
kiosk; anything rarer falls back to the system's font (see fonts.css).

Needs fontTools and brotli (the dev extra) and a Noto Sans CJK collection
(Debian: fonts-noto-cjk). Run: python scripts/subset-font.py [path/to/NotoSansCJK-Regular.ttc]
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "kiosk_ui" / "static" / "fonts"
SOURCES = ("kiosk_ui", "servicedesk")  # templates, catalogues, seed data, messages in code
SUFFIXES = {".html", ".po", ".js", ".toml", ".py", ".css"}
DEFAULT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-{}.ttc")
FAMILY = "Noto Sans CJK SC"


def project_text() -> str:
    """Every character the project's own files show."""
    return "".join(
        path.read_text(encoding="utf-8")
        for folder in SOURCES
        for path in sorted((ROOT / folder).rglob("*"))
        if path.suffix in SUFFIXES
    )


def common_hanzi() -> str:
    """GB2312 level 1: rows 0xB0-0xD7, the characters of everyday names and words."""
    chars = []
    for row in range(0xB0, 0xD8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.append(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


def extract_sc(collection: Path) -> TTFont:
    for font in TTCollection(str(collection)).fonts:
        if font["name"].getDebugName(1) == FAMILY:
            return font
    raise SystemExit(f"{collection} has no {FAMILY}")


def write_subset(font: TTFont, text: str, out: Path) -> None:
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["kern", "liga", "locl", "palt", "vert"]
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    font.flavor = "woff2"
    font.save(str(out))
    sys.stdout.write(f"{out.relative_to(ROOT)}: {out.stat().st_size // 1024} KiB\n")


def main() -> None:
    regular = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(str(DEFAULT).format("Regular"))
    bold = regular.with_name(regular.name.replace("Regular", "Bold"))
    ascii_ = "".join(chr(c) for c in range(0x20, 0x7F))
    punctuation = "，。、；：？！“”‘’（）《》【】—…·￥→←↑↓⌫×✓"
    ours = project_text() + ascii_ + punctuation
    OUT.mkdir(parents=True, exist_ok=True)
    write_subset(
        extract_sc(regular), ours + common_hanzi(), OUT / "NotoSansSC-Regular.subset.woff2"
    )
    # Bold is for headings and numbers: the project's own characters are enough there.
    write_subset(extract_sc(bold), ours, OUT / "NotoSansSC-Bold.subset.woff2")


if __name__ == "__main__":
    main()
