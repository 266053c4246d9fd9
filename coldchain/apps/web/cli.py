"""``coldchain serve`` (the web page) and ``coldchain tokens add|list|revoke`` (its sign-in tokens).

The book is ``SCENARIO/orders.db`` unless ``--book PATH``, as for ``coldchain orders``. Flask,
Flask-WTF and waitress are imported only by ``serve`` (``pip install -e ".[web]"``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from coldchain.apps.orders.cli import BookOpt, ByOpt, ScenarioOpt, _user, _wide, book_path, open_book
from coldchain.apps.orders.records import BookError

INSTALL = 'pip install -e ".[web]"'

tokens_app = typer.Typer(
    help="Sign-in tokens for the web page: one per shipper, --admin for the dispatcher.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _main():
    import coldchain.cli as main_cli

    return main_cli


@tokens_app.command("add")
def add(
    name: Annotated[
        str, typer.Argument(help="The shipper, exactly as in its orders' shipper column (or the dispatcher's name).")
    ],
    admin: Annotated[bool, typer.Option("--admin", help="A dispatcher's token: plan and commit, all orders.")] = False,
    scenario: ScenarioOpt = Path("."),
    book: BookOpt = None,
    by: ByOpt = None,
) -> None:
    """Make a sign-in token and print it once (the book keeps only its hash)."""
    m = _main()
    with open_book(book_path(scenario, book), create=True) as b:
        try:
            token, secret = b.add_token(name, role="admin" if admin else "shipper", actor=_user(by))
        except BookError as exc:
            raise m.fail(str(exc), m.EXIT_INPUT) from None
    role = "dispatcher (admin)" if admin else "shipper"
    print(secret)
    m.err.print(
        f"Token {token.token_id} for {token.name}, {role}: shown once, above; hand it over privately. "
        f"Lost? `coldchain tokens revoke {token.token_id}` and add another.",
        markup=False,
    )


@tokens_app.command("list")
def list_tokens(scenario: ScenarioOpt = Path("."), book: BookOpt = None) -> None:
    """Every token: id, name, role, made by and when, revoked when (never the token itself)."""
    m = _main()
    with open_book(book_path(scenario, book)) as b:
        tokens = b.tokens()
    table = Table(title=f"{len(tokens)} token(s)", title_justify="left")
    for col in ("id", "name", "role", "fingerprint", "made by", "made at (UTC)", "revoked at (UTC)"):
        table.add_column(col, overflow="fold")
    for t in tokens:
        table.add_row(
            str(t.token_id), t.name, t.role, t.fingerprint, t.created_by, t.created_at, t.revoked_at or "active"
        )
    _wide(m.out).print(table)


@tokens_app.command("revoke")
def revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (see `coldchain tokens list`).")],
    scenario: ScenarioOpt = Path("."),
    book: BookOpt = None,
) -> None:
    """Revoke a token: it signs no one in from now on, and a page open with it is signed out."""
    m = _main()
    with open_book(book_path(scenario, book)) as b:
        try:
            t = b.revoke_token(token_id)
        except BookError as exc:
            raise m.fail(str(exc), m.EXIT_INPUT) from None
    m.out.print(f"Token {t.token_id} ({t.name}, {t.role}) revoked at {t.revoked_at}.", markup=False)


def serve(
    scenario: Annotated[Path, typer.Argument(help="Scenario folder (its sites, products and trucks).")],
    book: BookOpt = None,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (keep 127.0.0.1 unless behind a proxy).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port (0: any free one).")] = 8000,
    time_limit: Annotated[float, typer.Option("--time-limit", min=1.0, help="Seconds for each plan.")] = 20.0,
    method: Annotated[str, typer.Option("--method", help="Planning method, as for `coldchain plan`.")] = "auto",
    threads: Annotated[int, typer.Option("--threads", min=1, max=64, help="Web server threads.")] = 4,
) -> None:
    """Serve the web page over the order book: shippers upload and follow orders, the dispatcher plans."""
    m = _main()
    try:
        import waitress

        from coldchain.apps.web.app import create_app, secret_beside
        from coldchain.apps.web.planning import PlanSettings
    except ImportError as exc:
        raise m.fail(
            f"the web page needs Flask, Flask-WTF and waitress ({exc.name} is missing): {INSTALL}", m.EXIT_INPUT
        ) from None
    from coldchain.errors import UsageError
    from coldchain.planner.registry import check as check_method

    try:
        check_method(method)
    except UsageError as exc:
        raise m.fail(str(exc), m.EXIT_USAGE) from None
    s = m.load(scenario)
    path = book_path(scenario, book)
    open_book(path, create=True).close()
    try:
        secret = secret_beside(path)
    except PermissionError as exc:
        raise m.fail(str(exc), m.EXIT_INPUT) from None
    except OSError as exc:
        raise m.fail(f"{path}: cannot keep the session key beside the book ({exc.strerror})", m.EXIT_INPUT) from None
    app = create_app(s, path, secret_key=secret, settings=PlanSettings(time_limit, method))
    try:
        server = waitress.create_server(app, host=host, port=port, threads=threads, ident="coldchain")
    except OSError as exc:
        raise m.fail(f"cannot listen on {host}:{port} ({exc.strerror})", m.EXIT_INPUT) from None
    print(f"coldchain web page on http://{host}:{server.effective_port}/ (book {path}); stop with Ctrl+C", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        m.err.print(
            f"Warning: listening on {host} with plain HTTP: tokens and pages cross the network unencrypted; "
            "put an HTTPS proxy in front",
            markup=False,
        )
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
