"""A :class:`~visitplanner.publish.storage.Storage` over a CalDAV server.

Why raw requests through caldav's :class:`~caldav.davclient.DAVClient` rather
than its object API (``Calendar.save_event``, ``get_objects_by_sync_token``):

- ``CalendarObjectResource.save()`` re-serialises the event and raises its
  SEQUENCE unless told otherwise; the ICS side owns SEQUENCE, so we PUT the
  bytes it made, unchanged (:class:`~caldav.lib.python_utilities.WireBytes`
  even stops caldav normalising line endings).
- ``get_objects_by_sync_token`` falls back *silently* to a full listing when a
  token is refused and hands back a ``fake-...`` token; the sync must know a
  token failed, to run a full ETag reconcile and to store a real token.
- we need exact control of ``If-Match`` / ``If-None-Match`` and of how each
  status (412, 404, 5xx) is reported.

DAVClient still does the parts worth reusing: the HTTP session (niquests),
authentication negotiation on 401, and TLS verification (always on here).

The calendars of one sync share a :class:`CaldavSession`: one kept-alive client per
thread (calendars are synced at once, a client is not shared between threads), and
what was learnt of the server -- its authentication scheme, so that later clients
send the login with their first request instead of after a 401, and whether it has
answered, so that a refused connection afterwards reads "the server went down".
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape

from caldav.davclient import DAVClient
from caldav.lib import error as caldav_error
from caldav.lib.http_sync import requests as http
from caldav.lib.python_utilities import WireBytes
from caldav.response import DAVResponse
from lxml import etree

from visitplanner.publish.storage import (
    AuthError,
    Changes,
    InvalidSyncTokenError,
    NotFoundError,
    PreconditionFailedError,
    StorageError,
    TransientError,
)

DAV = "{DAV:}"
CALDAV = "{urn:ietf:params:xml:ns:caldav}"
ICS_HEADERS = {"Content-Type": "text/calendar; charset=utf-8"}
XML_HEADERS = {"Content-Type": "application/xml; charset=utf-8"}
VALID_SYNC_TOKEN = "{DAV:}valid-sync-token"
#: Statuses that say "not now" rather than "no": 408 Request Timeout, 423 Locked (Xandikos
#: while another write holds the collection), 425 Too Early, 429 Too Many Requests; and
#: every 5xx.  The sync retries them with backoff, on every method.
TRANSIENT_STATUSES = frozenset({408, 423, 425, 429})
MULTIGET_BATCH = 100
MAX_SYNC_PAGES = 50

PROPFIND_ETAGS = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/><d:resourcetype/></d:prop></d:propfind>'
)


def _sync_collection_body(token: str | None) -> str:
    token_element = f"<d:sync-token>{escape(token)}</d:sync-token>" if token else "<d:sync-token/>"
    return (
        '<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:">'
        f"{token_element}<d:sync-level>1</d:sync-level>"
        "<d:prop><d:getetag/></d:prop></d:sync-collection>"
    )


class ServerUnreachableError(StorageError):
    """Nothing answers at the calendar's address (connection refused, unknown host).

    A configuration problem (a wrong address, or the server is not running),
    so it is not retried, unlike a timeout or a dropped connection.
    """


class ServerDownError(TransientError):
    """The server answered earlier in this run, and now refuses connections: it stopped
    (a crash, a restart).  Retried like any transient failure; a re-run resumes."""


class TlsError(StorageError):
    """The TLS handshake failed: an untrusted or mismatched certificate, or not TLS at all."""


def server_address(url: str) -> str:
    """``host:port`` of ``url`` (the scheme's default port when none is given); never
    the user name or password a URL may carry.

    >>> server_address("https://alice:secret@dav.example.org/cal/")
    'dav.example.org:443'
    """
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = parts.hostname or "?"
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _connection_failure(failure: Exception, address: str, timeout: int) -> StorageError:
    """The storage error for a failed request, with its cause in words.

    Configuration problems (refused, unknown host, TLS) are told apart from
    transient ones (timeouts, dropped connections), which the sync retries.
    """
    causes = _causes(failure)
    untrusted = _first(causes, ssl.SSLCertVerificationError)
    if untrusted is not None:
        return TlsError(f"TLS certificate of {address} not trusted ({untrusted.verify_message})")
    handshake = _first(causes, ssl.SSLError)
    if handshake is not None:
        return TlsError(f"TLS handshake with {address} failed ({handshake.reason or handshake})")
    if _first(causes, ConnectionRefusedError) is not None:
        return ServerUnreachableError(f"connection refused by {address}")
    if _first(causes, socket.gaierror) is not None:
        return ServerUnreachableError(f"host of {address} not found (DNS)")
    if isinstance(failure, http.exceptions.Timeout):
        return TransientError(f"no answer from {address} within {timeout} s")
    return TransientError(f"connection to {address} failed ({type(failure).__name__})")


E = TypeVar("E", bound=BaseException)


def _first(causes: Iterable[BaseException], kind: type[E]) -> E | None:
    return next((cause for cause in causes if isinstance(cause, kind)), None)


def _causes(failure: BaseException) -> list[BaseException]:
    """``failure`` and every exception it was raised from, outermost first."""
    chain: list[BaseException] = []
    current: BaseException | None = failure
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _multiget_body(paths: Iterable[str]) -> str:
    hrefs = "".join(f"<d:href>{escape(path)}</d:href>" for path in paths)
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
        f"<d:prop><d:getetag/><c:calendar-data/></d:prop>{hrefs}</c:calendar-multiget>"
    )


@dataclass(frozen=True, slots=True)
class _Entry:
    """One ``<response>`` of a multistatus: href, status code, properties found."""

    path: str
    status: int
    etag: str | None
    data: str | None
    is_collection: bool


#: The authentication schemes caldav's client can be told to use from the start.
_SCHEMES = {"HTTPBasicAuth": "basic", "HTTPDigestAuth": "digest", "HTTPBearerAuth": "bearer"}


class CaldavSession:
    """What the calendars of one sync share with one server (see the module docstring).

    Thread-safe: each thread gets its own client, made with the login scheme once any
    client has learnt it.  :meth:`close` closes every client it made.
    """

    def __init__(
        self, username: str | None = None, password: str | None = None, timeout: int = 30
    ) -> None:
        self.username, self.password, self.timeout = username, password, timeout
        self.answered = False
        self._scheme: str | None = None
        self._lock = threading.Lock()
        self._first_answer = threading.Lock()
        self._local = threading.local()
        self._clients: list[DAVClient] = []

    def client(self, url: str) -> DAVClient:
        """This thread's client (any URL of the server will do: requests name their URL)."""
        client: DAVClient | None = getattr(self._local, "client", None)
        if client is not None:
            return client
        with self._lock:
            client = DAVClient(
                url=url,
                username=self.username,
                password=self.password,
                timeout=self.timeout,
                ssl_verify_cert=True,
                enable_rfc6764=False,
                auth_type=self._scheme if self.password is not None else None,
            )
            self._clients.append(client)
        self._local.client = client
        return client

    @contextmanager
    def gate(self, client: DAVClient) -> Iterator[None]:
        """Until the server has answered once, one request at a time: the calendars started
        at once then learn its login scheme from the first 401, rather than one 401 each."""
        if not self.answered:
            with self._first_answer:
                if not self.answered:  # else it answered while we waited: go on at once
                    self._log_in_from_the_start(client)
                    yield
                    return
        self._log_in_from_the_start(client)
        yield

    def _log_in_from_the_start(self, client: DAVClient) -> None:
        if self._scheme is not None and client.auth is None and self.password is not None:
            client.build_auth_object([self._scheme])

    def learn(self, client: DAVClient) -> None:
        """After an answer: remember the scheme the client negotiated, and that it answered."""
        self.answered = True
        if self._scheme is None and client.auth is not None:
            self._scheme = _SCHEMES.get(type(client.auth).__name__)

    def storage(self, url: str, name: str) -> CaldavStorage:
        """The collection at ``url``, over this thread's client."""
        _refuse_login_in(url, name)
        return CaldavStorage(url=url, client=self.client(url), name=name, timeout=self.timeout,
                             session=self)

    def close(self) -> None:
        with self._lock:
            for client in self._clients:
                client.close()
            self._clients.clear()


def _refuse_login_in(url: str, name: str) -> None:
    if "@" in urlsplit(url).netloc:
        raise StorageError(
            f"the address of {name} holds a user name or password (user:password@); "
            "give the login through the environment or password_command instead"
        )


@dataclass
class CaldavStorage:
    """One calendar collection on a CalDAV server (``url`` ends with ``/``).

    ``requests`` counts the HTTP requests sent (for measurements and tests).
    Every error message names the server's ``host:port``.
    """

    url: str
    client: DAVClient
    name: str = "caldav"
    requests: int = 0
    timeout: int = 30
    #: Whether the server has answered this storage: a refused connection after that is
    #: a server that went down (transient), not a wrong address (configuration).
    answered: bool = False
    #: Shared with the other calendars of the sync (None: this storage's own client).
    session: CaldavSession | None = None
    _path: str = field(init=False)
    _address: str = field(init=False)

    def __post_init__(self) -> None:
        if not self.url.endswith("/"):
            self.url += "/"
        self._path = unquote(urlsplit(self.url).path)
        self._address = server_address(self.url)

    @classmethod
    def connect(
        cls,
        url: str,
        name: str,
        username: str | None = None,
        password: str | None = None,
        timeout: int = 30,
    ) -> CaldavStorage:
        """A storage for the collection at ``url``; TLS certificates are always verified.

        A ``user:password@`` in ``url`` is refused (:class:`StorageError`, the address not
        repeated): the login is ``username`` and ``password`` only, never a workspace file's.
        """
        _refuse_login_in(url, name)
        client = DAVClient(
            url=url,
            username=username,
            password=password,
            timeout=timeout,
            ssl_verify_cert=True,
            enable_rfc6764=False,
        )
        return cls(url=url, client=client, name=name, timeout=timeout)

    def close(self) -> None:
        """Close the client, unless it is the session's (the session closes its own)."""
        if self.session is None:
            self.client.close()

    # ------------------------------------------------------------------ Storage

    def ensure_collection(self) -> bool:
        try:
            response = self._send(self.url, "MKCALENDAR")
        except AuthError as failure:
            # A 403 on MKCALENDAR means "you may not create calendars here" (Google,
            # or an existing calendar); a refused login is a 401 and re-raised.
            if failure.status == 403:
                return False
            raise
        if response.status in (200, 201):
            return True
        if response.status in (405, 409):  # it already exists
            return False
        self._raise_for_status(response.status, "MKCALENDAR")
        raise StorageError(f"MKCALENDAR {self.name}: HTTP {response.status} from {self._address}")

    def list(self) -> dict[str, str]:
        response = self._send(self.url, "PROPFIND", PROPFIND_ETAGS, {"Depth": "1", **XML_HEADERS})
        self._raise_for_status(response.status, "PROPFIND")
        return {
            name: entry.etag
            for entry in _entries(response.tree)
            if (name := self._name(entry.path)) and entry.etag and not entry.is_collection
        }

    def get(self, hrefs: Iterable[str]) -> dict[str, tuple[bytes, str]]:
        wanted = list(hrefs)
        found: dict[str, tuple[bytes, str]] = {}
        for start in range(0, len(wanted), MULTIGET_BATCH):
            batch = wanted[start : start + MULTIGET_BATCH]
            body = _multiget_body(self._path + href for href in batch)
            response = self._send(self.url, "REPORT", body, {"Depth": "1", **XML_HEADERS})
            self._raise_for_status(response.status, "REPORT calendar-multiget")
            for entry in _entries(response.tree):
                name = self._name(entry.path)
                if name and entry.status == 200 and entry.data and entry.etag:
                    found[name] = (entry.data.encode("utf-8"), entry.etag)
        return found

    def create(self, href: str, data: bytes) -> str:
        return self._put(href, data, {"If-None-Match": "*"})

    def update(self, href: str, data: bytes, etag: str) -> str:
        return self._put(href, data, {"If-Match": etag})

    def delete(self, href: str, etag: str) -> None:
        response = self._send(self.url + href, "DELETE", "", {"If-Match": etag})
        self._raise_for_status(response.status, f"DELETE {href}")

    def changes_since(self, token: str | None) -> Changes:
        changed: dict[str, str] = {}
        deleted: set[str] = set()
        for _page in range(MAX_SYNC_PAGES):
            new_token, truncated = self._sync_page(token, changed, deleted)
            if not truncated or new_token == token:
                return Changes(changed, frozenset(deleted - changed.keys()), new_token)
            token = new_token
        raise TransientError(
            f"sync-collection of {self.name} on {self._address} still truncated after many pages"
        )

    # ------------------------------------------------------------------ internals

    def _sync_page(
        self, token: str | None, changed: dict[str, str], deleted: set[str]
    ) -> tuple[str, bool]:
        """One sync-collection REPORT; fills ``changed``/``deleted``; returns (token, truncated)."""
        try:
            response = self._send(
                self.url, "REPORT", _sync_collection_body(token), {"Depth": "0", **XML_HEADERS}
            )
        except AuthError as failure:
            if failure.status == 403:  # some servers refuse the report itself with 403
                raise InvalidSyncTokenError(str(failure)) from failure
            raise
        if response.status != 207:
            if _is_transient(response.status):
                raise TransientError(
                    f"sync-collection of {self.name}: HTTP {response.status} from {self._address}"
                )
            raise InvalidSyncTokenError(f"sync-collection refused: HTTP {response.status}")
        truncated = False
        for entry in _entries(response.tree):
            name = self._name(entry.path)
            if entry.status == 507 and not name:
                truncated = True
            elif name and entry.status == 404:
                deleted.add(name)
                changed.pop(name, None)
            elif name and entry.etag and not entry.is_collection:
                changed[name] = entry.etag
                deleted.discard(name)
        new_token = (
            response.tree.findtext(f"{DAV}sync-token") if response.tree is not None else None
        )
        if not new_token:
            # No token in the reply: the server cannot really sync (never trust a made-up one).
            raise InvalidSyncTokenError(f"{self.name}: sync-collection reply carries no sync-token")
        return new_token, truncated

    def _put(self, href: str, data: bytes, condition: dict[str, str]) -> str:
        response = self._send(self.url + href, "PUT", WireBytes(data), {**ICS_HEADERS, **condition})
        self._raise_for_status(response.status, f"PUT {href}")
        etag = response.headers.get("ETag")
        if etag and not etag.startswith("W/"):
            return str(etag)
        # No strong ETag in the answer (allowed by RFC 4791 section 5.3.4): ask for it.
        return self._etag_of(href)

    def _etag_of(self, href: str) -> str:
        response = self._send(
            self.url + href, "PROPFIND", PROPFIND_ETAGS, {"Depth": "0", **XML_HEADERS}
        )
        self._raise_for_status(response.status, f"PROPFIND {href}")
        for entry in _entries(response.tree):
            if entry.etag:
                return entry.etag
        raise StorageError(f"{self.name}: the server gave no ETag for {href}")

    def _name(self, path: str) -> str:
        """The resource name of ``path`` inside this collection ('' for the collection itself)."""
        path = unquote(urlsplit(path).path)
        if not path.startswith(self._path):
            return ""
        name = path[len(self._path) :]
        return "" if "/" in name.rstrip("/") or not name.strip("/") else name

    def _raise_for_status(self, status: int, what: str) -> None:
        if 200 <= status < 300:
            return
        message = f"{what} on {self.name}: HTTP {status} from {self._address}"
        if status == 412:
            raise PreconditionFailedError(message)
        if status == 404:
            raise NotFoundError(message)
        if _is_transient(status):
            raise TransientError(message)
        raise StorageError(message)

    def _send(
        self, url: str, method: str, body: str | bytes = "", headers: dict[str, str] | None = None
    ) -> DAVResponse:
        """Send one request, turning library exceptions into storage errors."""
        self.requests += 1
        gate = self.session.gate(self.client) if self.session is not None else nullcontext()
        try:
            with gate:
                response = self._request(url, method, body, headers or {})
        except caldav_error.AuthorizationError as failure:
            if VALID_SYNC_TOKEN in failure.preconditions:
                raise InvalidSyncTokenError(f"{self.name}: sync token refused") from failure
            status = failure.status or 401
            refused = "the login" if status == 401 else f"access to {self._path}"
            raise AuthError(
                f"the server at {self._address} refused {refused} (HTTP {status})", status
            ) from failure
        except caldav_error.RateLimitError as failure:
            raise TransientError(
                f"the server at {self._address} is busy (HTTP {failure.status})"
            ) from failure
        except http.exceptions.RequestException as failure:
            problem = _connection_failure(failure, self._address, self.timeout)
            answered = self.answered or (self.session is not None and self.session.answered)
            if isinstance(problem, ServerUnreachableError) and answered:
                message = f"the server at {self._address} stopped answering (connection refused)"
                raise ServerDownError(message) from failure
            raise problem from failure
        return response

    def _request(
        self, url: str, method: str, body: str | bytes, headers: dict[str, str]
    ) -> DAVResponse:
        response = self.client.request(url, method, body, headers)  # type: ignore[arg-type]
        self.answered = True
        if self.session is not None:
            self.session.learn(self.client)
        return response


def _is_transient(status: int) -> bool:
    """Whether ``status`` says "not now" (see :data:`TRANSIENT_STATUSES`)."""
    return status >= 500 or status in TRANSIENT_STATUSES


def _entries(tree: etree._Element | None) -> Iterator[_Entry]:
    """The ``<response>`` elements of a multistatus, flattened."""
    if tree is None:
        return
    for response in tree.iter(f"{DAV}response"):
        path = response.findtext(f"{DAV}href") or ""
        yield _Entry(path, *_response_properties(response))


def _response_properties(response: etree._Element) -> tuple[int, str | None, str | None, bool]:
    status = _status_code(response.findtext(f"{DAV}status"))
    etag = data = None
    is_collection = False
    for propstat in response.iter(f"{DAV}propstat"):
        prop_status = _status_code(propstat.findtext(f"{DAV}status"))
        if prop_status != 200:
            continue
        status = status or 200
        etag = propstat.findtext(f".//{DAV}getetag") or etag
        data = propstat.findtext(f".//{CALDAV}calendar-data") or data
        is_collection = is_collection or propstat.find(f".//{DAV}collection") is not None
    return status or 0, etag, data, is_collection


def _status_code(text: str | None) -> int:
    """``"HTTP/1.1 404 Not Found"`` -> 404; 0 when missing or unreadable."""
    parts = (text or "").split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
