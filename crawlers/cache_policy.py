"""The HTTP cache policy of crawls: revalidate rather than guess.

Scrapy's RFC2616Policy already stores responses that carry validators and sends
If-None-Match / If-Modified-Since when a stored one is stale, turning a 304 into the
stored page. Its freshness falls back, for responses with only Last-Modified, to Firefox's
heuristic (a tenth of the time since the last change), under which a page unchanged for
a year counts as fresh for five weeks and is not asked for at all. A crawl must see edits
at its next run, so that heuristic is off here: a page is fresh only when its server said
so (Cache-Control max-age, Expires); otherwise it is revalidated, which costs its server a
304 and no body.
"""

from __future__ import annotations

from scrapy.extensions.httpcache import RFC2616Policy


class RevalidatingPolicy(RFC2616Policy):
    def is_cached_response_fresh(self, cachedresponse, request) -> bool:
        control = self._parse_cachecontrol(cachedresponse)
        explicit = b"max-age" in control or b"Expires" in cachedresponse.headers
        if explicit:
            return super().is_cached_response_fresh(cachedresponse, request)
        self._set_conditional_validators(request, cachedresponse)
        return False
