"""What was published last time, per UID: the memory that keeps calendars stable.

Calendar clients update an event in place when its UID stays the same and its
SEQUENCE rises (RFC 5545 section 3.8.7.4).  To give them that, and to give
byte-identical files when nothing changed, publish remembers for every UID it
has published: a hash of the content, the SEQUENCE, the DTSTAMP to reuse while
the content is unchanged, and, for an item the plan withdrew, the day it was
first published as CANCELLED (it is dropped ``cancelled_keep_days`` later).
It also keeps the few fields needed to publish the CANCELLED copy: kind of
component, calendars, summary, start and end; the document published, and the
fingerprint of what it was drawn from (so that an unchanged item is not rendered
again: :mod:`visitplanner.publish.ics`).

Kept in ``.visitplanner/`` (atomically, mode 0600): ``published.json`` holds
every item but its document, and names ``published-<digest>.documents``, which
holds the documents one after the other (an authority's are a hundred
megabytes or more: kept as bytes they are read and written in a fraction of a
second, and not written at all when none changed).  :func:`state_to_json` gives
the whole state as one JSON text instead (``format`` 1, documents inside, as
``published.json`` held them before); :func:`load_state` reads either.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from visitplanner.core.collector import collector_paused
from visitplanner.core.model import LONDON
from visitplanner.errors import Problem, PublishError
from visitplanner.inputs.fsutil import write_atomic, write_if_changed

#: The whole state as one JSON text, documents inside (:func:`state_to_json`).
FORMAT = 1
#: ``published.json`` naming a documents file beside it (:func:`save_state`).
FILE_FORMAT = 2
STATE_FILE = Path(".visitplanner") / "published.json"
#: The documents file's name: its SHA-256, so a name always means the same bytes.
_DOCUMENTS_FILE = re.compile(r"published-[0-9a-f]{32}\.documents")
_AFTER = "the next publish starts again (clients see every item as changed)"
_FIX = f"delete it: {_AFTER}"


@dataclass(frozen=True, slots=True)
class PublishedItem:
    """One published component (a VEVENT or VTODO), as last published.

    ``start``/``end`` are aware datetimes (a timed event), dates (an all-day
    event; ``end`` exclusive as in DTEND) or None; for a VTODO ``end`` is its
    DUE date.  ``cancelled_since`` is the day it was first published as
    CANCELLED, None while it is live.  ``document`` is the exact VCALENDAR
    text last published; ``past_since`` is the day the item left the plan
    because its day had passed (it is then published unchanged, not
    cancelled, until dropped).  ``fingerprint`` digests what ``document``
    was rendered from (and by which renderer); "" when not known (a state
    kept by an older version): the item is then rendered again.  ``verbatim``:
    a parse of ``document`` writes its component again byte for byte, so a
    feed may hold it as it is (else the feed parses it, as it always did).
    ``privacy`` is the privacy level ``document`` was written at ("" when not
    known: kept by an older version, and taken as the level showing most), and
    ``minimal_summary`` the summary at level ``minimal`` (case references only):
    what a past or CANCELLED copy shows once the level is lowered below
    ``privacy`` (:mod:`visitplanner.publish.ics`).
    """

    uid: str
    component: str  # "VEVENT" | "VTODO"
    content_hash: str
    sequence: int
    stamp: datetime
    calendars: tuple[str, ...]
    summary: str
    start: date | None = None
    end: date | None = None
    cancelled_since: date | None = None
    document: str = ""
    past_since: date | None = None
    fingerprint: str = ""
    verbatim: bool = False
    privacy: str = ""
    minimal_summary: str = ""


def _empty() -> Mapping[str, PublishedItem]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class PublishState:
    """Every UID published and not yet dropped, by UID."""

    items: Mapping[str, PublishedItem] = field(default_factory=_empty)


def state_to_json(state: PublishState) -> str:
    """Deterministic JSON (sorted keys, items by UID), documents inside."""
    items = [_item_to_json(state.items[uid]) for uid in sorted(state.items)]
    return json.dumps({"format": FORMAT, "items": items}, sort_keys=True, indent=2) + "\n"


def state_from_json(text: str, where: str = str(STATE_FILE)) -> PublishState:
    """Read state written by :func:`state_to_json`; PublishError when it is not that."""
    try:
        document = json.loads(text)
        if document.get("format") != FORMAT:
            raise ValueError(f"format {document.get('format')!r}, expected {FORMAT}")
        items = [_item_from_json(raw) for raw in document["items"]]
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise PublishError(
            "The publish state cannot be read", [Problem(where, str(error), _FIX)]
        ) from error
    return PublishState(MappingProxyType({item.uid: item for item in items}))


def load_state(root: Path) -> PublishState:
    """The workspace's publish state; empty when nothing was published yet."""
    try:
        text = (root / STATE_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return PublishState()
    with collector_paused():
        return _state_from_text(root, text)


def _state_from_text(root: Path, text: str) -> PublishState:
    try:
        document = json.loads(text)
        kept_in_file = isinstance(document, dict) and document.get("format") == FILE_FORMAT
    except ValueError:
        kept_in_file = False
    if not kept_in_file:
        return state_from_json(text)  # format 1, or a PublishError saying what is wrong
    where = str(STATE_FILE)
    try:
        name = document["documents"]["file"]
        if not isinstance(name, str) or not _DOCUMENTS_FILE.fullmatch(name):
            raise ValueError(f"documents file {name!r} is not a name publish writes")
        where = str(STATE_FILE.parent / name)
        try:
            documents = (root / STATE_FILE.parent / name).read_bytes()
        except FileNotFoundError:
            raise ValueError("the documents file is missing") from None
        if len(documents) != document["documents"]["bytes"]:
            raise ValueError(f"{len(documents)} bytes, expected {document['documents']['bytes']}")
        items = []
        at = 0
        for raw in document["items"]:
            size = raw["document_bytes"]
            if type(size) is not int or size < 0 or at + size > len(documents):
                raise ValueError(f"document_bytes {size!r} of {raw.get('uid')!r} is not a size")
            kept = documents[at : at + size].decode("utf-8")
            items.append(_item_from_json(raw, document=kept))
            at += size
        if at != len(documents):
            raise ValueError(f"{len(documents) - at} bytes of documents belong to no item")
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        fix = f"delete {STATE_FILE} and the documents file it names: {_AFTER}"
        raise PublishError(
            "The publish state cannot be read", [Problem(where, str(error), fix)]
        ) from error
    return PublishState(MappingProxyType({item.uid: item for item in items}))


def save_state(root: Path, state: PublishState) -> None:
    """Keep ``state`` in ``root/.visitplanner/`` (atomically, mode 0600): ``published.json``
    and the documents file it names, each written only when its bytes change.

    The documents file is written first, under a name of its own, and the file the
    previous ``published.json`` named is removed once the new one names its successor:
    whenever the process stops, ``published.json`` names a complete documents file.
    """
    with collector_paused():
        _save_state(root, state)


def _save_state(root: Path, state: PublishState) -> None:
    folder = root / STATE_FILE.parent
    uids = sorted(state.items)
    documents = [state.items[uid].document.encode("utf-8") for uid in uids]
    kept = b"".join(documents)
    name = f"published-{hashlib.sha256(kept).hexdigest()[:32]}.documents"
    path = folder / name
    try:
        written = path.stat().st_size == len(kept)  # the same name: the same bytes
    except FileNotFoundError:
        written = False
    if not written:
        write_atomic(path, kept)
    head = json.dumps({"documents": {"bytes": len(kept), "file": name}, "format": FILE_FORMAT},
                      sort_keys=True)
    lines = [
        json.dumps(_item_to_json(state.items[uid], document_bytes=len(document)), sort_keys=True)
        for uid, document in zip(uids, documents, strict=True)
    ]
    text = head[:-1] + ', "items": [\n' + ",\n".join(lines) + "\n]}\n"
    write_if_changed(root / STATE_FILE, text.encode("utf-8"))
    for other in folder.glob("published-*.documents"):
        if other.name != name and _DOCUMENTS_FILE.fullmatch(other.name):
            other.unlink(missing_ok=True)


def _item_to_json(item: PublishedItem, document_bytes: int | None = None) -> dict[str, Any]:
    """The item as JSON: with its document, or (``document_bytes`` given) that size instead."""
    raw = {
        "uid": item.uid,
        "component": item.component,
        "content_hash": item.content_hash,
        "sequence": item.sequence,
        "stamp": item.stamp.isoformat(),
        "calendars": list(item.calendars),
        "summary": item.summary,
        "start": _moment_to_json(item.start),
        "end": _moment_to_json(item.end),
        "cancelled_since": _moment_to_json(item.cancelled_since),
        "document": item.document,
        "past_since": _moment_to_json(item.past_since),
        "fingerprint": item.fingerprint,
        "verbatim": item.verbatim,
        "privacy": item.privacy,
        "minimal_summary": item.minimal_summary,
    }
    if document_bytes is not None:
        del raw["document"]
        raw["document_bytes"] = document_bytes
    return raw


def _item_from_json(raw: dict[str, Any], document: str | None = None) -> PublishedItem:
    """The item ``raw`` holds, its document in it or (``document`` given) that one."""
    stamp = datetime.fromisoformat(raw["stamp"])
    if stamp.tzinfo is None:
        raise ValueError(f"stamp {raw['stamp']!r} has no UTC offset")
    sequence = raw["sequence"]
    if type(sequence) is not int or sequence < 0:
        raise ValueError(f"sequence {sequence!r} is not a whole number")
    cancelled_since = _moment_from_json(raw.get("cancelled_since"))
    past_since = _moment_from_json(raw.get("past_since"))
    if isinstance(cancelled_since, datetime) or isinstance(past_since, datetime):
        raise ValueError("cancelled_since and past_since must be dates")
    return PublishedItem(
        uid=str(raw["uid"]),
        component=str(raw["component"]),
        content_hash=str(raw["content_hash"]),
        sequence=sequence,
        stamp=stamp,
        calendars=tuple(str(c) for c in raw["calendars"]),
        summary=str(raw["summary"]),
        start=_moment_from_json(raw.get("start")),
        end=_moment_from_json(raw.get("end")),
        cancelled_since=cancelled_since,
        document=str(raw.get("document", "")) if document is None else document,
        past_since=past_since,
        fingerprint=str(raw.get("fingerprint", "")),
        verbatim=raw.get("verbatim") is True,
        privacy=str(raw.get("privacy", "")),
        minimal_summary=str(raw.get("minimal_summary", "")),
    )


def _moment_to_json(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _moment_from_json(raw: str | None) -> date | None:
    """A date (``YYYY-MM-DD``) or an aware datetime (kept in Europe/London)."""
    if raw is None:
        return None
    if "T" not in raw:
        return date.fromisoformat(raw)
    moment = datetime.fromisoformat(raw)
    if moment.tzinfo is None:
        raise ValueError(f"date-time {raw!r} has no UTC offset")
    return moment.astimezone(LONDON)
