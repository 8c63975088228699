"""clampd-guard: a runtime security guard for AI coding agents.

This module stays import-free: the hook path imports it on every tool call.
"""

__version__ = "0.1.0"
