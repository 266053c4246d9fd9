"""Signing in with a token from ``coldchain tokens add``, and who may see what.

The login form swaps the token for a session cookie holding the token's id only; every request
looks the token up again (`current_user`), so a revoked token is signed out at once. A shipper
token (role ``shipper``) sees only its shipper's orders; the dispatcher's (role ``admin``) sees
the dispatcher's pages. The token is compared by its hash in constant time (``Book.token_holder``).
"""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from coldchain.apps.orders import Token
from coldchain.apps.web.app import book

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    token = PasswordField("Token", validators=[DataRequired(), Length(max=200)])


class EmptyForm(FlaskForm):
    """A form with nothing but its CSRF token (sign out, plan, commit)."""


def current_user() -> Token | None:
    """The signed-in token's record, or None (a revoked or unknown token clears the session)."""
    if "user" in g:
        return g.user
    user = None
    token_id = session.get("token_id")
    if isinstance(token_id, int):
        t = book().token(token_id)
        if t is not None and t.active:
            user = t
        else:
            session.clear()
    g.user = user
    return user


def role_required(role: str):
    """Only a signed-in token of ``role``: anyone else is sent to sign in, a wrong role gets 403."""

    def wrap(view):
        @wraps(view)
        def inner(*args, **kwargs):
            user = current_user()
            if user is None:
                return redirect(url_for("auth.login", next=request.path))
            if user.role != role:
                abort(403, f"this page is for the {'dispatcher' if role == 'admin' else 'shippers'}")
            return view(*args, **kwargs)

        return inner

    return wrap


def _home(user: Token) -> str:
    return url_for("dispatch.day") if user.role == "admin" else url_for("shipper.orders")


@bp.get("/")
def index():
    user = current_user()
    return redirect(_home(user) if user else url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = book().token_holder(form.token.data.strip())
        if user is None:
            flash("This token is not valid (mistyped, or revoked). Ask the dispatcher for a new one.", "error")
            return render_template("login.html", form=form), 403
        session.clear()
        session["token_id"] = user.token_id
        g.user = user
        target = request.args.get("next", "")
        if not target.startswith("/") or target.startswith("//"):
            target = _home(user)
        return redirect(target)
    return render_template("login.html", form=form), 400 if request.method == "POST" else 200


@bp.post("/logout")
def logout():
    session.clear()  # CSRFProtect has checked the form's token
    flash("Signed out.", "info")
    return redirect(url_for("auth.login"))
