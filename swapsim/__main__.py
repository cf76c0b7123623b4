"""``python -m swapsim`` runs the command line."""

from swapsim.cli import main

main()
