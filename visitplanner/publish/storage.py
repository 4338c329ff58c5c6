"""The small interface every calendar backend offers to the sync (vdirsyncer style).

A :class:`Storage` is one calendar collection.  Items are addressed by *href*
(the resource name inside the collection, e.g. ``v-ab12cd34.ics``) and versioned
by *ETag*.  Every write is conditional, so the sync can never clobber a version
it has not seen:

- :meth:`Storage.create` sends ``If-None-Match: *`` (RFC 9110 section 13.1.2),
- :meth:`Storage.update` and :meth:`Storage.delete` send ``If-Match`` with the
  ETag the caller last saw (section 13.1.1).

A failed precondition raises :class:`PreconditionFailedError`; a missing item
:class:`NotFoundError`; an expired or unknown sync token
:class:`InvalidSyncTokenError`; a 5xx, timeout or dropped connection
:class:`TransientError` (worth retrying); a refused login :class:`AuthError`.

Backends: :mod:`visitplanner.publish.caldav_storage` (a CalDAV server) and
:mod:`visitplanner.publish.memory` (tests, with injectable faults).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol


class StorageError(Exception):
    """A request to the calendar failed."""


class PreconditionFailedError(StorageError):
    """412: the item exists (create) or its ETag is not the one given (update, delete)."""


class NotFoundError(StorageError):
    """404: no item at this href (or no collection at this URL)."""


class InvalidSyncTokenError(StorageError):
    """The server no longer knows the sync token (RFC 6578 section 3.2), or has none."""


class TransientError(StorageError):
    """A 5xx, a timeout or a dropped connection: the same request may succeed later."""


class AuthError(StorageError):
    """401/403: the server refused the credentials (``status`` says which)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Changes:
    """What changed in a collection since a sync token (RFC 6578 ``sync-collection``).

    ``changed`` maps href -> current ETag (new or modified items; it may include
    our own writes); ``deleted`` holds removed hrefs; ``token`` is the new token.
    """

    changed: Mapping[str, str]
    deleted: frozenset[str]
    token: str


class Storage(Protocol):
    """One calendar collection, read and written with conditional requests."""

    #: A name for messages and logs: the calendar id, never a person's name.
    name: str

    def ensure_collection(self) -> bool:
        """Create the collection if it is missing (MKCALENDAR); True if it was created."""
        ...

    def list(self) -> dict[str, str]:
        """Every item in the collection: href -> ETag (one PROPFIND, Depth 1)."""
        ...

    def get(self, hrefs: Iterable[str]) -> dict[str, tuple[bytes, str]]:
        """Read items: href -> (iCalendar bytes, ETag).  Missing hrefs are left out."""
        ...

    def create(self, href: str, data: bytes) -> str:
        """Create a new item (``If-None-Match: *``) and return its ETag."""
        ...

    def update(self, href: str, data: bytes, etag: str) -> str:
        """Replace the item whose current ETag is ``etag`` (``If-Match``); return the new ETag."""
        ...

    def delete(self, href: str, etag: str) -> None:
        """Delete the item whose current ETag is ``etag`` (``If-Match``)."""
        ...

    def changes_since(self, token: str | None) -> Changes:
        """Changes since ``token`` (``None``: every item, plus a first token).

        Raises :class:`InvalidSyncTokenError` when the token is refused or the
        server does not support sync tokens at all.
        """
        ...


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def href_for_uid(uid: str) -> str:
    """The resource name of the item holding ``uid``: deterministic, so a retry never duplicates.

    Letters, digits, ``.``, ``_`` and ``-`` are kept; every other character
    (``@`` included, which some servers mishandle in paths) becomes ``_XX``
    with its UTF-8 hex code, so two different UIDs never share a name.

    >>> href_for_uid("v-ab12cd34@visitplanner")
    'v-ab12cd34_40visitplanner.ics'
    """
    escaped = "".join(
        char if not _UNSAFE.match(char) else "".join(f"_{b:02X}" for b in char.encode())
        for char in uid.replace("_", "_5F")
    )
    return f"{escaped}.ics"
