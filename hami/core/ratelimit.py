"""A fixed-window request limit per client, kept in Django's cache.

One counter per client and window: `cache.incr` counts, `cache.add` starts it (atomic in
Memcached, Redis and within one process for the local-memory cache). With several web processes
the cache must be shared (Redis or Memcached, see docs/deployment.md) for the limit to be global.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address; behind N trusted proxies, the Nth address from the right of X-Forwarded-For."""
    proxies = settings.HAMI_TRUSTED_PROXIES
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")


def parse_rate(rate: str) -> tuple[int, int]:
    """ "120/min" → (120, 60). Units: s, min, h, day."""
    count, _, unit = rate.partition("/")
    seconds = {"s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600, "hour": 3600, "day": 86400, "d": 86400}[unit]
    return int(count), seconds


def over_limit(request: HttpRequest, scope: str, rate: str) -> bool:
    """Count this request; True when the client has passed `rate` in the current window."""
    limit, window = parse_rate(rate)
    slot = int(time.time() // window)
    key = f"rl:{scope}:{client_ip(request)}:{slot}"
    try:
        count = cache.incr(key)  # one cache operation for every request but a window's first
    except ValueError:  # the client's first request in this window
        if cache.add(key, 1, timeout=window + 1):
            count = 1
        else:  # another request of the same client started the window meanwhile
            try:
                count = cache.incr(key)
            except ValueError:  # and the window ended in between
                count = 1
    return count > limit
