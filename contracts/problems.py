"""Problems found in a contract, and the error that carries all of them."""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["ContractError", "Problem"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a contract, pointing at where it is and what to do."""

    file: str
    line: int
    column: int
    path: str
    code: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where} {self.path}: {self.message}" if self.path else f"{where} {self.message}"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


class ContractError(ValueError):
    """A contract could not be loaded; ``problems`` lists every reason, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.path, p.code))
        lines = [str(p) for p in self.problems]
        super().__init__("\n".join(lines) if lines else "invalid contract")
