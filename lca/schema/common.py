"""Shared pieces of the file formats: sources, distributions, data quality."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    model_validator,
)

# the longest quantity or expression text (lca.model.units.MAX_TEXT_LENGTH checks it again
# where the text is parsed; this check reports it at validation, with every other problem)
MAX_TEXT_LENGTH = 500
MAX_GSD = 100.0  # a geometric standard deviation above this says "unknown", not "uncertain"


def _short_text(text: str) -> str:
    if len(text) > MAX_TEXT_LENGTH:
        raise ValueError(
            f"a quantity or expression is at most {MAX_TEXT_LENGTH} characters, got {len(text):,}"
        )
    return text


Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9:._+\-]*$", max_length=120)]
# numbers strict: a text refused for its length must not come back as a number ("999...")
QuantityText = Annotated[str, AfterValidator(_short_text)] | StrictFloat | StrictInt


class Strict(BaseModel):
    """Base model: unknown keys are errors, instances are immutable."""

    # defer_build: a model's validator is built when it first validates, not at import: a run
    # validates a handful of the ~40 models and pydantic builds each nested model again inside
    # every parent anyway (0.1 s of every start-up); the schema, and so every error, is the same
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        allow_inf_nan=False,
        defer_build=True,
    )


class Source(Strict):
    """Where a number comes from."""

    title: str
    publisher: str | None = None
    authors: str | None = None
    year: int | None = Field(default=None, ge=1900, le=2100)
    url: str | None = None
    document: str | None = None
    accessed: dt.date | str | None = None
    licence: str | None = None
    page: str | None = None


SourceRef = Source | str


class Distribution(Strict):
    """An uncertainty distribution.

    On a parameter the bounds are quantities with units (``low: 15 kWh/100km``); on a background
    record they are multipliers of the record's emissions (median or mean 1).
    ``lognormal``: ``gsd`` (geometric standard deviation, > 1); ``normal``: ``sd``;
    ``uniform``: ``low``, ``high``; ``triangular``: ``low``, ``mode``, ``high``;
    ``discrete``: ``choices`` and ``weights`` (on parameters whose value is a record id).
    """

    distribution: Literal["lognormal", "normal", "uniform", "triangular", "discrete"]
    gsd: float | None = Field(default=None, gt=1.0)
    sd: QuantityText | None = None
    low: QuantityText | None = None
    mode: QuantityText | None = None
    high: QuantityText | None = None
    choices: list[QuantityText] | None = None  # record ids, or quantities on a parameter
    weights: list[float] | None = None
    basis: str | None = None

    @model_validator(mode="after")
    def _fields_for_kind(self) -> Distribution:
        need = {
            "lognormal": ("gsd",),
            "normal": ("sd",),
            "uniform": ("low", "high"),
            "triangular": ("low", "mode", "high"),
            "discrete": ("choices",),
        }[self.distribution]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a {self.distribution} distribution needs {', '.join(missing)}")
        if self.gsd is not None and self.gsd > MAX_GSD:
            raise ValueError(
                f"gsd {self.gsd:g} is above {MAX_GSD:g} (a factor of {MAX_GSD:g}² at 2 sigma: "
                "the value is unknown, not uncertain)"
            )
        allowed = set(need) | {"basis", "distribution"}
        if self.distribution == "discrete":
            allowed.add("weights")
        extra = [
            k
            for k in ("gsd", "sd", "low", "mode", "high", "choices", "weights")
            if getattr(self, k) is not None and k not in allowed
        ]
        if extra:
            raise ValueError(f"a {self.distribution} distribution does not take {', '.join(extra)}")
        if self.distribution == "discrete" and self.weights is not None:
            if len(self.weights) != len(self.choices or []):
                raise ValueError("weights must have one entry per choice")
            if any(w < 0 for w in self.weights) or sum(self.weights) <= 0:
                raise ValueError("weights must be non-negative and not all zero")
        return self


class DataQuality(Strict):
    """Pedigree-matrix scores, 1 (best) to 5 (worst)."""

    reliability: int = Field(ge=1, le=5)
    completeness: int = Field(ge=1, le=5)
    temporal: int = Field(ge=1, le=5)
    geographical: int = Field(ge=1, le=5)
    technological: int = Field(ge=1, le=5)
