"""Subcommands of the nianbao CLI, one module per area."""
