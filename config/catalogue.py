"""Loading process definitions (principle catalogue and statement bank) from TOML files.

A process file looks like ``config/processes/varmland-2015.toml``. Any problem is reported as
``file: key: problem`` (or ``file: line N, column M: ...`` for TOML syntax), so an
administrator can fix it without reading code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from config.errors import ConfigError
from config.tomlfile import read_toml, validate
from facilitation.input_rules import has_hidden_characters
from facilitation.model import DEFAULT_SECTORS, Commitment, Principle, Process, SectorDef, Statement

_KEY_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"


def _shown_text(value: str) -> str:
    """A name or statement is shown to a room as a round's item: it must be text people can see."""
    if value and not value.strip():
        raise ValueError("is only blank space")
    if has_hidden_characters(value):
        raise ValueError("contains characters nobody can see (control, zero-width or direction characters)")
    return value


class _PrincipleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(pattern=_KEY_PATTERN)
    name: str = Field(min_length=1, max_length=80)
    name_en: str = Field(default="", max_length=80)
    description: str = ""
    local: bool = False

    _visible = field_validator("name", "name_en")(_shown_text)


class _StatementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(pattern=_KEY_PATTERN)
    text: str = Field(min_length=1, max_length=300)
    text_en: str = Field(default="", max_length=300)

    _visible = field_validator("text", "text_en")(_shown_text)


class _CommitmentIn(BaseModel):
    """One commitment (åtagande): who made it and the principles it serves (keys of this file's)."""

    model_config = ConfigDict(extra="forbid")
    key: str = Field(pattern=_KEY_PATTERN)
    text: str = Field(min_length=1, max_length=500)
    text_en: str = Field(default="", max_length=500)
    #: The public party, the idea-based party, or both parties together.
    party: Literal["offentlig", "ideburen", "bada"]
    principles: list[str] = Field(min_length=1, max_length=10)

    _visible = field_validator("text", "text_en")(_shown_text)

    @field_validator("principles")
    @classmethod
    def _distinct_principles(cls, keys: list[str]) -> list[str]:
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise ValueError(f"principle {twice[0]!r} is listed twice")
        return keys


class _SectorIn(BaseModel):
    """One sector participants choose with ``/sektor`` and results are split by."""

    model_config = ConfigDict(extra="forbid")
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,15}$")  # stored beside each answer (16 characters)
    name: str = Field(min_length=1, max_length=40)
    name_en: str = Field(default="", max_length=40)
    short: str = Field(default="", max_length=40)
    short_en: str = Field(default="", max_length=40)

    _visible = field_validator("name", "name_en", "short", "short_en")(_shown_text)


class _ProcessHeader(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(pattern=_KEY_PATTERN)
    name: str = Field(min_length=1)
    region: str = ""
    year: int | None = Field(default=None, ge=1990, le=2100)
    description: str = ""
    scale_steps: int = Field(default=5, ge=3, le=11)
    min_group_size: int | None = Field(default=None, ge=2, le=100)
    #: Round numbers (as ``/omgangar`` lists them) of the official earlier year: any workshop of
    #: the process may compare with them (``/jamfor``), not only one whose facilitator leads them.
    official_rounds: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(
        default_factory=list, max_length=50
    )
    #: Offer "Vet inte / berör inte oss" beside the scale in this process's barometers.
    dont_know: bool = False

    @field_validator("official_rounds")
    @classmethod
    def _distinct_rounds(cls, numbers: list[int]) -> list[int]:
        twice = sorted({n for n in numbers if numbers.count(n) > 1})
        if twice:
            raise ValueError(f"round {twice[0]} is listed twice")
        return numbers


class _ProcessFile(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt [[statment]] must not pass as "ok"
    process: _ProcessHeader
    principles: list[_PrincipleIn] = Field(default_factory=list, max_length=30)
    statements: list[_StatementIn] = Field(default_factory=list, max_length=50)
    #: The process's own sector list (none: the default idéburen / offentlig / annan).
    sectors: list[_SectorIn] = Field(default_factory=list, max_length=8)
    #: The parties' commitments, followed up with ``/uppfoljning``.
    commitments: list[_CommitmentIn] = Field(default_factory=list, max_length=60)
    # A process file may also hold its signatories and meetings; facilitation.meetings checks them.
    signatories: list[dict[str, Any]] = Field(default_factory=list)
    meetings: list[dict[str, Any]] = Field(default_factory=list)

    @field_validator("principles", "statements", "sectors", "commitments")
    @classmethod
    def _unique_keys(cls, items: list[Any]) -> list[Any]:
        seen: set[str] = set()
        for index, item in enumerate(items):
            if item.key in seen:
                raise ValueError(f"duplicate key {item.key!r} at position {index}")
            seen.add(item.key)
        return items

    @field_validator("sectors")
    @classmethod
    def _sectors_to_compare(cls, sectors: list[_SectorIn]) -> list[_SectorIn]:
        if len(sectors) == 1:
            raise ValueError("one sector compares nothing: give two or more, or none for the default three")
        for language, names in (
            ("name", [s.name for s in sectors]),
            ("name_en", [s.name_en for s in sectors if s.name_en]),
        ):
            stripped = [name.strip() for name in names]
            twice = sorted({name for name in stripped if stripped.count(name) > 1})
            if twice:
                raise ValueError(
                    f"two sectors have the same {language} {twice[0]!r}: nobody could tell them apart"
                )
        return sectors

    @model_validator(mode="after")
    def _something_to_do(self) -> _ProcessFile:
        if not self.principles and not self.statements:
            raise ValueError("a process needs at least one principle or statement")
        return self

    @model_validator(mode="after")
    def _commitments_serve_known_principles(self) -> _ProcessFile:
        """A commitment's principle must be one of this file's: its results are grouped by them."""
        known = [p.key for p in self.principles]
        for index, commitment in enumerate(self.commitments):
            unknown = [key for key in commitment.principles if key not in known]
            if unknown:
                raise ValueError(
                    f"commitments[{index}] ({commitment.key!r}) serves principle {unknown[0]!r}, which is "
                    f"not one of this file's principles ({', '.join(known) or 'none'})"
                )
        return self

    @model_validator(mode="after")
    def _rounds_can_open(self) -> _ProcessFile:
        """Every prioritisation round holds all principles and a round refuses two equal items:
        two principles with one name (in Swedish or English) and no round could ever open."""
        for what, texts in (
            ("principles", [(p.name, p.name_en) for p in self.principles]),
            ("statements", [(s.text, s.text_en) for s in self.statements]),
            ("commitments", [(c.text, c.text_en) for c in self.commitments]),
        ):
            for language, names in (("", [sv for sv, _ in texts]), ("_en", [en for _, en in texts if en])):
                stripped = [name.strip() for name in names]
                twice = sorted({name for name in stripped if stripped.count(name) > 1})
                if twice:
                    field = ("name" if what == "principles" else "text") + language
                    raise ValueError(
                        f"{what}: two have the same {field} {twice[0]!r}: a round of them "
                        "could never open (its items must differ)"
                    )
        return self


def load_process(path: Path) -> Process:
    """The process defined in ``path``; raises :class:`ConfigError` naming the problem."""
    document = read_toml(path)
    parsed = validate(_ProcessFile, document, str(path))
    header = parsed.process
    return Process(
        key=header.key,
        name=header.name,
        region=header.region,
        year=header.year,
        description=header.description,
        scale_steps=header.scale_steps,
        min_group_size=header.min_group_size,
        official_rounds=tuple(header.official_rounds),
        dont_know=header.dont_know,
        principles=tuple(
            Principle(p.key, p.name, p.description, p.local, p.name_en) for p in parsed.principles
        ),
        statements=tuple(Statement(s.key, s.text, s.text_en) for s in parsed.statements),
        commitments=tuple(
            Commitment(c.key, c.text.strip(), c.party, tuple(c.principles), c.text_en.strip())
            for c in parsed.commitments
        ),
        sectors=tuple(
            SectorDef(s.key, s.name.strip(), s.name_en.strip(), s.short.strip(), s.short_en.strip())
            for s in parsed.sectors
        )
        or DEFAULT_SECTORS,
    )


def load_processes(directory: Path) -> dict[str, Process]:
    """Every ``*.toml`` process in ``directory`` by key; duplicate keys are an error."""
    if not directory.is_dir():
        raise ConfigError(str(directory), "", "processes directory does not exist")
    processes: dict[str, Process] = {}
    origin: dict[str, Path] = {}
    for path in sorted(directory.glob("*.toml")):
        process = load_process(path)
        if process.key in processes:
            raise ConfigError(
                str(path), "process.key", f"{process.key!r} is already defined in {origin[process.key]}"
            )
        processes[process.key] = process
        origin[process.key] = path
    return processes
