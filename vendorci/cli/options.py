"""Typer options shared by several commands (declared once, so their flags and help stay identical)."""

from __future__ import annotations

import typer

from vendorci.cli.gearman_render import TIMEOUT_DEFAULT, TIMEOUT_MIN

# How to reach Gerrit as the CI account: `smoke-test sandbox` and `votes`.
CI_USER_OPT = typer.Option(None, "--ci-user", help="CI service account (default: gerrit.user).")
CI_KEY_OPT = typer.Option(None, "--ci-key", help="CI account's key (default: gerrit.ssh_key).")
GERRIT_HTTP_OPT = typer.Option(None, "--gerrit-http", metavar="URL",
                               help="Use REST for queries (credentials from VENDORCI_GERRIT_HTTP_USER "
                               "/ VENDORCI_GERRIT_HTTP_PASSWORD).")
KNOWN_HOSTS_OPT = typer.Option(None, "--known-hosts", help="known_hosts file (default ~/.ssh/).")
ACCEPT_NEW_OPT = typer.Option(False, "--accept-new-host-key",
                              help="Record an unknown Gerrit host key (never a changed one).")

# The Gearman admin commands.
GEARMAN_SERVER_HELP = ("Gearman server HOST:PORT (default: config gearman.server / VENDORCI_GEARMAN / zuul.conf, "
                       "else 127.0.0.1:4730).")
GEARMAN_TIMEOUT_OPT = typer.Option(TIMEOUT_DEFAULT, "--timeout", min=TIMEOUT_MIN,
                                   help="Per-request timeout in seconds.")
