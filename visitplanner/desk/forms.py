"""The decision forms (Flask-WTF: each carries a CSRF token).  Choices are filled per
request from the team's workers, children and planned visits."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

#: An absence's reasons: a word, never a health detail.
REASONS = ("sick", "leave", "training", "other")
WHY_HELP = "Why (kept in the audit log; no names or health details)"


class AbsenceForm(FlaskForm):  # type: ignore[misc]
    worker = SelectField("Worker", validators=[DataRequired()])
    first = DateField("From (first day away)", validators=[DataRequired()])
    last = DateField("To (last day away, inclusive)", validators=[DataRequired()])
    reason = SelectField("Reason", choices=[SelectChoice(r) for r in REASONS])
    why = StringField(WHY_HELP, validators=[Length(max=300)])


class ReassignForm(FlaskForm):  # type: ignore[misc]
    visit = SelectField("Visit", validators=[DataRequired()])
    to = SelectField("To colleague", validators=[Optional()])
    on = DateField("On day", validators=[Optional()])
    why = StringField(WHY_HELP, validators=[Length(max=300)])


class HandoverForm(FlaskForm):  # type: ignore[misc]
    who = SelectField("Child or whole caseload", validators=[DataRequired()])
    to = SelectField("New allocated worker", validators=[DataRequired()])
    why = StringField(WHY_HELP, validators=[Length(max=300)])


class PinForm(FlaskForm):  # type: ignore[misc]
    visit = SelectField("Visit", validators=[DataRequired()])
    why = StringField(WHY_HELP, validators=[Length(max=300)])


class ButtonForm(FlaskForm):  # type: ignore[misc]
    """A bare form for a button that changes something (apply, discard, withdraw, log out):
    just the CSRF token."""
