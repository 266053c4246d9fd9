"""``python -m coldchain`` runs the command line."""

from coldchain.cli import main

main()
