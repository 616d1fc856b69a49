"""Domain errors raised by services and access functions, mapped to 4xx at each edge."""

from __future__ import annotations


class LeadOSError(Exception):
    status = 400

    def __init__(self, message: str, *, errors: list[dict] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or []


class NotFound(LeadOSError):
    """The object does not exist or belongs to another organization: the two look the same."""

    status = 404

    def __init__(self, message: str = "Not found."):
        super().__init__(message)


class Forbidden(LeadOSError):
    status = 403

    def __init__(self, message: str = "You do not have permission to do this."):
        super().__init__(message)


class Conflict(LeadOSError):
    """An update was based on an older version than the one stored."""

    status = 409

    def __init__(self, message: str | None = None, *, current_version: int | None = None):
        self.current_version = current_version
        super().__init__(
            message
            or "Someone else changed this in the meantime. Reload to see their change, then "
            "apply yours again."
        )


class PreconditionRequired(LeadOSError):
    status = 428

    def __init__(self, message: str = "Send the version you based this change on (If-Match)."):
        super().__init__(message)
