"""The SMTP conversation in a process of its own, so the worker builds the next mail meanwhile.

While the server reads a message and answers, the worker has nothing to do but wait, and the
next message is Python work (templates, MIME) that holds the interpreter's lock, so a thread
could not take it on without stalling the conversation it waits for (measured: no gain, see
docs/performance.md, "Delivery"). A child process can. It holds the `SmtpConnection`; the
worker writes it one message, builds the next, then reads what became of the first.

Nothing else changes: the worker records each outcome before it hands over the next
message, so at most one message is ever out and unrecorded, as before.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import pickle
import signal
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from app.core.config import Settings
from app.services.smtp_delivery import Outcome, SmtpConnection

log = logging.getLogger("alliance87.mail")

_HANG_UP = b"hang-up"
_CLOSE = b"close"
# A child that does not stop within this after being asked is stopped.
_STOP_SECONDS = 10.0


def _serve(pipe: Connection, settings: Settings) -> None:
    """The child: send what the worker writes, answer with each outcome, until told to stop."""
    # Ctrl-C at a terminal reaches the whole process group: the worker decides when to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    smtp = SmtpConnection(settings)
    try:
        while True:
            try:
                request = pipe.recv_bytes()
            except (EOFError, OSError):
                return  # the worker is gone
            if request == _CLOSE:
                return
            if request == _HANG_UP:
                smtp.hang_up()
                continue
            envelope_from, to_address, message = pickle.loads(request)  # noqa: S301 - ours
            pipe.send_bytes(pickle.dumps(smtp.deliver(envelope_from, to_address, message)))
    finally:
        smtp.hang_up()


class SmtpProcess:
    """`SmtpConnection`'s `start`/`finish`/`hang_up`/`close`, with the sending in a child."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._process: BaseProcess | None = None
        self._pipe: Connection | None = None

    def prepare(self) -> None:
        """Start the child now, so that it is ready by the time the first message is."""
        self._running()

    def _running(self) -> Connection:
        if self._pipe is None or self._process is None or not self._process.is_alive():
            self.close()
            # "spawn": a fresh interpreter, holding none of the worker's database connections.
            context = multiprocessing.get_context("spawn")
            ours, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(theirs, self.settings),
                                      name="alliance87-smtp", daemon=True)
            process.start()
            theirs.close()
            self._process, self._pipe = process, ours
        return self._pipe

    def start(self, envelope_from: str, to_address: str, message: bytes) -> None:
        """Hand the child one message; it is sending once this returns."""
        try:
            self._running().send_bytes(pickle.dumps((envelope_from, to_address, message)))
        except OSError:
            self.close()  # finish() reports the child gone

    def finish(self) -> Outcome:
        """Wait for what became of the message handed over last."""
        try:
            # Every step of the conversation is bounded by SMTP_TIMEOUT_SECONDS; a child
            # that has not answered long after that is stuck, and is stopped.
            patience = 10 * self.settings.smtp_timeout_seconds + 5
            if self._pipe is None or not self._pipe.poll(patience):
                raise EOFError
            outcome: Outcome = pickle.loads(self._pipe.recv_bytes())  # noqa: S301 - ours
        except (EOFError, OSError):
            # The server may or may not have taken it: it is tried again, as when a
            # worker dies after sending (docs/mail.md, "Exactly once").
            self.close()
            log.warning("the sending process stopped; the message is tried again")
            return Outcome("retry", "the sending process stopped", "ChildProcessError",
                           connection_lost=True)
        return outcome

    def hang_up(self) -> None:
        """Close the SMTP connection (the child stays, ready for the next message)."""
        if self._pipe is not None:
            try:
                self._pipe.send_bytes(_HANG_UP)
            except OSError:
                self.close()

    def close(self) -> None:
        """Stop the child, letting it say goodbye to the server."""
        pipe, process = self._pipe, self._process
        self._pipe = self._process = None
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.send_bytes(_CLOSE)
            pipe.close()
        if process is not None:
            process.join(_STOP_SECONDS)
            if process.is_alive():  # stuck: it is not waited for any longer
                process.kill()
                process.join()
