"""Many concurrent Python subscribers, one of them cancelling mid-stream, and the bus forgetting
them all once they are gone."""

import threading

from conftest import SAMPLE_COUNT, read_until_sync, subscribe_request, wait_for

SUBSCRIBERS = 8
STREAM_TIMEOUT = 20  # bound of every stream, seconds
STEP_TIMEOUT = 10  # bound of every wait between threads, seconds


def test_many_subscribers_and_a_disconnect(pb, daemon):
    names = [f"pytest-sub-{index}" for index in range(SUBSCRIBERS)]
    # One event per EventBatch, so that the quitter really leaves in the middle of the stream.
    request = {"max_batch_events": 1}
    started = threading.Barrier(SUBSCRIBERS + 1, timeout=STEP_TIMEOUT)  # all have a first batch, and the quitter
    quitter_gone = threading.Event()
    synced = threading.Barrier(SUBSCRIBERS + 1, timeout=STEP_TIMEOUT)  # all have their SyncResponse, and main
    release = threading.Event()
    results: dict[str, object] = {}

    def subscriber(name):
        try:
            stub = daemon.stub()
            call = stub.Subscribe(subscribe_request(pb, subscriber_name=name, **request), timeout=STREAM_TIMEOUT)
            try:
                stream = iter(call)
                first = next(stream)
                started.wait()
                assert quitter_gone.wait(STEP_TIMEOUT), "the quitter did not cancel"

                def batches():
                    yield first
                    yield from stream

                events = read_until_sync(batches())
                results[name] = events
                synced.wait()
                release.wait(STEP_TIMEOUT)
            finally:
                call.cancel()
        except BaseException as error:  # reported by the main thread
            results[name] = error
            started.abort()
            synced.abort()

    def quitter():
        try:
            stub = daemon.stub()
            call = stub.Subscribe(subscribe_request(pb, subscriber_name="pytest-quitter", **request),
                                  timeout=STREAM_TIMEOUT)
            stream = iter(call)
            batches = [next(stream), next(stream)]
            started.wait()
            call.cancel()  # after 2 of the 13 events
            results["pytest-quitter"] = [event for batch in batches for event in batch.events]
        except BaseException as error:
            results["pytest-quitter"] = error
            started.abort()
        finally:
            quitter_gone.set()

    threads = [threading.Thread(target=subscriber, args=(name,), daemon=True) for name in names]
    threads.append(threading.Thread(target=quitter, daemon=True))
    for thread in threads:
        thread.start()
    try:
        try:
            synced.wait()
        except threading.BrokenBarrierError:
            pass
        failures = {name: value for name, value in results.items() if isinstance(value, BaseException)}
        assert not failures, failures

        assert [event.seq for event in results["pytest-quitter"]] == [1, 2]
        boot_ids = set()
        for name in names:
            events = results[name]
            assert [event.seq for event in events[:-1]] == list(range(1, SAMPLE_COUNT + 1)), name
            sync = events[-1]
            assert sync.sync_response.head_seq == SAMPLE_COUNT, name
            boot_ids |= {event.boot_id for event in events}
        assert len(boot_ids) == 1

        # The bus lists the 8 live subscribers (the quitter is gone, or going).
        def live_listed():
            statistics = daemon.list_subscribers()
            return statistics if {sub.name for sub in statistics.subscribers} == set(names) else None

        statistics = wait_for(live_listed, timeout=3, what="the 8 live subscribers listed")
        for sub in statistics.subscribers:
            assert sub.sent == SAMPLE_COUNT, sub
            assert sub.dropped == 0, sub
            assert sub.lag == 0, sub
            assert sub.peer, sub
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout=STREAM_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)

    # Once all have cancelled, the bus forgets them.
    def none_listed():
        statistics = daemon.list_subscribers()
        return None if statistics.subscribers else statistics

    statistics = wait_for(none_listed, timeout=3, what="0 subscribers")
    assert statistics.head_seq == SAMPLE_COUNT
    assert statistics.disconnected_slow == 0
