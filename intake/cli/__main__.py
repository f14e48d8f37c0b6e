"""`python -m intake.cli`: the `intake` command."""

from . import main

main()
