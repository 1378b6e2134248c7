"""The CSP allows scripts and styles from our own origin only: templates carry none inline."""

import re
from pathlib import Path

import pytest
from django.conf import settings

OURS = ["base.html", "portal", "registration"]
INLINE = [
    (re.compile(r"\sstyle\s*="), "inline style attribute"),
    (re.compile(r"<style\b"), "<style> element"),
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>"), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "inline event handler"),
    (
        re.compile(r"https?://(?!go\.microsoft\.com)[^\"'\s]*\.(?:js|css)\b"),
        "asset from another origin",
    ),
]


def _templates() -> list[Path]:
    root = Path(settings.BASE_DIR) / "templates"
    files: list[Path] = []
    for name in OURS:
        path = root / name
        files += [path] if path.is_file() else sorted(path.rglob("*.html"))
    return files


@pytest.mark.parametrize("template", _templates(), ids=lambda p: p.name)
def test_template_has_no_inline_script_or_style(template):
    text = template.read_text()
    for pattern, what in INLINE:
        assert not pattern.search(text), f"{template}: {what}"


def test_pages_send_a_strict_content_security_policy(world, alice_client, url):
    response = alice_client.get(url("dashboard", world.tenant_a))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
