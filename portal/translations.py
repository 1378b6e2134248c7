"""Message catalogues compiled without GNU gettext, and a start-up check that they are current.

``manage.py compile_translations`` turns every ``locale/<lang>/LC_MESSAGES/*.po`` into its
``.mo`` with Babel (pure Python), so ``make run`` and ``make test`` need only Python. The
system check ``portal.E100`` stops the start-up when a configured language has no compiled
catalogue or one older than its ``.po``: without it Django silently serves English under
``<html lang="de">`` (docs/ui.md, "Translations").
"""

from __future__ import annotations

import io
from pathlib import Path

from django.conf import settings
from django.core import checks

KEYWORDS = ["gettext", "gettext_lazy", "_", "ngettext", "pgettext", "npgettext"]


def catalogues(domain: str = "django") -> list[tuple[str, Path]]:
    """(language, .po path) for every catalogue under LOCALE_PATHS."""
    found = []
    for base in settings.LOCALE_PATHS:
        for po in sorted(Path(base).glob(f"*/LC_MESSAGES/{domain}.po")):
            found.append((po.parent.parent.name, po))
    return found


def compile_catalogue(po: Path) -> Path:
    """Write ``po``'s ``.mo`` beside it (fuzzy entries left out, as msgfmt does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source, locale=po.parent.parent.name)
    mo = po.with_suffix(".mo")
    tmp = mo.with_suffix(".mo.tmp")
    with tmp.open("wb") as target:
        write_mo(target, catalog)
    tmp.replace(mo)
    return mo


def stale_catalogues() -> list[str]:
    """Problems with the catalogues of the configured languages, in words (empty: all good)."""
    problems = []
    by_lang = {lang: po for lang, po in catalogues()}
    for code, _name in settings.LANGUAGES:
        if code == "en":
            continue  # the source language: msgids are English
        po = by_lang.get(code)
        if po is None:
            problems.append(f"{code}: no locale/{code}/LC_MESSAGES/django.po")
            continue
        mo = po.with_suffix(".mo")
        if not mo.exists():
            problems.append(f"{code}: {mo} is missing")
        elif mo.stat().st_mtime < po.stat().st_mtime:
            problems.append(f"{code}: {mo} is older than its .po")
    return problems


@checks.register()
def check_catalogues(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return [
        checks.Error(
            f"Translation catalogue not compiled: {problem}.",
            hint="Run `python manage.py compile_translations` (no GNU gettext needed).",
            id="portal.E100",
        )
        for problem in stale_catalogues()
    ]


def template_messages(template: Path) -> list[str]:
    """The msgids a template marks with ``{% translate %}`` / ``{% blocktranslate %}`` (or a
    Python module with ``gettext``/``gettext_lazy``/``_``).

    Django's own ``templatize`` turns the template into code that Babel's Python extractor
    reads, as ``makemessages`` does with xgettext (plural forms: the singular msgid).
    """
    from babel.messages.extract import extract_python
    from django.utils.translation.template import templatize

    code = template.read_text(encoding="utf-8")
    if template.suffix != ".py":
        # Python's tokenizer (Babel's) trips over the template's indentation; xgettext doesn't.
        code = templatize(code, origin=str(template))
        code = "\n".join(line.lstrip() for line in code.splitlines())
    found: list[str] = []
    for _line, func, message, _comments in extract_python(
        io.BytesIO(code.encode("utf-8")), KEYWORDS, [], {}
    ):
        if func.startswith(("pgettext", "npgettext")):
            continue  # msgids with a context (few, checked where they are used)
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid and msgid not in found:
            found.append(msgid)
    return found


def untranslated(templates: list[Path]) -> dict[str, list[str]]:
    """For each configured language, the msgids of ``templates`` its catalogue lacks."""
    from babel.messages.pofile import read_po

    wanted = [m for t in templates for m in template_messages(t)]
    missing: dict[str, list[str]] = {}
    for lang, po in catalogues():
        with po.open("rb") as source:
            catalog = read_po(source, locale=lang)
        gaps = []
        for msgid in wanted:
            entry = catalog.get(msgid)
            text = entry.string if entry is not None else ""
            if isinstance(text, tuple | list):
                text = text[0]
            if not text or (entry is not None and entry.fuzzy):
                gaps.append(msgid)
        if gaps:
            missing[lang] = list(dict.fromkeys(gaps))
    return missing
