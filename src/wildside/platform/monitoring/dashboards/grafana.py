"""A small builder for Grafana dashboard JSON (schemaVersion 39, Grafana 10
and 11): panels get unique ids and a grid position in the order they are
added, every query uses the `${datasource}` template variable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 39
GRID_WIDTH = 24
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}


@dataclass(frozen=True)
class Query:
    expr: str
    legend: str = ""
    instant: bool = False
    table: bool = False


@dataclass
class Dashboard:
    uid: str
    title: str
    description: str
    tags: list[str]
    variables: list[dict[str, Any]] = field(default_factory=list)
    panels: list[dict[str, Any]] = field(default_factory=list)
    _next_id: int = 1
    _x: int = 0
    _y: int = 0
    _row_height: int = 0

    def _place(self, width: int, height: int) -> dict[str, int]:
        if self._x + width > GRID_WIDTH:
            self._x, self._y = 0, self._y + self._row_height
            self._row_height = 0
        position = {"h": height, "w": width, "x": self._x, "y": self._y}
        self._x += width
        self._row_height = max(self._row_height, height)
        return position

    def _take_id(self) -> int:
        panel_id = self._next_id
        self._next_id += 1
        return panel_id

    def row(self, title: str) -> Dashboard:
        if self._x:
            self._x, self._y, self._row_height = 0, self._y + self._row_height, 0
        self.panels.append(
            {
                "id": self._take_id(),
                "type": "row",
                "title": title,
                "collapsed": False,
                "panels": [],
                "gridPos": {"h": 1, "w": GRID_WIDTH, "x": 0, "y": self._y},
            }
        )
        self._y += 1
        return self

    def panel(
        self,
        kind: str,
        title: str,
        description: str,
        queries: list[Query],
        *,
        width: int = 6,
        height: int = 6,
        unit: str | None = None,
        thresholds: Sequence[tuple[float | None, str]] | None = None,
        options: dict[str, Any] | None = None,
        mappings: list[dict[str, Any]] | None = None,
        transformations: list[dict[str, Any]] | None = None,
    ) -> Dashboard:
        defaults: dict[str, Any] = {}
        if unit:
            defaults["unit"] = unit
        if thresholds:
            defaults["thresholds"] = {
                "mode": "absolute",
                "steps": [{"color": color, "value": value} for value, color in thresholds],
            }
        if mappings:
            defaults["mappings"] = mappings
        targets = []
        for index, query in enumerate(queries):
            target: dict[str, Any] = {
                "datasource": DATASOURCE,
                "expr": query.expr,
                "refId": chr(ord("A") + index),
                "legendFormat": query.legend or "__auto",
                "range": not query.instant,
                "instant": query.instant,
            }
            if query.table:
                target["format"] = "table"
            targets.append(target)
        panel: dict[str, Any] = {
            "id": self._take_id(),
            "type": kind,
            "title": title,
            "description": description,
            "datasource": DATASOURCE,
            "gridPos": self._place(width, height),
            "targets": targets,
            "fieldConfig": {"defaults": defaults, "overrides": []},
            "options": options or {},
        }
        if transformations:
            panel["transformations"] = transformations
        self.panels.append(panel)
        return self

    def query_variable(self, name: str, label: str, query: str, *, multi: bool = True) -> Dashboard:
        self.variables.append(
            {
                "name": name,
                "label": label,
                "type": "query",
                "datasource": DATASOURCE,
                "query": {"query": query, "refId": f"{name}-variable"},
                "definition": query,
                "refresh": 2,
                "includeAll": multi,
                "multi": multi,
                "allValue": ".*",
                "current": {},
                "sort": 1,
            }
        )
        return self

    def to_json(self) -> dict[str, Any]:
        datasource_variable = {
            "name": "datasource",
            "label": "Data source",
            "type": "datasource",
            "query": "prometheus",
            "current": {},
            "hide": 0,
            "refresh": 1,
        }
        return {
            "uid": self.uid,
            "title": self.title,
            "description": self.description,
            "tags": self.tags,
            "timezone": "utc",
            "editable": False,
            "graphTooltip": 1,
            "schemaVersion": SCHEMA_VERSION,
            "version": 1,
            "refresh": "1m",
            "time": {"from": "now-6h", "to": "now"},
            "annotations": {"list": []},
            "links": [],
            "templating": {"list": [datasource_variable, *self.variables]},
            "panels": self.panels,
        }


def expressions(dashboard: dict[str, Any]) -> list[str]:
    """Every PromQL expression of a dashboard's panels."""
    return [
        target["expr"]
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
        if target.get("expr")
    ]
