"""Base classes of the API models: camelCase on the wire, unknown fields refused on input."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel

MAX_INT = 2**31 - 1
MAX_ID = 2**63 - 1

Name = Annotated[str, StringConstraints(min_length=1, max_length=255, strip_whitespace=True)]
Text = Annotated[str, StringConstraints(max_length=255)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=36)]
Cursor = Annotated[str, StringConstraints(min_length=1, max_length=64)]
JsonObject = dict[str, Any]
Limit = Annotated[int, Field(ge=1, le=250)]


class ApiInput(BaseModel):
    """A request body: camelCase (snake_case also accepted), unknown fields refused."""

    model_config = ConfigDict(
        extra="forbid", alias_generator=to_camel, populate_by_name=True, frozen=True
    )


class ApiOutput(BaseModel):
    """A response body: camelCase."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


T = TypeVar("T")


class Page(ApiOutput, Generic[T]):
    """One page of a list, and the cursor of the next (``null``: last page)."""

    data: list[T]
    next_cursor: str | None = None
