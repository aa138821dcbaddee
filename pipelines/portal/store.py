"""The portal's account store: one SQLite file, <warehouse>/portal/portal.sqlite3 (0600).

Tables:
- `users`: one account per clerk (or agency system), belonging to an office of an agency (`agency` is the
  inbox folder: bps, koperasi, polda; `office` e.g. "Polres Bangka"); the password as an argon2id hash
  (argon2-cffi's defaults), never in clear; `enabled` (a disabled account cannot log in and its sessions end).
- `sessions`: server-side sessions, by the SHA-256 of the random id the session cookie carries, with when
  they started and were last used (idle and absolute expiry are checked here, so logging out or disabling an
  account ends a session even if its cookie was copied).
- `failures`: failed logins, keyed by an HMAC of the username or of the client address (neither stored in
  clear: a password typed into the username field never lands anywhere), for throttling.
- `uploads`: which office uploaded which content: sha256, the office, the name the file was given in the
  inbox folder (its agency report is found by it), the name on the clerk's computer, size, who and when.
  A clerk sees a file only through a row of their own office here.

Every call opens its own connection (the server answers on several threads).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from schemas import SOURCES

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD_LENGTH = 10
HASHER = PasswordHasher()
# Verified against when the username is unknown, so a wrong name costs the same time as a wrong password.
_DUMMY_HASH = HASHER.hash(secrets.token_hex(16))

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    agency TEXT NOT NULL,
    office TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created REAL NOT NULL,
    last_seen REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS failures (
    key TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS failures_key ON failures(key, at);
CREATE TABLE IF NOT EXISTS uploads (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,
    agency TEXT NOT NULL,
    office TEXT NOT NULL,
    file_name TEXT NOT NULL,
    original_name TEXT NOT NULL,
    size INTEGER NOT NULL,
    username TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    UNIQUE (agency, office, sha256)
);
"""


class AccountError(ValueError):
    """A steward's account command that cannot be done; the message says why."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    agency: str
    office: str
    enabled: bool
    created_at: str = ""


@dataclass(frozen=True)
class Upload:
    sha256: str
    agency: str
    office: str
    file_name: str          # the name in inbox/<agency>/ (what the sync reads and names its report by)
    original_name: str      # the name on the clerk's computer
    size: int
    username: str
    uploaded_at: str        # ISO 8601, UTC


def _now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def normalised_office(office: str) -> str:
    return " ".join(office.split())


class PortalStore:
    """The account store at `path` (created 0600 with its tables on first use); `secret` keys the HMACs
    of the throttling keys."""

    def __init__(self, path: Path, secret: bytes):
        self.path = path
        self._secret = secret
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        os.chmod(path, 0o600)
        with self._db() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def _db(self):
        """One connection, one transaction (committed on success, rolled back on an exception)."""
        with closing(sqlite3.connect(self.path, timeout=30)) as db:
            db.row_factory = sqlite3.Row
            with db:
                yield db

    # -- accounts (the steward's commands) -----------------------------------------------------------
    def add_user(self, username: str, agency: str, office: str, password: str) -> User:
        """A new enabled account. Raises AccountError for a bad or taken username, an unknown agency, an
        empty office or a password shorter than MIN_PASSWORD_LENGTH."""
        username = username.strip().lower()
        if not USERNAME.match(username):
            raise AccountError(f"username {username!r}: 3 to 64 characters, lower-case letters, digits, '.', '_' "
                               "or '-', starting with a letter or digit")
        if agency not in SOURCES:
            raise AccountError(f"agency {agency!r}: one of {', '.join(SOURCES)} (the inbox folder)")
        office = normalised_office(office)
        if not office:
            raise AccountError("office: give the office's name, e.g. \"Polres Bangka\"")
        check_password(password)
        with self._db() as db:
            # One spelling per office: "polres bangka" joins the existing "Polres Bangka".
            for row in db.execute("SELECT DISTINCT office FROM users WHERE agency = ?", (agency,)):
                if row["office"].casefold() == office.casefold():
                    office = row["office"]
            try:
                db.execute("INSERT INTO users (username, agency, office, password_hash, enabled, created_at, "
                           "changed_at) VALUES (?, ?, ?, ?, 1, ?, ?)",
                           (username, agency, office, HASHER.hash(password), _now_iso(), _now_iso()))
            except sqlite3.IntegrityError:
                raise AccountError(f"username {username!r} is taken") from None
        return self.user(username)

    def set_enabled(self, username: str, enabled: bool) -> User:
        """Enable or disable an account; disabling ends its sessions. Raises AccountError when unknown."""
        username = username.strip().lower()
        with self._db() as db:
            row = db.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()
            if row is None:
                raise AccountError(f"no account {username!r}")
            db.execute("UPDATE users SET enabled = ?, changed_at = ? WHERE id = ?", (int(enabled), _now_iso(), row["id"]))
            if not enabled:
                db.execute("DELETE FROM sessions WHERE user_id = ?", (row["id"],))
        return self.user(username)

    def set_password(self, username: str, password: str) -> User:
        """A new password; the account's sessions end and its failed logins are forgotten (unlock).
        Raises AccountError."""
        username = username.strip().lower()
        check_password(password)
        with self._db() as db:
            row = db.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()
            if row is None:
                raise AccountError(f"no account {username!r}")
            db.execute("UPDATE users SET password_hash = ?, changed_at = ? WHERE id = ?",
                       (HASHER.hash(password), _now_iso(), row["id"]))
            db.execute("DELETE FROM sessions WHERE user_id = ?", (row["id"],))
            _forget_account(db, self.throttle_key("user", username))
        return self.user(username)

    def unlock(self, username: str) -> tuple[User, int]:
        """Forget the account's failed logins, so it may log in at once: (the account, failures forgotten).
        Raises AccountError when unknown."""
        user = self.user(username)
        if user is None:
            raise AccountError(f"no account {username.strip().lower()!r}")
        with self._db() as db:
            gone = db.execute("SELECT COUNT(*) FROM failures WHERE key = ?",
                              (self.throttle_key("user", username),)).fetchone()[0]
            _forget_account(db, self.throttle_key("user", username))
        return user, gone

    def user(self, username: str) -> User | None:
        with self._db() as db:
            row = db.execute("SELECT * FROM users WHERE username = ?", (username.strip().lower(),)).fetchone()
        return _user(row) if row else None

    def users(self) -> list[User]:
        with self._db() as db:
            return [_user(r) for r in db.execute("SELECT * FROM users ORDER BY agency, office, username")]

    def verify(self, username: str, password: str) -> User | None:
        """The enabled account whose password this is, or None (an unknown name costs the same time)."""
        with self._db() as db:
            row = db.execute("SELECT * FROM users WHERE username = ?", (username.strip().lower(),)).fetchone()
        try:
            HASHER.verify(row["password_hash"] if row else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None or not row["enabled"]:
            return None
        if HASHER.check_needs_rehash(row["password_hash"]):
            with self._db() as db:
                db.execute("UPDATE users SET password_hash = ? WHERE id = ?", (HASHER.hash(password), row["id"]))
        return _user(row)

    # -- throttling ------------------------------------------------------------------------------------
    def throttle_key(self, kind: str, value: str) -> str:
        return hmac.new(self._secret, f"{kind}:{value.strip().lower()}".encode(), hashlib.sha256).hexdigest()

    def wait_seconds(self, limits: dict[str, int], window: float, now: float | None = None) -> float:
        """Seconds to wait before another login may be tried: for each throttle key with `limit` or more
        failures in the last `window` seconds, until the `limit`-th latest of them is `window` old; 0 when
        none is over its limit."""
        now = time.time() if now is None else now
        wait = 0.0
        with self._db() as db:
            db.execute("DELETE FROM failures WHERE at < ?", (now - window,))
            for key, limit in limits.items():
                times = [r["at"] for r in db.execute(
                    "SELECT at FROM failures WHERE key = ? AND at >= ? ORDER BY at DESC LIMIT ?",
                    (key, now - window, limit))]
                if len(times) >= limit:
                    wait = max(wait, times[-1] + window - now)
        return wait

    def pair_key(self, username: str, address: str) -> str:
        """The throttle key of one account tried from one address: the account's key, then the address's
        (so unlock forgets every address's failures of the account)."""
        return f"{self.throttle_key('user', username)}:{self.throttle_key('address', address)[:32]}"

    def account_delay(self, key: str, limit: int, window: float, longest: float, now: float | None = None) -> float:
        """Seconds an account must wait between tries once it has `limit` or more failures (from any
        address) in the last `window` seconds: 1 s after the limit, doubling with each failure past it, at
        most `longest` seconds after the latest failure. A delay, never a lockout: the right password is
        checked as soon as it has passed, so guessing from elsewhere cannot keep the account's owner out."""
        now = time.time() if now is None else now
        with self._db() as db:
            row = db.execute("SELECT COUNT(*) AS n, MAX(at) AS last FROM failures WHERE key = ? AND at >= ?",
                             (key, now - window)).fetchone()
        if row["n"] < limit:
            return 0.0
        return max(0.0, row["last"] + min(2.0 ** (row["n"] - limit), longest) - now)

    def record_failure(self, keys: list[str], now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._db() as db:
            db.executemany("INSERT INTO failures (key, at) VALUES (?, ?)", [(k, now) for k in keys])

    def clear_failures(self, key: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM failures WHERE key = ?", (key,))

    # -- sessions --------------------------------------------------------------------------------------
    def start_session(self, user: User) -> str:
        """A new session for `user`: the random id for the cookie (only its hash is stored)."""
        token = secrets.token_urlsafe(32)
        now = time.time()
        with self._db() as db:
            db.execute("INSERT INTO sessions (id_hash, user_id, created, last_seen) VALUES (?, ?, ?, ?)",
                       (_hash(token), user.id, now, now))
        return token

    def session_user(self, token: str, idle: float, lifetime: float) -> tuple[User | None, bool]:
        """(the enabled user of a live session, None otherwise; whether the session had just expired).
        A session unused for `idle` seconds or older than `lifetime` seconds is ended."""
        now = time.time()
        with self._db() as db:
            row = db.execute("SELECT s.created, s.last_seen, u.* FROM sessions s JOIN users u ON u.id = s.user_id "
                             "WHERE s.id_hash = ?", (_hash(token),)).fetchone()
            if row is None:
                return None, False
            if now - row["last_seen"] > idle or now - row["created"] > lifetime or not row["enabled"]:
                db.execute("DELETE FROM sessions WHERE id_hash = ?", (_hash(token),))
                return None, True
            if now - row["last_seen"] > 15:          # not a write on every request
                db.execute("UPDATE sessions SET last_seen = ? WHERE id_hash = ?", (now, _hash(token)))
            db.execute("DELETE FROM sessions WHERE last_seen < ? OR created < ?", (now - idle, now - lifetime))
        return _user(row), False

    def end_session(self, token: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE id_hash = ?", (_hash(token),))

    # -- uploads ---------------------------------------------------------------------------------------
    def record_upload(self, upload: Upload) -> None:
        with self._db() as db:
            db.execute("INSERT INTO uploads (sha256, agency, office, file_name, original_name, size, username, "
                       "uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (upload.sha256, upload.agency, upload.office, upload.file_name, upload.original_name,
                        upload.size, upload.username, upload.uploaded_at))

    def upload(self, agency: str, office: str, sha: str) -> Upload | None:
        """This office's upload of that content, or None (unknown, or another office's)."""
        with self._db() as db:
            row = db.execute("SELECT * FROM uploads WHERE agency = ? AND office = ? AND sha256 = ?",
                             (agency, office, sha)).fetchone()
        return _upload(row) if row else None

    def senders(self, sha: str) -> list[Upload]:
        """Every office's upload of that content (any agency folder), earliest first."""
        with self._db() as db:
            return [_upload(r) for r in db.execute("SELECT * FROM uploads WHERE sha256 = ? ORDER BY uploaded_at, id",
                                                   (sha,))]

    def uploads(self, agency: str, office: str | None = None) -> list[Upload]:
        """The office's uploads (every office of the agency when `office` is None), newest first."""
        query, args = "SELECT * FROM uploads WHERE agency = ?", [agency]
        if office is not None:
            query, args = query + " AND office = ?", [*args, office]
        with self._db() as db:
            return [_upload(r) for r in db.execute(query + " ORDER BY uploaded_at DESC, id DESC", args)]


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password: at least {MIN_PASSWORD_LENGTH} characters")
    if password != password.strip() or "\n" in password:
        raise AccountError("password: no spaces at its ends, no line breaks")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user(row: sqlite3.Row) -> User:
    return User(row["id"], row["username"], row["agency"], row["office"], bool(row["enabled"]), row["created_at"])


def _upload(row: sqlite3.Row) -> Upload:
    return Upload(row["sha256"], row["agency"], row["office"], row["file_name"], row["original_name"], row["size"],
                  row["username"], row["uploaded_at"])


def _forget_account(db, user_key: str) -> None:
    """Delete an account's failed logins: its own, and those of the account from each address."""
    db.execute("DELETE FROM failures WHERE key = ? OR substr(key, 1, ?) = ?", (user_key, len(user_key) + 1,
                                                                               user_key + ":"))
