"""The portal's cost is bounded (issue 20, point 5), against a real `jembatan portal` (waitress) on
loopback: slow clients are dropped and never stop it answering, a long name is never a 500 and leaves
no temporary file, and guessing at an account from many addresses only delays its owner."""
from __future__ import annotations

import http.client
import socket
import time
import urllib.parse

import requests

from tests.portal_fixture import FIRST_ROWS, add_user, crime_workbook, make_world, portal_server

BANGKA = ("bangka", "kata-sandi-bangka-1")


def _slow_upload(url: str) -> socket.socket:
    """An anonymous client that starts a 10 MB upload and then sends nothing more."""
    parts = urllib.parse.urlsplit(url)
    client = socket.create_connection((parts.hostname, parts.port), timeout=120)
    client.sendall(b"POST /api/files HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                   b"Content-Length: 10000000\r\n\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; "
                   b"filename=\"a.xlsx\"\r\n\r\nPK")
    return client


def test_slow_anonymous_uploads_are_dropped_and_the_portal_answers_meanwhile(tmp_path):
    world = make_world(tmp_path)
    with portal_server(world, JEMBATAN_PORTAL_REQUEST_SECONDS="2") as url:
        slow = [_slow_upload(url) for _ in range(150)]
        try:
            answered = requests.get(f"{url}/login", timeout=60)
            assert answered.status_code == 200 and "password" in answered.text.lower()
            # The server closes a silent client: its socket reads the end (or a reset), nothing else.
            for client in slow[:5]:
                try:
                    assert client.recv(65536) == b""
                except ConnectionResetError:
                    pass
        finally:
            for client in slow:
                client.close()
    assert not [p for p in world.inbox.rglob("*") if p.is_file() and p.parent.name != "reference"]


def test_a_name_too_long_in_bytes_is_cut_and_leaves_no_temporary_file(tmp_path):
    world = make_world(tmp_path)
    add_user(world, BANGKA[0], "polda", "Polres Bangka", BANGKA[1])
    workbook = crime_workbook(tmp_path / "lp.xlsx", FIRST_ROWS)
    name = "Laporan " + "漢" * 100 + ".xlsx"                    # 100 characters: 300 bytes after the cut
    with portal_server(world) as url:
        session = requests.Session()
        token = session.post(f"{url}/api/login", data={"username": BANGKA[0], "password": BANGKA[1]},
                             timeout=60).json()["csrf_token"]
        for _ in range(3):
            sent = session.post(f"{url}/api/files", headers={"X-CSRFToken": token}, timeout=60,
                                files={"file": (name, workbook.read_bytes())})
            assert sent.status_code in (200, 202), sent.text        # never a 500
        files = sorted(p.name for p in (world.inbox / "polda").iterdir())
    assert len(files) == 1 and len(files[0].encode()) <= 255, files       # the same bytes once
    assert files[0].startswith("Laporan 漢") and files[0].endswith(".xlsx")


def _login_from(url: str, source: str, username: str, password: str) -> tuple[int, str | None]:
    """POST /api/login from the loopback address `source`: (status, Retry-After)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60, source_address=(source, 0))
    try:
        connection.request("POST", "/api/login", urllib.parse.urlencode({"username": username, "password": password}),
                           {"Content-Type": "application/x-www-form-urlencoded"})
        answer = connection.getresponse()
        return answer.status, answer.getheader("Retry-After")
    finally:
        connection.close()


def test_guessing_from_many_addresses_only_delays_the_owner(tmp_path):
    world = make_world(tmp_path)
    add_user(world, BANGKA[0], "polda", "Polres Bangka", BANGKA[1])
    log = tmp_path / "portal.log"
    with portal_server(world, log=log, JEMBATAN_PORTAL_USER_FAILURES="3") as url:
        for address in range(10, 16):                        # six addresses, three guesses each
            for _ in range(3):
                status, _ = _login_from(url, f"127.0.0.{address}", BANGKA[0], "tebakan-salah-123")
                assert status in (401, 429)
            assert _login_from(url, f"127.0.0.{address}", BANGKA[0], BANGKA[1])[0] == 429   # held there
        tries = []
        for _ in range(4):                                   # the owner, elsewhere: waits as told, then in
            status, retry = _login_from(url, "127.0.0.2", BANGKA[0], BANGKA[1])
            tries.append(status)
            if status == 200:
                break
            assert status == 429 and 1 <= int(retry) <= 60
            time.sleep(int(retry))
        assert tries[-1] == 200
    text = log.read_text()
    assert "(account here held" in text and "(account held" in text
