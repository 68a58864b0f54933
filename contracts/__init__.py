"""contracts: the ODCS v3.1 contract model and its parsing.

What lives here: the frozen model (``model.py``), the one loader (``loader.load_contract``),
the checks that find problems with file:line:col and a stable code (``lint.py``, codes in
``lint.CODES``), the YAML dumper (``dump.py``), the logical-type to Arrow-type mapping as plain
strings (``types.py``), pactline's own settings inside ODCS (``pactline.py``), and safe YAML
reading with positions (``yamlsrc.py``).

May import: nothing of pactline's own (this is the bottom layer); never pyarrow.

To add an ODCS element: add the field to the model (snake_case, alias is camelCase), add a
golden contract under ``tests/contracts/golden`` and regenerate with
``.venv/bin/python -m tests.contracts.regen``. To add a check: see ``lint.py``.
"""

from contracts.dump import contract_to_dict, dump_contract
from contracts.loader import lint_contract, load_contract
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
from contracts.types import arrow_type_for

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
    "arrow_type_for",
    "contract_to_dict",
    "dump_contract",
    "lint_contract",
    "load_contract",
]
