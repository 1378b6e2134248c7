"""Template helpers: the notice card on the tenant dashboard, a version's changes in words."""

from django import template

from notices.content import version_summary
from notices.services import NoticeStatus, notice_status

register = template.Library()


@register.simple_tag
def notice_status_for(tenant) -> NoticeStatus | None:
    """``{% notice_status_for tenant as ns %}``: the notice status of ``tenant``."""
    if tenant is None:
        return None
    return notice_status(tenant)


@register.filter
def summary(version) -> str:
    """``{{ version|summary }}``: what changed, in the reader's language."""
    return version_summary(version)
