"""Words the notice shares with its legal part (``notices.law``) and its body (``notices.content``):
the data categories of the governing document, country names and lists in the active language.

Below both, so neither imports the other to reach them.
"""

from __future__ import annotations

from typing import TypedDict

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries as all_countries


class Category(TypedDict):
    key: str
    title: Promise  # lazy: in the language active when it is rendered
    text: Promise


# The three categories of the governing document, spelled out. Keys are stable (JSON output).
CATEGORIES: list[Category] = [
    {
        "key": "numbers",
        "title": gettext_lazy("Phone numbers and SIP URIs"),
        "text": gettext_lazy(
            "Your phone number and, if applicable, the Microsoft-assigned SIP URI (Session "
            "Initiation Protocol Uniform Resource Identifier) assigned to your phone number."
        ),
    },
    {
        "key": "call_details",
        "title": gettext_lazy("Call details and call quality data"),
        "text": gettext_lazy(
            "Call details and call quality data, such as the phone numbers of the caller and of "
            "the call recipient; call invite and end times; certain caller identifiers; call "
            "duration; and information about service connections, for example the IP addresses "
            "and operating systems of the caller and of the call recipient."
        ),
    },
    {
        "key": "emergency_location",
        "title": gettext_lazy("Emergency calling location"),
        "text": gettext_lazy(
            "Emergency calling location information: the address and place used to route and "
            "locate emergency calls."
        ),
    },
]


def country_names(codes: list[str]) -> list[str]:
    """Country names in the active language, e.g. ``Deutschland`` for DE under German."""
    return [str(all_countries.name(code)) or code for code in codes]


def join_words(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c`` in the active language."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}
