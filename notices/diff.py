"""A readable diff between two notice versions: what changed, then the text line by line."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from html import unescape

from django.utils.html import strip_tags

from notices.content import describe_change, diff_configurations
from notices.models import NoticeVersion

_BLOCK_END = re.compile(r"</(p|li|h[1-6]|address|section|div)>|<br\s*/?>", re.I)


def text_lines(html: str) -> list[str]:
    """The visible text of a rendered notice, one block per line, blanks dropped."""
    text = unescape(strip_tags(_BLOCK_END.sub("\n", html)))
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


@dataclass
class DiffLine:
    kind: str  # "same", "added", "removed"
    text: str


def diff_versions(old: NoticeVersion, new: NoticeVersion, lang: str = "en") -> dict:
    """Changes in words and a line diff of the rendered text in ``lang``."""
    changes = diff_configurations(old.configuration, new.configuration)
    before = text_lines(old.content.get(lang) or old.content.get("en", ""))
    after = text_lines(new.content.get(lang) or new.content.get("en", ""))
    lines = []
    for entry in difflib.ndiff(before, after):
        code, text = entry[:2], entry[2:]
        if code == "  ":
            lines.append(DiffLine("same", text))
        elif code == "- ":
            lines.append(DiffLine("removed", text))
        elif code == "+ ":
            lines.append(DiffLine("added", text))
    return {
        "changes": [describe_change(c) for c in changes] if changes else [],
        "lines": lines,
        "changed": any(line.kind != "same" for line in lines),
    }
