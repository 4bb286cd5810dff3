"""Errors every command shares."""


class UsageError(Exception):
    """Bad input from the user: printed as one line naming what was wrong, exit status 2."""
