"""``python -m swapsim.cli`` runs the command line (as ``python -m swapsim`` does)."""

from swapsim.cli import main

main()
