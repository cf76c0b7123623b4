"""``python -m swapsim.analysis.validation``: run the validation experiments and rewrite docs/validation.md."""

from swapsim.analysis.validation import main

raise SystemExit(main())
