"""The client's address, for rate limits and login lockouts, behind our own proxies."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies of ours in front, the address
    the outermost of them saw.

    Each proxy appends the address it was connected from to X-Forwarded-For, so the
    entry TRUSTED_PROXY_COUNT from the right is the client; entries further left are
    whatever the client chose to send and are never trusted.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < count:
        return remote  # not through all our proxies: count against the proxy itself
    candidate = forwarded[-count]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return remote
    return candidate


def client_network(group: str, request) -> str:
    """Whom a rate limit counts (a django-ratelimit `key`): the client's address (an IPv6
    client by its /64, which one household or server usually holds), or "unknown" when
    the server gave none (a Unix socket without a proxy), where `key="ip"` would fail."""
    address = client_ip(request)
    if not address:
        return "unknown"
    if ":" in address:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return address
