"""Response shapes of the API, as documented in /openapi.json (and docs/api.md)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = [
    "ContractDetail",
    "ContractList",
    "ContractSummary",
    "ContractVersion",
    "ErrorBody",
    "ErrorEnvelope",
    "Health",
    "PutContractResult",
    "Ready",
    "ReportOut",
    "RuleResultOut",
    "RunDetail",
    "RunSummary",
    "RunsPage",
]


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[Any]


class ErrorEnvelope(BaseModel):
    error: ErrorBody
    request_id: str


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    status: str
    store: str


class ContractVersion(BaseModel):
    version: str
    sha256: str
    created_at: str


class ContractSummary(BaseModel):
    id: str
    version: str
    sha256: str
    created_at: str
    datasets: list[str]
    versions: list[str]


class ContractList(BaseModel):
    contracts: list[ContractSummary]


class ContractDetail(BaseModel):
    id: str
    version: str
    format: str
    sha256: str
    created_at: str
    datasets: list[str]
    content: str
    versions: list[ContractVersion]


class PutContractResult(BaseModel):
    id: str
    version: str
    status: str  # "created" | "unchanged"
    sha256: str
    datasets: list[str]


class ContractRef(BaseModel):
    id: str
    version: str


class RuleResultOut(BaseModel):
    rule: str
    reason: str
    kind: str
    column: str | None
    severity: str
    passed: bool
    observed: Any = None
    threshold: Any = None
    failed_rows: int
    samples: list[dict[str, Any]]
    message: str


class ReportOut(BaseModel):
    """The report of one validation run: the same JSON as ``pactline validate --format json``."""

    model_config = ConfigDict(extra="allow")

    passed: bool
    dataset: str
    contract: ContractRef
    run_id: str
    rows: int
    started_at: str
    finished_at: str
    fail_on: str
    results: list[RuleResultOut]


class RunSummary(BaseModel):
    run_id: str
    dataset: str
    contract: ContractRef
    passed: bool
    rows: int
    blocking: int
    fail_on: str
    started_at: str
    finished_at: str
    recorded_at: str
    source: str | None


class RunsPage(BaseModel):
    runs: list[RunSummary]
    next_cursor: str | None
    truncated: bool


class RunDetail(ReportOut):
    source: str | None
    recorded_at: str
    extra: dict[str, Any]
    profile: dict[str, Any] | None  # the profile's summary (per-column stats), None when none was kept
