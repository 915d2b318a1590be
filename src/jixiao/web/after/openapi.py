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
    "/api/after/dept/{id}": {
        "get": {"summary": "部门整体自评表：状态、填报与计算总分、可办理的操作、记录（jixiao.dept-self/1）",
                "parameters": [_ID], "responses": {"200": _JSON, "404": _ERROR}},
    },
    "/api/after/dept/{id}/transition": {
        "post": {"summary": "办理部门整体自评表：submit 提交（本部门填报人）、approve 审核通过、return 退回（须写意见）、"
                            "publish 公开（财政）", "parameters": [_ID],
                 "requestBody": {"required": True, "content": {"application/json": {"schema": {
                     "type": "object", "required": ["action"], "properties": {
                         "action": {"type": "string", "enum": ["submit", "approve", "return", "publish"]},
                         "comment": {"type": "string"}}}}}},
                 "responses": {"200": _JSON, "400": _ERROR, "403": _ERROR, "404": _ERROR}},
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
