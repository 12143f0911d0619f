"""The KPI definitions as data: ``definitions/kpis.yaml``, validated on load (pydantic)."""

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

DEFINITIONS_FILE = Path(__file__).parent / "definitions" / "kpis.yaml"

# The keys of issue #7, in its order; the engine computes exactly these.
KPI_KEYS = (
    "referrals",
    "people",
    "offer_acceptance",
    "screened",
    "median_hours_to_screening",
    "assessed",
    "with_vulnerability",
    "referred_onward",
    "first_appointment_attended",
    "shared_before_decision",
    "re_presentation_12m",
)


class Definition(BaseModel):
    """One KPI: what it counts, in words, and why it matters."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    title: str
    numerator: str | None
    denominator: str | None
    unit: Literal["count", "rate", "hours"]
    description: str
    why_it_matters: str

    @model_validator(mode="after")
    def _shape_matches_unit(self) -> "Definition":
        if self.unit == "rate" and (self.numerator is None or self.denominator is None):
            raise ValueError(f"{self.key}: a rate needs a numerator and a denominator")
        if self.unit == "count" and self.denominator is not None:
            raise ValueError(f"{self.key}: a count has no denominator")
        return self


class DefinitionsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    kpis: list[Definition]

    @model_validator(mode="after")
    def _keys_match_engine(self) -> "DefinitionsFile":
        keys = tuple(d.key for d in self.kpis)
        if keys != KPI_KEYS:
            raise ValueError(f"KPI keys must be {list(KPI_KEYS)} in that order, found {list(keys)}")
        return self


def load(path: Path = DEFINITIONS_FILE) -> DefinitionsFile:
    with path.open(encoding="utf-8") as handle:
        return DefinitionsFile.model_validate(yaml.safe_load(handle))


@cache
def definitions() -> list[Definition]:
    """Every KPI definition, in the order of the issue."""
    return list(load().kpis)


def by_key() -> dict[str, Definition]:
    return {d.key: d for d in definitions()}
