"""Template helpers for the notice card on the tenant dashboard."""

from django import template

from notices.services import NoticeStatus, notice_status

register = template.Library()


@register.simple_tag
def notice_status_for(tenant) -> NoticeStatus | None:
    """``{% notice_status_for tenant as ns %}``: the notice status of ``tenant``."""
    if tenant is None:
        return None
    return notice_status(tenant)
