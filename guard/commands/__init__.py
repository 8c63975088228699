"""The management CLI (``clampd-guard <command>``): one module per command.

Off the hook path: these modules may import argparse, json, msgspec and friends.
Each command module exposes ``register(subparsers)`` and ``run(args) -> int``.
"""
