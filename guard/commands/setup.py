"""``clampd-guard setup``: connect the guard to a Clampd gateway (writes ~/.clampd/guard.json).

Other fields of the user file are kept. The api_key and secret go to the OS
keyring when a real one works (not keyring's fail/null backends); otherwise
into guard.json, which is always written atomically with mode 0600. The
command says which. Storing new credentials drops the cached gateway token,
so the next hook call mints one from them.
"""

from __future__ import annotations

import argparse
import json
import sys

from guard.commands.cli import UsageError

SECRETS = ("api_key", "secret")

EPILOG = """\
secrets:
  Values given as '-' are read from stdin, one line each (api key first, then secret),
  so they stay out of the shell history and the process list (at a terminal, without
  echo). Run on a terminal with no options, setup asks for each value in turn.

examples:
  clampd-guard setup                                   # interactive
  clampd-guard setup --gateway-url https://gw.example.com --agent-id ci-7 --api-key - --secret - < creds.txt
  clampd-guard setup --gateway-url https://gw.example.com --api-key -   # employee token in ~/.clampd/token.json
"""


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "setup",
        help="configure the Clampd gateway (URL, API key, agent id, secret)",
        description="Write the gateway settings to ~/.clampd/guard.json. The API key and the agent\n"
        "secret are stored in the OS keyring where one works, else in guard.json (mode 0600).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--gateway-url", metavar="URL", help="gateway base URL, e.g. https://gateway.example.com")
    p.add_argument("--api-key", metavar="KEY|-", help="API key sent as X-AG-Key ('-': read from stdin)")
    p.add_argument("--agent-id", metavar="ID", help="agent id (the subject of minted tokens)")
    p.add_argument("--secret", metavar="SECRET|-", help="agent secret for minting tokens ('-': read from stdin)")
    p.add_argument("--no-keyring", action="store_true", help="store the secrets in guard.json (0600), not the keyring")
    p.add_argument("--check", action="store_true", help="then check that the gateway answers GET /health")
    return p


def _read_user_file(path: str) -> dict:
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        return {}
    except OSError as e:
        raise UsageError(f"setup: {path} cannot be read ({e.strerror or e})") from None
    try:
        data = json.loads(raw.decode("utf-8-sig")) if raw.strip() else {}
    except (UnicodeDecodeError, ValueError) as e:
        raise UsageError(f"setup: {path} is not valid JSON ({e}); fix or remove it first") from None
    if not isinstance(data, dict):
        raise UsageError(f"setup: {path} must hold a JSON object")
    return data


def _stdin_line(name: str) -> str:
    if sys.stdin.isatty():  # '-' typed at a terminal: no echo
        import getpass

        return getpass.getpass(f"{name}: ").strip()
    line = sys.stdin.readline()
    if not line:
        raise UsageError(f"setup: expected the {name} on stdin")
    return line.strip()


def _ask(label: str, current: str, secret: bool) -> str:
    if secret:
        import getpass

        shown = " [stored; Enter keeps it]" if current else ""
        return getpass.getpass(f"{label}{shown}: ").strip()
    shown = f" [{current}]" if current else ""
    sys.stderr.write(f"{label}{shown}: ")
    sys.stderr.flush()
    return sys.stdin.readline().strip()


def _values(args: argparse.Namespace, existing: dict) -> dict:
    """The values to set: flags, '-' from stdin, and on a terminal, prompts for what is missing."""
    given = {"gateway_url": args.gateway_url, "api_key": args.api_key, "agent_id": args.agent_id,
             "secret": args.secret}
    out: dict = {}
    for name in ("api_key", "secret"):  # stdin order: api key first, then secret
        if given[name] == "-":
            given[name] = _stdin_line(name.replace("_", " "))
    interactive = sys.stdin.isatty() and all(v is None for v in given.values())
    for name, value in given.items():
        if value is None and interactive:
            label = {"gateway_url": "Gateway URL", "api_key": "API key", "agent_id": "Agent id (empty: use the "
                     "employee token)", "secret": "Agent secret (empty: keep / none)"}[name]
            cur = existing.get(name, "") if name not in SECRETS else ("x" if existing.get(name) else "")
            value = _ask(label, str(cur), name in SECRETS) or None
        if value is not None:
            out[name] = value
    if not out:
        raise UsageError("setup: nothing to set (give --gateway-url, --api-key, --agent-id or --secret, "
                         "or run it on a terminal)")
    return out


def run(args: argparse.Namespace) -> int:
    from guard.config import paths
    from guard.config.load import check_value, load
    from guard.gateway import auth, keystore
    from guard.runtime import sysio

    path = paths.user_config()
    data = _read_user_file(path)
    values = _values(args, data)
    for name, value in values.items():
        problem = check_value(name, value)
        if problem:
            raise UsageError(f"setup: {problem}")
    if values.get("gateway_url", "x") == "":
        raise UsageError("setup: --gateway-url must not be empty")

    secrets = {n: values.pop(n) for n in SECRETS if n in values}
    data.update(values)
    in_keyring: list[str] = []
    in_file: list[str] = []
    note = ""
    backend = None if (args.no_keyring or not secrets) else keystore.backend_name()
    for name, value in secrets.items():
        if backend is not None:
            try:
                keystore.put(name, value)
                data.pop(name, None)  # the keyring copy is the one to use from now on
                in_keyring.append(name)
                continue
            except RuntimeError as e:
                note = f" ({e})"
        data[name] = value
        in_file.append(name)

    sysio.write_atomic(path, (json.dumps(data, indent=2) + "\n").encode("utf-8"), 0o600)
    auth.invalidate()

    out = sys.stdout
    out.write(f"wrote {path} (mode 0600)\n")
    if values:
        out.write("  set: " + ", ".join(sorted(values)) + "\n")
    if in_keyring:
        out.write(f"  {', '.join(in_keyring)} stored in the OS keyring ({backend})\n")
    if in_file:
        why = "--no-keyring" if args.no_keyring else f"no usable OS keyring{note}"
        out.write(f"  {', '.join(in_file)} stored in {path} (mode 0600): {why}\n")
    cfg = load()
    forced = [n for n in ("gateway_url", "api_key", "agent_id", "secret") if n in cfg.managed_forced]
    if forced:
        out.write(f"note: the managed config sets {', '.join(forced)}; its values win over these\n")
    if args.check:
        from guard.gateway import client

        ok, detail, ms = client.health(cfg)
        out.write(f"gateway {'reachable' if ok else 'NOT reachable'}: {detail} ({ms:.0f} ms)\n")
        return 0 if ok else 2
    return 0
