"""A development mailbox: aiosmtpd catches mail on loopback, a small page lists it."""

from __future__ import annotations

import base64
import html
import re
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, unquote

# The caught mail is the portal's own, but its HTML is still shown with scripts refused.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
# /mail/N, the page of one mail, and /mail/N/attachments/K, one of its files.
_MAIL_PATH = re.compile(r"/mail/(?P<mail>\d{1,9})(?:/attachments/(?P<file>\d{1,9}))?")


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


# A cid: reference in the HTML part, up to the quote or bracket that ends it.
_CID = re.compile(r"cid:([^\s\"'<>)]+)")


def _payload(part: EmailMessage) -> bytes:
    """Return a part's content as it was sent, its transfer encoding undone."""
    content = part.get_payload(decode=True)
    return content if isinstance(content, bytes) else b""


def _inline_images(message: EmailMessage) -> dict[str, EmailMessage]:
    """Return the parts the HTML shows as cid: references, by their Content-ID."""
    return {str(part["Content-ID"]).strip().strip("<>"): part for part in message.walk()
            if part["Content-ID"] and not part.is_multipart()}


def attachments(message: EmailMessage) -> list[EmailMessage]:
    """Return the message's files (a workshop's .ics), in order; inline images are not."""
    return [part for part in message.walk()
            if not part.is_multipart() and part.get_content_disposition() == "attachment"]


def _with_images_inline(page: str, message: EmailMessage) -> str:
    # The page's CSP allows images only as data: URIs, so cid: images are written in whole.
    images = _inline_images(message)

    def data_uri(found: re.Match[str]) -> str:
        part = images.get(unquote(found.group(1)))
        if part is None:
            return found.group(0)
        payload = base64.b64encode(_payload(part)).decode("ascii")
        return f"data:{part.get_content_type()};base64,{payload}"

    return _CID.sub(data_uri, page)


def _attachment_list(number: int, message: EmailMessage) -> str:
    files = attachments(message)
    if not files:
        return "<p>No attachments.</p>"
    items = "".join(
        f'<li><a href="/mail/{number}/attachments/{index}" download>'
        f"{html.escape(part.get_filename() or f'attachment-{index}')}</a> "
        f"({html.escape(part.get_content_type())}, "
        f"{len(_payload(part))} bytes)</li>"
        for index, part in enumerate(files))
    return f"<ul>{items}</ul>"


def _mail_page(number: int, message: EmailMessage) -> str:
    heading = "".join(f"<p><b>{name}:</b> {html.escape(str(message[name] or ''))}</p>"
                      for name in ("From", "To", "Reply-To", "Subject"))
    text = html.escape(_part(message, "plain"))
    return (
        '<!doctype html><html lang="en"><meta charset="utf-8">'
        f"<title>{html.escape(str(message['Subject']))}</title>"
        f'<p><a href="/">All caught mail</a></p>{heading}'
        f"<h2>Attachments</h2>{_attachment_list(number, message)}"
        f'<hr>{_with_images_inline(_part(message, "html"), message)}'
        f"<hr><h2>Plain text</h2><pre>{text}</pre>"
    )


def _handler(mailbox: Mailbox) -> type[BaseHTTPRequestHandler]:
    class Pages(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            with mailbox.lock:
                messages = list(mailbox.messages)
            found = _MAIL_PATH.fullmatch(self.path)
            if self.path == "/":
                self._send(200, _list_page(messages))
            elif found is None or int(found["mail"]) >= len(messages):
                self._send(404, "<p>No such mail.</p>")
            elif found["file"] is None:
                number = int(found["mail"])
                self._send(200, _mail_page(number, messages[number]))
            else:
                files = attachments(messages[int(found["mail"])])
                if int(found["file"]) >= len(files):
                    self._send(404, "<p>No such attachment.</p>")
                else:
                    self._send_file(files[int(found["file"])])

        def _send(self, status: int, page: str) -> None:
            self._respond(status, page.encode(), "text/html; charset=utf-8")

        def _send_file(self, part: EmailMessage) -> None:
            name = part.get_filename() or "attachment"
            self._respond(200, _payload(part), part.get_content_type(),
                          {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})

        def _respond(self, status: int, body: bytes, content_type: str,
                     headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Security-Policy", _CSP)
            self.send_header("X-Content-Type-Options", "nosniff")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
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
