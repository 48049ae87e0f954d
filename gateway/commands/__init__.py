"""Command groups of the `gateway` CLI, one module per group (registered at the end of cli.py)."""
