"""The ODCS v3.1 contract model: frozen objects, one per ODCS element.

Field names are snake_case in Python and camelCase in YAML (the ODCS spelling), through
pydantic aliases. Every element the standard defines has a field; elements where the standard
allows free-form extras (``Server``, the contract ``description``) keep them as pydantic
extras, so ``load -> dump -> load`` loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

__all__ = [
    "LOGICAL_TYPES",
    "METRICS",
    "OPERATORS",
    "QUALITY_TYPES",
    "AuthoritativeDefinition",
    "Contract",
    "CustomProperty",
    "Description",
    "Pricing",
    "Property",
    "QualityRule",
    "Relationship",
    "Role",
    "SLA",
    "SchemaObject",
    "Server",
    "SupportChannel",
    "Team",
    "TeamMember",
]

LogicalType = Literal["string", "date", "timestamp", "time", "number", "integer", "object", "array", "boolean"]
LOGICAL_TYPES: tuple[str, ...] = (
    "string",
    "date",
    "timestamp",
    "time",
    "number",
    "integer",
    "object",
    "array",
    "boolean",
)
Metric = Literal["nullValues", "missingValues", "invalidValues", "duplicateValues", "rowCount"]
METRICS: tuple[str, ...] = ("nullValues", "missingValues", "invalidValues", "duplicateValues", "rowCount")
QualityType = Literal["text", "library", "sql", "custom"]
QUALITY_TYPES: tuple[str, ...] = ("text", "library", "sql", "custom")
Dimension = Literal["accuracy", "completeness", "conformity", "consistency", "coverage", "timeliness", "uniqueness"]
OPERATORS: tuple[str, ...] = (
    "mustBe",
    "mustNotBe",
    "mustBeGreaterThan",
    "mustBeGreaterOrEqualTo",
    "mustBeLessThan",
    "mustBeLessOrEqualTo",
    "mustBeBetween",
    "mustNotBeBetween",
)
ApiVersion = Literal["v3.1.0", "v3.0.2", "v3.0.1", "v3.0.0", "v2.2.2", "v2.2.1", "v2.2.0"]
StableId = str
Scalar = str | int | float | bool | None


class _Frozen(BaseModel):
    """Base of every model object: immutable, camelCase aliases, unknown keys rejected."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        populate_by_name=True,
        alias_generator=to_camel,
        strict=False,
        validate_default=False,
    )


class CustomProperty(_Frozen):
    id: StableId | None = None
    property: str
    value: Any
    description: str | None = None


class AuthoritativeDefinition(_Frozen):
    id: StableId | None = None
    url: str
    type: str
    description: str | None = None


class Relationship(_Frozen):
    """A foreign-key relationship; ``from_`` is absent on property level (it is the property)."""

    type: Literal["foreignKey"] | None = None
    from_: str | tuple[str, ...] | None = Field(default=None, alias="from")
    to: str | tuple[str, ...]
    custom_properties: tuple[CustomProperty, ...] | None = None


class QualityRule(_Frozen):
    """One ODCS data-quality check (``type``: library, text, sql or custom)."""

    id: StableId | None = None
    name: str | None = None
    type: QualityType | None = None
    description: str | None = None
    dimension: Dimension | None = None
    metric: Metric | None = None
    rule: str | None = None
    arguments: dict[str, Any] | None = None
    query: str | None = None
    engine: str | None = None
    implementation: str | dict[str, Any] | None = None
    unit: str | None = None
    severity: str | None = None
    business_impact: str | None = None
    method: str | None = None
    schedule: str | None = None
    scheduler: str | None = None
    tags: tuple[str, ...] | None = None
    authoritative_definitions: tuple[AuthoritativeDefinition, ...] | None = None
    custom_properties: tuple[CustomProperty, ...] | None = None
    must_be: Any = None
    must_not_be: Any = None
    must_be_greater_than: float | None = None
    must_be_greater_or_equal_to: float | None = None
    must_be_less_than: float | None = None
    must_be_less_or_equal_to: float | None = None
    must_be_between: tuple[float, ...] | None = None
    must_not_be_between: tuple[float, ...] | None = None

    @property
    def kind(self) -> str:
        """The effective type: ``library`` by default, as ODCS says."""
        if self.type is not None:
            return self.type
        return "library"

    @property
    def effective_severity(self) -> str:
        return (self.severity or "error").lower()

    def operators(self) -> dict[str, Any]:
        """The operators given on this rule, by their ODCS name."""
        given = self.model_fields_set
        out: dict[str, Any] = {}
        for op in OPERATORS:
            field = _OPERATOR_FIELDS[op]
            if field in given:
                out[op] = getattr(self, field)
        return out


_OPERATOR_FIELDS: dict[str, str] = {
    "mustBe": "must_be",
    "mustNotBe": "must_not_be",
    "mustBeGreaterThan": "must_be_greater_than",
    "mustBeGreaterOrEqualTo": "must_be_greater_or_equal_to",
    "mustBeLessThan": "must_be_less_than",
    "mustBeLessOrEqualTo": "must_be_less_or_equal_to",
    "mustBeBetween": "must_be_between",
    "mustNotBeBetween": "must_not_be_between",
}


class Property(_Frozen):
    """A column (or a nested field of an ``object``/``array`` column)."""

    id: StableId | None = None
    name: str | None = None
    business_name: str | None = None
    description: str | None = None
    physical_type: str | None = None
    physical_name: str | None = None
    logical_type: LogicalType | None = None
    logical_type_options: dict[str, Any] | None = None
    required: bool | None = None
    unique: bool | None = None
    primary_key: bool | None = None
    primary_key_position: int | None = None
    partitioned: bool | None = None
    partition_key_position: int | None = None
    classification: str | None = None
    encrypted_name: str | None = None
    critical_data_element: bool | None = None
    transform_source_objects: tuple[str, ...] | None = None
    transform_logic: str | None = None
    transform_description: str | None = None
    examples: tuple[Any, ...] | None = None
    tags: tuple[str, ...] | None = None
    authoritative_definitions: tuple[AuthoritativeDefinition, ...] | None = None
    custom_properties: tuple[CustomProperty, ...] | None = None
    relationships: tuple[Relationship, ...] | None = None
    quality: tuple[QualityRule, ...] | None = None
    properties: tuple[Property, ...] | None = None
    items: Property | None = None

    @property
    def is_required(self) -> bool:
        return bool(self.required)

    @property
    def is_unique(self) -> bool:
        return bool(self.unique)

    @property
    def option(self) -> dict[str, Any]:
        """``logicalTypeOptions`` or an empty mapping."""
        return dict(self.logical_type_options or {})

    def custom(self, name: str, default: Any = None) -> Any:
        return _custom(self.custom_properties, name, default)


class SchemaObject(_Frozen):
    """A dataset: a table, view, topic or file."""

    id: StableId | None = None
    name: str
    physical_name: str | None = None
    physical_type: str | None = None
    logical_type: Literal["object"] | None = None
    business_name: str | None = None
    description: str | None = None
    data_granularity_description: str | None = None
    tags: tuple[str, ...] | None = None
    authoritative_definitions: tuple[AuthoritativeDefinition, ...] | None = None
    custom_properties: tuple[CustomProperty, ...] | None = None
    relationships: tuple[Relationship, ...] | None = None
    quality: tuple[QualityRule, ...] | None = None
    properties: tuple[Property, ...] | None = None

    @property
    def columns(self) -> tuple[Property, ...]:
        return self.properties or ()

    @property
    def qualified_name(self) -> str:
        """The dataset's identity across pactline: ``physicalName`` when given, else ``name``.

        Lineage, the store and the API key datasets by it (e.g. ``raw.orders``).
        """
        return self.physical_name or self.name

    def column(self, name: str) -> Property | None:
        for prop in self.columns:
            if prop.name == name:
                return prop
        return None

    @property
    def primary_key(self) -> tuple[str, ...]:
        """Primary-key column names in ``primaryKeyPosition`` order (unpositioned last)."""
        keyed = [p for p in self.columns if p.primary_key and p.name]
        keyed.sort(key=lambda p: (p.primary_key_position is None or p.primary_key_position < 0,
                                  p.primary_key_position or 0))
        return tuple(p.name for p in keyed if p.name)

    def custom(self, name: str, default: Any = None) -> Any:
        return _custom(self.custom_properties, name, default)


class SLA(_Frozen):
    """One ``slaProperties`` entry."""

    id: StableId | None = None
    property: str
    value: Scalar
    value_ext: Scalar = None
    unit: str | None = None
    element: str | None = None
    driver: str | None = None
    description: str | None = None
    scheduler: str | None = None
    schedule: str | None = None


class TeamMember(_Frozen):
    id: StableId | None = None
    username: str
    name: str | None = None
    description: str | None = None
    role: str | None = None
    date_in: str | None = None
    date_out: str | None = None
    replaced_by_username: str | None = None
    tags: tuple[str, ...] | None = None
    custom_properties: tuple[CustomProperty, ...] | None = None
    authoritative_definitions: tuple[AuthoritativeDefinition, ...] | None = None


class Team(_Frozen):
    id: StableId | None = None
    name: str | None = None
    description: str | None = None
    members: tuple[TeamMember, ...] | None = None
    tags: tuple[str, ...] | None = None
    custom_properties: tuple[CustomProperty, ...] | None = None
    authoritative_definitions: tuple[AuthoritativeDefinition, ...] | None = None


class Role(_Frozen):
    id: StableId | None = None
    role: str
    description: str | None = None
    access: str | None = None
    first_level_approvers: str | None = None
    second_level_approvers: str | None = None
    custom_properties: tuple[CustomProperty, ...] | None = None


class SupportChannel(_Frozen):
    id: StableId | None = None
    channel: str
    url: str | None = None
    description: str | None = None
    tool: str | None = None
    scope: str | None = None
    invitation_url: str | None = None
    custom_properties: tuple[CustomProperty, ...] | None = None


class Pricing(_Frozen):
    id: StableId | None = None
    price_amount: float | None = None
    price_currency: str | None = None
    price_unit: str | None = None


class Server(_Frozen):
    """A server; the type-specific fields (host, port, database, …) are kept as extras."""

    model_config = ConfigDict(extra="allow")

    id: StableId | None = None
    server: str
    type: str
    description: str | None = None
    environment: str | None = None
    roles: tuple[Role, ...] | None = None
    custom_properties: tuple[CustomProperty, ...] | None = None


class Description(_Frozen):
    model_config = ConfigDict(extra="allow")

    usage: str | None = None
    purpose: str | None = None
    limitations: str | None = None
    authoritative_definitions: tuple[AuthoritativeDefinition, ...] | None = None
    custom_properties: tuple[CustomProperty, ...] | None = None


class Contract(_Frozen):
    """A whole ODCS data contract."""

    version: str
    kind: Literal["DataContract"]
    api_version: ApiVersion
    id: str
    status: str
    name: str | None = None
    tenant: str | None = None
    tags: tuple[str, ...] | None = None
    servers: tuple[Server, ...] | None = None
    data_product: str | None = None
    description: Description | None = None
    domain: str | None = None
    schema_: tuple[SchemaObject, ...] | None = Field(default=None, alias="schema")
    support: tuple[SupportChannel, ...] | None = None
    price: Pricing | None = None
    team: Team | tuple[TeamMember, ...] | None = None
    roles: tuple[Role, ...] | None = None
    sla_default_element: str | None = None
    sla_properties: tuple[SLA, ...] | None = None
    authoritative_definitions: tuple[AuthoritativeDefinition, ...] | None = None
    custom_properties: tuple[CustomProperty, ...] | None = None
    contract_created_ts: str | None = None

    @property
    def datasets(self) -> tuple[SchemaObject, ...]:
        return self.schema_ or ()

    def dataset(self, name: str) -> SchemaObject | None:
        for obj in self.datasets:
            if name in (obj.name, obj.physical_name):
                return obj
        return None

    def sla(self, name: str) -> tuple[SLA, ...]:
        """Every ``slaProperties`` entry with this property name (case-insensitive)."""
        return tuple(s for s in self.sla_properties or () if s.property.lower() == name.lower())

    @property
    def owners(self) -> tuple[str, ...]:
        """Team name plus members whose role says owner; what lineage reports as owners."""
        team = self.team
        members: tuple[TeamMember, ...]
        out: list[str] = []
        if isinstance(team, Team):
            if team.name:
                out.append(team.name)
            members = team.members or ()
        else:
            members = team or ()
        for m in members:
            if m.date_out is None and (m.role or "").lower() in {"owner", "data owner", "product owner"}:
                out.append(m.username)
        return tuple(out)

    def custom(self, name: str, default: Any = None) -> Any:
        return _custom(self.custom_properties, name, default)

    def walk_rules(self) -> Iterator[tuple[SchemaObject, Property | None, QualityRule]]:
        """Every quality rule with the dataset and (for column rules) the column it is on."""
        for obj in self.datasets:
            for rule in obj.quality or ():
                yield obj, None, rule
            for prop in obj.columns:
                for rule in prop.quality or ():
                    yield obj, prop, rule


def _custom(props: tuple[CustomProperty, ...] | None, name: str, default: Any) -> Any:
    for cp in props or ():
        if cp.property == name:
            return cp.value
    return default


Property.model_rebuild()
