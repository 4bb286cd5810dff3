"""Monitoring facts: Prometheus configuration, live Prometheus, alert rules (with promtool), GPU exporters."""
