"""Results on disk: the run directory format, written atomically into directories swapsim owns
(:mod:`~swapsim.results.outdir`), and read back for figures, the report and sweeps. No plotting and no
simulation here.
"""

from swapsim.results.outdir import (
    OutputError,
    MANIFEST,
    safe_name,
    default_out,
    check_path,
    resolve_target,
    atomic_dir,
    atomic_file,
    atomic_write_text,
    claim,
    owned_file,
    owned_files,
    write_manifest,
)
from swapsim.results.files import (
    write_run,
    read_run,
    write_csv,
    read_csv,
    write_json,
    flatten,
    json_default,
    ResultsError,
    results_kind,
    check_results_dir,
)

__all__ = [
    "OutputError",
    "MANIFEST",
    "safe_name",
    "default_out",
    "check_path",
    "resolve_target",
    "atomic_dir",
    "atomic_file",
    "atomic_write_text",
    "claim",
    "owned_file",
    "owned_files",
    "write_manifest",
    "write_run",
    "read_run",
    "write_csv",
    "read_csv",
    "write_json",
    "flatten",
    "json_default",
    "ResultsError",
    "results_kind",
    "check_results_dir",
]
