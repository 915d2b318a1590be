"""The review side's part of the OpenAPI description; ReviewConfig.ready() adds it to jixiao.web.openapi.SCHEMA."""

from __future__ import annotations

from typing import Any

_ERROR = {"description": "拒绝：error 说明原因，errors 按字段列出，items 列出挡路的复核发现",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
_JSON = {"description": "结果", "content": {"application/json": {"schema": {"type": "object"}}}}


def _q(name: str, kind: str, text: str, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": {"type": kind}, "description": text}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


TRANSITION = {
    "type": "object", "required": ["action"],
    "properties": {
        "action": {"enum": ["submit", "withdraw", "return", "approve", "recheck", "publish", "unpublish"],
                   "description": "submit 提交、withdraw 撤回（填报人，审核开始前）；return 退回、approve 审核通过（审核人；"
                                  "财政复核可退回已审核或已复核的表）；recheck 复核完成、publish 公开、unpublish 撤销公开（财政复核）"},
        "comment": {"type": "string", "description": "意见；有警告时的提交说明；退回和撤销公开时必填"},
        "field": {"type": "string", "description": "意见针对的单元格，如 indicators[2].score（从 0 计）"},
        "field_comment": {"type": "string", "description": "对该单元格的意见（缺省用 comment）"},
        "cells": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "comment": {"type": "string"}}}},
    },
}
_FILTERS = [
    _q("year", "integer", "年度"), _q("department", "integer", "主管部门 id"), _q("unit", "integer", "实施单位 id"),
    _q("phase", "string", "target 或 self"), _q("stage", "string", "状态，可用逗号分隔多个"),
    _q("grade", "string", "优/良/中/差，none 为未评级"), _q("rate", "string", "执行率区间：lt60、60-80、80-90、90-100、100、none"),
    _q("errors", "string", "yes：有错误；no：无错误"), _q("code", "string", "含此复核代码的表"),
    _q("diff", "string", "填报总分与计算总分：higher、equal、lower、missing"), _q("sampled", "string", "yes：被抽评的表"),
    _q("q", "string", "项目或单位名称包含"),
]

PATHS: dict[str, Any] = {
    "/api/forms/{id}/transition": {"parameters": [_ID], "post": {
        "summary": "审核流转：提交、退回、审核通过、复核完成、公开", "requestBody": _body(TRANSITION),
        "responses": {"200": {"description": "流转后的表（含 stage）和 review", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Form"}}}},
            "400": _ERROR, "403": _ERROR, "404": _ERROR, "409": _ERROR}}},
    "/api/review/batch": {"post": {
        "summary": "批量审核通过、退回或公开：每张表各自流转（逐张检查权限），一张被拒不影响其他",
        "requestBody": _body({"type": "object", "required": ["ids", "action"], "properties": {
            "ids": {"type": "array", "items": {"type": "integer"}}, "action": {"enum": ["approve", "return", "publish"]},
            "comment": {"type": "string", "description": "对每张表相同的意见；退回时必填"}}}),
        "responses": {"200": {"description": "message 一句话的结果；done 成功的表；failed 每张被拒的表及原因",
                              "content": {"application/json": {"schema": {"type": "object"}}}}, "400": _ERROR}}},
    "/api/forms/{id}/review": {"parameters": [_ID], "get": {
        "summary": "审核情况：办理记录、退回意见、警告及其说明、抽评复核、可进行的操作", "responses": {"200": _JSON, "404": _ERROR}}},
    "/api/forms/{id}/history": {"parameters": [_ID], "get": {
        "summary": "修改历史：每一版的修改人、时间、状态、意见和改动的字段（原值、新值）", "responses": {"200": _JSON}}},
    "/api/forms/{id}/diff": {"parameters": [_ID, _q("from", "integer", "版本", True), _q("to", "integer", "版本")],
                             "get": {"summary": "两个版本之间的差异", "responses": {"200": _JSON, "404": _ERROR}}},
    "/api/forms/{id}/recheck": {"parameters": [_ID], "post": {
        "summary": "录入抽评复核得分和发现的问题（财政复核）；finish 为真时同时完成复核",
        "requestBody": _body({"type": "object", "required": ["own_score"], "properties": {
            "own_score": {"type": "string"}, "problems": {"type": "string"}, "finish": {"type": "boolean"}}}),
        "responses": {"200": _JSON, "400": _ERROR, "403": _ERROR}}},
    "/api/review/forms": {"get": {"summary": "总览中每个数字背后的表（筛选条件同总览链接）",
                                  "parameters": _FILTERS, "responses": {"200": _JSON}}},
    "/api/rounds": {
        "get": {"summary": "与我有关的填报任务", "responses": {"200": _JSON}},
        "post": {"summary": "发布填报任务（财政复核）", "requestBody": _body({"type": "object", "properties": {
            "year": {"type": "integer"}, "phase": {"enum": ["target", "self"]}, "title": {"type": "string"},
            "deadline": {"type": "string", "format": "date"}, "departments": {"type": "array", "items": {"type": "integer"}},
            "note": {"type": "string"}}}), "responses": {"201": _JSON, "400": _ERROR, "403": _ERROR}}},
    "/api/rounds/{id}": {"parameters": [_ID], "get": {"summary": "任务进度：各单位的表数、待交、剩余天数、是否逾期",
                                                     "responses": {"200": _JSON, "404": _ERROR}}},
    "/api/tasks": {"get": {"summary": "我的单位待交的表，按任务列出截止日期和剩余天数", "responses": {"200": _JSON}}},
    "/api/draws": {
        "get": {"summary": "随机抽评记录（财政复核）", "responses": {"200": _JSON, "403": _ERROR}},
        "post": {"summary": "按主管部门分层随机抽取（share 或 count 二选一；seed 可复现）",
                 "requestBody": _body({"type": "object", "properties": {
                     "year": {"type": "integer"}, "phase": {"enum": ["target", "self"]},
                     "share": {"type": "string", "description": "如 0.2 或 20%"}, "count": {"type": "integer"},
                     "seed": {"type": "integer"}, "departments": {"type": "array", "items": {"type": "integer"}}}}),
                 "responses": {"201": _JSON, "400": _ERROR, "403": _ERROR}}},
    "/api/draws/{id}": {"parameters": [_ID], "get": {"summary": "一次抽评：抽中的表、单位得分、复核得分及差额",
                                                    "responses": {"200": _JSON, "404": _ERROR}}},
    "/api/overview": {"get": {"summary": "年度总览（按状态、等级、执行率、错误、常见问题代码、填报与计算得分、按单位）",
                              "parameters": [_q("year", "integer", "年度", True), _q("department", "integer", "主管部门 id"),
                                             _q("phase", "string", "target 或 self")],
                              "responses": {"200": _JSON, "400": _ERROR}}},
    "/api/overview.{format}": {"get": {"summary": "年度总览导出为 xlsx 或 pdf",
                                       "parameters": [{"name": "format", "in": "path", "required": True,
                                                       "schema": {"enum": ["xlsx", "pdf"]}},
                                                      _q("year", "integer", "年度", True),
                                                      _q("department", "integer", "主管部门 id")],
                                       "responses": {"200": {"description": "文件"}, "400": _ERROR}}},
    "/api/public/forms": {"get": {"summary": "已公开的表（无需登录）", "security": [],
                                  "parameters": [_q("year", "integer", "年度"), _q("department", "integer", "主管部门 id")],
                                  "responses": {"200": _JSON}}},
    "/api/public/forms/{id}": {"parameters": [_ID], "get": {"summary": "一张已公开的表（无需登录）", "security": [],
                                                           "responses": {"200": _JSON, "404": _ERROR}}},
}


def extend(schema: dict[str, Any]) -> None:
    """Add the review paths to the web API's schema (once; existing paths are left alone)."""
    for path, item in PATHS.items():
        schema.setdefault("paths", {}).setdefault(path, item)
