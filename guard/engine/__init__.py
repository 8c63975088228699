"""The local decision engine: normalise a ToolCall, match rules, score a Verdict."""
