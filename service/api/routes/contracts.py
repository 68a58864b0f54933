"""The contracts registry: list, get (latest or one version), PUT a new version."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Depends, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from contracts import Contract, ContractError, Problem, load_contract
from service.api.deps import caller, denied, store_of
from service.api.errors import ApiError
from service.api.models import ContractDetail, ContractList, ErrorEnvelope, PutContractResult
from service.api.registry import link_lineage
from service.auth import Denied, Principal
from service.store import Store, contract_digest

router = APIRouter(tags=["contracts"])
log = logging.getLogger("pactline.api")

ID = Path(..., min_length=1, max_length=512, description="The contract's `id`.")
VERSION = Path(..., min_length=1, max_length=128, description="The contract's `version`.")
DOCUMENT_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "application/json", "text/plain")


def _detail(found: dict[str, Any], store: Store) -> ContractDetail:
    versions = store.contract_versions(found["id"])
    return ContractDetail(**{**found, "versions": versions})


@router.get("/contracts", response_model=ContractList, summary="Every registered contract, latest version each")
def list_contracts(store: Store = Depends(store_of)) -> ContractList:
    return ContractList(contracts=store.list_contracts())  # type: ignore[arg-type]


@router.get("/contracts/{contract_id}", response_model=ContractDetail,
            summary="The latest version of a contract, with every version listed")
def get_contract(contract_id: str = ID, store: Store = Depends(store_of)) -> ContractDetail:
    found = store.get_contract(contract_id)
    if found is None:
        raise ApiError(404, f"no contract {contract_id!r} is registered (GET /api/v1/contracts lists them)",
                       code="contract_not_found")
    return _detail(found, store)


@router.get("/contracts/{contract_id}/versions/{version}", response_model=ContractDetail,
            summary="One version of a contract")
def get_contract_version(contract_id: str = ID, version: str = VERSION, store: Store = Depends(store_of)) -> ContractDetail:
    found = store.get_contract(contract_id, version)
    if found is None:
        raise ApiError(404, f"contract {contract_id!r} has no version {version!r}", code="contract_not_found")
    return _detail(found, store)


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def parse_contract(body: bytes, display: str) -> tuple[Contract, str]:
    """Load a contract from an uploaded body; ``ApiError(422)`` with every problem when it does not lint."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(422, "the contract is not UTF-8 text", code="contract_invalid",
                       details=[Problem(display, 1, 1, "", "encoding", f"byte {exc.start} is not UTF-8").to_dict()]) from None
    # Always text: a newline keeps the loader from reading a one-line body as a file path.
    source = text if "\n" in text else text + "\n"
    try:
        return load_contract(source, name=display), text
    except ContractError as exc:
        problems = [p.to_dict() for p in exc.problems]
        raise ApiError(422, f"the contract does not lint: {len(problems)} problem(s)", code="contract_invalid",
                       details=problems) from None
    except (ValueError, TypeError, RecursionError) as exc:  # the loader should only raise ContractError
        log.warning("contract loader raised %s on %s", type(exc).__name__, display)
        raise ApiError(422, "the contract cannot be read", code="contract_invalid",
                       details=[Problem(display, 1, 1, "", "unreadable", str(exc)[:500]).to_dict()]) from None


@router.put(
    "/contracts/{contract_id}",
    response_model=PutContractResult,
    status_code=200,
    summary="Register a contract version (ODCS YAML or JSON body)",
    responses={
        201: {"model": PutContractResult, "description": "A new version was registered"},
        200: {"description": "This version is already registered with the same content"},
        409: {"model": ErrorEnvelope, "description": "This version is registered with different content"},
        415: {"model": ErrorEnvelope, "description": "The body is not YAML or JSON"},
        422: {"model": ErrorEnvelope, "description": "The contract does not lint: details lists every problem"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/yaml": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object"}},
            },
        }
    },
)
async def put_contract(
    request: Request,
    response: Response,
    contract_id: str = ID,
    store: Store = Depends(store_of),
    principal: Principal = Depends(caller),
) -> PutContractResult:
    ctype = _content_type(request)
    if ctype and ctype not in DOCUMENT_TYPES:
        raise ApiError(415, f"send the contract as application/yaml or application/json, not {ctype}",
                       code="unsupported_media_type")
    body = await request.body()
    contract, text = parse_contract(body, f"{contract_id}.odcs.yaml")
    if contract.id != contract_id:
        raise ApiError(422, f"the contract's id is {contract.id!r} but the URL names {contract_id!r}",
                       code="id_mismatch", details=[{"path": "id", "expected": contract_id, "found": contract.id}])
    datasets = {obj.qualified_name for obj in contract.datasets}
    current = await run_in_threadpool(store.get_contract, contract_id)
    if current is not None:
        datasets |= set(current["datasets"])  # a producer may not take over another team's contract id
    try:
        principal.require_datasets(datasets, f"registering contract {contract_id}")
    except Denied as exc:
        raise denied(exc) from None
    status, version = await run_in_threadpool(store.put_contract, contract, text)
    if status == "conflict":
        raise ApiError(409, f"version {version} of {contract_id} is already registered with different content; "
                            "bump the version", code="version_conflict")
    if status == "created":
        await run_in_threadpool(link_lineage, store, [contract])
    response.status_code = 201 if status == "created" else 200
    return PutContractResult(id=contract.id, version=version, status=status, sha256=contract_digest(contract),
                             datasets=sorted({o.qualified_name for o in contract.datasets}))
