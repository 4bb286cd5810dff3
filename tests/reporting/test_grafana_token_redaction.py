"""The Grafana token is a secret of the run whatever its variable is called (--grafana-token-env)."""

from __future__ import annotations

from conformance.plugin.redaction import environment_with_grafana_token
from gpu_conformance.reporting.secrets import run_redactor
from gpu_conformance.secret import REDACTED
from gpu_conformance.settings import resolve

TOKEN = "glsa_Qw7Er4Ty1Ui8Op5As2Df"


def test_the_named_variables_value_is_redacted() -> None:
    environ = {"GF_SA_KEY": TOKEN, "HOME": "/root"}  # a name the secret-name rule does not catch
    settings = resolve({"grafana_token_env": "GF_SA_KEY"}, environ={})
    assert run_redactor((), (), environ)(f"token {TOKEN}") == f"token {TOKEN}"
    redactor = run_redactor((), (), environment_with_grafana_token(settings, environ))
    assert redactor(f"token {TOKEN}") == f"token {REDACTED}"


def test_an_unset_variable_adds_nothing() -> None:
    settings = resolve({}, environ={})
    assert environment_with_grafana_token(settings, {"HOME": "/root"}) == {"HOME": "/root"}
