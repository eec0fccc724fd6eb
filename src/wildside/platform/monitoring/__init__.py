"""Observability: kube-prometheus-stack, dashboards, alerts and preview metrics."""
