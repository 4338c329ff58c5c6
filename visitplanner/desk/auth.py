"""Accounts, sessions and roles: log in, log out, and the checks every page makes.

A manager sees and changes only their team(s); a viewer sees their team(s) and changes
nothing.  A wrong password is kept (see :mod:`visitplanner.decisions.store`): after
``MAX_FAILURES`` within the window, logins to that account wait.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from visitplanner.decisions.store import TooManyAttemptsError, User

blueprint = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])


class LoginForm(FlaskForm):  # type: ignore[misc]
    name = StringField("Account", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


def services() -> Any:
    return current_app.extensions["visitplanner"]


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    message, status = "", 200
    if form.validate_on_submit():
        desk = services()
        try:
            user = desk.store.log_in(form.name.data, form.password.data, desk.config.now())
        except TooManyAttemptsError as exc:
            message, status = str(exc), 429
        else:
            if user is not None:
                session.clear()
                session.permanent = True
                session["user"] = user.name
                return redirect(url_for("desk.home"))
            message, status = "Wrong account or password.", 401
    return render_template("login.html", form=form, message=message), status


@blueprint.route("/logout", methods=["POST"])
def logout() -> Any:
    session.clear()
    return redirect(url_for("auth.login"))


def current_user() -> User | None:
    if "user_obj" not in g:
        name = session.get("user")
        g.user_obj = services().store.user(name) if name else None
    return cast(User | None, g.user_obj)


def login_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return redirect(url_for("auth.login"))
        return view(*args, **kwargs)
    return cast(F, wrapped)


def team_member(team: str) -> User:
    """The user, who must see ``team`` (403 otherwise)."""
    user = current_user()
    if user is None or not user.sees(team):
        abort(403, description="This team is not yours.")
    return user


def team_manager(team: str) -> User:
    """The user, who must manage ``team`` (403 otherwise: a viewer changes nothing)."""
    user = team_member(team)
    if not user.can_change:
        abort(403, description="A viewer account cannot change anything.")
    return user


@blueprint.app_context_processor
def _user_in_templates() -> dict[str, Any]:
    return {"user": current_user()}


def requested_team() -> str:
    return str(request.view_args.get("team", "")) if request.view_args else ""
