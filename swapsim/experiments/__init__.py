"""Experiments above single runs: sweeps as data (designs, seeds, resume), executors (local processes or
Dask), statistics (Student-t intervals on SciPy), the warm-up advice (MSER-5) and strategy comparisons
with common random numbers.
"""

from swapsim.experiments.compare import (
    compare_rows,
    parse_strategies,
    run_compare,
    with_strategy,
    write_compare,
)
from swapsim.experiments.executors import (
    DASK_TIMEOUT_S,
    DaskExecutor,
    LocalExecutor,
    check_scheduler,
    default_jobs,
    make_executor,
    max_jobs,
)
from swapsim.experiments.paired import (
    KPIS,
    format_paired,
    paired_rows,
    run_replicated,
    write_paired,
)
from swapsim.experiments.runner import (
    RunTask,
    SweepInterrupted,
    SweepReport,
    execute_run,
    run_sweep,
)
from swapsim.experiments.stats import (
    CONFIDENCE,
    mean_ci,
    replications_needed,
    target_met,
)
from swapsim.experiments.sweep import (
    MAX_RUNS,
    Point,
    Sweep,
    apply_factors,
    kpi_names,
    parse_target,
    parse_vary,
    replication_seed,
    resolve_sweep,
    show_value,
    unknown_kpi_message,
)
from swapsim.experiments.sweep_files import (
    SweepSpec,
    load_sweep_file,
    sweep_from_dir,
    sweep_from_scenario,
)
from swapsim.experiments.tables import (
    build_tables,
)
from swapsim.experiments.warmup import (
    MserResult,
    PilotSeries,
    WarmupAdvice,
    advise_warmup,
    mser,
    pilot_series,
    write_warmup,
)

__all__ = [
    "CONFIDENCE",
    "mean_ci",
    "target_met",
    "replications_needed",
    "LocalExecutor",
    "DaskExecutor",
    "make_executor",
    "default_jobs",
    "max_jobs",
    "check_scheduler",
    "DASK_TIMEOUT_S",
    "SweepSpec",
    "Sweep",
    "Point",
    "load_sweep_file",
    "sweep_from_scenario",
    "resolve_sweep",
    "sweep_from_dir",
    "parse_vary",
    "parse_target",
    "replication_seed",
    "kpi_names",
    "apply_factors",
    "show_value",
    "unknown_kpi_message",
    "MAX_RUNS",
    "RunTask",
    "execute_run",
    "SweepInterrupted",
    "SweepReport",
    "run_sweep",
    "build_tables",
    "parse_strategies",
    "with_strategy",
    "run_compare",
    "compare_rows",
    "write_compare",
    "MserResult",
    "mser",
    "PilotSeries",
    "pilot_series",
    "WarmupAdvice",
    "advise_warmup",
    "write_warmup",
    "KPIS",
    "run_replicated",
    "paired_rows",
    "format_paired",
    "write_paired",
]
