"""Bearer tokens for the HTTP service: a tokens file of hashes, roles, and dataset patterns.

A token reads ``pl_<id>_<secret>``; the file keeps only the id, the role, the dataset patterns
and ``sha256(secret)``. The secret is printed once, by ``pactline token create``. Checking a
token looks it up by id and compares the hashes in constant time (``hmac.compare_digest``).

Roles: ``reader`` reads; ``producer`` reads, submits batches and registers contracts, but only
for datasets matching its patterns (``fnmatch`` globs such as ``raw.*``); ``admin`` does everything.
No HTTP here: the API turns ``Denied`` into 401/403.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_TOKENS_FILE",
    "ROLES",
    "Denied",
    "Principal",
    "TokenFileError",
    "TokenRecord",
    "Tokens",
    "create_token",
    "load_tokens",
    "revoke_token",
]

ROLES = ("reader", "producer", "admin")
DEFAULT_TOKENS_FILE = ".pactline/tokens.json"
_TOKEN = re.compile(r"^pl_([0-9a-f]{12})_([A-Za-z0-9_-]{20,128})$")


class TokenFileError(ValueError):
    """The tokens file cannot be read or is not a pactline tokens file."""


@dataclass(frozen=True)
class Denied(Exception):
    """Access refused: ``unauthenticated`` (no or bad token) or ``forbidden`` (role or dataset)."""

    code: str  # "unauthenticated" | "forbidden"
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class TokenRecord:
    id: str
    role: str
    datasets: tuple[str, ...]
    sha256: str
    name: str = ""
    created_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "role": self.role, "datasets": list(self.datasets), "sha256": self.sha256,
                "name": self.name, "created_at": self.created_at}


@dataclass(frozen=True)
class Principal:
    """Who is calling: a token's id, role and dataset patterns (``open`` when no tokens are configured)."""

    id: str
    role: str
    datasets: tuple[str, ...] = ()

    def may_read(self) -> bool:
        return self.role in ROLES

    def may_write_dataset(self, dataset: str) -> bool:
        if self.role == "admin":
            return True
        if self.role != "producer":
            return False
        return any(fnmatch.fnmatchcase(dataset, pattern) for pattern in self.datasets)

    def require_admin(self, action: str) -> None:
        if self.role != "admin":
            raise Denied("forbidden", f"{action} needs an admin token; this token's role is {self.role}")

    def require_datasets(self, datasets: Iterable[str], action: str) -> None:
        if self.role not in ("producer", "admin"):
            raise Denied("forbidden", f"{action} needs a producer or admin token; this token's role is {self.role}")
        outside = sorted(d for d in set(datasets) if not self.may_write_dataset(d))
        if outside:
            allowed = ", ".join(self.datasets) or "none"
            raise Denied("forbidden", f"{action}: this token may not write {', '.join(outside)} (allowed: {allowed})")


OPEN = Principal("open", "admin")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class Tokens:
    """The tokens of one file; ``authenticate(header_value)`` -> ``Principal`` or raises ``Denied``."""

    def __init__(self, records: Iterable[TokenRecord] = ()) -> None:
        self._by_id = {r.id: r for r in records}

    @property
    def configured(self) -> bool:
        return bool(self._by_id)

    def records(self) -> list[TokenRecord]:
        return sorted(self._by_id.values(), key=lambda r: r.created_at)

    def authenticate(self, token: str | None) -> Principal:
        if not self.configured:
            return OPEN
        if not token:
            raise Denied("unauthenticated", "send a token: Authorization: Bearer <token> (pactline token create)")
        match = _TOKEN.match(token)
        record = self._by_id.get(match.group(1)) if match else None
        # Compare even when the id is unknown, so timing says nothing about which ids exist.
        expected = record.sha256 if record is not None else _hash("\0unknown")
        given = _hash(match.group(2)) if match else _hash(token)
        if not hmac.compare_digest(expected, given) or record is None:
            raise Denied("unauthenticated", "the token is not valid (revoked, mistyped or from another server)")
        return Principal(record.id, record.role, record.datasets)


def _parse(data: Any, path: Path) -> list[TokenRecord]:
    if not isinstance(data, dict) or not isinstance(data.get("tokens"), list):
        raise TokenFileError(f"{path}: not a pactline tokens file (expected {{\"tokens\": [...]}})")
    out = []
    for i, item in enumerate(data["tokens"]):
        try:
            record = TokenRecord(
                id=str(item["id"]), role=str(item["role"]), datasets=tuple(str(d) for d in item.get("datasets", [])),
                sha256=str(item["sha256"]), name=str(item.get("name", "")), created_at=str(item.get("created_at", "")),
            )
        except (KeyError, TypeError):
            raise TokenFileError(f"{path}: tokens[{i}] needs id, role and sha256") from None
        if record.role not in ROLES:
            raise TokenFileError(f"{path}: tokens[{i}] has role {record.role!r}; use one of {', '.join(ROLES)}")
        if not re.fullmatch(r"[0-9a-f]{64}", record.sha256):
            raise TokenFileError(f"{path}: tokens[{i}].sha256 is not a sha256 hex digest")
        out.append(record)
    return out


def load_tokens(path: str | os.PathLike[str] | None) -> Tokens:
    """The tokens in ``path``; a missing file (or None) means no tokens configured."""
    if path is None:
        return Tokens()
    p = Path(path)
    if not p.exists():
        return Tokens()
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TokenFileError(f"{p}: cannot read the tokens file: {exc}") from None
    return Tokens(_parse(data, p))


def _write(path: Path, records: list[TokenRecord]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"tokens": [r.to_dict() for r in records]}, indent=2) + "\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tokens-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(body)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def create_token(path: str | os.PathLike[str], role: str, datasets: Iterable[str] = (), name: str = "") -> tuple[str, TokenRecord]:
    """Add a token to the file; returns ``(token, record)``. The token itself is never stored."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    patterns = tuple(d for d in datasets if d)
    if role == "producer" and not patterns:
        raise ValueError("a producer token needs --datasets (e.g. --datasets 'raw.*')")
    p = Path(path)
    existing = load_tokens(p).records()
    token_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    record = TokenRecord(token_id, role, patterns, _hash(secret), name,
                         dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    _write(p, [*existing, record])
    return f"pl_{token_id}_{secret}", record


def revoke_token(path: str | os.PathLike[str], token_id: str) -> bool:
    """Remove a token by id; False when no such token."""
    p = Path(path)
    records = load_tokens(p).records()
    kept = [r for r in records if r.id != token_id]
    if len(kept) == len(records):
        return False
    _write(p, kept)
    return True
