"""The team's pages: board, child timeline, decisions (form, preview, apply, discard,
withdraw) and the audit log.  Every page checks that the user sees the team; every change
that the user manages it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from visitplanner.core.model import Schedule
from visitplanner.decisions.check import caseload_of, change_problems, decision_team
from visitplanner.decisions.model import (
    AbsenceDecision,
    Change,
    Decision,
    DecisionStatus,
    Handover,
    Pin,
    Reassignment,
    describe,
)
from visitplanner.decisions.overlay import Caseload, Overlay, overlay
from visitplanner.desk.auth import current_user, login_required, services, team_manager, team_member
from visitplanner.desk.board import RISK_KINDS, Team, at_risk, load_grid, timeline, weeks_of
from visitplanner.desk.forms import AbsenceForm, ButtonForm, HandoverForm, PinForm, ReassignForm
from visitplanner.errors import VisitplannerError
from visitplanner.inputs.workspace import Workspace

blueprint = Blueprint("desk", __name__)
WORKER_PREFIX = "worker:"
FORMS = {"absence": AbsenceForm, "reassign": ReassignForm, "handover": HandoverForm,
         "pin": PinForm}


@dataclass(frozen=True)
class View:
    """The workspace and kept plan one request shows, and the team's part of it."""

    ws: Workspace
    schedule: Schedule
    team: Team
    #: The applied decisions laid over the export (their disagreements shown on the board).
    laid: Overlay
    applied: tuple[Decision, ...]


def _view(team: str) -> View:
    ws, schedule = services().loaded.get(services().config.root)
    if schedule is None:
        abort(409, description="No plan is kept yet: run `visitplanner plan` first.")
    applied = tuple(services().store.applied())
    laid = overlay(Caseload(ws.children, ws.workers, ws.absences), applied, schedule)
    decided = laid.caseload
    workers = tuple(w for w in ws.workers if w.team == team)
    if not workers:
        abort(404, description="No such team.")
    ids = {w.id for w in workers}
    children = tuple(c for c in decided.children if c.allocated_worker in ids)
    refs = {c.case_ref for c in children} | {r for v in schedule.visits if v.team == team
                                            for r in v.case_refs}
    children = tuple(c for c in decided.children if c.case_ref in refs)
    return View(ws, schedule, Team((team,), workers, children,
                                   tuple(a for a in decided.absences if a.worker_id in ids),
                                   tuple(v for v in ws.visits if v.case_ref in refs)),
                laid, applied)


def _desk() -> Any:
    from visitplanner.jobs import Desk, PlanOrder

    config = services().config
    return Desk(config.root, PlanOrder(config.today()), services().store)


@blueprint.route("/")
@login_required
def home() -> Any:
    user = current_user()
    assert user is not None
    return redirect(url_for("desk.board", team=user.teams[0]))


@blueprint.route("/team/<team>")
@login_required
def board(team: str) -> Any:
    user = team_member(team)
    view = _view(team)
    config = services().config
    within = view.ws.settings.desk.at_risk_working_days
    risks = at_risk(view.team, view.schedule, view.ws.policy, view.ws.calendar, config.today(),
                    within)
    applied = [d for d in view.applied if d.team == team]
    mine = {d.id for d in applied}
    return render_template(
        "board.html", team=team, user=user, rows=load_grid(view.team, view.schedule,
                                                           view.ws.calendar),
        mondays=weeks_of(view.schedule), risks=risks, within=within, schedule=view.schedule,
        risk_counts=[(kind, sum(1 for r in risks if r.kind == kind)) for kind in RISK_KINDS],
        applied=applied, describe=describe, button=ButtonForm(),
        disagreements=[d for d in view.laid.disagreements if d.decision_id in mine],
        drafts=[d for d in services().store.decisions(DecisionStatus.DRAFT, [team])])


@blueprint.route("/team/<team>/child/<case_ref>")
@login_required
def child(team: str, case_ref: str) -> Any:
    team_member(team)
    view = _view(team)
    if case_ref not in {c.case_ref for c in view.team.children}:
        abort(404, description="No such child in this team.")
    return render_template("child.html", team=team, case_ref=case_ref,
                           entries=timeline(case_ref, view.team.visits, view.schedule),
                           policy=view.ws.policy)


@blueprint.route("/team/<team>/decide", methods=["GET"])
@login_required
def decide(team: str) -> Any:
    team_manager(team)
    view = _view(team)
    forms = {kind: _filled(form(formdata=None, prefix=kind), view)
             for kind, form in FORMS.items()}
    return render_template("decide.html", team=team, forms=forms, problems=[])


@blueprint.route("/team/<team>/decide/<kind>", methods=["POST"])
@login_required
def propose(team: str, kind: str) -> Any:
    user = team_manager(team)
    if kind not in FORMS:
        abort(404)
    view = _view(team)
    # Each form's fields are prefixed with its kind (absence-worker, handover-to ...), so
    # the four forms on one page have distinct ids for their labels.
    forms = {k: _filled(f(formdata=None, prefix=k), view) for k, f in FORMS.items()}
    form = forms[kind] = _filled(FORMS[kind](prefix=kind), view)
    problems: list[str] = []
    if form.validate_on_submit():
        change = _change(kind, form, view)
        caseload = Caseload(view.ws.children, view.ws.workers, view.ws.absences)
        problems = [f"{p.where}: {p.what} (fix: {p.fix})"
                    for p in change_problems(change, caseload, view.schedule)]
        if decision_team(change, caseload, view.schedule) != team:
            problems.append("The decision concerns another team.")
        if not problems:
            config = services().config
            draft = services().store.draft(change, user.name, form.why.data or "", team,
                                           config.now())
            return redirect(url_for("desk.preview", team=team, decision_id=draft.id))
    else:
        problems = [f"{getattr(form, name).label.text}: {'; '.join(errors)}"
                    for name, errors in form.errors.items()]
    return render_template("decide.html", team=team, forms=forms, problems=problems), 400


def _filled(form: Any, view: View) -> Any:
    """The form's choices from the team's workers, children and upcoming visits."""
    workers = [SelectChoice(w.id, f"{w.name} ({w.id})") for w in view.team.workers]
    visits = [SelectChoice(v.id, f"{v.start:%a %d %b %H:%M} {', '.join(v.case_refs)} with "
                                 f"{v.worker_id}")
              for v in view.schedule.visits if v.team == view.team.names[0]]
    if isinstance(form, AbsenceForm):
        form.worker.choices = workers
    elif isinstance(form, ReassignForm):
        form.visit.choices = visits
        form.to.choices = [SelectChoice("", "(same worker)"), *workers]
    elif isinstance(form, HandoverForm):
        form.who.choices = [
            *(SelectChoice(f"{WORKER_PREFIX}{w.id}", f"whole caseload of {w.name} ({w.id})")
              for w in view.team.workers),
            *(SelectChoice(c.case_ref, f"{c.case_ref} (allocated to "
                                       f"{c.allocated_worker or 'nobody'})")
              for c in view.team.children)]
        form.to.choices = workers
    elif isinstance(form, PinForm):
        form.visit.choices = visits
    return form


def _change(kind: str, form: Any, view: View) -> Change:
    if kind == "absence":
        return AbsenceDecision(form.worker.data, form.first.data, form.last.data,
                               form.reason.data or "")
    if kind == "reassign":
        return Reassignment(form.visit.data, form.to.data or None, form.on.data)
    if kind == "pin":
        return Pin(form.visit.data)
    who = str(form.who.data)
    caseload = Caseload(view.ws.children, view.ws.workers, view.ws.absences)
    if who.startswith(WORKER_PREFIX):
        worker = who.removeprefix(WORKER_PREFIX)
        return Handover(caseload_of(worker, caseload), worker, form.to.data)
    allocated = next((c.allocated_worker for c in view.ws.children if c.case_ref == who), "")
    return Handover((who,), allocated or "", form.to.data)


def _decision(team: str, decision_id: int) -> Any:
    decision = services().store.decision(decision_id)
    if decision is None or decision.team != team:
        abort(404, description="No such decision in this team.")
    return decision


@blueprint.route("/team/<team>/decision/<int:decision_id>")
@login_required
def preview(team: str, decision_id: int) -> Any:
    from visitplanner.jobs import preview_decision

    user = team_member(team)
    decision = _decision(team, decision_id)
    if decision.status is not DecisionStatus.DRAFT:
        flash(f"Decision {decision_id} is {decision.status}.")
        return redirect(url_for("desk.board", team=team))
    try:
        loaded = services().loaded.get(services().config.root)
        result, _ = preview_decision(_desk(), decision, loaded)
    except VisitplannerError as exc:
        return render_template("error.html", message=str(exc),
                               problems=getattr(exc, "problems", [])), 409
    names = {w.id: w.name for w in _view(team).ws.workers}
    return render_template("preview.html", team=team, decision=decision, result=result,
                           describe=describe, names=names, button=ButtonForm(),
                           can_change=user.can_change)


def _button_pressed(team: str, decision_id: int) -> Any:
    """The manager pressing a decision's button (apply, discard, withdraw): they manage the
    team, the decision is the team's, and the form carries its CSRF token."""
    user = team_manager(team)
    _decision(team, decision_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    return user


@blueprint.route("/team/<team>/decision/<int:decision_id>/apply", methods=["POST"])
@login_required
def apply(team: str, decision_id: int) -> Any:
    from visitplanner.jobs import apply_decision

    user = _button_pressed(team, decision_id)
    try:
        done = apply_decision(_desk(), decision_id, user.name, services().config.now())
    except VisitplannerError as exc:
        return render_template("error.html", message=str(exc),
                               problems=getattr(exc, "problems", [])), 409
    sync = " A CalDAV sync is queued." if done.sync_queued else ""
    flash(f"Decision {decision_id} applied: the plan is re-made and the calendars are "
          f"published.{sync}")
    return redirect(url_for("desk.board", team=team))


@blueprint.route("/team/<team>/decision/<int:decision_id>/discard", methods=["POST"])
@login_required
def discard(team: str, decision_id: int) -> Any:
    user = _button_pressed(team, decision_id)
    try:
        services().store.move(decision_id, DecisionStatus.DISCARDED, user.name,
                              services().config.now())
    except VisitplannerError as exc:
        flash(str(exc))
    else:
        flash(f"Decision {decision_id} discarded: nothing changed.")
    return redirect(url_for("desk.board", team=team))


@blueprint.route("/team/<team>/decision/<int:decision_id>/withdraw", methods=["POST"])
@login_required
def withdraw(team: str, decision_id: int) -> Any:
    from visitplanner.jobs import withdraw_decision

    user = _button_pressed(team, decision_id)
    why = request.form.get("why", "")[:300]
    try:
        withdraw_decision(_desk(), decision_id, user.name, services().config.now(), why)
    except VisitplannerError as exc:
        flash(str(exc))
    else:
        flash(f"Decision {decision_id} withdrawn: the plan is re-made without it.")
    return redirect(url_for("desk.board", team=team))


#: The report page's own policy: its styles are inline (one self-contained file, as
#: `visitplanner report --html` writes it) and it runs no script.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
#: Days the desk's report covers by default, ending yesterday (both inclusive).
REPORT_DAYS = 28


@blueprint.route("/team/<team>/report")
@login_required
def report(team: str) -> Any:
    """The compliance report for the team's children (``?from=`` and ``?to=``, ISO dates,
    both inclusive; default: the four weeks to yesterday), worker by worker."""
    from dataclasses import replace
    from datetime import date, timedelta

    from flask import make_response

    from visitplanner.report.measures import By
    from visitplanner.report.period import Period
    from visitplanner.report.render_html import report_html
    from visitplanner.reporting import workspace_report

    team_member(team)
    view = _view(team)
    try:
        last = date.fromisoformat(request.args.get("to") or "") if request.args.get("to") \
            else services().config.today() - timedelta(days=1)
        first = date.fromisoformat(request.args["from"]) if request.args.get("from") \
            else last - timedelta(days=REPORT_DAYS - 1)
    except ValueError:
        abort(400, description="from and to are dates written YYYY-MM-DD.")
    if last < first:
        abort(400, description="The report's period ends before it starts.")
    made = workspace_report(replace(view.ws, children=view.team.children), Period(first, last),
                            None)
    response = make_response(report_html(made, view.ws.policy, By.WORKER, team))
    response.headers["Content-Security-Policy"] = REPORT_CSP
    return response


@blueprint.route("/team/<team>/audit")
@login_required
def audit(team: str) -> Any:
    team_member(team)
    entries = services().store.audit([team])
    return render_template("audit.html", team=team, entries=entries)
