"""The Flask application of the web page: configuration, CSRF, security headers and error pages.

Safety, in one place:

* every form carries a CSRF token (Flask-WTF ``CSRFProtect``, checked on every POST); a POST
  whose ``Origin`` is another site's, or that the browser marks ``Sec-Fetch-Site: cross-site``,
  is refused too;
* the session is a signed cookie (HttpOnly, SameSite=Strict) holding only the token's id: the
  token is looked up again on every request, so a revoked token signs its holder out at once;
* uploads are capped at `MAX_UPLOAD_BYTES` (413) and `MAX_UPLOAD_ROWS`, and must be ``.csv``;
* Jinja autoescapes every value; ``Content-Security-Policy: default-src 'self'`` (no inline script,
  nothing from another address: the map's Leaflet is served from the package);
* errors are pages (400, 403, 404, 405, 413, 500), never a traceback.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, abort, g, render_template, request, send_from_directory
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from coldchain.apps.orders import Book
from coldchain.apps.web.planning import Planner, PlanSettings
from coldchain.scenario.domain import Scenario

MAX_UPLOAD_BYTES = 1 << 20  # 1 MiB: some 15,000 order rows
MAX_UPLOAD_ROWS = 5000
SECRET_SUFFIX = ".web-secret"
CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    413: "File too large",
    500: "Something went wrong",
}


@dataclass
class Site:
    """What every request works on: the scenario, the book's file and the planner."""

    scenario: Scenario
    book_path: Path
    planner: Planner


def site() -> Site:
    """The application's `Site` (inside a request)."""
    from flask import current_app

    return current_app.extensions["coldchain"]


def book() -> Book:
    """The request's connection to the book (opened on first use, closed after the request)."""
    if "book" not in g:
        g.book = Book(site().book_path, create=False, check=False)
    return g.book


def secret_beside(book_path: Path) -> bytes:
    """The session key kept beside the book (``BOOK.web-secret``, mode 0600), made on first start.

    Raises `PermissionError` when the file exists and others may read it (nothing is changed).
    """
    path = book_path.with_name(book_path.name + SECRET_SUFFIX)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            raise PermissionError(f"{path}: others may read the session key: `chmod 600` it, or delete it") from None
        return path.read_bytes().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32))
    return path.read_bytes().strip()


def create_app(
    scenario: Scenario,
    book_path: str | Path,
    *,
    secret_key: bytes | None = None,
    settings: PlanSettings | None = None,
    testing: bool = False,
) -> Flask:
    """The web page over ``book_path`` (an existing book) and ``scenario``.

    ``secret_key`` signs the session cookie; None: a random one for this process (every session
    ends when the server stops). Plans are written under a temporary folder removed at exit.
    """
    from coldchain.apps.web import auth, dispatch, shipper

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_bytes(32),
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        SESSION_COOKIE_NAME="coldchain_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        TESTING=testing,
        PROPAGATE_EXCEPTIONS=False,
    )
    workdir = Path(tempfile.mkdtemp(prefix="coldchain-web-"))
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    app.extensions["coldchain"] = Site(
        scenario,
        Path(book_path),
        Planner(scenario, Path(book_path), workdir, settings or PlanSettings()),
    )
    CSRFProtect(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(shipper.bp)
    app.register_blueprint(dispatch.bp)
    app.before_request(_same_origin)
    app.after_request(_headers)
    app.teardown_appcontext(_close_book)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _internal_error)
    app.add_url_rule("/vendor/<path:name>", "vendor", _vendor)
    app.jinja_env.globals["clock"] = _clock
    return app


def _clock(minutes: float | None) -> str:
    from coldchain.scenario.timefmt import clock

    return "" if minutes is None else clock(minutes)


def _vendor(name: str):
    """Leaflet and the plan map's script, from the package (``coldchain/output/static``)."""
    folder = resources.files("coldchain.output").joinpath("static")
    if not (name.startswith("leaflet/") or name == "plan-map.js"):
        abort(404)
    return send_from_directory(str(folder), name, max_age=3600)


def _same_origin() -> None:
    """Refuse a state-changing request sent from another site (besides the CSRF token)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    origin = request.headers.get("Origin", "null")
    cross = origin != "null" and urlsplit(origin).netloc != request.host
    if cross or request.headers.get("Sec-Fetch-Site") == "cross-site":
        abort(403, "this form was sent from another site")


def _headers(response):
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if response.mimetype in ("text/html", "application/json"):
        response.headers["Cache-Control"] = "no-store"
    return response


def _close_book(_exc) -> None:
    b = g.pop("book", None)
    if b is not None:
        b.close()


def error_page(code: int, message: str):
    """An error as a page with its status code."""
    return render_template("error.html", code=code, title=TITLES.get(code, "Error"), message=message), code


def _csrf_error(exc: CSRFError):
    return error_page(400, f"The form could not be accepted ({exc.description}). Reload the page and send it again.")


def _http_error(exc: HTTPException):
    if exc.code == 413:
        return error_page(413, f"The file is larger than {MAX_UPLOAD_BYTES // 1024} KB: split it into smaller files.")
    if exc.code is None or exc.code < 400:
        return exc
    default = exc.code in (404, 405) or exc.description == type(exc).description
    return error_page(exc.code, _DEFAULTS.get(exc.code, "") if default else str(exc.description))


_DEFAULTS = {
    400: "The request could not be understood.",
    403: "Your sign-in does not allow this page.",
    404: "There is no such page, or it is not yours to see.",
    405: "This page does not take that kind of request.",
}


def _internal_error(exc: Exception):
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    from flask import current_app

    current_app.logger.exception("error in %s %s", request.method, request.path)
    return error_page(500, "The server could not complete your request; the error is in its log.")
