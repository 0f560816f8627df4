"""Subcommands for the flows area (being built)."""

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Nothing registered yet."""
