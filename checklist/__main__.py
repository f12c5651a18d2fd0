"""``python -m checklist`` runs the command line."""

from checklist.cli import main

main()
