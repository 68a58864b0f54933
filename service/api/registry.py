"""Registered contracts as models: parsed once per content digest (a registered version never changes)."""

from __future__ import annotations

import functools

from contracts import Contract, load_contract
from service.store import Store

__all__ = ["contract_model", "link_lineage", "registered_contracts"]


@functools.lru_cache(maxsize=256)
def _parse(sha256: str, content: str) -> Contract:
    del sha256  # part of the cache key only
    return load_contract(content if "\n" in content else content + "\n")


def contract_model(found: dict[str, str]) -> Contract:
    """The model of a registry record (as ``Store.get_contract`` returns it)."""
    return _parse(found["sha256"], found["content"])


def registered_contracts(store: Store) -> tuple[Contract, ...]:
    """The latest version of every registered contract."""
    out = []
    for summary in store.list_contracts():
        found = store.get_contract(summary["id"])
        if found is not None:
            out.append(contract_model(found))
    return tuple(out)


def link_lineage(store: Store, contracts: tuple[Contract, ...] | list[Contract]) -> None:
    """Tell the lineage graph about newly registered contracts: datasets, owners, feature sets, and the
    lineage they declare (``transformSourceObjects``)."""
    if not contracts:
        return
    from service import lineage_ops

    lineage_ops.add_contracts_lineage(store, list(contracts))
