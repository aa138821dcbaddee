"""The portal's Flask application: pages for clerks and a JSON API for agency systems, on the same accounts.

Sessions: Flask's signed cookie (`jembatan_portal`, HttpOnly, SameSite=Lax, Secure when
JEMBATAN_PORTAL_SECURE_COOKIE=1) carries a random session id whose hash is kept server-side (store.sessions),
so logging out, disabling an account or `idle_minutes` without a request ends the session whatever the
cookie. CSRF: Flask-WTF's CSRFProtect; every POST except `/api/login` carries the session's token (the form's
hidden `csrf_token`, or the `X-CSRFToken` header that API clients get from `/api/login`). `/api/login` has no
token to carry yet. Every POST a browser sends from another site's page (an `Origin` header naming another
host) is refused (403), the login too, so no other site can log a browser in.

Pages: /login, /files (upload and list), /files/<sha256> (the answer), /files/<sha256>/report.xlsx,
/templates, /templates/<dataset>.xlsx, POST /logout. API: POST /api/login, POST /api/logout, GET and POST
/api/files, GET /api/files/<sha256>, GET /api/files/<sha256>/report.xlsx. An office's files only: another
office's sha256 answers 404 like an unknown one. Without a session: 401 (JSON for the API; pages redirect to
the login page, a form sent after the session ended answers 401).
"""
from __future__ import annotations

import datetime as dt
import io
import logging
import math
import os
import re
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import (Flask, abort, flash, g, get_flashed_messages, jsonify, redirect, render_template, request,
                   send_file, session, url_for)
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.routing import BaseConverter

from assets.ingest.decisions import KINDS as DECISION_KINDS
from assets.ingest.report import SEVERITY_ID, SKIPPED_REASON, STATUS_ID, SUMMARY_LABELS, report_workbook
from assets.ingest.template import build_template
from assets.paths import Paths
from assets.privacy import scrub
from pipelines.commands.template import current_villages
from pipelines.portal import drop
from pipelines.portal.answers import Others, answer, other_names
from pipelines.portal.i18n import LANGUAGES, text
from pipelines.portal.secret import DATABASE_FILE, portal_dir, secret_key
from pipelines.portal.store import PortalStore, Upload, User
from pipelines.portal import sync_runs
from pipelines.portal.sync_runs import SyncRunner
from schemas import DATASETS, datasets_for_source

log = logging.getLogger("jembatan.portal")
JAKARTA = ZoneInfo("Asia/Jakarta")
AGENCY_NAMES = {"bps": "BPS", "koperasi": "Dinas Koperasi dan UKM", "polda": "Polda / Polres"}


def _env_number(name: str, default: float) -> float:
    """The number in variable `name` (default when unset). Raises ValueError naming the variable."""
    value = os.environ.get(name, "").strip()
    try:
        return float(value) if value else float(default)
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a number") from None


@dataclass(frozen=True)
class Settings:
    """The portal's limits, each from its JEMBATAN_PORTAL_* variable (defaults in brackets)."""
    idle_minutes: float = 30            # JEMBATAN_PORTAL_IDLE_MINUTES: a session unused this long ends
    session_hours: float = 12           # JEMBATAN_PORTAL_SESSION_HOURS: and any session this old
    max_upload_mb: float = 20           # JEMBATAN_PORTAL_MAX_UPLOAD_MB: largest file accepted
    user_failures: int = 5              # JEMBATAN_PORTAL_USER_FAILURES: failed logins per username ...
    address_failures: int = 20          # JEMBATAN_PORTAL_ADDRESS_FAILURES: ... and per client address ...
    lockout_minutes: float = 15         # JEMBATAN_PORTAL_LOCKOUT_MINUTES: ... within this window, then wait
    secure_cookie: bool = False         # JEMBATAN_PORTAL_SECURE_COOKIE=1 behind HTTPS
    proxies: int = 0                    # JEMBATAN_PORTAL_PROXIES: reverse proxies in front (client address)
    request_seconds: float = 30         # JEMBATAN_PORTAL_REQUEST_SECONDS: a client silent this long is dropped

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(idle_minutes=_env_number("JEMBATAN_PORTAL_IDLE_MINUTES", cls.idle_minutes),
                   session_hours=_env_number("JEMBATAN_PORTAL_SESSION_HOURS", cls.session_hours),
                   max_upload_mb=_env_number("JEMBATAN_PORTAL_MAX_UPLOAD_MB", cls.max_upload_mb),
                   user_failures=int(_env_number("JEMBATAN_PORTAL_USER_FAILURES", cls.user_failures)),
                   address_failures=int(_env_number("JEMBATAN_PORTAL_ADDRESS_FAILURES", cls.address_failures)),
                   lockout_minutes=_env_number("JEMBATAN_PORTAL_LOCKOUT_MINUTES", cls.lockout_minutes),
                   secure_cookie=os.environ.get("JEMBATAN_PORTAL_SECURE_COOKIE", "") in ("1", "true", "yes"),
                   proxies=int(_env_number("JEMBATAN_PORTAL_PROXIES", cls.proxies)),
                   request_seconds=_env_number("JEMBATAN_PORTAL_REQUEST_SECONDS", cls.request_seconds))

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)


class ShaConverter(BaseConverter):
    """A content fingerprint in a URL: 64 hex digits (read in lower case), nothing else."""
    regex = "[0-9a-fA-F]{64}"

    def to_python(self, value: str) -> str:
        return value.lower()


PUBLIC_ENDPOINTS = {"login", "api_login", "static"}
ACCOUNT_DELAY_SECONDS = 60          # the longest wait between two tries of an account guessed at


@dataclass
class Portal:
    """What the views share: where the inbox and warehouse are, the account store, the limits."""
    inbox: Path
    warehouse: Path
    store: PortalStore
    settings: Settings
    upload_lock: threading.Lock = field(default_factory=threading.Lock)
    syncs: SyncRunner | None = None       # an upload starts a sync (sync_runs.py); None: JEMBATAN_PORTAL_SYNC=0


def create_app(inbox: Path, warehouse: Path, settings: Settings | None = None) -> Flask:
    """The portal for `inbox` and `warehouse` (as `jembatan sync` uses them). Creates <warehouse>/portal/
    (0700) with its secret key and account store on first start. Raises secret.PortalRefused."""
    settings = settings or Settings.from_env()
    folder = portal_dir(warehouse)
    key = secret_key(folder)
    portal = Portal(inbox, warehouse, PortalStore(folder / DATABASE_FILE, key), settings,
                    syncs=SyncRunner(inbox, warehouse) if sync_runs.enabled() else None)
    for agency in AGENCY_NAMES:
        drop.clear_stale_temps(inbox / agency)

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=key, SESSION_COOKIE_NAME="jembatan_portal", SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=settings.secure_cookie,
        # The body is a file plus the form's few fields; drop.receive holds the file itself to the limit.
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + 64 * 1024,
        WTF_CSRF_CHECK_DEFAULT=False,        # checked in _guard, after the session (401 before 400)
        WTF_CSRF_TIME_LIMIT=None,            # a token lives as long as its session (which expires itself)
        # Behind HTTPS Flask-WTF would also demand a same-site Referer, which API clients do not send; the
        # guard refuses cross-site POSTs by their Origin header instead (browsers always send it on a POST).
        WTF_CSRF_SSL_STRICT=False,
    )
    if settings.proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxies, x_proto=settings.proxies,
                                x_host=settings.proxies)
    app.url_map.converters["sha"] = ShaConverter
    app.extensions["jembatan_portal"] = portal
    csrf = CSRFProtect(app)
    _register_guard(app, portal, csrf)
    _register_pages(app, portal)
    _register_api(app, portal)
    _register_errors(app)
    return app


# -- the guard: language, session, CSRF, headers -------------------------------------------------------
def _is_api() -> bool:
    return request.path.startswith("/api/")


def lang() -> str:
    return session.get("lang", "id") if session.get("lang") in LANGUAGES else "id"


def t(key: str, **fill) -> str:
    return text(key, lang(), **fill)


def _register_guard(app: Flask, portal: Portal, csrf: CSRFProtect) -> None:
    idle = portal.settings.idle_minutes * 60
    lifetime = portal.settings.session_hours * 3600

    @app.before_request
    def _guard():
        if request.args.get("lang") in LANGUAGES:
            session["lang"] = request.args["lang"]
        g.user = None
        if sid := session.get("sid"):
            g.user, expired = portal.store.session_user(sid, idle, lifetime)
            if g.user is None:
                session.pop("sid", None)
                if expired and not _is_api():
                    flash(t("session_expired"), "error")
        if request.endpoint not in PUBLIC_ENDPOINTS and g.user is None:
            if _is_api():
                return jsonify(error="login_required", message="log in first: POST /api/login"), 401
            if request.method == "GET":
                if not any(c == "error" for c, _ in session.get("_flashes", [])):
                    flash(t("login_required"), "error")
                return redirect(url_for("login", next=request.full_path.rstrip("?")))
            return render_template("message.html", message=t("login_required"), status=401), 401
        if request.method == "POST":
            if _cross_site():
                if _is_api():
                    return jsonify(error="cross_site", message="a request from another site's page is refused"), 403
                return render_template("message.html", message=t("csrf_failed"), status=403), 403
            if request.endpoint != "api_login":
                csrf.protect()

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                                    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.context_processor
    def _words():
        return {"t": t, "lang": lang(), "user": g.get("user"), "agency_names": AGENCY_NAMES,
                "status_label": status_label, "wib": wib, "settings": portal.settings,
                "dataset_title": dataset_title,
                "messages": get_flashed_messages(with_categories=True)}


def status_label(status: str) -> str:
    if status in ("waiting", "gone"):
        return t(f"status_{status}")
    return STATUS_ID.get(status, status) if lang() == "id" else status.replace("_", " ")


def dataset_title(names: list[str]) -> str:
    """The datasets' names as the agency calls them (in English: their descriptions)."""
    return "; ".join((DATASETS[n].title_id if lang() == "id" else DATASETS[n].description) if n in DATASETS else n
                     for n in names or [])


def wib(iso: str) -> str:
    """An ISO time (UTC) as Jakarta time, "2026-11-30 07:31 WIB"."""
    try:
        return dt.datetime.fromisoformat(iso).astimezone(JAKARTA).strftime("%Y-%m-%d %H:%M WIB")
    except (TypeError, ValueError):
        return iso or ""


def client_address() -> str:
    return request.remote_addr or "unknown"


# -- logging in ----------------------------------------------------------------------------------------
def _attempt_login(portal: Portal, username: str, password: str) -> tuple[User | None, float]:
    """(the user, 0) on success; (None, seconds to wait) when throttled; (None, 0) on a wrong login.

    The policy (README "The agencies' portal"), checked in this order, no password hash spent on a held
    try: an address with too many failures (someone guessing names) is held first, every login from it;
    one account tried from one address too often is held there; an account with too many failures from
    everywhere is delayed, never locked: 1 s between tries, doubling to at most ACCOUNT_DELAY_SECONDS, so
    its owner logs in from another address after a short wait however many addresses guess at it."""
    settings, store = portal.settings, portal.store
    address = client_address()
    user_key, address_key = store.throttle_key("user", username), store.throttle_key("address", address)
    pair_key = store.pair_key(username, address)
    window = settings.lockout_minutes * 60
    known = store.user(username) if username else None
    who = f"user {known.username}" if known else "an unknown username"
    held = {"address": store.wait_seconds({address_key: settings.address_failures}, window)}
    if not held["address"]:
        held["account here"] = store.wait_seconds({pair_key: settings.user_failures}, window)
    if not any(held.values()):
        held["account"] = store.account_delay(user_key, settings.user_failures, window, ACCOUNT_DELAY_SECONDS)
    if wait := max(held.values()):
        reason = next(name for name, seconds in held.items() if seconds)
        log.warning("login throttled for %s from %s (%s held, %.0f s to wait)", who, address, reason, wait)
        return None, wait
    user = store.verify(username, password) if username and password else None
    if user is None:
        store.record_failure([user_key, address_key, pair_key])
        log.warning("login failed for %s from %s", who, address)
        return None, 0
    store.clear_failures(pair_key)
    chosen = session.get("lang")
    session.clear()                      # a new session (and CSRF token): none carried over from before login
    session["sid"] = store.start_session(user)
    if chosen:
        session["lang"] = chosen
    log.info("login: user %s (%s, %s) from %s", user.username, user.agency, user.office, client_address())
    return user, 0


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never another host) to go to after logging in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("files")


# -- uploads -------------------------------------------------------------------------------------------
def _take_upload(portal: Portal, user: User) -> tuple[Upload, bool]:
    """The request's `file` written into the user's agency folder (drop.py) and recorded for the office:
    (the upload, True), or the office's earlier upload of the same content, not written again: (it, False).
    Raises drop.UploadRefused."""
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        raise drop.UploadRefused("no_file")
    name = drop.inbox_name(scrub(sent.filename))       # NIK- and phone-shaped numbers never reach the inbox
    original = scrub(Path(sent.filename.replace("\\", "/")).name[:200])
    received = drop.receive(portal.inbox / user.agency, sent.stream, portal.settings.max_upload_bytes)
    try:
        return _record_upload(portal, user, received, name, original)
    finally:
        drop.discard(received)           # its temporary name, whatever happened (placed: already gone)


def _record_upload(portal: Portal, user: User, received: drop.Received, name: str,
                   original: str) -> tuple[Upload, bool]:
    with portal.upload_lock:
        if earlier := portal.store.upload(user.agency, user.office, received.sha256):
            drop.discard(received)
            return earlier, False
        final = drop.place(received, name)
        upload = Upload(received.sha256, user.agency, user.office, final.name, original, received.size,
                        user.username, dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
        try:
            portal.store.record_upload(upload)
        except sqlite3.Error:
            final.unlink(missing_ok=True)
            raise
    log.info("upload: user %s (%s, %s) sent %s (%d bytes, sha256 %s)", user.username, user.agency, user.office,
             final.name, upload.size, upload.sha256)
    if portal.syncs is not None:
        portal.syncs.request(f"upload {upload.sha256[:12]}", placed=final)
    return upload, True


def _own(portal: Portal, sha: str) -> Upload:
    """The signed-in office's upload of `sha`; 404 otherwise (unknown and another office's alike)."""
    upload = portal.store.upload(g.user.agency, g.user.office, sha)
    if upload is None:
        abort(404)
    return upload


def _answer(portal: Portal, upload: Upload, own: list[Upload] | None = None, others: Others | None = None):
    own = own if own is not None else portal.store.uploads(g.user.agency, g.user.office)
    return answer(portal.inbox, portal.warehouse, upload, own, others, portal.store.senders(upload.sha256))


def _listing(portal: Portal) -> list[tuple[Upload, object]]:
    own = portal.store.uploads(g.user.agency, g.user.office)
    others = other_names(portal.warehouse, own)
    return [(u, _answer(portal, u, own, others)) for u in own]


def _workbook(portal: Portal, sha: str):
    """The report workbook as the sync wrote it, or, when it names another office's file, the same
    workbook written from the report as the office may see it (assets.ingest.report.report_workbook)."""
    upload = _own(portal, sha)
    found = _answer(portal, upload)
    if found.workbook is None:
        abort(404)
    name = f"laporan_{Path(upload.file_name).stem}_{sha[:12]}.xlsx"
    source = found.workbook
    if found.rewritten is not None:
        source = io.BytesIO()
        report_workbook(found.rewritten, source)
        source.seek(0)
    return send_file(source, as_attachment=True, download_name=name, mimetype=XLSX)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# -- pages ---------------------------------------------------------------------------------------------
def _register_pages(app: Flask, portal: Portal) -> None:
    @app.get("/")
    def home():
        return redirect(url_for("files"))

    @app.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "GET":
            return render_template("login.html", next=request.args.get("next", ""))
        user, wait = _attempt_login(portal, request.form.get("username", ""), request.form.get("password", ""))
        if user:
            return redirect(_safe_next(request.form.get("next")))
        if wait:
            message = t("login_throttled", minutes=max(1, math.ceil(wait / 60)))
            response = app.make_response((render_template("login.html", error=message,
                                                           next=request.form.get("next", "")), 429))
            response.headers["Retry-After"] = str(math.ceil(wait))
            return response
        return render_template("login.html", error=t("login_failed"), next=request.form.get("next", "")), 401

    @app.post("/logout")
    def logout():
        portal.store.end_session(session.get("sid", ""))
        keep = session.get("lang")
        session.clear()
        if keep:
            session["lang"] = keep
        flash(t("logged_out"), "info")
        return redirect(url_for("login"))

    @app.get("/files")
    def files():
        return render_template("files.html", listing=_listing(portal))

    @app.post("/files")
    def upload():
        try:
            sent, new = _take_upload(portal, g.user)
        except drop.UploadRefused as refused:
            flash(_refusal_text(refused, portal), "error")
            return render_template("files.html", listing=_listing(portal)), _refusal_status(refused)
        flash(t("uploaded" if new else "uploaded_again", name=sent.file_name), "info")
        return redirect(url_for("file_answer", sha=sent.sha256))

    @app.get("/files/<sha:sha>")
    def file_answer(sha):
        upload = _own(portal, sha)
        found = _answer(portal, upload)
        own = portal.store.uploads(g.user.agency, g.user.office)
        return render_template("answer.html", upload=upload, answer=found, labels=SUMMARY_LABELS,
                               own_names={u.sha256: u.file_name for u in own},
                               severity_id=SEVERITY_ID, skipped_id={k: v[0] for k, v in SKIPPED_REASON.items()},
                               decision_kinds=DECISION_KINDS)

    @app.get("/files/<sha:sha>/report.xlsx")
    def file_workbook(sha):
        return _workbook(portal, sha)

    @app.get("/templates")
    def templates():
        return render_template("templates.html", datasets=datasets_for_source(g.user.agency))

    @app.get("/templates/<name>.xlsx")
    def template(name):
        dataset = DATASETS.get(name)
        if dataset is None or dataset.source != g.user.agency:
            abort(404)
        out = io.BytesIO()
        build_template(dataset, current_villages(Paths(portal.inbox, portal.warehouse))).save(out)
        out.seek(0)
        return send_file(out, as_attachment=True, download_name=f"{name}_template.xlsx", mimetype=XLSX)


def _refusal_text(refused: drop.UploadRefused, portal: Portal) -> str:
    return t(refused.code, detail=refused.detail, mb=f"{portal.settings.max_upload_mb:g}")


def _refusal_status(refused: drop.UploadRefused) -> int:
    return {"too_large": 413, "unsupported_type": 415}.get(refused.code, 400)


# -- API -----------------------------------------------------------------------------------------------
def _listed(upload: Upload, found) -> dict:
    report = found.report or {}
    return {"sha256": upload.sha256, "file_name": upload.file_name, "original_name": upload.original_name,
            "size": upload.size, "uploaded_at": upload.uploaded_at, "uploaded_by": upload.username,
            "status": found.status, "superseded_by": report.get("superseded_by") or "",
            **{k: report.get(k) for k in ("dataset", "rows_read", "rows_accepted", "rows_rejected", "cells_flagged")}}


def _api_answer(upload: Upload, found):
    if found.report is None:
        return {"sha256": upload.sha256, "file_name": upload.file_name, "status": found.status}
    return found.report


def _cross_site() -> bool:
    """A browser's request from a page of another site (its Origin names another host)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}" != request.host_url.rstrip("/")


def _register_api(app: Flask, portal: Portal) -> None:
    @app.post("/api/login")
    def api_login():
        user, wait = _attempt_login(portal, request.form.get("username", ""), request.form.get("password", ""))
        if user:
            return jsonify(username=user.username, agency=user.agency, office=user.office,
                           csrf_token=generate_csrf())
        if wait:
            response = jsonify(error="throttled", retry_after=math.ceil(wait),
                               message=text("login_throttled", "en", minutes=max(1, math.ceil(wait / 60))))
            response.status_code = 429
            response.headers["Retry-After"] = str(math.ceil(wait))
            return response
        return jsonify(error="login_failed", message=text("login_failed", "en")), 401

    @app.post("/api/logout")
    def api_logout():
        portal.store.end_session(session.get("sid", ""))
        session.clear()
        return jsonify(status="logged_out")

    @app.get("/api/files")
    def api_files():
        return jsonify(office=g.user.office, agency=g.user.agency,
                       files=[_listed(u, found) for u, found in _listing(portal)])

    @app.post("/api/files")
    def api_upload():
        try:
            sent, new = _take_upload(portal, g.user)
        except drop.UploadRefused as refused:
            return jsonify(error=refused.code, message=text(refused.code, "en", detail=refused.detail,
                                                            mb=f"{portal.settings.max_upload_mb:g}")), \
                _refusal_status(refused)
        found = _answer(portal, sent)
        return jsonify(_api_answer(sent, found)), 202 if found.report is None else 200

    @app.get("/api/files/<sha:sha>")
    def api_file(sha):
        upload = _own(portal, sha)
        return jsonify(_api_answer(upload, _answer(portal, upload)))

    @app.get("/api/files/<sha:sha>/report.xlsx")
    def api_file_workbook(sha):
        return _workbook(portal, sha)


# -- errors --------------------------------------------------------------------------------------------
def _register_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error):
        if _is_api():
            return jsonify(error="csrf", message=f"{error.description} Send the X-CSRFToken header that "
                                                 "POST /api/login returned."), 400
        return render_template("message.html", message=t("csrf_failed"), status=400), 400

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(error):
        portal = app.extensions["jembatan_portal"]
        mb = f"{portal.settings.max_upload_mb:g}"
        if _is_api():
            return jsonify(error="too_large", message=text("too_large", "en", mb=mb)), 413
        return render_template("message.html", message=t("too_large", mb=mb), status=413), 413

    @app.errorhandler(HTTPException)
    def _http(error):
        if _is_api():
            return jsonify(error=re.sub(r"\W+", "_", error.name.lower()), message=error.description), error.code
        message = t("not_found") if error.code == 404 else error.description
        return render_template("message.html", message=message, status=error.code), error.code
