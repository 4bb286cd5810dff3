"""ServiceAccount tokens: what makes the API server accept one (401 Unauthorized otherwise)."""

from __future__ import annotations

import json
import ssl
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from gpusim.kubeconfig import write_kubeconfig
from gpusim.rbac.bootstrap import cluster_role_bindings, cluster_roles
from gpusim.resources import CLUSTERROLE, CLUSTERROLEBINDING, POD, SERVICEACCOUNT
from gpusim.satokens import API_AUDIENCES, Claims

from tests.sim.api.api_harness import SimApi

pytestmark = pytest.mark.e2e

UNAUTHORIZED = "error: You must be logged in to the server (Unauthorized)"


def with_account(sim: SimApi) -> str:
    """Bootstrap RBAC and ServiceAccount default/robot; returns the account's uid."""
    for role in cluster_roles():
        sim.store.create(CLUSTERROLE, role)
    for binding in cluster_role_bindings():
        sim.store.create(CLUSTERROLEBINDING, binding)
    account = sim.store.create(SERVICEACCOUNT, {"metadata": {"name": "robot", "namespace": "default"}})
    uid: str = account["metadata"]["uid"]
    return uid


def as_token(sim: SimApi, tmp_path: Path, token: str) -> SimApi:
    path = tmp_path / f"token-{len(list(tmp_path.glob('token-*')))}"
    write_kubeconfig(path, sim.server.url, token, sim.tls.ca_pem if sim.tls else None)
    return SimApi(sim.store, sim.logs, sim.server, path, sim.tls)


def issued(sim: SimApi, uid: str, *, expires_in: int, audiences: tuple[str, ...] = API_AUDIENCES) -> str:
    now = int(time.time())
    claims = Claims("default", "robot", uid, audiences, now + expires_in)
    return sim.server.ctx.tokens.issue(claims, issued_at=now - 3600)


def test_a_valid_token_authenticates_and_an_expired_one_is_401(sim: SimApi, tmp_path: Path) -> None:
    uid = with_account(sim)
    fresh = as_token(sim, tmp_path, issued(sim, uid, expires_in=600))
    assert fresh.kubectl("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}").stdout == (
        "system:serviceaccount:default:robot")
    expired = as_token(sim, tmp_path, issued(sim, uid, expires_in=-1))
    assert expired.kubectl("get", "--raw", "/version", check=False).stderr.strip() == UNAUTHORIZED


def test_a_token_for_another_audience_or_from_another_issuer_is_401(sim: SimApi, tmp_path: Path) -> None:
    uid = with_account(sim)
    other_audience = as_token(sim, tmp_path, issued(sim, uid, expires_in=600, audiences=("vault",)))
    assert other_audience.kubectl("get", "--raw", "/version", check=False).stderr.strip() == UNAUTHORIZED
    token = issued(sim, uid, expires_in=600)
    header, payload, signature = token.split(".")
    forged = as_token(sim, tmp_path, f"{header}.{payload}.{signature[::-1]}")
    assert forged.kubectl("get", "--raw", "/version", check=False).stderr.strip() == UNAUTHORIZED


def test_a_token_bound_to_a_pod_stops_working_when_the_pod_goes(sim: SimApi, tmp_path: Path) -> None:
    with_account(sim)
    token = sim.kubectl("create", "token", "robot", "--bound-object-kind=Pod", "--bound-object-name=web").stdout
    bound = as_token(sim, tmp_path, token.strip())
    assert bound.kubectl("get", "--raw", "/version").returncode == 0
    sim.store.delete(POD, "default", "web")
    assert bound.kubectl("get", "--raw", "/version", check=False).stderr.strip() == UNAUTHORIZED


def get_anonymously(sim: SimApi, path: str) -> tuple[int, str]:
    """GET without credentials (kubectl would prompt for a password instead)."""
    context = ssl.create_default_context(cadata=sim.tls.ca_pem.decode()) if sim.tls else None
    try:
        with urllib.request.urlopen(sim.server.url + path, context=context, timeout=10) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())["message"]


def test_no_credentials_is_anonymous_and_rbac_lets_it_read_only_public_paths(sim: SimApi) -> None:
    with_account(sim)
    assert get_anonymously(sim, "/healthz") == (200, "ok")
    assert get_anonymously(sim, "/api") == (403, 'forbidden: User "system:anonymous" cannot get path "/api"')
    assert get_anonymously(sim, "/api/v1/nodes") == (
        403, 'nodes is forbidden: User "system:anonymous" cannot list resource "nodes" in API group "" at the cluster '
        "scope")
