"""A kubeconfig exec credential plugin: a fresh token of a service account from `kubectl create token`.

The token lives in memory only (this process's output, read by the client that runs it), never in a file:
``python sa_token.py KUBECTL ADMIN_KUBECONFIG NAMESPACE SERVICEACCOUNT``.
"""

from __future__ import annotations

import json
import subprocess
import sys

API_VERSION = "client.authentication.k8s.io/v1"


def main(argv: list[str]) -> int:
    kubectl, admin, namespace, account = argv
    done = subprocess.run([kubectl, "--kubeconfig", admin, "-n", namespace, "create", "token", account,
                           "--duration", "1h"], capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        print(f"kubectl create token {account} -n {namespace}: {done.stderr.strip()}", file=sys.stderr)
        return 1
    print(json.dumps({"apiVersion": API_VERSION, "kind": "ExecCredential", "status": {"token": done.stdout.strip()}}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
