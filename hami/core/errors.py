"""The base of every app's domain errors: a code (an enum per app) and a translated message."""

from enum import StrEnum


class HamiError(Exception):
    """Raised by services; views show `message`, the API returns `code` and `message`."""

    status = 400

    def __init__(self, code: StrEnum, message: str, *, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class NotFound(HamiError):
    status = 404


class Forbidden(HamiError):
    status = 403
