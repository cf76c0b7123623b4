"""The ground every scenario section stands on: the error type and the frozen, strict model base."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["ScenarioError", "FrozenModel"]


class ScenarioError(Exception):
    """A scenario that cannot be used, with a message fit to show the user as it is."""


class FrozenModel(BaseModel):
    """A scenario section: unknown keys rejected, immutable once validated, no NaN or infinity."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
