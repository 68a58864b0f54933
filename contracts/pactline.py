"""pactline's own settings, written inside valid ODCS.

Every setting pactline reads from a contract is declared here, and nowhere else; the lint
checks them (``setting_problems``) and docs/contracts.md documents each one (a test fails when
one is missing there).

- Drift rule, on a property's ``quality`` list::

      - type: custom
        engine: pactline
        severity: warning            # error | warning
        implementation:
          check: drift               # required
          method: psi                # psi | js_distance | wasserstein_norm | ks | chi2
          threshold: 0.2             # a number >= 0
          baseline: 28d              # "<n>d" | "<n>h" | "<n>w" | "run:<run_id>" | "file:<path>"
          minRows: 500               # a whole number >= 1

- Unexpected columns: a ``customProperties`` entry ``{property: pactline.unexpectedColumns,
  value: allow|warn|block}`` on the schema object, else on the contract; default ``warn``.
- Feature sets: tag ``features`` on the contract or schema object, or a qualified name that
  matches one of the configured globs (default ``features.*``).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contracts.model import Contract, Property, QualityRule, SchemaObject

__all__ = [
    "CUSTOM_PROPERTIES",
    "DEFAULT_FEATURE_PATTERNS",
    "DRIFT_METHODS",
    "DRIFT_SETTINGS",
    "DRIFT_SEVERITIES",
    "ENGINE",
    "FEATURE_TAG",
    "UNEXPECTED_COLUMNS",
    "UNEXPECTED_COLUMNS_DEFAULT",
    "UNEXPECTED_COLUMNS_POLICIES",
    "DriftSettings",
    "SettingProblem",
    "custom_property_problems",
    "drift_rules",
    "drift_settings",
    "is_drift_rule",
    "is_feature_dataset",
    "is_pactline_rule",
    "setting_problems",
    "unexpected_columns_policy",
]

ENGINE = "pactline"
DRIFT_METHODS: tuple[str, ...] = ("psi", "js_distance", "wasserstein_norm", "ks", "chi2")
DRIFT_SEVERITIES: tuple[str, ...] = ("error", "warning")
# implementation key -> what it holds (the documentation of each drift setting)
DRIFT_SETTINGS: dict[str, str] = {
    "check": "which pactline check this rule is; only `drift` exists (required)",
    "method": "the drift statistic: " + ", ".join(DRIFT_METHODS),
    "threshold": "the statistic's value above which the column has drifted (a number >= 0)",
    "baseline": "what to compare with: `<n>d`/`<n>h`/`<n>w` (passed runs in that window), `run:<run_id>`, `file:<path>`",
    "minRows": "fewest rows in both baseline and batch before drift is judged (a whole number >= 1)",
}
UNEXPECTED_COLUMNS = "pactline.unexpectedColumns"
UNEXPECTED_COLUMNS_POLICIES: tuple[str, ...] = ("allow", "warn", "block")
UNEXPECTED_COLUMNS_DEFAULT = "warn"
FEATURE_TAG = "features"
DEFAULT_FEATURE_PATTERNS: tuple[str, ...] = ("features.*",)
# customProperties keys pactline reads (a key starting with "pactline." that is not here is a typo)
CUSTOM_PROPERTIES: tuple[str, ...] = (UNEXPECTED_COLUMNS,)

_WINDOW = re.compile(r"^[1-9][0-9]*[hdw]$")


@dataclass(frozen=True)
class DriftSettings:
    """The settings of one pactline drift rule; ``None`` means "use the drift engine's default"."""

    method: str | None
    threshold: float | None
    baseline: str | None
    min_rows: int | None
    severity: str


@dataclass(frozen=True)
class SettingProblem:
    """A pactline setting that is wrong: where (relative to the rule or mapping), code, message."""

    path: tuple[str | int, ...]
    code: str
    message: str


def is_pactline_rule(rule: QualityRule) -> bool:
    """A ``type: custom`` rule with ``engine: pactline``."""
    return rule.kind == "custom" and (rule.engine or "").strip().lower() == ENGINE


def is_drift_rule(rule: QualityRule) -> bool:
    impl = rule.implementation
    return is_pactline_rule(rule) and isinstance(impl, Mapping) and impl.get("check") == "drift"


def drift_settings(rule: QualityRule) -> DriftSettings:
    """The drift settings of a pactline drift rule (``ValueError`` for any other rule).

    The contract was linted when it was loaded, so values here have the documented types.
    """
    if not is_drift_rule(rule):
        raise ValueError("not a pactline drift rule (type: custom, engine: pactline, implementation.check: drift)")
    impl: Mapping[str, Any] = rule.implementation  # type: ignore[assignment]
    threshold = impl.get("threshold")
    min_rows = impl.get("minRows")
    method = impl.get("method")
    baseline = impl.get("baseline")
    return DriftSettings(
        method=str(method) if method is not None else None,
        threshold=float(threshold) if isinstance(threshold, int | float) and not isinstance(threshold, bool) else None,
        baseline=str(baseline) if baseline is not None else None,
        min_rows=int(min_rows) if isinstance(min_rows, int) and not isinstance(min_rows, bool) else None,
        severity=rule.effective_severity,
    )


def drift_rules(obj: SchemaObject) -> list[tuple[Property, QualityRule]]:
    """Every drift rule of a dataset with the column it watches."""
    return [(prop, rule) for prop in obj.columns for rule in prop.quality or () if is_drift_rule(rule)]


def unexpected_columns_policy(contract: Contract, obj: SchemaObject) -> str:
    """``allow``, ``warn`` or ``block``: the schema object's setting, else the contract's, else ``warn``."""
    for value in (obj.custom(UNEXPECTED_COLUMNS), contract.custom(UNEXPECTED_COLUMNS)):
        if isinstance(value, str) and value.lower() in UNEXPECTED_COLUMNS_POLICIES:
            return value.lower()
    return UNEXPECTED_COLUMNS_DEFAULT


def is_feature_dataset(
    contract: Contract, obj: SchemaObject, patterns: Sequence[str] = DEFAULT_FEATURE_PATTERNS
) -> bool:
    """A feature set: tagged ``features`` (contract or schema object) or named like one of ``patterns``."""
    tags = {t.lower() for t in (*(contract.tags or ()), *(obj.tags or ()))}
    if FEATURE_TAG in tags:
        return True
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns for name in {obj.qualified_name, obj.name})


# --- lint ------------------------------------------------------------------------------------------


def setting_problems(rule: Mapping[str, Any], *, on_property: bool) -> list[SettingProblem]:
    """Problems of one quality rule (plain data) that names ``engine: pactline``."""
    out: list[SettingProblem] = []
    severity = rule.get("severity")
    if severity is not None and (not isinstance(severity, str) or severity.lower() not in DRIFT_SEVERITIES):
        out.append(SettingProblem(("severity",), "pactline-bad-severity",
                                  f"a pactline rule's severity is error or warning, not {severity!r}"))
    impl = rule.get("implementation")
    if impl is None:
        return out  # reported as a custom rule without implementation
    if not isinstance(impl, Mapping):
        if not isinstance(impl, str):
            return out  # neither text nor a mapping: the structure check reports it
        out.append(SettingProblem(("implementation",), "pactline-implementation-not-mapping",
                                  "a pactline rule's implementation is a mapping, e.g. "
                                  "{check: drift, method: psi, threshold: 0.2}"))
        return out
    check = impl.get("check")
    if check != "drift":
        hint = _did_you_mean(str(check), ("drift",)) if check is not None else ""
        out.append(SettingProblem(("implementation", "check") if check is not None else ("implementation",),
                                  "pactline-unknown-check",
                                  f"unknown pactline check {check!r}.{hint or ' The only check is drift.'}"
                                  if check is not None else "missing implementation.check; write check: drift"))
        return out
    if not on_property:
        out.append(SettingProblem((), "pactline-drift-on-dataset",
                                  "a drift rule watches one column; move it to that property's quality list"))
    for key in impl:
        if key not in DRIFT_SETTINGS:
            hint = _did_you_mean(str(key), tuple(DRIFT_SETTINGS))
            out.append(SettingProblem(("implementation", str(key)), "pactline-unknown-setting",
                                      f"unknown drift setting '{key}'.{hint or ' Use ' + ', '.join(DRIFT_SETTINGS) + '.'}"))
    method = impl.get("method")
    if method is not None and method not in DRIFT_METHODS:
        hint = _did_you_mean(str(method), DRIFT_METHODS)
        out.append(SettingProblem(("implementation", "method"), "pactline-unknown-method",
                                  f"unknown drift method {method!r}.{hint or ' Use one of: ' + ', '.join(DRIFT_METHODS) + '.'}"))
    threshold = impl.get("threshold")
    if threshold is not None and (not _is_number(threshold) or threshold < 0):
        out.append(SettingProblem(("implementation", "threshold"), "pactline-bad-threshold",
                                  f"threshold is a number >= 0, not {threshold!r}"))
    baseline = impl.get("baseline")
    if baseline is not None and not _valid_baseline(baseline):
        out.append(SettingProblem(("implementation", "baseline"), "pactline-bad-baseline",
                                  f"baseline {baseline!r} is not a window like '28d', 'run:<run_id>' or 'file:<path>'"))
    min_rows = impl.get("minRows")
    if min_rows is not None and (not isinstance(min_rows, int) or isinstance(min_rows, bool) or min_rows < 1):
        out.append(SettingProblem(("implementation", "minRows"), "pactline-bad-min-rows",
                                  f"minRows is a whole number >= 1, not {min_rows!r}"))
    return out


def custom_property_problems(prop: Mapping[str, Any]) -> list[SettingProblem]:
    """Problems of one ``customProperties`` entry (plain data) whose name starts with ``pactline.``."""
    name = prop.get("property")
    if not isinstance(name, str) or not name.lower().startswith("pactline."):
        return []
    if name not in CUSTOM_PROPERTIES:
        hint = _did_you_mean(name, CUSTOM_PROPERTIES)
        return [SettingProblem(("property",), "pactline-unknown-setting",
                               f"unknown pactline setting '{name}'.{hint or ' Known: ' + ', '.join(CUSTOM_PROPERTIES) + '.'}")]
    value = prop.get("value")
    if not isinstance(value, str) or value.lower() not in UNEXPECTED_COLUMNS_POLICIES:
        hint = _did_you_mean(str(value), UNEXPECTED_COLUMNS_POLICIES)
        return [SettingProblem(("value",), "pactline-bad-policy",
                               f"unknown unexpected-columns policy {value!r}."
                               f"{hint or ' Use one of: ' + ', '.join(UNEXPECTED_COLUMNS_POLICIES) + '.'}")]
    return []


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _valid_baseline(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    if value.startswith(("run:", "file:")):
        return bool(value.split(":", 1)[1].strip())
    return bool(_WINDOW.match(value))


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    import difflib

    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" Did you mean '{match[0]}'?" if match else ""
