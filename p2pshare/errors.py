"""Errors a member caused and can fix: shown as one line, never as a traceback."""


class UserError(Exception):
    """A refused action or unusable input; `str()` is the one-line reason."""

    exit_code = 1


class NotFound(UserError):
    """An id, prefix or name that matches nothing, or more than one thing."""
