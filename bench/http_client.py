"""A small HTTP client for the benchmark: one connection per request, like a browser's
first visit to a gunicorn sync worker, with the session cookie and the CSRF token kept."""

from __future__ import annotations

import http.client
import re
import time
from dataclasses import dataclass
from urllib.parse import urlencode

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    @property
    def queries(self) -> int | None:
        raw = self.headers.get("x-bench-queries")
        return int(raw) if raw is not None else None


class Browser:
    """Requests to one server, keeping its cookies; `login` signs in through the form."""

    def __init__(self, host: str, port: int, token: str | None = None) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.token = token
        self.csrf: str | None = None

    def request(
        self, method: str, path: str, form: dict | list | None = None, *, sink=None
    ) -> Reply:
        """One request; the whole body is read (into `sink` when given, a writable file)."""
        headers = {"Host": f"{self.host}:{self.port}", "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        body = None
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=900)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            if sink is None:
                data = response.read()
            else:
                data = b""
                while chunk := response.read(256 * 1024):
                    sink.write(chunk)
            seconds = time.perf_counter() - started
            reply_headers = {k.lower(): v for k, v in response.getheaders()}
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    cookie = value.split(";", 1)[0]
                    key, _, val = cookie.partition("=")
                    self.cookies[key.strip()] = val.strip()
        finally:
            connection.close()
        return Reply(response.status, reply_headers, data, seconds)

    def csrf_from(self, path: str) -> str:
        reply = self.request("GET", path)
        found = CSRF_INPUT.search(reply.body.decode("utf-8", "replace"))
        if found is None:
            raise RuntimeError(f"no CSRF token on {path} (status {reply.status})")
        self.csrf = found.group(1)
        return self.csrf

    def login(self, email: str, password: str) -> None:
        token = self.csrf_from("/auth/login")
        reply = self.request(
            "POST", "/auth/login", {"email": email, "password": password, "csrf_token": token}
        )
        if reply.status != 302:
            raise RuntimeError(f"sign-in as {email} failed with status {reply.status}")
        self.csrf = None  # a new session gets a new token
