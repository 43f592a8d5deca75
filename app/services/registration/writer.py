"""One submission, from the form or the API: idempotent, deadline-checked, stored once."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.core.db import begin_write, is_database_busy, new_session
from app.schemas.registration import RegistrationCreate
from app.services import idempotency
from app.services.registration.batching import Batcher
from app.services.registration.receipt import (
    Accepted,
    CallClosed,
    DuplicateRegistration,
    NewRegistration,
    Refusal,
    receipt_json,
)
from app.services.registration.store import PreparedRegistration, prepare_registration, register_all

log = logging.getLogger("app.submissions")


@dataclass(slots=True)
class Submission:
    """A checked registration as it arrived, with its rows made and ready to store."""

    prepared: PreparedRegistration
    now: dt.datetime
    idempotency_key: str | None
    request_fingerprint: str

    @classmethod
    def of(
        cls,
        data: RegistrationCreate,
        *,
        now: dt.datetime,
        idempotency_key: str | None,
        request_fingerprint: str,
    ) -> Submission:
        return cls(prepare_registration(data, now=now), now, idempotency_key, request_fingerprint)


def _store_all(session: Session, batch: list[Submission]) -> list[Accepted | Refusal]:
    """Store submissions in the session's writing transaction, in the order they came.

    A refusal (late, a duplicate) comes before anything of its submission is written.
    """
    replays = [_first_answer(session, submission) for submission in batch]
    fresh = [s for s, replay in zip(batch, replays, strict=True) if replay is None]
    stored = iter(register_all(session=session, batch=[s.prepared for s in fresh]))
    outcomes: list[Accepted | Refusal] = []
    # In order, so that a retry behind its first attempt in the same batch finds its answer.
    for submission, replay in zip(batch, replays, strict=True):
        if replay is not None:
            outcomes.append(replay)
            continue
        registration = next(stored)
        if isinstance(registration, DuplicateRegistration):
            # A retry racing its own first attempt loses on the unique index. The first
            # attempt was stored before it (earlier in this batch, or committed), so its
            # answer is there to give back.
            outcomes.append(_first_answer(session, submission) or registration)
        elif isinstance(registration, CallClosed):
            outcomes.append(registration)
        else:
            outcomes.append(_accepted(session, submission, registration))
    return outcomes


def _first_answer(session: Session, submission: Submission) -> Accepted | None:
    if not submission.idempotency_key:
        return None
    stored = idempotency.find_answer(
        session=session,
        key=submission.idempotency_key,
        request_fingerprint=submission.request_fingerprint,
    )
    return Accepted(stored.body, replayed=True) if stored is not None else None


def _accepted(session: Session, submission: Submission, registration: NewRegistration) -> Accepted:
    receipt = receipt_json(registration)
    if submission.idempotency_key:
        idempotency.remember_answer(
            session=session,
            key=submission.idempotency_key,
            request_fingerprint=submission.request_fingerprint,
            answer=idempotency.StoredAnswer(201, receipt),
            now=submission.now,
        )
    return Accepted(receipt)


class RegistrationWriter:
    """Store submissions that arrive together in one transaction: a group commit.

    During the deadline rush the write lock and the commit are what a registration waits
    for, so each batch takes them once for all. A refusal (late, duplicate) answers only
    its own submission. Anything else that goes wrong undoes the batch, which is then
    stored one submission per transaction, so that each gets its own true answer.
    """

    def __init__(
        self, open_session: Callable[[], AbstractContextManager[Session]] = new_session
    ) -> None:
        # Also how pages read the deadline (`deadline.displayed_deadline_async`): tests give the
        # writer their own session, and pages then see what the test stored.
        self.open_session = open_session
        self._batcher: Batcher[Submission, Accepted] = Batcher(self.store_batch)

    async def submit(self, submission: Submission) -> Accepted:
        """Store `submission` with the others arriving now; raise its refusal, if any."""
        return await self._batcher.submit(submission)

    def store_batch(self, batch: list[Submission]) -> list[Accepted | BaseException]:
        """Store a batch in this thread, one outcome per submission (what `submit` runs)."""
        try:
            return self._in_one_transaction(batch)
        except Exception as failed:  # noqa: BLE001 - every submission is answered below
            if len(batch) == 1 or is_database_busy(failed):
                # Nothing was stored; alone, each would wait for the lock as long again.
                return [failed] * len(batch)
            log.warning(
                "a batch of %d registrations failed (%s); storing each alone",
                len(batch), type(failed).__name__,
            )
        return [self._alone(submission) for submission in batch]

    def _in_one_transaction(self, batch: list[Submission]) -> list[Accepted | BaseException]:
        with self._writing() as session:
            return list(_store_all(session, batch))

    def _alone(self, submission: Submission) -> Accepted | BaseException:
        try:
            with self._writing() as session:
                [outcome] = _store_all(session, [submission])
                return outcome
        except Exception as failed:  # noqa: BLE001 - raised to the submission's request
            return failed

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """A writing transaction, committed if the block succeeds and rolled back if not."""
        with self.open_session() as session:
            begin_write(session)
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise


_writer = RegistrationWriter()


async def get_registration_writer() -> RegistrationWriter:
    """The process's writer (a dependency, so tests can store through their own session)."""
    return _writer
