"""``python -m exilecases``."""

from exilecases.cli import main

main()
