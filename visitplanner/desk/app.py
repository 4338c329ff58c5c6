"""The desk's application factory (as in Flask's tutorial): one app per workspace.

The clock and the secret key come in with :class:`DeskConfig` from the command line, so
the app itself reads neither the clock nor the environment.  Session cookies are signed,
HttpOnly, SameSite=Lax and Secure (browsers keep Secure cookies for http://127.0.0.1 and
localhost too); every form and button that changes something carries a CSRF token.  The
published calendar feeds may be served by the same process under ``/feeds/``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from visitplanner.decisions.store import Store
from visitplanner.desk.loaded import Loaded

#: How long a desk session lasts without a new login.
SESSION_HOURS = 8


@dataclass(frozen=True)
class DeskConfig:
    """What the desk is served from.  ``today`` and ``now`` (UTC, no zone) are the
    clock's readings, passed in by the caller; ``secure_cookies`` False only for tests
    driving the app without a browser."""

    root: Path
    store_url: str
    secret_key: bytes
    today: Callable[[], date]
    now: Callable[[], datetime]
    secure_cookies: bool = True
    feeds: Callable[..., Any] | None = None


def create_app(config: DeskConfig) -> Flask:
    """The desk for ``config.root``'s workspace."""
    from visitplanner.desk.auth import blueprint as accounts
    from visitplanner.desk.pages import blueprint as team_pages

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=config.secret_key,
        SESSION_COOKIE_NAME="vp_desk",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        WTF_CSRF_TIME_LIMIT=SESSION_HOURS * 3600,
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    app.extensions["visitplanner"] = DeskServices(config, Store(config.store_url))
    CSRFProtect(app)
    app.register_blueprint(accounts)
    app.register_blueprint(team_pages)
    app.after_request(_security_headers)
    for status in (400, 403, 404, 409):
        app.register_error_handler(status, _error_page)
    # Flask logs an unhandled error with the request's path only; form values (names,
    # passwords) are never logged.
    app.logger.setLevel(logging.WARNING)
    if config.feeds is not None:
        app.wsgi_app = _with_feeds(app.wsgi_app, config.feeds)  # type: ignore[method-assign]
    return app


#: The path under which the calendar feeds are served (as by `visitplanner serve`).
FEEDS_PREFIX = "/feeds/"


def _with_feeds(desk: Callable[..., Any], feeds: Callable[..., Any]) -> Callable[..., Any]:
    """One WSGI app: ``/feeds/...`` goes to the feed server untouched (its own paths are
    ``/feeds/<token>.ics``), everything else to the desk."""
    def route(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if str(environ.get("PATH_INFO", "")).startswith(FEEDS_PREFIX):
            return feeds(environ, start_response)
        return desk(environ, start_response)
    return route


@dataclass(frozen=True)
class DeskServices:
    """What every request uses: the configuration and the store."""

    config: DeskConfig
    store: Store
    loaded: Loaded = field(default_factory=Loaded)


def _error_page(error: Any) -> Any:
    """A refused request shown in the desk's own page (with the way back), not Flask's."""
    from flask import render_template

    return render_template("error.html", message=getattr(error, "description", str(error)),
                           problems=[]), getattr(error, "code", 500)


def _security_headers(response: Any) -> Any:
    # No script or style from elsewhere, no framing, no caching of a team's pages.
    response.headers.setdefault("Content-Security-Policy", (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'"))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    return response
