"""Local worker processes exit when the sweep's parent process dies (killed, no clean-up), instead of
waiting idle forever for work that will never come."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

PARENT = """\
import os
from swapsim.experiments.executors import LocalExecutor

if __name__ == "__main__":
    ex = LocalExecutor(2)
    list(ex.map_unordered(abs, [-1, -2, -3, -4]))
    print(" ".join(str(p.pid) for p in ex.pool._processes.values()), flush=True)
    os._exit(0)  # as if killed with SIGKILL: the pool is not shut down
"""


def _alive(pid: int) -> bool:
    """Running or sleeping (a zombie waiting for its new parent to reap it counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def test_workers_exit_when_the_parent_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    with open(tmp_path / "pids", "w") as fh:  # a file, not a pipe: the workers inherit it
        subprocess.run([sys.executable, str(script)], stdout=fh, stderr=subprocess.DEVNULL, timeout=120)
    out = (tmp_path / "pids").read_text()
    pids = [int(p) for p in out.split()]
    assert len(pids) == 2, out
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.2)
    assert not [p for p in pids if _alive(p)], "idle workers outlived their parent"
