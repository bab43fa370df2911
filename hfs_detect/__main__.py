"""``python -m hfs_detect`` runs the command line."""

from .cli import main

raise SystemExit(main())
