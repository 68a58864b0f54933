"""Back to ODCS: a frozen ``Contract`` as plain data or YAML text.

Keys come out camelCase in ODCS order (the model's field order), and only the keys that were
set in the source, so ``load -> dump -> load`` gives an equal contract. Strings that a YAML 1.1
reader would take for something else (``yes``, ``on``, ``1:30``) are quoted.
"""

from __future__ import annotations

import io
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString, SingleQuotedScalarString

from contracts.model import Contract

__all__ = ["contract_to_dict", "dump_contract"]


def contract_to_dict(contract: Contract) -> dict[str, Any]:
    """The contract as JSON-safe plain data: camelCase keys, lists, only the keys that were set."""
    data = contract.model_dump(by_alias=True, exclude_unset=True, mode="json")
    return _plain(data)  # type: ignore[no-any-return]


def dump_contract(contract: Contract) -> str:
    """The contract as ODCS YAML text (multi-line strings such as SQL as ``|`` blocks)."""
    yaml = YAML(typ="rt", pure=True)
    yaml.default_flow_style = False
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(_literal_blocks(contract_to_dict(contract)), out)
    return out.getvalue()


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [_plain(v) for v in node]
    return node


# Plain scalars that YAML 1.1 readers (PyYAML, and the tools built on it) take for booleans or
# base-60 numbers, though YAML 1.2 reads them as strings: quote them so every reader agrees.
_YAML11_NOT_STRINGS = re.compile(
    r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
    r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$"
)


def _literal_blocks(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _literal_blocks(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_literal_blocks(v) for v in node]
    if isinstance(node, str) and "\n" in node and not _has_trailing_space(node):
        return LiteralScalarString(node)
    if isinstance(node, str) and _YAML11_NOT_STRINGS.match(node):
        return SingleQuotedScalarString(node)
    return node


def _has_trailing_space(text: str) -> bool:
    # A literal block cannot carry trailing spaces on a line or a tab-only line faithfully.
    return any(line != line.rstrip() for line in text.split("\n")) or "\r" in text
