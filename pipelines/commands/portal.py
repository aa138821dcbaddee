"""`jembatan portal`: the agencies' web portal and API (waitress), and the steward's account commands.

    jembatan portal [--host 127.0.0.1] [--port 8080] [--inbox DIR] [--warehouse DIR]
    jembatan portal user add USERNAME --agency polda --office "Polres Bangka"   # password from standard input
    jembatan portal user password USERNAME                                     # a new password, from standard input
    jembatan portal user disable USERNAME | enable USERNAME
    jembatan portal user unlock USERNAME                                       # forget its failed logins
    jembatan portal user list
"""
from __future__ import annotations

import argparse
import getpass
import logging
import sys
from pathlib import Path

from schemas import SOURCES


def register(commands) -> None:
    portal = commands.add_parser("portal", help="serve the agencies' web portal and API; manage its accounts",
                                 description="Serve the agencies' web portal and API (default "
                                             "http://127.0.0.1:8080/), or manage its accounts (`portal user ...`).")
    _locations(portal)
    portal.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    portal.add_argument("--port", type=int, default=8080, help="port (default 8080; 0: any free port)")
    portal.add_argument("--threads", type=int, default=4, help="requests answered at once (default 4)")
    portal.set_defaults(func=serve)
    sub = portal.add_subparsers(dest="portal_command")
    user = sub.add_parser("user", help="add, disable, enable, unlock, list accounts; set a password")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    add = user_commands.add_parser("add", help="add an account (the password is read from standard input)")
    add.add_argument("username")
    add.add_argument("--agency", required=True, choices=SOURCES, help="the agency's inbox folder")
    add.add_argument("--office", required=True, help='the office, e.g. "Polres Bangka"')
    password = user_commands.add_parser("password", help="set a new password (read from standard input)")
    password.add_argument("username")
    for name, helptext in (("disable", "disable an account (its sessions end)"), ("enable", "enable it again"),
                           ("unlock", "forget an account's failed logins: it may log in at once")):
        command = user_commands.add_parser(name, help=helptext)
        command.add_argument("username")
    user_commands.add_parser("list", help="every account, its office and whether it is enabled")
    for command in (user, *user_commands.choices.values()):
        _locations(command, suppress=True)
    user.set_defaults(func=manage)


def _locations(parser, suppress: bool = False) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--inbox", default=default, help="inbox folder (default $JEMBATAN_INBOX or ./inbox)")
    parser.add_argument("--warehouse", default=default,
                        help="warehouse folder (default $JEMBATAN_WAREHOUSE or ./warehouse)")


def _paths(args) -> tuple[Path, Path]:
    from assets.paths import inbox_folder, warehouse_folder  # deferred: pandas and more; `jembatan --help` loads every command module
    inbox = inbox_folder(getattr(args, "inbox", None))
    warehouse = warehouse_folder(getattr(args, "warehouse", None))
    return inbox, warehouse


def _store(warehouse: Path):
    from pipelines.portal.secret import DATABASE_FILE, portal_dir, secret_key
    from pipelines.portal.store import PortalStore
    folder = portal_dir(warehouse)
    return PortalStore(folder / DATABASE_FILE, secret_key(folder))


def serve(args: argparse.Namespace) -> int:
    from waitress import create_server

    from pipelines.portal.app import Settings, create_app
    from pipelines.portal.secret import PortalRefused
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s",
                        stream=sys.stderr)
    inbox, warehouse = _paths(args)
    try:
        settings = Settings.from_env()
        app = create_app(inbox, warehouse, settings)
        server = create_server(app, host=args.host, port=args.port, threads=args.threads, ident="jembatan",
                               max_request_body_size=2 * settings.max_upload_bytes + 1024 * 1024,
                               clear_untrusted_proxy_headers=True, **slow_client_limits(settings))
    except ValueError as bad:          # a JEMBATAN_PORTAL_* variable that is not a number
        print(f"portal not started: {bad}", file=sys.stderr)
        return 2
    except (PortalRefused, OSError) as refused:     # e.g. the port is taken
        print(f"portal not started: {refused}", file=sys.stderr)
        return 2
    accounts = len(app.extensions["jembatan_portal"].store.users())
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"portal serving on http://{host}:{server.effective_port}/ (inbox {inbox}, warehouse {warehouse}, "
          f"{accounts} account(s){'; add one with `jembatan portal user add`' if not accounts else ''})", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        if syncs := app.extensions["jembatan_portal"].syncs:
            syncs.close()                  # the sync waiting to start exits without syncing
    return 0


def _read_password() -> str:
    """From the terminal without echo (asked twice), or the first line of standard input (a script)."""
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise SystemExit("the two passwords differ; nothing changed")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def manage(args: argparse.Namespace) -> int:
    from pipelines.portal.secret import PortalRefused
    from pipelines.portal.store import AccountError
    _, warehouse = _paths(args)
    try:
        store = _store(warehouse)
        if args.user_command == "list":
            users = store.users()
            print(f"{'username':<24} {'agency':<9} {'office':<30} {'enabled':<8} created")
            for u in users:
                print(f"{u.username:<24} {u.agency:<9} {u.office:<30} {'yes' if u.enabled else 'no':<8} {u.created_at}")
            if not users:
                print("(no account yet: jembatan portal user add USERNAME --agency polda --office \"Polres Bangka\")")
            return 0
        if args.user_command == "add":
            user = store.add_user(args.username, args.agency, args.office, _read_password())
            print(f"added {user.username} ({user.agency}, {user.office})")
        elif args.user_command == "password":
            user = store.set_password(args.username, _read_password())
            print(f"new password set for {user.username}; its sessions ended, its failed logins forgotten")
        elif args.user_command == "unlock":
            user, forgotten = store.unlock(args.username)
            print(f"unlocked {user.username}: {forgotten} failed login(s) forgotten")
        else:
            user = store.set_enabled(args.username, args.user_command == "enable")
            print(f"{args.user_command}d {user.username} ({user.agency}, {user.office})"
                  + ("; its sessions ended" if args.user_command == "disable" else ""))
    except (AccountError, PortalRefused) as refused:
        print(f"not done: {refused}", file=sys.stderr)
        return 2
    return 0


def slow_client_limits(settings) -> dict:
    """waitress's limits on slow and idle clients: a connection that sends nothing for
    JEMBATAN_PORTAL_REQUEST_SECONDS (default 30) is closed, its buffered body dropped before the portal
    sees it; up to 1,000 connections at once, so slow clients cannot take every place. waitress reads a
    body whole before the portal answers; an anonymous one is then refused unparsed (401)."""
    return {"channel_timeout": settings.request_seconds, "cleanup_interval": max(1, int(settings.request_seconds) // 2),
            "connection_limit": 1000}
