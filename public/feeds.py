"""An Atom feed of a tenant's notice versions, so people and tools can follow changes.

Built with Django's syndication framework; served and cached by ``public.views.notice_feed``
like the public page. An announced (scheduled) version is an entry from the moment it is
published, with the date it takes effect in its title.
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from notices.content import summarize


class NoticeFeed(Feed):
    feed_type = Atom1Feed

    def __init__(self, state: dict, lang: str, tick) -> None:
        super().__init__()
        self.state, self.lang, self.tick = state, lang, tick

    def _q(self) -> str:
        return "?" + urlencode({"lang": self.lang})

    def get_object(self, request, *args, **kwargs) -> dict:
        return self.state

    def title(self, state: dict) -> str:
        return _("Privacy notice: Operator Connect at %(org)s") % {"org": state["name"]}

    def subtitle(self, state: dict) -> str:
        return _("Every version of this notice, including changes announced before they apply.")

    def link(self, state: dict) -> str:
        return reverse("public:notice", args=[state["slug"]]) + self._q()

    def feed_url(self, state: dict) -> str:
        return reverse("public:feed", args=[state["slug"]]) + self._q()

    def feed_extra_kwargs(self, state: dict) -> dict:
        return {}

    def items(self, state: dict) -> list[dict]:
        return state["versions"]

    def item_title(self, item: dict) -> str:
        date = date_format(item["effective_at"], "DATE_FORMAT")
        if item["effective_at"] > self.tick.at:
            return _("Version %(number)s, takes effect on %(date)s") % {
                "number": item["number"],
                "date": date,
            }
        return _("Version %(number)s, in force from %(date)s") % {
            "number": item["number"],
            "date": date,
        }

    def item_description(self, item: dict) -> str:
        return summarize(item["changes"])

    def item_link(self, item: dict) -> str:
        return reverse("public:version", args=[self.state["slug"], item["number"]]) + (self._q())

    def item_guid(self, item: dict) -> str:
        return f"urn:notice:{self.state['slug']}:{item['number']}:{item['sha256']}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: dict):
        return item["published_at"]

    def item_updateddate(self, item: dict):
        return item["published_at"]
