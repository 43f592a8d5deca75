"""Talking to the SMTP server: connecting as the settings say, and what its refusals mean."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from typing import Protocol

from app.core.config import Settings

DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one message: sent, to try again, or failed for good."""

    status: str  # "sent", "retry" or "failed"
    error: str = ""
    # For the log: an SMTP code or an exception's name, never an address.
    label: str = ""
    # The connection cannot be trusted any more: the rest of the batch waits too.
    connection_lost: bool = False


def connect(settings: Settings) -> smtplib.SMTP:
    # `timeout` bounds the connection and every command's answer, so a server that
    # accepts and then says nothing costs at most one timeout.
    assert settings.smtp_host is not None
    timeout = settings.smtp_timeout_seconds
    port = settings.smtp_port or DEFAULT_PORTS[settings.smtp_security]
    if settings.smtp_security == "tls":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.smtp_host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(settings.smtp_host, port, timeout=timeout)
    try:
        if settings.smtp_security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


class Courier(Protocol):
    """Takes one message at a time to the server: `start` hands it over, `finish` tells
    what became of it; `hang_up` closes the connection while idle, `close` for good."""

    def start(self, envelope_from: str, to_address: str, message: bytes) -> None: ...
    def finish(self) -> Outcome: ...
    def hang_up(self) -> None: ...
    def close(self) -> None: ...


class SmtpConnection:
    """One connection to the SMTP server: opened for the first message, then kept.

    The worker keeps it from one batch to the next while there is mail to send, so a
    server behind TLS and a login is not greeted again every few messages. After a lost
    connection it is dropped, and the next message opens a new one.

    A message is handed over in two steps, `start` and `finish`, as `SmtpProcess` does it;
    here `finish` does the sending.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        self._started: tuple[str, str, bytes] | None = None

    def deliver(self, envelope_from: str, to_address: str, message: bytes) -> Outcome:
        """Hand one message for one recipient to the server; return what became of it."""
        try:
            if self._smtp is None:
                self._smtp = connect(self.settings)
            self._smtp.sendmail(envelope_from, [to_address], message)
        except (smtplib.SMTPException, OSError, ValueError) as error:
            outcome = classify(error)
            if outcome.connection_lost:
                self.drop()
            return outcome
        except Exception as error:
            # Anything else is this message's own doing: it fails alone, and the
            # conversation, left who knows where, starts again for the next one.
            self.drop()
            return Outcome("failed", describe(error)[:2000], type(error).__name__)
        return Outcome("sent")

    def start(self, envelope_from: str, to_address: str, message: bytes) -> None:
        self._started = (envelope_from, to_address, message)

    def finish(self) -> Outcome:
        assert self._started is not None, "finish() without start()"
        started, self._started = self._started, None
        return self.deliver(*started)

    def drop(self) -> None:
        """Forget a connection that cannot be trusted any more, without a goodbye."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()

    def hang_up(self) -> None:
        """Say goodbye to the server and close the connection, if one is open."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    close = hang_up


def describe(error: BaseException) -> str:
    """Say what went wrong, for staff: the server's answer, or the error's name and text."""
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode(errors="replace") if isinstance(
            error.smtp_error, bytes) else str(error.smtp_error)
        return f"{error.smtp_code} {text}".strip()
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{code} {reply.decode(errors='replace')}" for code, reply in error.recipients.values()
        )
    return f"{type(error).__name__}: {error}".strip().rstrip(":")


def classify(error: BaseException) -> Outcome:
    """Sort a delivery error into temporary (try again later) or permanent (give up)."""
    described = describe(error)[:2000]
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in error.recipients.values()]
        permanent = bool(codes) and all(500 <= code < 600 for code in codes)
        label = f"SMTP {codes[0]}" if codes else "SMTP"
        return Outcome("failed" if permanent else "retry", described, label)
    if isinstance(error, smtplib.SMTPAuthenticationError | smtplib.SMTPConnectError):
        # Our settings or the server are at fault, not this message: try again later.
        return Outcome("retry", described, f"SMTP {error.smtp_code}", connection_lost=True)
    if isinstance(error, ValueError | smtplib.SMTPNotSupportedError):
        # The message itself cannot be written out, or this server cannot take it (an
        # address that needs SMTPUTF8): the others in the batch are not at fault.
        return Outcome("failed", described, type(error).__name__)
    if isinstance(error, smtplib.SMTPResponseException):
        label = f"SMTP {error.smtp_code}"
        if 500 <= error.smtp_code < 600:
            return Outcome("failed", described, label)
        return Outcome("retry", described, label, connection_lost=error.smtp_code == 421)
    # Refused, timed out, disconnected, TLS trouble: the server, not the message.
    return Outcome("retry", described, type(error).__name__, connection_lost=True)
