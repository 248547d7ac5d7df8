"""exilecases: a case database in plain TOML files for people at risk of forced return."""

__version__ = "0.1.0"
