"""contracts: the ODCS v3.1 contract model and its parsing.

What lives here: the frozen model (``model.py``), the one loader (``loader.load_contract``),
the checks that find problems with file:line:col (``lint.py``), the YAML dumper and the
logical-type to Arrow-type mapping.

May import: nothing of pactline's own (this is the bottom layer).

To add an ODCS element: add the field to the model (snake_case, alias is camelCase), add a
golden contract under ``tests/contracts/golden`` and regenerate with ``scripts/regen-golden``.
"""

from contracts.dump import contract_to_dict, dump_contract
from contracts.loader import load_contract
from contracts.model import (
    SLA,
    Contract,
    CustomProperty,
    Property,
    QualityRule,
    Relationship,
    SchemaObject,
    Server,
    Team,
    TeamMember,
)
from contracts.problems import ContractError, Problem

__all__ = [
    "SLA",
    "Contract",
    "ContractError",
    "CustomProperty",
    "Problem",
    "Property",
    "QualityRule",
    "Relationship",
    "SchemaObject",
    "Server",
    "Team",
    "TeamMember",
    "contract_to_dict",
    "dump_contract",
    "load_contract",
]
