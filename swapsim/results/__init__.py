"""Results on disk: the run directory format, written atomically into directories swapsim owns
(:mod:`~swapsim.results.outdir`), and read back for figures, the report and sweeps. No plotting and no
simulation here.
"""

from swapsim.results.files import (
    ResultsError,
    check_results_dir,
    flatten,
    json_default,
    nan_for_null,
    read_csv,
    read_run,
    results_kind,
    strict_json,
    write_csv,
    write_json,
    write_run,
)
from swapsim.results.outdir import (
    MANIFEST,
    OutputError,
    atomic_dir,
    atomic_file,
    atomic_write_text,
    check_path,
    claim,
    default_out,
    owned_file,
    owned_files,
    resolve_target,
    safe_name,
    write_manifest,
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
    "strict_json",
    "nan_for_null",
    "flatten",
    "json_default",
    "ResultsError",
    "results_kind",
    "check_results_dir",
]
