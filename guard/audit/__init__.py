"""The audit trail: one record per hook decision, never lost, never holding a secret.

The hook appends one JSON line to a journal (``journal``: no sqlite3, no json,
no re); management commands fold the journal into SQLite (``store``) before
they read it, so ``audit`` and ``status`` always see every decision.
"""
