"""guard.json: field table, file locations, the hook-path loader and the msgspec schema.

``fields`` is the single source of truth; ``load`` (hook path, no msgspec)
and ``schema`` (msgspec Structs for validation, status and the MDM JSON
Schema) are both built from it.
"""
