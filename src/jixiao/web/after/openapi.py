"""The after-score side's part of the OpenAPI description; AfterConfig.ready() adds it to jixiao.web.openapi.SCHEMA."""

from __future__ import annotations

from typing import Any

_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
_JSON = {"description": "结果", "content": {"application/json": {"schema": {"type": "object"}}}}
_ERROR = {"description": "拒绝：error 说明原因（中文），errors 按字段列出",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}

PATHS: dict[str, Any] = {
    "/api/after/forms/{id}/evidence": {
        "get": {"summary": "表单的佐证材料与补充要求", "parameters": [_ID], "responses": {"200": _JSON, "404": _ERROR}},
        "post": {"summary": "上传佐证材料（multipart/form-data：file、field 单元格、request 回应的要求）", "parameters": [_ID],
                 "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                     "type": "object", "required": ["file"], "properties": {
                         "file": {"type": "string", "format": "binary"}, "field": {"type": "string"},
                         "request": {"type": "integer"}}}}}},
                 "responses": {"201": _JSON, "400": _ERROR, "403": _ERROR, "404": _ERROR}},
    },
    "/api/after/evidence/{id}": {
        "get": {"summary": "下载佐证材料（只有能查看其表单的用户可以）", "parameters": [_ID],
                "responses": {"200": {"description": "文件"}, "404": _ERROR}},
    },
    "/api/after/rectifications": {"get": {"summary": "可查看的整改事项", "responses": {"200": _JSON}}},
    "/api/after/results/{year}": {
        "get": {"summary": "结果应用清单：自评得分、复核得分、等级、建议、下年度申报数",
                "parameters": [{"name": "year", "in": "path", "required": True, "schema": {"type": "integer"}},
                               {"name": "department", "in": "query", "schema": {"type": "integer"}}],
                "responses": {"200": _JSON, "403": _ERROR}},
    },
}


def extend(schema: dict[str, Any]) -> None:
    for path, item in PATHS.items():
        schema.setdefault("paths", {}).setdefault(path, item)
