"""Domain errors. Each message says what was wrong and how to put it right;
search_api maps each class to one HTTP status in a single exception handler."""


class CatalogueError(Exception):
    """Base of every error we raise on purpose."""


class NotFound(CatalogueError):
    pass


class InvalidRequest(CatalogueError):
    """The caller asked for something malformed; the message names the parameter."""

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter


class UnsupportedByBackend(CatalogueError):
    """The configured search backend cannot do what was asked (see its capabilities)."""


class FeedRejected(CatalogueError):
    """A feed over a size limit, refused before it was read; nothing from it was stored."""


class Conflict(CatalogueError):
    """The request clashes with something already stored (an Idempotency-Key reused for a
    different body, a submission in a state that does not allow the action)."""


class SearchUnavailable(CatalogueError):
    """The search engine cannot be used right now: unreachable, timing out, overloaded (429),
    failing (5xx), or refusing our credentials. The catalogue is unaffected: offerings are
    still stored and served by id, and index work waits in the outbox until it is back.
    `retryable` is False where waiting will not help (credentials). The message is for API
    callers; `detail` (the client's own error, with addresses) is for logs and operators."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retryable: bool = True,
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable
        self.detail = detail
