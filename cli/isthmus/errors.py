"""One family of exceptions; the click layer turns them into messages and exit codes.

Exit codes follow the project convention: 0 done and clean, 1 the data has problems,
2 bad usage or unreadable input.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2


class IsthmusError(Exception):
    """Base of every error Isthmus reports to a user; ``str(err)`` is the message."""

    exit_code = EXIT_USAGE


class ProjectError(IsthmusError):
    """The project folder is missing or incomplete."""


class LoadError(IsthmusError):
    """One or more input files cannot be read or parsed.

    ``problems`` holds every problem found, each already formatted as
    ``file:line:col: message``.
    """

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class QueryError(IsthmusError):
    """A query is unknown, malformed, or its parameters are wrong."""


class EndpointError(IsthmusError):
    """A remote SPARQL endpoint cannot be reached or gives an unusable answer."""


class OutputError(IsthmusError):
    """An output file cannot be written."""


class DataError(IsthmusError):
    """The data is readable but has problems (violations, broken links)."""

    exit_code = EXIT_DATA


def one_line(text: str, *, limit: int = 400) -> str:
    """``text`` (a message from a parser or a library) on one line, cut at ``limit``
    characters: one problem is one line of stderr."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
