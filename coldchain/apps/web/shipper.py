"""A shipper's pages: upload a CSV of orders, see them with their state, amend or cancel an open one,
download the pickup notices.

Every page shows and changes only the signed-in shipper's orders: an order of another shipper
is "not found" (404), whatever its id. Uploads go through ``Book.submit`` / ``Book.amend`` with
the shipper set (the CLI's ``--shipper``): the same validation and located messages; the page
shows each message beside the file's row it names.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, StringField
from wtforms.validators import InputRequired, Length

from coldchain.apps.orders import BookError, BookOrder, SubmitResult
from coldchain.apps.orders.notices import notice_csv, notice_filename, notice_rows
from coldchain.apps.web.app import MAX_UPLOAD_ROWS, book, site
from coldchain.apps.web.auth import current_user, role_required
from coldchain.scenario.read import decode_bytes

bp = Blueprint("shipper", __name__)
CSV_TYPES = {"text/csv", "application/csv", "text/plain", "application/vnd.ms-excel", "application/octet-stream", ""}


class UploadForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("choose a CSV file")])
    mode = RadioField(
        "These rows",
        choices=[SelectChoice("add", "are new orders"), SelectChoice("amend", "amend my open orders")],
        default="add",
    )


class AmendForm(FlaskForm):
    version = HiddenField(validators=[InputRequired()])
    site_id = StringField("Village point (site_id)", validators=[InputRequired(), Length(max=100)])
    product_id = StringField("Product", validators=[InputRequired(), Length(max=100)])
    quantity_kg = StringField("Quantity (kg)", validators=[InputRequired(), Length(max=30)])
    ready_at = StringField("Ready at (YYYY-MM-DD HH:MM)", validators=[InputRequired(), Length(max=30)])
    must_serve = BooleanField("Must be collected")


class CancelForm(FlaskForm):
    version = HiddenField(validators=[InputRequired()])
    reason = StringField("Reason (optional)", validators=[Length(max=300)])


def _name() -> str:
    user = current_user()
    assert user is not None
    return user.name


def own_order(order_id: str) -> BookOrder:
    """The signed-in shipper's order, or 404 (another shipper's order looks like no order at all)."""
    o = book().get(order_id)
    if o is None or o.shipper != _name():
        abort(404)
    return o


def _notices(shipper: str) -> list[dict]:
    """The committed plans that owe this shipper a pickup notice, newest first."""
    b = book()
    return [p for p in b.plans() if shipper in b.notice_shippers(p["plan_id"])]


def _orders_page(upload: dict | None = None, status: int = 200):
    name = _name()
    return (
        render_template(
            "shipper_orders.html",
            orders=book().list(shipper=name),
            notices=_notices(name),
            form=UploadForm(formdata=None),
            upload=upload,
        ),
        status,
    )


@bp.get("/orders")
@role_required("shipper")
def orders():
    return _orders_page()


def file_rows(raw: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and (line, cells) of each row of an uploaded CSV, numbered as the validation
    numbers them (the header is line 1), for showing the messages beside their rows."""
    try:
        text = decode_bytes(raw)
    except ValueError:
        return [], []
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    rows, start = [], reader.line_num + 1
    for row in reader:
        line, start = start, reader.line_num + 1
        if any(c.strip() for c in row):
            rows.append((line, row))
    return header, rows


def _upload_view(filename: str, raw: bytes, result: SubmitResult | None, refusal: str = "") -> dict:
    header, rows = file_rows(raw)
    by_line: dict[int, list[str]] = {}
    general = [refusal] if refusal else []
    for p in result.problems if result else ():
        text = (
            (f"{p.column}: " if p.column else "") + p.message + (f" (got {p.got})" if p.got not in (None, "") else "")
        )
        if p.line is not None and p.line > 1:
            by_line.setdefault(p.line, []).append(text)
        else:
            general.append(f"line {p.line}: {text}" if p.line else text)
    return {
        "filename": filename,
        "accepted": bool(result and result.accepted),
        "result": result,
        "header": header,
        "rows": [(line, cells, by_line.get(line, [])) for line, cells in rows],
        "general": general,
    }


@bp.post("/orders/upload")
@role_required("shipper")
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        errors = "; ".join(e for errs in form.errors.values() for e in errs)
        flash(f"Nothing was uploaded: {errors or 'the form was incomplete'}.", "error")
        return _orders_page(status=400)
    f = form.file.data
    filename = (f.filename or "upload.csv").replace("\\", "/").rsplit("/", 1)[-1][:100] or "upload.csv"
    raw = f.read()
    if not filename.lower().endswith(".csv") or (f.mimetype or "") not in CSV_TYPES:
        return _orders_page(_upload_view(filename, b"", None, "only .csv files are accepted (CSV UTF-8)"), 415)
    if raw.count(b"\n") > MAX_UPLOAD_ROWS + 1:
        why = f"more than {MAX_UPLOAD_ROWS} rows: split the file into smaller ones"
        return _orders_page(_upload_view(filename, b"", None, why), 413)
    name = _name()
    b = book()
    if form.mode.data == "amend":
        result = b.amend(site().scenario, raw, name, actor=name, filename=filename)
    else:
        result = b.submit(site().scenario, raw, name, actor=name, filename=filename)
    view = _upload_view(filename, raw, result)
    return _orders_page(view, 200 if result.accepted else 422)


@bp.get("/orders/<order_id>")
@role_required("shipper")
def order(order_id: str):
    o = own_order(order_id)
    return _order_page(o)


def _order_page(o: BookOrder, amend: AmendForm | None = None, problems: list[str] | None = None, status: int = 200):
    if amend is None:
        amend = AmendForm(
            formdata=None,
            version=o.version,
            site_id=o.site_id,
            product_id=o.product_id,
            quantity_kg=f"{o.quantity_kg:g}",
            ready_at=o.ready_at.strftime("%Y-%m-%d %H:%M"),
            must_serve=o.must_serve,
        )
    cancel = CancelForm(formdata=None, version=o.version)
    return (
        render_template(
            "order.html", o=o, history=book().history(o.order_id), amend=amend, cancel=cancel, problems=problems or []
        ),
        status,
    )


def _version(text: str | None) -> int:
    try:
        return int(text or "")
    except ValueError:
        abort(400, "the form has no valid order version: reload the page")


@bp.post("/orders/<order_id>/amend")
@role_required("shipper")
def amend(order_id: str):
    o = own_order(order_id)
    form = AmendForm()
    if not form.validate_on_submit():
        return _order_page(o, form, [f"{k}: {'; '.join(v)}" for k, v in form.errors.items()], 400)
    changes = {
        "site_id": form.site_id.data,
        "product_id": form.product_id.data,
        "quantity_kg": form.quantity_kg.data,
        "ready_at": form.ready_at.data,
        "must_serve": "yes" if form.must_serve.data else "no",
    }
    try:
        result = book().amend_order(site().scenario, o.order_id, changes, _name(), _version(form.version.data))
    except BookError as exc:
        return _order_page(o, form, [str(exc)], 409)
    if not result.accepted:
        return _order_page(o, form, [str(p) for p in result.problems], 422)
    flash(f"Order {o.order_id} amended." if result.amended else f"Order {o.order_id}: nothing changed.", "info")
    return redirect(url_for("shipper.order", order_id=o.order_id))


@bp.post("/orders/<order_id>/cancel")
@role_required("shipper")
def cancel(order_id: str):
    o = own_order(order_id)
    form = CancelForm()
    if not form.validate_on_submit():
        abort(400, "the cancel form was incomplete: reload the page")
    if o.state != "open":
        return _order_page(o, problems=[f"order {o.order_id} is {o.state}: only open orders can be cancelled here"],
                           status=409)  # fmt: skip
    try:
        book().cancel(o.order_id, _name(), form.reason.data or "", _version(form.version.data))
    except BookError as exc:
        return _order_page(o, problems=[str(exc)], status=409)
    flash(f"Order {o.order_id} cancelled.", "info")
    return redirect(url_for("shipper.orders"))


@bp.get("/notices/<int:plan_id>.csv")
@role_required("shipper")
def notice(plan_id: int):
    name = _name()
    plan = next((p for p in _notices(name) if p["plan_id"] == plan_id), None)
    if plan is None:
        abort(404)
    text = "\ufeff" + notice_csv(plan["day"], notice_rows(book(), plan_id, name))
    filename = f"notice-{plan['day']}-plan-{plan_id}-{notice_filename(name)}"
    return Response(
        text.encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f"attachment; filename=\"notice-{plan_id}.csv\"; filename*=UTF-8''{quote(filename)}"
        },
    )
