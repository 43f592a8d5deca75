"""Submissions arriving together are stored together, and each still gets its own answer."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.core.config import MALAYSIA
from app.core.db import new_session
from app.models import Registration
from app.schemas.registration import RegistrationCreate
from app.services import idempotency
from app.services.registration.batching import Batcher
from app.services.registration.receipt import Accepted, CallClosed, DuplicateRegistration
from app.services.registration.writer import RegistrationWriter, Submission
from tests.conftest import count_rows
from tests.factories import registration_payload

IN_TIME = dt.datetime(2022, 10, 15, 10, 0, tzinfo=MALAYSIA)
TOO_LATE = dt.datetime(2022, 10, 21, 0, 0, 1, tzinfo=MALAYSIA)


class CountingWriter(RegistrationWriter):
    """A writer that counts the transactions it opens."""

    def __init__(self) -> None:
        self.transactions = 0
        super().__init__(self._open)

    @contextmanager
    def _open(self) -> Iterator[Session]:
        self.transactions += 1
        with new_session() as session:
            yield session


def submission(
    body: dict[str, object] | None = None, *, now: dt.datetime = IN_TIME, key: str | None = None
) -> Submission:
    data = RegistrationCreate.model_validate(body or registration_payload())
    return Submission.of(
        data,
        now=now.astimezone(dt.UTC),
        idempotency_key=key,
        request_fingerprint=idempotency.fingerprint(data.model_dump_json().encode()),
    )


def submit_together(
    writer: RegistrationWriter, submissions: list[Submission]
) -> list[Accepted | BaseException]:
    """Submit all at once on one event loop, as requests arriving together do."""

    async def all_at_once() -> list[Accepted | BaseException]:
        return await asyncio.gather(
            *(writer.submit(item) for item in submissions), return_exceptions=True
        )

    return asyncio.run(all_at_once())


def stored_names(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(connection.scalars(select(Registration.organisation_name)))


def test_submissions_arriving_together_share_one_transaction(committed_db: Engine) -> None:
    writer = CountingWriter()
    bodies = [registration_payload() for _ in range(30)]

    outcomes = submit_together(writer, [submission(body) for body in bodies])

    assert all(isinstance(outcome, Accepted) for outcome in outcomes)
    references = {outcome.receipt.reference for outcome in outcomes}  # type: ignore[union-attr]
    assert len(references) == 30
    assert stored_names(committed_db) == sorted(str(body["organisation_name"]) for body in bodies)
    assert count_rows(committed_db, "outbox_mail") == 60
    assert count_rows(committed_db, "registration_event") == 30
    assert writer.transactions == 1


def test_a_refusal_answers_only_its_own_submission(committed_db: Engine) -> None:
    writer = CountingWriter()
    already = registration_payload()
    submit_together(writer, [submission(already)])
    first, second, late = registration_payload(), registration_payload(), registration_payload()

    outcomes = submit_together(writer, [
        submission(first),
        submission(dict(already)),  # stored before
        submission(second),
        submission(dict(second)),  # the same as one earlier in this batch
        submission(late, now=TOO_LATE),
    ])

    assert [type(outcome) for outcome in outcomes] == [
        Accepted, DuplicateRegistration, Accepted, DuplicateRegistration, CallClosed,
    ]
    assert writer.transactions == 2  # one for the first call, one for the batch
    assert stored_names(committed_db) == sorted(
        [str(already["organisation_name"]), str(first["organisation_name"]),
         str(second["organisation_name"])]
    )
    assert count_rows(committed_db, "outbox_mail") == 6
    assert count_rows(committed_db, "registration_pillar") == 6


def test_a_double_click_in_one_batch_gets_the_first_answer(committed_db: Engine) -> None:
    body = registration_payload()

    first, again = submit_together(
        RegistrationWriter(), [submission(body, key="click"), submission(dict(body), key="click")]
    )

    assert isinstance(first, Accepted) and isinstance(again, Accepted)
    assert not first.replayed and again.replayed
    assert again.receipt.reference == first.receipt.reference
    assert count_rows(committed_db, "registration") == 1


def test_a_failure_in_a_batch_is_stored_again_alone_so_the_others_keep_their_answers(
    committed_db: Engine,
) -> None:
    # One key with two different bodies: the second breaks the batch's transaction when
    # its answer is remembered, so each is then stored in a transaction of its own.
    writer = CountingWriter()
    first, other, unrelated = registration_payload(), registration_payload(), registration_payload()

    outcomes = submit_together(writer, [
        submission(first, key="shared"),
        submission(other, key="shared"),
        submission(unrelated),
    ])

    assert isinstance(outcomes[0], Accepted) and not outcomes[0].replayed
    assert isinstance(outcomes[1], idempotency.KeyReused)
    assert isinstance(outcomes[2], Accepted)
    assert writer.transactions == 1 + 3
    assert stored_names(committed_db) == sorted(
        [str(first["organisation_name"]), str(unrelated["organisation_name"])]
    )
    assert count_rows(committed_db, "outbox_mail") == 4


def test_when_storing_fails_every_waiting_caller_hears_it_and_none_hangs() -> None:
    def broken(items: list[int]) -> list[int]:
        raise ConnectionError("database unreachable")

    batcher: Batcher[int, int] = Batcher(broken)

    async def call_all() -> list[int | BaseException]:
        return await asyncio.wait_for(
            asyncio.gather(*(batcher.submit(n) for n in range(5)), return_exceptions=True), 5
        )

    outcomes = asyncio.run(call_all())

    assert all(isinstance(outcome, ConnectionError) for outcome in outcomes)


def test_calls_get_their_own_results_in_batches_no_larger_than_the_limit() -> None:
    seen: list[list[int]] = []

    def double(items: list[int]) -> list[int | BaseException]:
        seen.append(items)
        return [ValueError(n) if n == 7 else n * 2 for n in items]

    batcher: Batcher[int, int] = Batcher(double, max_batch=4)

    async def call_all() -> list[int | BaseException]:
        return await asyncio.gather(
            *(batcher.submit(n) for n in range(10)), return_exceptions=True
        )

    outcomes = asyncio.run(call_all())

    assert outcomes[:7] == [0, 2, 4, 6, 8, 10, 12]
    assert isinstance(outcomes[7], ValueError)
    assert outcomes[8:] == [16, 18]
    assert [len(batch) for batch in seen] == [4, 4, 2]


@pytest.mark.parametrize("calls", [1, 3])
def test_a_lone_call_is_not_held_back(calls: int) -> None:
    batches: list[list[int]] = []

    def record(items: list[int]) -> list[int]:
        batches.append(items)
        return items

    batcher: Batcher[int, int] = Batcher(record)

    async def one_after_another() -> None:
        for n in range(calls):
            assert await asyncio.wait_for(batcher.submit(n), 1) == n

    asyncio.run(one_after_another())

    assert batches == [[n] for n in range(calls)]



def test_a_batch_that_cannot_get_the_write_lock_is_answered_at_once_not_retried(
    committed_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services.registration import writer as submissions

    attempts: list[Session] = []

    def lock_not_granted(session: Session) -> None:
        attempts.append(session)
        raise TimeoutError("timed out waiting for the SQLite write lock")

    monkeypatch.setattr(submissions, "begin_write", lock_not_granted)

    outcomes = submit_together(RegistrationWriter(), [submission() for _ in range(5)])

    assert all(isinstance(outcome, TimeoutError) for outcome in outcomes)
    assert len(attempts) == 1  # each alone would have waited for the lock as long again
    assert count_rows(committed_db, "registration") == 0
