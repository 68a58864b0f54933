"""The one exception the engine raises: the data could not be read at all.

Everything the contract finds wrong with readable data is a ``RuleResult``; ``DataError`` is for
input that is not data (missing, empty, corrupt, wrongly encoded, ragged). Its message is one
line naming the input and the cause.
"""

from __future__ import annotations

__all__ = ["DataError", "DatasetError"]


class DataError(ValueError):
    """The input could not be read; ``str(err)`` is a one-line cause naming the input."""

    def __init__(self, source: str, cause: str) -> None:
        self.source = source
        self.cause = " ".join(str(cause).split())
        super().__init__(f"{source}: {self.cause}")


class DatasetError(ValueError):
    """The contract does not say which dataset to validate (or names no such dataset).

    ``choices`` lists the qualified names of the datasets the contract has.
    """

    def __init__(self, message: str, choices: tuple[str, ...] = ()) -> None:
        self.choices = choices
        super().__init__(message)
