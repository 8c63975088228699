"""Signed rule bundles: the format, fetching, verification and adoption (management side).

Bundle format, version 1
------------------------
A bundle is one JSON object (UTF-8, at most 16 MiB), the *envelope*::

    {
      "format": "clampd-guard-rules-bundle",   # constant
      "format_version": 1,
      "version": 7,                 # copy of payload.version (checked equal after verifying)
      "created": "2026-11-24T09:00:00Z",        # copy of payload.created
      "key_id": "3f1c9a0b2d4e6f70",             # first 8 bytes of SHA-256(public key), hex; a hint only
      "payload": "<base64 of the payload bytes>",
      "sha256": "<hex SHA-256 of the payload bytes>",
      "signature": "<base64 Ed25519 signature>"
    }

The *payload bytes* are canonical JSON (sorted keys, no whitespace, UTF-8) of::

    {"format": 1,
     "version": 7,                    # monotonic integer >= 1: a lower or equal version is never adopted
     "created": "2026-11-24T09:00:00Z",
     "comment": "free text",          # optional
     "rules": {"destructive_shell.toml": "<TOML text>", ..., "_macros.toml": "<TOML text>"}}

``rules`` holds the complete rule set (the files of ``guard/rules``; a bundle
replaces the embedded rules, it does not add to them), file names matching
``[a-z0-9][a-z0-9_-]*.toml`` plus the optional ``_macros.toml``. The phrase
dictionaries (``guard/rules/dictionaries``) are not carried: they stay embedded.

The signature is Ed25519 over ``b"clampd-guard rules bundle v1\\n" + payload bytes``
(the prefix keeps a bundle signature from being valid for anything else signed
with the same key). Verifiers check, in order: envelope shape, the SHA-256 of
the decoded payload, the signature with the managed ``rules_public_key``, the
payload schema, then that every rule file decodes and compiles. Only the
exact signed bytes are ever parsed, so no re-canonicalisation is needed.

Modules: ``envelope`` (format, keys, sign/verify), ``fetch`` (HTTP),
``update`` (the ``rules update`` flow). The hook side is ``guard.engine.bundle``.
"""
