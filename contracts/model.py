"""The ODCS v3.1 contract model: frozen objects, one per ODCS element.

Field names are snake_case in Python and camelCase in YAML (the ODCS spelling), through
pydantic aliases. Every element the standard defines has a field; elements where the standard
allows free-form extras (``Server``, the contract ``description``) keep them as pydantic
extras, so ``load -> dump -> load`` loses nothing. Scalars are strict, as in the JSON Schema.

The model is the shape; what the JSON Schema says beyond shapes (keys per rule type, options
per logical type, fields per server type, no explicit nulls) is checked in ``lint.py``, and
``load_contract`` only builds a model from data that passed both. Build contracts through
``load_contract`` rather than ``Contract.model_validate``.
"""

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints
from pydantic.alias_generators import to_camel

__all__ = [
    "LOGICAL_TYPES",
    "METRICS",
    "OPERATORS",
    "QUALITY_TYPES",
    "SLA",
    "AuthoritativeDefinition",
    "Contract",
    "CustomProperty",
    "Description",
    "Pricing",
    "Property",
    "QualityRule",
    "Relationship",
    "Role",
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
# Scalars are strict, as in the JSON Schema: a YAML number is not a string, a boolean is not a number.
Str = Annotated[str, Strict()]
Int = Annotated[int, Strict()]
Bool = Annotated[bool, Strict()]
Number = Annotated[int, Strict()] | Annotated[float, Strict()]
STABLE_ID_PATTERN = r"^[A-Za-z0-9_-]+$"
StableId = Annotated[str, Strict(), StringConstraints(pattern=STABLE_ID_PATTERN)]
Scalar = Str | Number | Bool | None


class _Frozen(BaseModel):
    """Base of every model object: immutable, camelCase aliases, unknown keys rejected."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        populate_by_name=True,
        alias_generator=to_camel,
        strict=False,
        validate_default=False,
        # Validators and serialisers are built on first use, not at import: a validation run builds
        # one (Contract's, with every nested model inline) instead of one per model class.
        defer_build=True,
    )


class CustomProperty(_Frozen):
    id: StableId | None = None
    property: Str
    value: Any
    description: Str | None = None


class AuthoritativeDefinition(_Frozen):
    id: StableId | None = None
    url: Str
    type: Str
    description: Str | None = None


class Relationship(_Frozen):
    """A foreign-key relationship; ``from_`` is absent on property level (it is the property)."""

    type: Literal["foreignKey"] | None = None
    from_: Str | tuple[Str, ...] | None = Field(default=None, alias="from")
    to: Str | tuple[Str, ...]
    custom_properties: tuple[CustomProperty, ...] | None = None


class QualityRule(_Frozen):
    """One ODCS data-quality check (``type``: library, text, sql or custom)."""

    id: StableId | None = None
    name: Str | None = None
    description: Str | None = None
    type: QualityType | None = None
    dimension: Dimension | None = None
    metric: Metric | None = None
    rule: Str | None = None
    arguments: dict[str, Any] | None = None
    query: Str | None = None
    engine: Str | None = None
    implementation: Str | dict[str, Any] | None = None
    must_be: Any = None
    must_not_be: Any = None
    must_be_greater_than: Number | None = None
    must_be_greater_or_equal_to: Number | None = None
    must_be_less_than: Number | None = None
    must_be_less_or_equal_to: Number | None = None
    must_be_between: tuple[Number, ...] | None = None
    must_not_be_between: tuple[Number, ...] | None = None
    unit: Str | None = None
    severity: Str | None = None
    business_impact: Str | None = None
    method: Str | None = None
    schedule: Str | None = None
    scheduler: Str | None = None
    tags: tuple[Str, ...] | None = None
    authoritative_definitions: tuple[AuthoritativeDefinition, ...] | None = None
    custom_properties: tuple[CustomProperty, ...] | None = None

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
    name: Str | None = None
    physical_name: Str | None = None
    business_name: Str | None = None
    description: Str | None = None
    logical_type: LogicalType | None = None
    logical_type_options: dict[str, Any] | None = None
    physical_type: Str | None = None
    required: Bool | None = None
    unique: Bool | None = None
    primary_key: Bool | None = None
    primary_key_position: Int | None = None
    partitioned: Bool | None = None
    partition_key_position: Int | None = None
    classification: Str | None = None
    encrypted_name: Str | None = None
    critical_data_element: Bool | None = None
    transform_source_objects: tuple[Str, ...] | None = None
    transform_logic: Str | None = None
    transform_description: Str | None = None
    examples: tuple[Any, ...] | None = None
    tags: tuple[Str, ...] | None = None
    authoritative_definitions: tuple[AuthoritativeDefinition, ...] | None = None
    custom_properties: tuple[CustomProperty, ...] | None = None
    relationships: tuple[Relationship, ...] | None = None
    quality: tuple[QualityRule, ...] | None = None
    properties: tuple["Property", ...] | None = None
    items: "Property | None" = None

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
    name: Str
    physical_name: Str | None = None
    physical_type: Str | None = None
    business_name: Str | None = None
    description: Str | None = None
    logical_type: Literal["object"] | None = None
    data_granularity_description: Str | None = None
    tags: tuple[Str, ...] | None = None
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
    property: Str
    value: Scalar
    value_ext: Scalar = None
    unit: Str | None = None
    element: Str | None = None
    driver: Str | None = None
    description: Str | None = None
    scheduler: Str | None = None
    schedule: Str | None = None


class TeamMember(_Frozen):
    id: StableId | None = None
    username: Str
    name: Str | None = None
    description: Str | None = None
    role: Str | None = None
    date_in: Str | None = None
    date_out: Str | None = None
    replaced_by_username: Str | None = None
    tags: tuple[Str, ...] | None = None
    custom_properties: tuple[CustomProperty, ...] | None = None
    authoritative_definitions: tuple[AuthoritativeDefinition, ...] | None = None


class Team(_Frozen):
    id: StableId | None = None
    name: Str | None = None
    description: Str | None = None
    members: tuple[TeamMember, ...] | None = None
    tags: tuple[Str, ...] | None = None
    custom_properties: tuple[CustomProperty, ...] | None = None
    authoritative_definitions: tuple[AuthoritativeDefinition, ...] | None = None


class Role(_Frozen):
    id: StableId | None = None
    role: Str
    description: Str | None = None
    access: Str | None = None
    first_level_approvers: Str | None = None
    second_level_approvers: Str | None = None
    custom_properties: tuple[CustomProperty, ...] | None = None


class SupportChannel(_Frozen):
    id: StableId | None = None
    channel: Str
    url: Str | None = None
    description: Str | None = None
    tool: Str | None = None
    scope: Str | None = None
    invitation_url: Str | None = None
    custom_properties: tuple[CustomProperty, ...] | None = None


class Pricing(_Frozen):
    id: StableId | None = None
    price_amount: Number | None = None
    price_currency: Str | None = None
    price_unit: Str | None = None


class Server(_Frozen):
    """A server; the type-specific fields (host, port, database, …) are kept as extras."""

    model_config = ConfigDict(extra="allow")

    id: StableId | None = None
    server: Str
    type: Str
    description: Str | None = None
    environment: Str | None = None
    roles: tuple[Role, ...] | None = None
    custom_properties: tuple[CustomProperty, ...] | None = None


class Description(_Frozen):
    model_config = ConfigDict(extra="allow")

    usage: Str | None = None
    purpose: Str | None = None
    limitations: Str | None = None
    authoritative_definitions: tuple[AuthoritativeDefinition, ...] | None = None
    custom_properties: tuple[CustomProperty, ...] | None = None


class Contract(_Frozen):
    """A whole ODCS data contract."""

    api_version: ApiVersion
    kind: Literal["DataContract"]
    id: Str
    name: Str | None = None
    version: Str
    status: Str
    tenant: Str | None = None
    domain: Str | None = None
    data_product: Str | None = None
    description: Description | None = None
    tags: tuple[Str, ...] | None = None
    schema_: tuple[SchemaObject, ...] | None = Field(default=None, alias="schema")
    servers: tuple[Server, ...] | None = None
    team: Team | tuple[TeamMember, ...] | None = None
    roles: tuple[Role, ...] | None = None
    support: tuple[SupportChannel, ...] | None = None
    price: Pricing | None = None
    sla_default_element: Str | None = None
    sla_properties: tuple[SLA, ...] | None = None
    authoritative_definitions: tuple[AuthoritativeDefinition, ...] | None = None
    custom_properties: tuple[CustomProperty, ...] | None = None
    contract_created_ts: Str | None = None

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

