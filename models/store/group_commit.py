"""Group commit for SQLite: the writes queued while one runs share its transaction and its
one fsync, each in a savepoint of its own.

SQLite has one writer at a time and, with synchronous=FULL, pays a sync of the disk at every
commit: one transaction per write made the disk, not the work, the limit. Here one writer
task opens a transaction and hands it, in turn, to each `write()` waiting: every body runs
in its own task, as before, inside a savepoint, so a body that fails rolls back only its own
work. The transaction commits once nobody is waiting (or after MAX_BATCH bodies), and only
then does any of them return: an acknowledged write is on disk, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

logger = logging.getLogger("oneoff.db")
# Bodies per transaction: more would make the first of a batch wait long for its commit.
MAX_BATCH = 32

# Runs what each body registered to run after its commit (db.py's after_commit).
RunCallbacks = Callable[[dict[str, Any]], None]


@dataclass
class _Turn:
    session: asyncio.Future[AsyncSession]
    body_failed: asyncio.Future[bool]
    committed: asyncio.Future[None]
    info: dict[str, Any] = field(default_factory=dict)


class GroupCommit:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], run: RunCallbacks) -> None:
        self._sessions = sessions
        self._run_callbacks = run
        self._queue: asyncio.Queue[_Turn] | None = None
        self._writer: asyncio.Task[None] | None = None

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        loop = asyncio.get_running_loop()
        turn = _Turn(loop.create_future(), loop.create_future(), loop.create_future())
        self._queue_of(loop).put_nowait(turn)
        try:
            session = await turn.session
        except asyncio.CancelledError:
            # Given the session meanwhile: give it back untouched. Else the writer skips us.
            if turn.session.done() and not turn.session.cancelled():
                _settle(turn.body_failed, failed=True)
            else:
                turn.session.cancel()
            raise
        try:
            yield session
        except BaseException:
            _settle(turn.body_failed, failed=True)
            raise
        _settle(turn.body_failed, failed=False)
        await turn.committed

    async def dispose(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, RuntimeError):
                await self._writer
            self._writer = None
        # Whoever still waits for a turn is told, rather than left waiting.
        while self._queue is not None and not self._queue.empty():
            _fail(self._queue.get_nowait(), _stopped())

    def _queue_of(self, loop: asyncio.AbstractEventLoop) -> asyncio.Queue[_Turn]:
        # One writer per event loop: tests and the CLI run several loops in one process.
        if self._writer is None or self._writer.done() or self._writer.get_loop() is not loop:
            self._queue = asyncio.Queue()
            self._writer = loop.create_task(self._write_forever(self._queue), name="oneoff-writer")
        assert self._queue is not None
        return self._queue

    async def _write_forever(self, queue: asyncio.Queue[_Turn]) -> None:
        while True:
            first = await queue.get()
            if not first.session.cancelled():
                await self._one_transaction(first, queue)

    async def _one_transaction(self, first: _Turn, queue: asyncio.Queue[_Turn]) -> None:
        done: list[_Turn] = []
        serving: list[_Turn] = []  # the turn whose body runs now: the writer owes it answers
        try:
            async with self._sessions() as session:
                base = dict(session.info)
                async with session.begin():
                    # The first body needs no savepoint: if it fails, nothing else is in
                    # the transaction yet, and it rolls back whole.
                    serving[:] = [first]
                    if await self._serve(session, first, base, savepoint=False) is not _KEPT:
                        raise _FirstFailed
                    done.append(first)
                    while len(done) < MAX_BATCH and not queue.empty():
                        turn = queue.get_nowait()
                        serving[:] = [turn]
                        outcome = await self._serve(session, turn, base, savepoint=True)
                        if outcome is _FAILED:
                            # Commit what is done rather than go on: the error may have
                            # rolled the whole transaction back (SQLite does, on a full
                            # disk), and a next savepoint would then open a new one unseen.
                            break
                        if outcome is _KEPT:
                            done.append(turn)
                    serving.clear()
        except _FirstFailed:
            return
        except BaseException as error:
            # BEGIN, a savepoint or COMMIT failed (or the writer is being stopped): none of
            # these bodies is on disk, and each says so.
            for turn in (*done, *serving):
                _fail(turn, _stopped() if isinstance(error, asyncio.CancelledError) else error)
            if isinstance(error, asyncio.CancelledError | KeyboardInterrupt | SystemExit):
                raise
            return
        for turn in done:
            # Run here, not by the caller: a caller cancelled while it waited still wrote.
            try:
                self._run_callbacks(turn.info)
            except Exception:
                logger.exception("an after-commit callback failed; the write is committed")
            finally:
                if not turn.committed.done():
                    turn.committed.set_result(None)

    @staticmethod
    async def _serve(
        session: AsyncSession, turn: _Turn, base: dict[str, Any], *, savepoint: bool
    ) -> object:
        """Run one body in the transaction: _KEPT, _FAILED, or _SKIPPED (its caller left
        before its turn)."""
        if turn.session.cancelled():
            return _SKIPPED
        session.info.clear()
        session.info.update(base)
        nested = await session.begin_nested() if savepoint else None
        if turn.session.cancelled():  # while the savepoint was being opened
            if nested is not None:
                await nested.rollback()
            return _SKIPPED
        turn.session.set_result(session)
        # Shielded: stopping the writer must not cancel the future the body will set.
        failed = await asyncio.shield(turn.body_failed)
        try:
            if failed:
                if nested is not None:
                    await nested.rollback()
                return _FAILED
            if nested is None:
                await session.flush()
            else:
                await nested.commit()
        except Exception as error:
            if nested is None:
                raise  # the first body: the whole transaction goes, and it is told
            # Its pending changes could not be written (the flush failed): it fails.
            if not turn.committed.done():
                turn.committed.set_exception(error)
            if nested.is_active:
                await nested.rollback()
            return _FAILED
        finally:
            turn.info = dict(session.info)
            # Objects a body returns must not be expired or changed by a later body.
            session.expunge_all()
        return _KEPT


_KEPT, _FAILED, _SKIPPED = object(), object(), object()


def _fail(turn: _Turn, error: BaseException) -> None:
    if not turn.session.done():
        turn.session.set_exception(error)  # it never got its turn: it raises this
        return
    # A body that failed has raised its own error already: nobody waits for its commit.
    body_failed = turn.body_failed.done() and turn.body_failed.result()
    if not body_failed and not turn.committed.done():
        turn.committed.set_exception(error)


def _stopped() -> RuntimeError:
    return RuntimeError("the database writer stopped before this write was committed")


class _FirstFailed(Exception):
    """The first body of a transaction failed: roll it back whole, quietly."""


def _settle(body_failed: asyncio.Future[bool], *, failed: bool) -> None:
    if not body_failed.done():
        body_failed.set_result(failed)
