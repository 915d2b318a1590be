"""The library's part of the OpenAPI description (joined to /api/openapi.json by the app's ready())."""

from __future__ import annotations

from typing import Any

_CODE = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}, "description": "指标代码"}
_DEPT = {"name": "department", "in": "query", "required": False, "schema": {"type": "integer"},
         "description": "只看该主管部门的单位"}
_ERR = {"$ref": "#/components/schemas/Error"}


def _ok(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema or {"type": "object"}}}}


def _errors() -> dict[str, Any]:
    return {"400": _ok("请求有误", _ERR), "401": _ok("未登录", _ERR), "403": _ok("无权限", _ERR),
            "404": _ok("不存在", _ERR)}


ENTRY = {"type": "object", "description": "指标库条目 jixiao.indicator/1", "properties": {
    "schema": {"const": "jixiao.indicator/1"}, "code": {"type": "string"}, "name": {"type": "string"},
    "level1": {"type": "string"}, "level2": {"type": "string"}, "kind": {"enum": ["定量", "定性"]},
    "op": {"enum": ["", "≥", ">", "=", "≤", "<"]}, "unit": {"type": "string"}, "explanation": {"type": "string"},
    "formula": {"type": "string"}, "standard": {"type": "string"}, "data_source": {"type": "string"},
    "common": {"type": "boolean"}, "owner": {"type": "string"}, "valid_from": {"type": ["integer", "null"]},
    "valid_to": {"type": ["integer", "null"]}, "status": {"enum": ["active", "retired"]},
    "provenance": {"type": "string"}, "aliases": {"type": "array", "items": {"type": "string"}}},
    "required": ["code", "name"]}

PATHS: dict[str, Any] = {
    "/api/library/suggest": {"get": {
        "summary": "输入三级指标名称时的推荐：指标解释、常用符号和单位、同类单位目标中位数",
        "parameters": [{"name": "q", "in": "query", "required": True, "schema": {"type": "string"}},
                       {"name": "level2", "in": "query", "schema": {"type": "string"}},
                       {"name": "year", "in": "query", "schema": {"type": "integer"}},
                       {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 20}}],
        "responses": {"200": _ok("推荐的指标", {"type": "object", "properties": {"items": {"type": "array"}}}),
                      **_errors()}}},
    "/api/library/compare": {"post": {
        "summary": "表中每一行与同类单位目标、本单位上年实际的比较，以及指标库检查（T10、T11、L01–L03）",
        "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
            "form": {"$ref": "#/components/schemas/Record"}, "unit": {"type": "integer"},
            "form_id": {"type": "integer", "description": "已保存的表：比较时不算它自己"},
            "profile": {"type": "string"}}}},
            "application/x-www-form-urlencoded": {"schema": {"type": "object",
                                                             "description": "编辑页的字段，与 /forms/evaluate/ 相同"}}}},
        "responses": {"200": _ok("rows：每行的指标、同类目标分布、上年；findings：指标库检查"), **_errors()}}},
    "/api/library/entries": {"get": {"summary": "指标库条目（按使用次数）", "responses": {"200": _ok("条目列表"),
                                                                               **_errors()}}},
    "/api/library/entries/{code}": {"get": {"summary": "一个条目、其统计与变更历史", "parameters": [_CODE],
                                            "responses": {"200": _ok("条目", ENTRY), **_errors()}}},
    "/api/library/entries/{code}/statistics": {"get": {
        "summary": "使用单位数、年度，按年度/地区/部门的年度指标值与实际完成值中位数和四分位数、完成比例、计量单位",
        "parameters": [_CODE], "responses": {"200": _ok("统计"), **_errors()}}},
    "/api/library/entries/{code}/benchmark": {"get": {
        "summary": "对标：各单位各年的目标与实际、每年的分布、离群目标", "parameters": [_CODE, _DEPT],
        "responses": {"200": _ok("对标数据"), **_errors()}}},
    "/api/library/changes": {"post": {
        "summary": "提交入库/修改/出库申请（待财政部门审核）",
        "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
            "action": {"enum": ["add", "change", "retire"]}, "record": ENTRY, "reason": {"type": "string"}}}}}},
        "responses": {"201": _ok("申请已提交"), **_errors()}}},
    "/api/library/usages/{id}/confirm": {"post": {
        "summary": "确认名称相似的指标行对应某个指标（表的填报人或财政部门）",
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
            "entry": {"type": "string", "description": "指标代码"}}}}}},
        "responses": {"200": _ok("已确认"), **_errors()}}},
    "/api/library/changes/pending": {"get": {"summary": "待审核的申请", "responses": {"200": _ok("申请列表"),
                                                                                 **_errors()}}},
    "/api/library/changes/{id}/decide": {"post": {
        "summary": "批准或驳回申请（财政部门）",
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
            "decision": {"enum": ["approve", "reject"]}, "comment": {"type": "string"}}}}}},
        "responses": {"200": _ok("已审核"), "409": _ok("已审核过", _ERR), **_errors()}}},
}


def extend(schema: dict[str, Any]) -> None:
    schema["paths"].update(PATHS)
    schema["components"]["schemas"]["Indicator"] = ENTRY
