"""Payloads for rule examples: moved to ``guard.engine.examples`` (bundles check examples too)."""

from guard.engine.examples import payload_for

__all__ = ["payload_for"]
