"""Which provider URLs the portal will talk to (it fetches what a tenant admin typed: SSRF)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

from portal.errors import DomainError

LOOPBACK_NAMES = {"localhost"}


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise DomainError(f"The host {host} can't be found.", field="issuer") from exc
    # An IPv4/IPv6 socket address starts with the host as a string ("fe80::1%eth0" for a scoped
    # one); other families never come back for a TCP lookup of a host name.
    return [
        ipaddress.ip_address(address.split("%")[0])
        for *_, sockaddr in infos
        if isinstance(address := sockaddr[0], str)
    ]


def check_provider_url(url: str, *, resolve: bool = True) -> None:
    """Refuse a provider URL the portal must not call.

    https only; http:// only for a loopback host when ``SSO_ALLOW_LOOPBACK_HTTP`` is on (the test
    provider, development). The host must not resolve to a loopback, private, link-local or
    otherwise non-public address (unless loopback is allowed and it is one): the portal fetches
    these URLs from the server, and a tenant admin must not reach the internal network with it.
    """
    parts = urlsplit(url or "")
    host = parts.hostname or ""
    if not host or parts.scheme not in ("https", "http") or parts.username or parts.password:
        raise DomainError("Enter the provider's https:// issuer URL.", field="issuer")
    allow_loopback = settings.SSO_ALLOW_LOOPBACK_HTTP
    if parts.scheme == "http" and not (allow_loopback and _is_loopback(host)):
        raise DomainError("The issuer must use https://.", field="issuer")
    if not resolve:
        return
    for address in _addresses(host, parts.port or (443 if parts.scheme == "https" else 80)):
        if address.is_loopback and allow_loopback:
            continue
        if not address.is_global or address.is_multicast:
            raise DomainError(
                f"The host {host} is not on the public internet; the portal won't call it.",
                field="issuer",
            )
