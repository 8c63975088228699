"""A keyring backend for tests: a JSON file named by $CLAMPD_TEST_KEYRING, with an access log.

Selected with PYTHON_KEYRING_BACKEND=tests.keyring_backend.FileKeyring, so no
test ever touches the real OS keyring. Each get/set/delete appends one line to
``<file>.log`` (``get api_key`` ...), which lets tests count keyring reads
made by separate hook processes.
"""

from __future__ import annotations

import json
import os

from keyring.backend import KeyringBackend


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def _path(self) -> str:
        return os.environ["CLAMPD_TEST_KEYRING"]

    def _load(self) -> dict:
        try:
            with open(self._path()) as f:
                return json.load(f)
        except FileNotFoundError:
            return {}

    def _log(self, what: str) -> None:
        with open(self._path() + ".log", "a") as f:
            f.write(what + "\n")

    def get_password(self, service: str, username: str) -> str | None:
        self._log(f"get {username}")
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        self._log(f"set {username}")
        data = self._load()
        data[f"{service}/{username}"] = password
        with open(self._path(), "w") as f:
            json.dump(data, f)

    def delete_password(self, service: str, username: str) -> None:
        self._log(f"delete {username}")
        data = self._load()
        data.pop(f"{service}/{username}", None)
        with open(self._path(), "w") as f:
            json.dump(data, f)
