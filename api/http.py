"""HTTP details shared by the resources: the date converter, ETags, client identity."""

from __future__ import annotations

import datetime as dt

from flask import request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import BaseConverter, IntegerConverter

from models.errors import Invalid


class IsoDateConverter(BaseConverter):
    """`<isodate:day>`: a YYYY-MM-DD path segment as a `datetime.date`; anything else is 400."""

    regex = r"[^/]+"

    def to_python(self, value: str) -> dt.date:
        try:
            if len(value) != 10:
                raise ValueError
            return dt.date.fromisoformat(value)
        except ValueError:
            raise BadRequest(f"{value!r} is not a date; use YYYY-MM-DD") from None

    def to_url(self, value: dt.date) -> str:
        return value.isoformat()


class IdConverter(IntegerConverter):
    """`<int:…>` ids, bounded to what the database's integer columns hold: a larger number is
    simply not found (404), instead of an overflow inside the driver."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 (werkzeug's name)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def isodate_param_schema(_converter: BaseConverter) -> dict:
    return {"type": "string", "format": "date"}


def etag(kind: str, version: int) -> str:
    return f'"{kind}-{version}"'


def if_match(kind: str) -> tuple[int | None, bool]:
    """(version named by If-Match, whether it was `*`); (None, False) without the header.

    If-Match is optional here: mobile clients retry blindly, and a write without it is a
    plain last-writer-wins replace.
    """
    header = request.if_match
    if not header:
        return None, False
    if header.star_tag:
        return None, True
    prefix = f"{kind}-"
    for tag in header.as_set():
        if isinstance(tag, str) and tag.startswith(prefix) and tag[len(prefix) :].isdigit():
            return int(tag[len(prefix) :]), False
    raise Invalid("If-Match does not name a version of this resource", {"If-Match": ["unknown"]})


IDEMPOTENCY_HEADER = "Idempotency-Key"


def idempotency_key() -> str | None:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    key = key.strip()
    if not 1 <= len(key) <= 200 or not key.isprintable():
        raise Invalid(
            "Idempotency-Key must be 1 to 200 printable characters",
            {IDEMPOTENCY_HEADER: ["invalid"]},
        )
    return key


IF_MATCH_PARAM = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "the ETag last read; if the resource has changed since, 412 and no change",
}
