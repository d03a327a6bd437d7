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
