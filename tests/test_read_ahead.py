"""ReadAhead (facilitation.cache): a hot entry is answered from at once and read again behind."""

from __future__ import annotations

import asyncio

import pytest

from facilitation.cache import ReadAhead


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Source:
    """What the cache reads: counts the reads; can be told to fail or to wait."""

    def __init__(self) -> None:
        self.value = "v1"
        self.reads = 0
        self.failing = False
        self.release = asyncio.Event()
        self.release.set()

    async def read(self) -> str:
        self.reads += 1
        await self.release.wait()
        if self.failing:
            raise ConnectionError("the database is away")
        return self.value


async def _settled() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_stale_entry_is_answered_at_once_and_read_again_once_behind_it() -> None:
    clock, source = Clock(), Source()
    cache: ReadAhead[str] = ReadAhead(2.0, stale=60.0, clock=clock)
    assert await cache.get("k", source.read) == "v1"
    source.value, clock.now = "v2", 3.0  # past the ttl
    source.release.clear()  # the read behind takes its time
    assert [await cache.get("k", source.read) for _ in range(3)] == ["v1"] * 3  # nobody waits
    await _settled()
    assert [await cache.get("k", source.read) for _ in range(3)] == ["v1"] * 3
    assert source.reads == 2  # one read behind, however many asked
    source.release.set()
    await _settled()
    assert await cache.get("k", source.read) == "v2"
    assert source.reads == 2


async def test_a_failed_read_behind_keeps_the_entry_until_ttl_and_stale_have_passed() -> None:
    clock, source = Clock(), Source()
    cache: ReadAhead[str] = ReadAhead(2.0, stale=10.0, clock=clock)
    await cache.get("k", source.read)
    source.failing, clock.now = True, 5.0
    assert await cache.get("k", source.read) == "v1"
    await _settled()
    assert await cache.get("k", source.read) == "v1"  # tried again, still the old entry
    await _settled()
    assert source.reads == 3
    clock.now = 13.0  # past ttl + stale: the ask waits for the read, and meets its failure
    with pytest.raises(ConnectionError):
        await cache.get("k", source.read)


async def test_what_keep_refuses_is_read_every_time_and_aclose_stops_the_reads_behind() -> None:
    clock, source = Clock(), Source()
    cache: ReadAhead[str] = ReadAhead(2.0, stale=60.0, keep=lambda value: value != "draft", clock=clock)
    source.value = "draft"
    await cache.get("k", source.read)
    await cache.get("k", source.read)
    assert source.reads == 2 and cache.peek("k") is None
    source.value = "open"
    await cache.get("k", source.read)
    clock.now = 3.0
    source.release.clear()
    assert await cache.get("k", source.read) == "open"
    await cache.aclose()  # the read behind is cancelled, not left running
    assert cache.fresh("k") is None and cache.peek("k") == "open"


async def test_a_read_does_not_put_back_what_was_put_while_it_was_on_its_way() -> None:
    """A binding this process changed during a read (behind a vote, or of a whole workshop)
    is newer than what the read saw: the read's answer must not undo it."""
    clock, source = Clock(), Source()
    cache: ReadAhead[str] = ReadAhead(2.0, stale=60.0, clock=clock)
    source.release.clear()
    reading = asyncio.ensure_future(cache.load("k", source.read))
    await _settled()
    clock.now = 1.0
    cache.put("k", "changed here")
    source.release.set()
    assert await reading == "v1"  # the reader gets what it read…
    assert cache.peek("k") == "changed here"  # …the cache keeps the newer change

    async def many() -> list[tuple[str, str]]:
        await source.release.wait()
        return [("k", "old"), ("j", "read")]

    source.release.clear()
    clock.now = 2.0
    reading_many = asyncio.ensure_future(cache.read_many(many))
    await _settled()
    clock.now = 3.0
    cache.put("k", "changed again")
    source.release.set()
    await reading_many
    assert (cache.peek("k"), cache.fresh("j")) == ("changed again", "read")


async def test_an_entry_exactly_ttl_old_is_stale_and_exactly_ttl_plus_stale_old_is_gone() -> None:
    """Half-open ages: a reader asking every ``ttl`` seconds (an event stream) reads every time."""
    clock, source = Clock(), Source()
    cache: ReadAhead[str] = ReadAhead(2.0, stale=3.0, clock=clock)
    await cache.get("k", source.read)
    clock.now = 1.999
    assert cache.fresh("k") == "v1"
    clock.now = 2.0
    assert cache.fresh("k") is None and cache.peek("k") == "v1"
    clock.now = 5.0
    assert cache.peek("k") is None
