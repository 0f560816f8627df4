"""Subcommands for the catalog area (being built)."""

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Nothing registered yet."""
