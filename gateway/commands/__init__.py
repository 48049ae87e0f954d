"""Command groups of the `gateway` CLI, one module each, registered at the end of gateway/cli.py."""
