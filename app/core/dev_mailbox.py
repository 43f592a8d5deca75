"""A development mailbox: aiosmtpd catches mail on loopback, a small page lists it."""

from __future__ import annotations

import html
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# The caught mail is the portal's own, but its HTML is still shown with scripts refused.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@dataclass
class Mailbox:
    """The mail caught so far, newest last."""

    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        """Keep a message aiosmtpd received."""
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Caught for the development mailbox"


def _part(message: EmailMessage, kind: str) -> str:
    body = message.get_body((kind,))
    return body.get_content() if body is not None else ""


def _list_page(messages: list[EmailMessage]) -> str:
    rows = "".join(
        f'<tr><td>{html.escape(str(m["Date"] or ""))}</td><td>{html.escape(str(m["To"]))}</td>'
        f'<td><a href="/mail/{number}">{html.escape(str(m["Subject"]))}</a></td></tr>'
        for number, m in reversed(list(enumerate(messages)))
    )
    return (
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>Caught mail</title>'
        '<style>body{font-family:system-ui;margin:2rem}td{padding:.3rem .8rem}</style>'
        f"<h1>Mail the portal sent ({len(messages)})</h1>"
        "<p>Development only: nothing here left this machine. Newest first.</p>"
        f"<table><tr><th>Date</th><th>To</th><th>Subject</th></tr>{rows}</table>"
    )


def _mail_page(message: EmailMessage) -> str:
    heading = "".join(f"<p><b>{name}:</b> {html.escape(str(message[name] or ''))}</p>"
                      for name in ("From", "To", "Reply-To", "Subject"))
    text = html.escape(_part(message, "plain"))
    return (
        '<!doctype html><html lang="en"><meta charset="utf-8">'
        f"<title>{html.escape(str(message['Subject']))}</title>"
        f'<p><a href="/">All caught mail</a></p>{heading}<hr>{_part(message, "html")}'
        f"<hr><h2>Plain text</h2><pre>{text}</pre>"
    )


def _handler(mailbox: Mailbox) -> type[BaseHTTPRequestHandler]:
    class Pages(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            with mailbox.lock:
                messages = list(mailbox.messages)
            number = self.path.removeprefix("/mail/")
            if self.path == "/":
                self._send(200, _list_page(messages))
            elif number.isdigit() and int(number) < len(messages):
                self._send(200, _mail_page(messages[int(number)]))
            else:
                self._send(404, "<p>No such mail.</p>")

        def _send(self, status: int, page: str) -> None:
            body = page.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Security-Policy", _CSP)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # the console is for the portal's own lines

    return Pages


def serve_caught_mail(*, smtp_port: int, http_port: int) -> tuple[Any, ThreadingHTTPServer]:
    """Start catching mail on 127.0.0.1:smtp_port; return the catcher and the page's server."""
    from aiosmtpd.controller import Controller  # a development dependency

    mailbox = Mailbox()
    catcher = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    catcher.start()
    page = ThreadingHTTPServer(("127.0.0.1", http_port), _handler(mailbox))
    return catcher, page
