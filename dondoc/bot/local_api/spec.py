"""Check Bot API method calls against the machine-readable spec (``api.json``).

``api.json`` (Bot API version, methods and types with their fields) is the format of the public
project PaulSonOfLars/telegram-bot-api-spec. Besides the structure (required fields, unknown fields,
value types, nested objects, unions such as ``ReplyMarkup``), the limits that the documentation
states only in prose are read from the field descriptions:

* ``1-4096 characters`` / ``0-1024 characters after entities parsing`` / ``1-64 bytes``: string
  length, counted on the text as Telegram sees it after parsing ``parse_mode`` markup (which must
  itself be valid);
* ``must be one of "a", "b" or "c"``: string enumerations;
* ``1-100 identifiers`` / ``At most 100 commands can be specified``: array sizes;
* type descriptions such as ``Exactly one of the fields other than text, ... must be used``.

Values may arrive as sent over HTTP form encoding (every value a string, non-string values
JSON-encoded) or already decoded (JSON bodies): :meth:`BotApiSpec.decode_params` turns the former
into the latter, and :meth:`BotApiSpec.validate` accepts both.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from dondoc.bot.local_api.markup import MarkupError, parse_text

__all__ = [
    "BUNDLED_SPEC",
    "BotApiSpec",
    "FieldSpec",
    "Issue",
    "MethodSpec",
    "TypeSpec",
    "bundled_spec",
]

# The spec shipped with dondoc (package data, with its licence in the same folder).
BUNDLED_SPEC: Traversable = files("dondoc.bot.local_api").joinpath("data", "api.json")

SCALAR_TYPES = frozenset({"Integer", "String", "Boolean", "Float", "InputFile"})
PARSE_MODES = frozenset({"html", "markdownv2", "markdown"})
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_ARRAY_PREFIX = "Array of "
_ATTACH_PREFIX = "attach://"
_LENGTH_RE = re.compile(r"\b(\d+)-(\d+) (characters|bytes)( after entities parsing)?", re.IGNORECASE)
_ARRAY_RANGE_RE = re.compile(r"\b(\d+)-(\d+) (?:items|identifiers|tasks|answer options)\b")
_ARRAY_MAX_RE = re.compile(r"\b(?:[Aa]t most|up to) (\d+) (?:[\w ]+ )?(?:can be specified|items)\b")
_ENUM_RE = re.compile(r"[Mm]ust be (?:one of|either) (.+?)(?:\.\s|\.$|$)")
_DISCRIMINATOR_RE = re.compile(r'(?:must be|always) "?([a-z_]+)"?')
_EXACTLY_OTHER_RE = re.compile(r"(Exactly|At most) one of the fields other than (.+?) must be used")
_EXACTLY_NAMED_RE = re.compile(r"Exactly one of the fields (\w+) or (\w+) must be used")
_BOT_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_STRING_ALLOWED_RE = re.compile(r"String can be used instead of this object")


@dataclass(frozen=True)
class Issue:
    """One way in which a call breaks the spec.

    Attributes:
        path: where, e.g. ``sendMessage.reply_markup.inline_keyboard[0][1].callback_data``.
        message: what is wrong, for people.
        telegram: the description the real server gives for this mistake, when known.
    """

    path: str
    message: str
    telegram: str | None = None

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True)
class LengthLimit:
    """A string length range stated in prose, e.g. ``1-64 bytes``."""

    low: int
    high: int
    unit: str  # "characters" or "bytes"
    after_parsing: bool


@dataclass(frozen=True)
class FieldSpec:
    """A field of a method or type, with the rules read from its description."""

    name: str
    types: tuple[str, ...]
    required: bool
    description: str
    length: LengthLimit | None = None
    choices: frozenset[str] | None = None
    array_range: tuple[int, int] | None = None

    @property
    def accepts_file(self) -> bool:
        """Whether a multipart upload may supply this field."""
        return "InputFile" in self.types

    @property
    def string_only(self) -> bool:
        """Whether the value is a plain string whatever it looks like (no JSON decoding)."""
        return all(t in ("String", "InputFile") for t in self.types)


@dataclass(frozen=True)
class OneOfRule:
    """``exactly`` (or at most) one of ``fields`` must be present in an object."""

    fields: frozenset[str]
    exactly: bool


@dataclass(frozen=True)
class TypeSpec:
    """An object type; abstract ones (unions) have ``subtypes`` and no fields."""

    name: str
    fields: Mapping[str, FieldSpec]
    subtypes: tuple[str, ...] = ()
    discriminator: tuple[str, str] | None = None  # (field name, required value)
    one_of: OneOfRule | None = None
    string_allowed: bool = False


@dataclass(frozen=True)
class MethodSpec:
    """A Bot API method."""

    name: str
    fields: Mapping[str, FieldSpec]
    returns: tuple[str, ...]


@dataclass(frozen=True)
class _Where:
    """A field being checked: its owner (method or type), the owner's values and fields, its path."""

    owner: str
    values: Mapping[str, Any]
    fields: Mapping[str, FieldSpec]
    path: str


@dataclass
class _Context:
    """State shared while checking one call."""

    method: str
    files: Collection[str]
    used_files: set[str] = field(default_factory=set)
    issues: list[Issue] = field(default_factory=list)

    def add(self, path: str, message: str, telegram: str | None = None) -> None:
        self.issues.append(Issue(path, message, telegram))


class BotApiSpec:
    """The Bot API spec, able to decode and validate method calls."""

    def __init__(self, version: str, methods: Mapping[str, MethodSpec], types: Mapping[str, TypeSpec]) -> None:
        self.version = version
        self.methods = dict(methods)
        self.types = dict(types)
        self._methods_lower = {name.lower(): name for name in self.methods}

    @classmethod
    def load(cls, path: str | Path | Traversable) -> BotApiSpec:
        """Read ``api.json`` from ``path`` (a file, or a resource such as :data:`BUNDLED_SPEC`)."""
        source = Path(path) if isinstance(path, str) else path
        data = json.loads(source.read_text(encoding="utf-8"))
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BotApiSpec:
        """Build the spec from the parsed ``api.json`` document."""
        methods = {name: _method_spec(raw) for name, raw in data["methods"].items()}
        types = {name: _type_spec(raw) for name, raw in data["types"].items()}
        return cls(str(data.get("version", "")), methods, types)

    # -- lookup ------------------------------------------------------------------------------------

    def canonical_method(self, name: str) -> str | None:
        """The spec's spelling of method ``name`` (Telegram matches method names case-insensitively)."""
        return self._methods_lower.get(name.lower())

    def method(self, name: str) -> MethodSpec:
        """The method called ``name`` (any case); ``KeyError`` if there is none."""
        canonical = self.canonical_method(name)
        if canonical is None:
            raise KeyError(name)
        return self.methods[canonical]

    # -- decoding ----------------------------------------------------------------------------------

    def decode_params(self, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Decode form-encoded values: JSON strings of non-String fields become JSON values.

        Unknown methods and fields are passed through unchanged (validation reports them).
        """
        canonical = self.canonical_method(method)
        fields = self.methods[canonical].fields if canonical else {}
        return {name: _decode_value(value, fields.get(name)) for name, value in params.items()}

    # -- validation --------------------------------------------------------------------------------

    def validate(self, method: str, params: Mapping[str, Any], files: Collection[str] = ()) -> list[str]:
        """Check a call; return one readable string per violation (empty when the call is valid).

        Args:
            method: the method name as called.
            params: the parameters, decoded or as form-encoded strings.
            files: names of the multipart file parts sent with the call.
        """
        return [str(issue) for issue in self.check(method, params, files)]

    def check(self, method: str, params: Mapping[str, Any], files: Collection[str] = ()) -> list[Issue]:
        """Like :meth:`validate`, returning :class:`Issue` objects."""
        canonical = self.canonical_method(method)
        if canonical is None:
            return [Issue(method, "unknown method", "Not Found")]
        spec = self.methods[canonical]
        context = _Context(canonical, files)
        decoded = self.decode_params(canonical, params)
        self._check_fields(decoded, spec.fields, canonical, canonical, context, files_here=files)
        for name in files:
            if name not in context.used_files:
                context.add(f"{canonical}.{name}", "file part is not referenced by any field")
        return context.issues

    def _check_fields(
        self,
        values: Mapping[str, Any],
        fields: Mapping[str, FieldSpec],
        owner: str,
        path: str,
        context: _Context,
        files_here: Collection[str] = (),
    ) -> None:
        """Check the fields of method or type ``owner`` (``files_here``: uploads for top-level fields)."""
        for name, spec in fields.items():
            uploaded = name in files_here
            if uploaded:
                context.used_files.add(name)
                if not spec.accepts_file:
                    context.add(f"{path}.{name}", "a file was uploaded but the field does not accept InputFile")
            if name not in values:
                if spec.required and not uploaded:
                    telegram = "message text is empty" if name == "text" else f"{name} is empty"
                    context.add(f"{path}.{name}", "required field is missing", telegram)
                continue
            self._check_value(values[name], spec.types, f"{path}.{name}", context)
            where = _Where(owner, values, fields, f"{path}.{name}")
            self._check_prose_limits(values[name], spec, where, context)
        for name in values:
            if name not in fields:
                context.add(f"{path}.{name}", "unknown field")

    # -- types -------------------------------------------------------------------------------------

    def _check_value(self, value: Any, types: tuple[str, ...], path: str, context: _Context) -> None:
        """Check ``value`` against the union ``types``; report the issues of the closest type."""
        candidates: list[tuple[tuple[int, int], _Context]] = []
        for type_name in types:
            if not self._shape_matches(value, type_name):
                continue
            trial = _Context(context.method, context.files)
            self._check_type(value, type_name, path, trial)
            if not trial.issues:
                context.used_files.update(trial.used_files)
                return
            candidates.append(((self._misfit(value, type_name), len(trial.issues)), trial))
        if not candidates:
            expected = " or ".join(types)
            context.add(path, f"expected {expected}, got {_describe(value)}")
            return
        best = min(candidates, key=lambda candidate: candidate[0])[1]
        context.issues.extend(best.issues)
        context.used_files.update(best.used_files)

    def _misfit(self, value: Any, type_name: str) -> int:
        """How many keys of object ``value`` the object type ``type_name`` does not know."""
        spec = self.types.get(type_name)
        if not isinstance(value, dict) or spec is None or spec.subtypes:
            return 0
        return sum(1 for key in value if key not in spec.fields)

    def _shape_matches(self, value: Any, type_name: str) -> bool:
        """Whether ``value`` has the right JSON kind for ``type_name`` (contents not checked)."""
        if type_name.startswith(_ARRAY_PREFIX):
            return isinstance(value, list)
        if type_name in SCALAR_TYPES:
            return _scalar_matches(value, type_name)
        spec = self.types.get(type_name)
        if spec is not None and spec.subtypes:
            return any(self._shape_matches(value, subtype) for subtype in spec.subtypes)
        if spec is not None and spec.string_allowed and isinstance(value, str):
            return True
        return isinstance(value, dict)

    def _check_type(self, value: Any, type_name: str, path: str, context: _Context) -> None:
        if type_name.startswith(_ARRAY_PREFIX):
            item_type = type_name.removeprefix(_ARRAY_PREFIX)
            for index, item in enumerate(value):
                self._check_value(item, (item_type,), f"{path}[{index}]", context)
        elif type_name in ("String", "InputFile"):
            self._check_attach(value, path, context)
        elif type_name not in SCALAR_TYPES:
            self._check_composite(value, type_name, path, context)

    def _check_composite(self, value: Any, type_name: str, path: str, context: _Context) -> None:
        """Check a value of an object type or of a union type."""
        spec = self.types.get(type_name)
        if spec is None:
            context.add(path, f"type {type_name} is not in the spec")
        elif spec.subtypes and isinstance(value, dict):
            self._check_union_object(value, spec, path, context)
        elif spec.subtypes:
            self._check_value(value, spec.subtypes, path, context)
        elif isinstance(value, dict):
            self._check_object(value, spec, path, context)

    def _check_attach(self, value: Any, path: str, context: _Context) -> None:
        """``attach://name`` must name a multipart file part sent with the call."""
        if isinstance(value, str) and value.startswith(_ATTACH_PREFIX):
            name = value.removeprefix(_ATTACH_PREFIX)
            if name in context.files:
                context.used_files.add(name)
            else:
                context.add(path, f"refers to file part {name!r}, which was not uploaded")

    def _check_object(self, value: Mapping[str, Any], spec: TypeSpec, path: str, context: _Context) -> None:
        type_name = spec.name
        if spec.discriminator is not None:
            key, expected = spec.discriminator
            if value.get(key) != expected:
                context.add(f"{path}.{key}", f"must be {expected!r} for {type_name}")
        self._check_fields(value, spec.fields, type_name, path, context)
        if spec.one_of is not None:
            _check_one_of(value, spec.one_of, type_name, path, context)

    def _check_union_object(self, value: Mapping[str, Any], spec: TypeSpec, path: str, context: _Context) -> None:
        """Pick the subtype of an abstract type by its discriminator value (or by best fit)."""
        objects = [self.types[name] for name in spec.subtypes if name in self.types]
        for sub in objects:
            if sub.discriminator is not None and value.get(sub.discriminator[0]) == sub.discriminator[1]:
                self._check_composite(value, sub.name, path, context)
                return
        if objects and all(sub.discriminator is not None for sub in objects):
            names = ", ".join(sub.name for sub in objects)
            context.add(path, f"does not match any kind of {spec.name} ({names})")
            return
        self._check_value(value, tuple(sub.name for sub in objects), path, context)

    # -- prose limits ------------------------------------------------------------------------------

    def _check_prose_limits(self, value: Any, spec: FieldSpec, where: _Where, context: _Context) -> None:
        if isinstance(value, str):
            _check_string_rules(value, spec, where, context)
        elif isinstance(value, list) and spec.array_range is not None:
            low, high = spec.array_range
            if not low <= len(value) <= high:
                context.add(where.path, f"must have {low}-{high} items, got {len(value)}")


# --------------------------------------------------------------------------------------------------
# Building the spec


def _method_spec(raw: Mapping[str, Any]) -> MethodSpec:
    fields = {f["name"]: _field_spec(f) for f in raw.get("fields", [])}
    return MethodSpec(raw["name"], fields, tuple(raw.get("returns", ())))


def _type_spec(raw: Mapping[str, Any]) -> TypeSpec:
    fields = {f["name"]: _field_spec(f) for f in raw.get("fields", [])}
    description = " ".join(raw.get("description", []))
    return TypeSpec(
        name=raw["name"],
        fields=fields,
        subtypes=tuple(raw.get("subtypes", ())),
        discriminator=_discriminator(raw, fields),
        one_of=_one_of_rule(description, fields),
        string_allowed=bool(_STRING_ALLOWED_RE.search(description)),
    )


def _field_spec(raw: Mapping[str, Any]) -> FieldSpec:
    types = tuple(raw["types"])
    description = str(raw.get("description", ""))
    is_string = types == ("String",)
    is_array = all(t.startswith(_ARRAY_PREFIX) for t in types)
    return FieldSpec(
        name=raw["name"],
        types=types,
        required=bool(raw.get("required", False)),
        description=description,
        length=_length_limit(description) if is_string else None,
        choices=_choices(description) if is_string else None,
        array_range=_array_range(description) if is_array else None,
    )


def _length_limit(description: str) -> LengthLimit | None:
    match = _LENGTH_RE.search(description)
    if match is None:
        return None
    low, high, unit, parsed = match.groups()
    return LengthLimit(int(low), int(high), unit.lower(), parsed is not None)


def _choices(description: str) -> frozenset[str] | None:
    match = _ENUM_RE.search(description)
    if match is None:
        return None
    values = re.findall(r'"([^"]*)"', match.group(1))
    return frozenset(values) or None


def _array_range(description: str) -> tuple[int, int] | None:
    match = _ARRAY_RANGE_RE.search(description)
    if match:
        return int(match.group(1)), int(match.group(2))
    match = _ARRAY_MAX_RE.search(description)
    if match:
        return 0, int(match.group(1))
    return None


def _discriminator(raw: Mapping[str, Any], fields: Mapping[str, FieldSpec]) -> tuple[str, str] | None:
    """For a subtype of a union: the field (``type``/``status``/``source``) and its fixed value."""
    if not raw.get("subtype_of"):
        return None
    for key in ("type", "status", "source"):
        spec = fields.get(key)
        if spec is None:
            continue
        match = _DISCRIMINATOR_RE.search(spec.description)
        if match:
            return key, match.group(1)
    return None


def _one_of_rule(description: str, fields: Mapping[str, FieldSpec]) -> OneOfRule | None:
    match = _EXACTLY_OTHER_RE.search(description)
    if match:
        excluded = {name.strip() for name in re.split(r",\s*(?:and\s+)?|\s+and\s+", match.group(2))}
        names = frozenset(name for name in fields if name not in excluded)
        return OneOfRule(names, exactly=match.group(1) == "Exactly")
    match = _EXACTLY_NAMED_RE.search(description)
    if match:
        return OneOfRule(frozenset(match.groups()), exactly=True)
    if "exactly one of the optional fields" in description:
        optional = frozenset(name for name, spec in fields.items() if not spec.required)
        return OneOfRule(optional, exactly=True)
    return None


# --------------------------------------------------------------------------------------------------
# Checks


def _decode_value(value: Any, spec: FieldSpec | None) -> Any:
    """Decode one form-encoded value for ``spec`` (strings stay strings for String fields)."""
    if not isinstance(value, str) or spec is None or spec.string_only:
        return value
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    if "String" in spec.types and not any(_scalar_or_container(decoded, t) for t in spec.types):
        return value
    return decoded


def _scalar_or_container(value: Any, type_name: str) -> bool:
    if type_name.startswith(_ARRAY_PREFIX):
        return isinstance(value, list)
    if type_name in SCALAR_TYPES:
        return type_name != "String" and _scalar_matches(value, type_name)
    return isinstance(value, dict)


def _scalar_matches(value: Any, type_name: str) -> bool:
    if type_name == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if type_name == "Boolean":
        return isinstance(value, bool)
    return isinstance(value, str)  # String, and InputFile given as file_id / URL / attach://


def _describe(value: Any) -> str:
    kinds = {bool: "Boolean", int: "Integer", float: "Float", str: "String", list: "Array", dict: "Object"}
    name = kinds.get(type(value), type(value).__name__)
    if value is None:
        name = "null"
    return name


def _check_one_of(value: Mapping[str, Any], rule: OneOfRule, type_name: str, path: str, context: _Context) -> None:
    present = sorted(name for name in rule.fields if name in value)
    if len(present) > 1 or (rule.exactly and not present):
        wanted = "exactly one" if rule.exactly else "at most one"
        listed = ", ".join(present) if present else "none"
        telegram = None
        if type_name == "InlineKeyboardButton" and not present:
            telegram = "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        context.add(path, f"{type_name} needs {wanted} of {', '.join(sorted(rule.fields))}; got {listed}", telegram)


def _check_string_rules(value: str, spec: FieldSpec, where: _Where, context: _Context) -> None:
    path = where.path
    if spec.name == "parse_mode" or spec.name.endswith("_parse_mode"):
        if value.lower() not in PARSE_MODES:
            context.add(path, f"unsupported parse mode {value!r}", "unsupported parse_mode")
        return
    if where.owner == "sendChatAction" and spec.name == "action" and value not in CHAT_ACTIONS:
        context.add(path, f"unknown chat action {value!r}", "wrong parameter action in request")
    if where.owner == "BotCommand" and spec.name == "command" and not _BOT_COMMAND_RE.fullmatch(value):
        message = "must be 1-32 characters: lowercase English letters, digits and underscores"
        context.add(path, f"{message}; got {value!r}", "BOT_COMMAND_INVALID")
        return
    if spec.choices is not None and value not in spec.choices:
        context.add(path, f"must be one of {', '.join(sorted(spec.choices))}; got {value!r}")
    if spec.length is not None:
        _check_length(value, spec, where, context)


def _parse_mode_field(name: str, fields: Mapping[str, FieldSpec]) -> str | None:
    """The sibling field holding the parse mode of text field ``name``, if any."""
    own = f"{name}_parse_mode"
    if own in fields:
        return own
    if name in ("text", "caption", "message_text") and "parse_mode" in fields:
        return "parse_mode"
    return None


def _check_length(value: str, spec: FieldSpec, where: _Where, context: _Context) -> None:
    assert spec.length is not None
    limit, path = spec.length, where.path
    text = value
    mode_field = _parse_mode_field(spec.name, where.fields)
    mode = where.values.get(mode_field) if mode_field else None
    if isinstance(mode, str) and mode.lower() in PARSE_MODES:
        try:
            text = parse_text(value, mode).text
        except MarkupError as error:
            context.add(path, f"invalid {mode} markup: {error}", f"can't parse entities: {error}")
            return
    if mode_field is not None:
        text = text.strip()
    size = len(text.encode("utf-8")) if limit.unit == "bytes" else len(text)
    if limit.low <= size <= limit.high:
        return
    parsing = " after entities parsing" if mode_field is not None else ""
    message = f"must be {limit.low}-{limit.high} {limit.unit}{parsing}, got {size}"
    context.add(path, message, _length_error(spec.name, size, limit))


def _length_error(name: str, size: int, limit: LengthLimit) -> str | None:
    """Telegram's own description for the commonest length mistakes."""
    if name == "text" and size == 0:
        return "message text is empty"
    if name == "text" and size > limit.high:
        return "message is too long"
    if name == "caption" and size > limit.high:
        return "message caption is too long"
    if name == "callback_data":
        return "BUTTON_DATA_INVALID"
    return None


@functools.cache
def bundled_spec() -> BotApiSpec:
    """The Bot API spec shipped with dondoc, read once per process."""
    return BotApiSpec.load(BUNDLED_SPEC)
