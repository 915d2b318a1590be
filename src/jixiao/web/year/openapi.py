"""The year app's part of the OpenAPI description; YearConfig.ready() adds it to jixiao.web.openapi.SCHEMA.

The records' own schemas are the ones `jixiao schema target|monitor` prints (components TargetRecord,
MonitorRecord), so the API and the command line describe one shape.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

_ERROR = {"description": "拒绝：error 说明原因，errors 按字段列出",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
_JSON = {"description": "结果", "content": {"application/json": {"schema": {"type": "object"}}}}
_TARGET = {"description": "申报表", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Target"}}}}


def _body(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": list(required), "properties": properties}}}}


_RECORD = {"$ref": "#/components/schemas/TargetRecord"}
PATHS: dict[str, Any] = {
    "/api/year/targets": {
        "get": {"summary": "可查看的绩效目标申报表（?year=）", "responses": {"200": _JSON, "401": _ERROR}},
        "post": {"summary": "申报绩效目标（unit 为可填报单位的 id）",
                 "requestBody": _body({"unit": {"type": "integer"}, "target": _RECORD}, ("unit", "target")),
                 "responses": {"201": _TARGET, "400": _ERROR, "403": _ERROR}},
    },
    "/api/year/targets/{id}": {
        "parameters": [_ID],
        "get": {"summary": "一张申报表，含版本和审核记录", "responses": {"200": _TARGET, "404": _ERROR}},
        "put": {"summary": "修改草稿或已退回的申报表（edit 为读取时的修改次数）",
                "requestBody": _body({"target": _RECORD, "edit": {"type": "integer"}}, ("target",)),
                "responses": {"200": _TARGET, "403": _ERROR, "409": _ERROR}},
    },
    "/api/year/targets/{id}/diff": {"parameters": [_ID], "get": {
        "summary": "两个目标版本的差异（?from=&to=）", "responses": {"200": _JSON, "404": _ERROR}}},
    "/api/year/targets/{id}/{action}": {
        "parameters": [_ID, {"name": "action", "in": "path", "required": True,
                             "schema": {"enum": ["submit", "review", "adjust", "publish", "self", "monitor"]}}],
        "post": {"summary": "submit 提交；review 审核（items 各要点等级，opinion，cells 单元格意见；待主管部门审核时由主管部门"
                            "审核人审核，通过则待财政审核，由财政局审核并决定结果）；adjust 目标调整（reason）；"
                            "publish 随预算公开；self 新建自评；monitor 填报运行监控表（round）",
                 "requestBody": _body({"items": {"type": "object", "additionalProperties": {"enum": ["优", "良", "中", "差"]}},
                                       "opinion": {"type": "string"}, "reason": {"type": "string"},
                                       "round": {"type": "integer"},
                                       "cells": {"type": "array", "items": {"type": "object"}}}),
                 "responses": {"200": _TARGET, "201": _JSON, "400": _ERROR, "403": _ERROR, "404": _ERROR}},
    },
    "/api/year/check/{kind}": {
        "parameters": [{"name": "kind", "in": "path", "required": True, "schema": {"enum": ["target", "monitor"]}}],
        "post": {"summary": "检查未保存的申报表（T01–T15）或监控表（M01–M12，id 为监控表）",
                 "requestBody": _body({"target": _RECORD, "monitor": {"$ref": "#/components/schemas/MonitorRecord"},
                                       "id": {"type": "integer"}}),
                 "responses": {"200": _JSON, "400": _ERROR}},
    },
    "/api/year/publication": {
        "get": {"summary": "信息公开期限（财政局）：各类已批复的表（绩效目标随预算公开，自评表随决算公开）及其公开期限、"
                           "逾期未公开的表、公开比例", "responses": {"200": _JSON, "403": _ERROR}}},
    "/api/year/rounds": {
        "get": {"summary": "各类任务（?kind=target|monitor|self）", "responses": {"200": _JSON}},
        "post": {"summary": "财政局发起任务（运行监控须给 to_month）",
                 "requestBody": _body({"kind": {"enum": ["target", "monitor", "self"]}, "year": {"type": "integer"},
                                       "title": {"type": "string"}, "deadline": {"type": "string", "format": "date"},
                                       "to_month": {"type": "integer"}, "answer_days": {"type": "integer"}},
                                      ("kind", "year", "deadline")),
                 "responses": {"201": _JSON, "400": _ERROR, "403": _ERROR}},
    },
    "/api/year/rounds/{id}/warnings": {"parameters": [_ID], "get": {
        "summary": "财政局的监控预警视图：本任务各单位的预警与逾期未答复", "responses": {"200": _JSON, "403": _ERROR}}},
    "/api/year/monitors/{id}": {
        "parameters": [_ID],
        "get": {"summary": "一张运行监控表（含检查结果和预警）", "responses": {"200": _JSON, "404": _ERROR}},
        "put": {"summary": "填报监控表（指标与年度指标值取自批复目标，不可改）",
                "requestBody": _body({"monitor": {"$ref": "#/components/schemas/MonitorRecord"}}, ("monitor",)),
                "responses": {"200": _JSON, "403": _ERROR}},
    },
    "/api/year/monitors/{id}/submit": {"parameters": [_ID], "post": {
        "summary": "报送监控表：产生预警", "responses": {"200": _JSON, "400": _ERROR, "403": _ERROR}}},
    "/api/year/warnings/{id}/answer": {"parameters": [_ID], "post": {
        "summary": "答复预警：继续执行 / 调剂 / 取消",
        "requestBody": _body({"answer": {"enum": ["continue", "adjust", "cancel"]}, "note": {"type": "string"}},
                             ("answer",)),
        "responses": {"200": _JSON, "400": _ERROR, "403": _ERROR}}},
    "/api/year/forms/{id}/differences": {"parameters": [_ID], "get": {
        "summary": "自评表与批复目标的差异（Y01）", "responses": {"200": _JSON, "404": _ERROR}}},
    "/public/targets.json": {"get": {"summary": "随预算公开的绩效目标", "security": [], "responses": {"200": _JSON}}},
    "/public/targets/{id}.json": {"parameters": [_ID], "get": {
        "summary": "一张公开的绩效目标", "security": [], "responses": {"200": _JSON, "404": _ERROR}}},
}


def _record_schema(name: str) -> dict[str, Any]:
    text = resources.files("jixiao.schema").joinpath(name).read_text(encoding="utf-8")
    schema = json.loads(text)
    return next(iter(schema["$defs"].values()))  # the record itself (the file's top level is a list of them)


def extend(schema: dict[str, Any]) -> None:
    """Add the year paths and the record schemas to the web API's schema (once)."""
    for path, item in PATHS.items():
        schema.setdefault("paths", {}).setdefault(path, item)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("TargetRecord", _record_schema("jixiao.target-1.schema.json"))
    components.setdefault("MonitorRecord", _record_schema("jixiao.monitor-1.schema.json"))
    components.setdefault("Target", {"type": "object", "properties": {
        "id": {"type": "integer"}, "year": {"type": "integer"}, "project": {"type": "string"},
        "version": {"type": "integer"}, "stage": {"enum": ["draft", "submitted", "to_finance", "returned", "edits", "approved", "rejected",
                                                            "superseded"]},
        "target": {"$ref": "#/components/schemas/TargetRecord"}, "findings": {"type": "array"},
        "actions": {"type": "array", "items": {"type": "string"}}}})
