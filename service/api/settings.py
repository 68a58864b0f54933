"""What one running service is configured with; passed to worker processes through the environment."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

__all__ = ["ENV_VAR", "ApiSettings"]

ENV_VAR = "PACTLINE_SERVE_SETTINGS"
GiB = 1 << 30
MiB = 1 << 20


@dataclass(frozen=True)
class ApiSettings:
    store_url: str | None = None  # None -> $PACTLINE_STORE -> .pactline/pactline.db
    tokens_file: str | None = None  # None or missing file -> no tokens (loopback only)
    max_body_bytes: int = GiB  # a batch upload
    max_document_bytes: int = 16 * MiB  # a contract, OpenLineage events, SQL (capped by max_body_bytes)
    max_events: int = 1000  # OpenLineage events in one request
    max_sql_chars: int = 1_000_000  # SQL text in one POST /lineage/sql
    max_depth: int = 50  # lineage query depth
    max_page: int = 1000  # items in one page of runs / lineage hits
    quarantine_dir: str | None = None  # None -> .pactline/quarantine
    spool_dir: str | None = None  # where uploads are streamed to; None -> the system temp dir

    @property
    def document_limit(self) -> int:
        return min(self.max_document_bytes, self.max_body_bytes)

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> ApiSettings:
        raw = os.environ.get(ENV_VAR)
        return cls(**json.loads(raw)) if raw else cls()
