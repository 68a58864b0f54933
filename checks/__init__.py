"""checks: the validation engine — readers, typing, rules, profiles, drift statistics.

Layout (a validation is read -> type -> profile -> evaluate -> decide):
``readers`` (any input -> Arrow batches), ``casting`` (contract types, counted casts),
``rules`` (a dataset's rules compiled into a plan; every reason code in ``rules.REASONS``),
``keys`` (exact uniqueness), ``sql`` (SQL rules on sandboxed DuckDB), ``engine`` (the one pass),
``profile``/``sketches`` (mergeable profiles), ``drift`` (profile comparison), ``results``
(``RuleResult``, ``Report``), ``errors`` (``DataError``, ``DatasetError``).

May import: contracts. Never service (no HTTP, terminals or databases here).
To add a rule: compile it in ``rules.build_plan`` as a Row/Key/BatchRule with a reason code from
``REASONS`` (documented in docs/report.md, a test checks it).
"""

from checks.engine import run, select_dataset, validate
from checks.errors import DataError, DatasetError
from checks.results import BlockedError, Report, RuleResult

__all__ = ["BlockedError", "DataError", "DatasetError", "Report", "RuleResult", "run", "select_dataset", "validate"]
