"""`gateway users`: support accounts for the web UI ([[web.users]] in the config)."""

from __future__ import annotations

import sys

import click


@click.group("users")
def users_group() -> None:
    """Support accounts for the web pages."""


@users_group.command("hash-password")
@click.option("--min-length", default=10, show_default=True, help="Refuse shorter passwords.")
def hash_password_command(min_length: int) -> None:
    """Print an argon2 hash for [[web.users]] password_hash.

    The password is read from a prompt (typed twice) or, when stdin is not a terminal, from its
    first line; never from the command line, where it would end up in shell history and `ps`.
    """
    from gateway.cli import err
    from gateway.web.security import hash_password

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < min_length:
        err.print(
            f"error: the password has {len(password)} characters; use at least {min_length}",
            markup=False,
        )
        raise SystemExit(1)
    click.echo(hash_password(password))
