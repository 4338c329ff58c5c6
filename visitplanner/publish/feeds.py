"""Serving the published .ics files to subscribing calendar apps, behind secret URLs.

Each calendar has its own unguessable token; the feed's URL is
``/feeds/<token>.ics``.  Only the SHA-256 of each token is kept (in
``.visitplanner/feed-tokens.json``, mode 0600), so reading that file does not
give access to any feed; a lost or leaked URL is replaced with
``visitplanner feed-token rotate CALENDAR_ID``, which ends the old one.
A rotation reads the store, adds one hash and saves it under the workspace lock
(:mod:`visitplanner.inputs.wslock`), so two rotations at once never lose one another's
token.

:func:`feed_app` is a plain WSGI callable (PEP 3333), served by waitress.  It
answers 200 with the file, 304 when the client's ``If-None-Match`` holds the
current ETag, and 404 for everything else (wrong token, no file, other path,
other method) with the same body, so a caller learns nothing from a miss.
A request that fails (an unreadable file, a broken token store) is answered
500 without detail and logged (this module's logger) with the
token replaced by ``<token>``: a log never carries a feed's secret
(:class:`TokenRedactor` does the same for waitress's own log lines).
Tokens and files are read on every request: a rotation or a publish takes
effect without restarting the server.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
import sys
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from visitplanner.errors import Problem, PublishError
from visitplanner.inputs.fsutil import write_atomic
from visitplanner.inputs.wslock import workspace_lock
from visitplanner.publish import feed_path

FORMAT = 1
TOKENS_FILE = Path(".visitplanner") / "feed-tokens.json"
#: 32 random bytes, URL-safe base64: 43 characters.
TOKEN_BYTES = 32
#: The command named as the workspace lock's holder while a token is rotated.
ROTATE_COMMAND = "feed-token rotate"
_FEED_PATH = re.compile(r"/feeds/([A-Za-z0-9_-]{20,128})\.ics")
#: Whatever follows ``/feeds/`` in a logged text, up to a space or a quote: a token, or a
#: near miss of one.
_TOKEN_IN_TEXT = re.compile(r"(?<=/feeds/)[^\s'\"]+")
#: What a feed token is replaced by in a log line.
TOKEN_PLACEHOLDER = "<token>"
_NOT_FOUND = b"Not found\n"
_SERVER_ERROR = b"Internal server error\n"
_TEXT = "text/plain; charset=utf-8"
_LOG = logging.getLogger(__name__)

#: PEP 3333's ``start_response(status, headers[, exc_info])``.
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class TokenStore:
    """The SHA-256 (hex) of each calendar's current feed token, by calendar id."""

    hashes: Mapping[str, str] = field(default_factory=_empty)

    def calendar_for(self, token: str) -> str | None:
        """The calendar whose token this is, or None.  Compares every entry in constant time."""
        wanted = token_hash(token)
        found = None
        for calendar_id, stored in sorted(self.hashes.items()):
            if hmac.compare_digest(stored, wanted):
                found = calendar_id
        return found


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def load_tokens(root: Path) -> TokenStore:
    """The workspace's feed tokens (hashed); empty when none were made."""
    path = root / TOKENS_FILE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        hashes = document["tokens"] if document.get("format") == FORMAT else None
        if not isinstance(hashes, dict) or not all(isinstance(h, str) for h in hashes.values()):
            raise ValueError(
                f"format {document.get('format')!r}, expected {FORMAT} with a tokens object"
            )
    except FileNotFoundError:
        return TokenStore()
    except (ValueError, AttributeError) as error:
        fix = "delete it and make new tokens with `visitplanner feed-token rotate`"
        raise PublishError(
            "The feed tokens cannot be read", [Problem(str(TOKENS_FILE), str(error), fix)]
        ) from error
    return TokenStore(MappingProxyType(dict(hashes)))


def save_tokens(root: Path, store: TokenStore) -> None:
    """Keep the hashed tokens in ``root/.visitplanner/feed-tokens.json`` (atomically, 0600)."""
    document = {"format": FORMAT, "tokens": dict(sorted(store.hashes.items()))}
    write_atomic(
        root / TOKENS_FILE, (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()
    )


def rotate_token(root: Path, calendar_id: str) -> str:
    """Give ``calendar_id`` a new random token (ending the old one); return it.

    The token itself is returned once and never stored: show it to the user now.  The
    store is read and saved under the workspace lock, waiting for any other command that
    holds it (:class:`~visitplanner.inputs.wslock.WorkspaceBusyError` if it does not finish).
    """
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with workspace_lock(root, ROTATE_COMMAND):
        save_tokens(root, with_token(load_tokens(root), calendar_id, token))
    return token


def with_token(store: TokenStore, calendar_id: str, token: str) -> TokenStore:
    """``store`` with ``calendar_id``'s token replaced by ``token`` (its hash)."""
    return TokenStore(MappingProxyType({**store.hashes, calendar_id: token_hash(token)}))


def feed_url(base_url: str, token: str) -> str:
    """The subscription URL of a token, e.g. ``http://127.0.0.1:8080/feeds/<token>.ics``."""
    return f"{base_url.rstrip('/')}/feeds/{token}.ics"


def etag_of(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()[:32]}"'


def feed_app(root: Path, out_dir: Path) -> WsgiApp:
    """A WSGI app serving ``out_dir``'s calendar files at their token URLs.

    It never raises: a failure is logged without the token and answered 500.
    """

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            return _answer(root, out_dir, environ, start_response)
        except Exception as failure:  # any failure: logged without the token, answered 500
            _LOG.error("%s failed (answered 500):\n%s", _request_line(environ),
                       redact_tokens("".join(traceback.format_exception(failure))))
            return _respond(start_response, environ, "500 Internal Server Error",
                            _SERVER_ERROR, _TEXT, exc_info=sys.exc_info())

    return app


def _answer(root: Path, out_dir: Path, environ: dict[str, Any],
            start_response: StartResponse) -> Iterable[bytes]:
    body = _feed_body(root, out_dir, environ)
    if body is None:
        return _respond(start_response, environ, "404 Not Found", _NOT_FOUND, _TEXT)
    etag = etag_of(body)
    if _matches(environ.get("HTTP_IF_NONE_MATCH", ""), etag):
        start_response(
            "304 Not Modified", [("ETag", etag), ("Cache-Control", "no-cache, private")]
        )
        return [b""]
    return _respond(
        start_response, environ, "200 OK", body, "text/calendar; charset=utf-8", etag
    )


def redact_tokens(text: str) -> str:
    """``text`` with whatever follows each ``/feeds/`` replaced by ``<token>``.

    >>> redact_tokens("Exception while serving /feeds/abcdefghijklmnopqrstu.ics")
    'Exception while serving /feeds/<token>'
    """
    return _TOKEN_IN_TEXT.sub(TOKEN_PLACEHOLDER, text)


def _request_line(environ: Mapping[str, Any]) -> str:
    method = str(environ.get("REQUEST_METHOD", "?"))
    return redact_tokens(f"{method} {environ.get('PATH_INFO', '')}")


class TokenRedactor(logging.Filter):
    """A logging filter that takes feed tokens out of every record it sees.

    waitress names the request path when it logs (``Exception while serving
    /feeds/<token>.ics``); with this filter on its logger the path, the arguments and
    any traceback are logged redacted (:func:`redact_tokens`).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit: keep both, redacted
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact_tokens(message), None
        if record.exc_info:
            record.exc_text = redact_tokens(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact_tokens(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_tokens(record.stack_info)
        return True


def keep_tokens_out_of_logs(logger_name: str) -> None:
    """Put a :class:`TokenRedactor` on the logger ``logger_name`` (once, however often called)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(existing, TokenRedactor) for existing in logger.filters):
        logger.addFilter(TokenRedactor())


def _feed_body(root: Path, out_dir: Path, environ: Mapping[str, Any]) -> bytes | None:
    """The requested feed's bytes, or None for any kind of miss."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return None
    match = _FEED_PATH.fullmatch(environ.get("PATH_INFO", ""))
    if match is None:
        return None
    calendar_id = load_tokens(root).calendar_for(match.group(1))
    if calendar_id is None:
        return None
    try:
        return feed_path(out_dir, calendar_id).read_bytes()
    except FileNotFoundError:
        return None


def _matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 section 13.1.2: weak comparison against a list of entity tags, or ``*``."""
    candidates = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in candidates or etag in candidates


def _respond(
    start_response: StartResponse,
    environ: Mapping[str, Any],
    status: str,
    body: bytes,
    content_type: str,
    etag: str | None = None,
    exc_info: Any = None,
) -> Iterable[bytes]:
    headers = [
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-cache, private"),
        ("X-Content-Type-Options", "nosniff"),
    ]
    if etag is not None:
        headers.append(("ETag", etag))
    if exc_info is not None:  # PEP 3333: replaces a response begun before the failure
        start_response(status, headers, exc_info)
    else:
        start_response(status, headers)
    return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [body]
