"""Executors: where a sweep's runs go (local worker processes or a Dask cluster), and their bounds.

:class:`LocalExecutor` runs tasks in ``jobs`` worker processes (``jobs == 1``: in the calling process),
started from a fresh interpreter, never forked from the caller: on Linux by a fork server that imports
the run code once (:data:`WORKER_MODULES`) and forks each worker from it, elsewhere spawned, each
importing it. Workers see the caller's environment as it is when the pool starts, ignore Ctrl-C (the
parent stops them) and exit by themselves when the parent is killed. :class:`DaskExecutor` runs them on a Dask distributed cluster (the ``swapsim[dask]`` extra):
a LocalCluster, or a running scheduler whose address :func:`check_scheduler` checks first; a
scheduler that does not answer, or a cluster without workers, is given :data:`DASK_TIMEOUT_S`
seconds, never waited on forever. :func:`make_executor` bounds the worker count by the runs to do
and by :func:`max_jobs`, saying so. Both executors yield ``(item, result)`` as runs finish, or
``(item, exception)`` for a run lost to the infrastructure.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from swapsim.scenario import ScenarioError
from swapsim.scenario.limits import show

__all__ = [
    "LocalExecutor",
    "DaskExecutor",
    "make_executor",
    "default_jobs",
    "max_jobs",
    "check_scheduler",
    "DASK_TIMEOUT_S",
]


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


WORKER_MODULES = (
    "swapsim.experiments.runner",
    "swapsim.experiments.warmup",
    "swapsim.experiments.sizing.steady",
    "swapsim.experiments.sizing.life",
)
"""What the fork server imports once, before it forks any worker: the modules of the run functions
that executors are given (their imports bring the model, numpy and pydantic). A worker forked from it
starts with them imported (about 0.6 s of CPU time each that a spawned worker spends on imports)."""


def _start_method() -> str:
    """``forkserver`` on Linux (workers forked from a clean server process that has imported
    :data:`WORKER_MODULES`), ``spawn`` elsewhere (where forking is not safe or not available)."""
    import multiprocessing

    return (
        "forkserver"
        if sys.platform.startswith("linux") and "forkserver" in multiprocessing.get_all_start_methods()
        else "spawn"
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - a pid reused by another user's process
        return False
    return True


def _init_worker(parent: int, environ: dict[str, str]) -> None:
    """Worker processes take the caller's environment (``environ``: a worker forked from the fork
    server would otherwise see the server's, as it was when the server started), leave Ctrl-C to the
    parent, which stops them cleanly, and exit when the parent (pid ``parent``, passed in: it may be
    gone before this runs) is gone, e.g. killed: a daemon thread checks every second that the process
    that started the worker (the caller, or the fork server, which exits with the caller) is still its
    parent and that the caller is alive."""
    import threading

    os.environ.clear()
    os.environ.update(environ)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    starter = os.getppid()

    def watch() -> None:
        while os.getppid() == starter and _alive(parent):
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="swapsim-parent-watch", daemon=True).start()


_STOP_REGISTERED = False


def _stop_fork_server() -> None:
    """Stop multiprocessing's fork server, if it runs, and wait for it (it would exit by itself once
    this process is gone, but unwaited: ``time swapsim sweep`` would then leave out the CPU time of
    the workers it forked)."""
    from multiprocessing import forkserver

    stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
    if callable(stop):
        try:
            stop()
        except (OSError, ChildProcessError):  # pragma: no cover - already gone
            pass


def _stop_fork_server_at_exit() -> None:
    """Register :func:`_stop_fork_server` to run when this process exits (once)."""
    global _STOP_REGISTERED
    if not _STOP_REGISTERED:
        import atexit

        atexit.register(_stop_fork_server)
        _STOP_REGISTERED = True


class LocalExecutor:
    """Runs tasks in ``jobs`` local worker processes (``jobs == 1``: in this process)."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.pool = None
        if jobs > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            context = multiprocessing.get_context(_start_method())
            if context.get_start_method() == "forkserver":
                context.set_forkserver_preload(list(WORKER_MODULES))  # used when the server first starts
                _stop_fork_server_at_exit()
            self.pool = ProcessPoolExecutor(
                max_workers=jobs,
                mp_context=context,
                initializer=_init_worker,
                initargs=(os.getpid(), dict(os.environ)),
            )

    def describe(self) -> str:
        return "in this process" if self.jobs == 1 else f"on {self.jobs} local processes"

    def map_unordered(self, fn: Callable[[Any], Any], items: list[Any]) -> Iterator[tuple[Any, Any]]:
        """Yield (item, fn(item)) as each finishes; an infrastructure failure yields (item, exception)."""
        if self.pool is None:
            for item in items:
                yield item, fn(item)
            return
        from concurrent.futures import as_completed

        futures = {self.pool.submit(fn, item): item for item in items}
        for fut in as_completed(futures):
            try:
                yield futures[fut], fut.result()
            except Exception as exc:  # BrokenProcessPool: a worker died (killed, out of memory)
                yield futures[fut], exc

    def close(self, abort: bool = False) -> None:
        if self.pool is None:
            return
        if abort:
            procs = list((getattr(self.pool, "_processes", None) or {}).values())
            self.pool.shutdown(wait=False, cancel_futures=True)
            for p in procs:
                if p.is_alive():
                    p.terminate()
            for p in procs:
                p.join(timeout=10)
        else:
            self.pool.shutdown(wait=True)


class DaskExecutor:
    """Runs tasks on a Dask distributed cluster: a LocalCluster of ``jobs`` single-threaded worker
    processes, or the running cluster at ``scheduler`` (``tcp://host:port``).

    Workers of a remote cluster need the same swapsim version installed.
    """

    def __init__(self, jobs: int, scheduler: str | None = None) -> None:
        try:
            import logging

            from distributed import Client, LocalCluster
        except ImportError:
            raise ScenarioError("--executor dask needs Dask distributed: pip install 'swapsim[dask]'") from None
        self.cluster = None
        self.scheduler = scheduler
        if scheduler:
            address = check_scheduler(scheduler)
            try:
                self.client = Client(address, timeout=f"{DASK_TIMEOUT_S}s")
                self.client.wait_for_workers(1, timeout=DASK_TIMEOUT_S)
            except Exception as exc:  # OSError, TimeoutError, ValueError: each a different bad address
                if getattr(self, "client", None) is not None:
                    self.client.close()
                raise ScenarioError(
                    f"--scheduler {scheduler}: no Dask cluster with workers answered within "
                    f"{DASK_TIMEOUT_S:g} s ({type(exc).__name__}: {str(exc)[:120]})"
                ) from None
        else:
            self.cluster = LocalCluster(
                n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
            )
            self.client = Client(self.cluster)
        self.jobs = jobs

    def describe(self) -> str:
        if self.scheduler:
            n = len(self.client.scheduler_info().get("workers", {}))
            return f"on the Dask cluster at {self.scheduler} ({n} workers)"
        return f"on a Dask LocalCluster of {self.jobs} worker processes"

    def map_unordered(self, fn: Callable[[Any], Any], items: list[Any]) -> Iterator[tuple[Any, Any]]:
        from distributed import wait

        if not items:
            return
        futures = self.client.map(fn, items, pure=False)
        self._futures = futures
        index = {f.key: item for f, item in zip(futures, items)}
        pending = set(futures)
        lonely_since: float | None = None
        while pending:
            try:
                done, pending = wait(pending, timeout=2.0, return_when="FIRST_COMPLETED")
            except TimeoutError:  # nothing finished in 2 s: see whether any worker is left
                done = set()
            for fut in done:
                try:
                    yield index[fut.key], fut.result()
                except Exception as exc:  # KilledWorker and other cluster failures
                    yield index[fut.key], exc
                fut.release()
            if done:
                lonely_since = None
                continue
            try:
                workers = len(self.client.scheduler_info().get("workers", {}))
            except Exception:  # the scheduler itself is gone
                workers = 0
            lonely_since = (lonely_since or time.monotonic()) if workers == 0 else None
            if lonely_since is not None and time.monotonic() - lonely_since > DASK_TIMEOUT_S:
                lost = RuntimeError(f"the Dask cluster has had no workers for {DASK_TIMEOUT_S:g} s")
                for fut in pending:
                    yield index[fut.key], lost
                return

    def close(self, abort: bool = False) -> None:
        futures = getattr(self, "_futures", None)
        if abort and futures:
            try:
                self.client.cancel(futures)
            except Exception:  # pragma: no cover - the cluster may already be gone
                pass
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


DASK_TIMEOUT_S = 15.0
"""Seconds to wait for a Dask scheduler to answer, or for a cluster without workers to get one."""


def max_jobs() -> int:
    """The most worker processes swapsim starts: twice the cores (runs are CPU-bound), at least 4."""
    return max(4, 2 * default_jobs())


_SCHEDULER = re.compile(
    r"(?:(tcp|tls|ws|wss|ucx)://)?"
    r"(\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)"
    r":(\d{1,5})/?"
)
"""``[scheme://]HOST:PORT``: a host name or IPv4 address (letters, digits, dots, hyphens) or an IPv6
address in brackets; nothing else (no user, path, query, spaces or control characters)."""


def check_scheduler(address: str) -> str:
    """A Dask scheduler address ``[tcp|tls|ws|wss|ucx]://HOST:PORT`` (``HOST:PORT`` means tcp), checked
    by pattern (never by a URL parser that may raise), port 1 to 65535."""
    text = address.strip()
    if not text:
        raise ScenarioError("--scheduler: empty address (expected tcp://HOST:PORT)")
    m = _SCHEDULER.fullmatch(text) if len(text) <= 300 else None
    if m is None or not 1 <= int(m.group(3)) <= 65535:
        raise ScenarioError(f"--scheduler {show(address, 80)}: not a scheduler address (expected tcp://HOST:PORT)")
    return f"{m.group(1) or 'tcp'}://{m.group(2)}:{int(m.group(3))}"


def make_executor(
    executor: str = "local",
    jobs: int | None = None,
    scheduler: str | None = None,
    runs: int | None = None,
    say: Callable[[str], None] | None = None,
):
    """A :class:`LocalExecutor` or a :class:`DaskExecutor` (``scheduler`` implies Dask).

    ``jobs`` is bounded by :func:`max_jobs` and by ``runs`` (the runs to do), saying so through ``say``.
    """
    jobs = default_jobs() if jobs is None else int(jobs)
    if jobs < 1:
        raise ScenarioError(f"--jobs: must be >= 1 (got {jobs})")
    say = say or (lambda message: print(message, file=sys.stderr))
    if jobs > max_jobs():
        say(f"--jobs {jobs}: more worker processes than useful on {default_jobs()} core(s); using at most {max_jobs()}")
        jobs = max_jobs()
    if runs is not None and 0 < runs < jobs:
        say(f"{jobs} worker processes asked for {runs} run(s): starting {runs}")
        jobs = runs
    if scheduler is not None:
        check_scheduler(scheduler)
    if scheduler is not None or executor == "dask":
        return DaskExecutor(jobs, scheduler)
    if executor != "local":
        raise ScenarioError(f"--executor: must be local or dask (got {executor!r})")
    return LocalExecutor(jobs)
