"""``python -m n8nwork``: the command line."""

from n8nwork.cli import main

main()
