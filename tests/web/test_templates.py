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


def test_field_help_text_is_escaped_unless_marked_safe_by_its_author():
    """Help texts are rendered without |safe: plain text is escaped; only Django's own
    SafeString help (the password rules list) keeps its markup."""
    from django import forms
    from django.template.loader import render_to_string
    from django.utils.html import format_html

    class Probe(forms.Form):
        plain = forms.CharField(help_text='<script>alert(1)</script><img src=x onerror="x()">')
        rules = forms.CharField(help_text=format_html("<ul><li>{}</li></ul>", "At least 12"))

    form = Probe()
    plain = render_to_string("portal/inc/field.html", {"field": form["plain"]})
    rules = render_to_string("portal/inc/field.html", {"field": form["rules"]})
    assert "<script>" not in plain and "&lt;script&gt;" in plain
    assert "<img" not in plain
    assert "<ul><li>At least 12</li></ul>" in rules


def test_the_password_rules_still_render_as_a_list(world, login):
    from django.urls import reverse

    body = login(world.alice).get(reverse("password_change")).content.decode()
    assert "<ul>" in body and "&lt;ul&gt;" not in body
