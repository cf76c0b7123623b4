"""Results on disk: the run directory format, written atomically, and read back (for figures, the report
and sweeps). No plotting and no simulation here.
"""

from swapsim.results.files import (
    write_run,
    read_run,
    write_csv,
    read_csv,
    atomic_dir,
    write_json,
    flatten,
    json_default,
    ResultsError,
    results_kind,
    check_results_dir,
)

__all__ = [
    "write_run",
    "read_run",
    "write_csv",
    "read_csv",
    "atomic_dir",
    "write_json",
    "flatten",
    "json_default",
    "ResultsError",
    "results_kind",
    "check_results_dir",
]
