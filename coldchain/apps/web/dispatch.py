"""The dispatcher's pages: the day's open orders, planning in the background, the plan, the commit.

``/dispatch?date=YYYY-MM-DD`` (default: the scenario's date) shows the orders ``day_orders`` sorts
for that day (planned today, expiring, ready later). The plan button starts a `PlanJob`; the page
polls ``/dispatch/status`` (JSON) and shows its phase, best plan, bound and gap, then the plan: a
map drawn from the scenario's own sites (Leaflet served from the package, no tiles), one table per
truck's run, the unserved orders with their reasons. Commit is ``commit_written_plan``, the
commit of ``coldchain plan --from-book --commit``.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for

from coldchain.apps.orders import BookError, PlanRejected, commit_written_plan, day_orders, refusal
from coldchain.apps.web.app import book, site
from coldchain.apps.web.auth import EmptyForm, current_user, role_required
from coldchain.errors import InputError

bp = Blueprint("dispatch", __name__)


def _day() -> date:
    text = request.values.get("date")
    if not text:
        return site().scenario.settings.date
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(400, f"date: expected YYYY-MM-DD (got {text[:40]})")


@bp.get("/dispatch")
@role_required("admin")
def day():
    d = _day()
    problems: list[str] = []
    try:
        orders = day_orders(book(), site().scenario, d)
    except InputError as exc:
        orders, problems = None, [str(p) for p in exc.problems]
    job = site().planner.job
    job = job if job is not None and job.day == d else None
    plan_view = None
    if job is not None and job.doc is not None:
        from coldchain.output.html_map import map_data

        plan_view = {"doc": job.doc, "map": map_data(job.doc, job.orders.scenario), "kpis": job.doc["summary"]["kpis"]}
    return render_template(
        "dispatch.html",
        day=d,
        orders=orders,
        problems=problems,
        refusal=refusal(book(), d),
        job=job,
        status=job.status() if job else None,
        plan=plan_view,
        form=EmptyForm(formdata=None),
        plans=book().plans()[:10],
    )


@bp.post("/dispatch/plan")
@role_required("admin")
def plan():
    d = _day()
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        site().planner.start(book(), d, current_user().name)
    except BookError as exc:
        flash(str(exc), "error")
    return redirect(url_for("dispatch.day", date=d.isoformat()))


@bp.get("/dispatch/status")
@role_required("admin")
def status():
    job = site().planner.job
    if job is None:
        return jsonify({"state": "none"})
    return jsonify(job.status())


@bp.post("/dispatch/commit")
@role_required("admin")
def commit():
    if not EmptyForm().validate_on_submit():
        abort(400)
    job = site().planner.job
    if job is None or job.state != "done" or str(job.job_id) != request.form.get("job", ""):
        flash("This plan is no longer the one shown (plan again).", "error")
        return redirect(url_for("dispatch.day", date=_day().isoformat()))
    if job.committed is not None:
        flash(f"Plan {job.committed.plan_id} is already committed.", "info")
        return redirect(url_for("dispatch.day", date=job.day.isoformat()))
    try:
        result, written = commit_written_plan(book(), job.orders, job.plan, job.folder, current_user().name)
    except PlanRejected as exc:
        flash(str(exc) + ": " + "; ".join(str(p) for p in exc.problems[:10]), "error")
        return redirect(url_for("dispatch.day", date=job.day.isoformat()))
    except BookError as exc:
        flash(str(exc), "error")
        return redirect(url_for("dispatch.day", date=job.day.isoformat()))
    job.committed = result
    again = " (this plan was already committed)" if result.already_committed else ""
    flash(
        f"Committed plan {result.plan_id} for {job.day}{again}: {len(result.planned)} order(s) planned, "
        f"{len(result.carried_over)} left open for the next plan, {len(result.expired)} expired; "
        f"{len(written)} pickup notice(s) for the shippers to download.",
        "info",
    )
    return redirect(url_for("dispatch.day", date=job.day.isoformat()))
