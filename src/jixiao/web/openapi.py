"""The OpenAPI 3.1 description of /api/ (hand-written: the API is small and this stays readable)."""

from __future__ import annotations

from typing import Any

_ERROR = {"description": "拒绝：error 说明原因，errors 按字段列出", "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/Error"}}}}
_FILE = {"description": "文件", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
_FILTERS = [
    {"name": n, "in": "query", "required": False, "schema": {"type": t}, "description": d}
    for n, t, d in (
        ("year", "integer", "年度"), ("department", "integer", "主管部门 id"), ("unit", "integer", "实施单位 id"),
        ("phase", "string", "target（目标申报）或 self（自评）"),
        ("stage", "string", "draft / submitted / returned / approved / rechecked / published"),
        ("grade", "string", "优 / 良 / 中 / 差"), ("errors", "string", "yes：有错误；no：无错误"),
        ("q", "string", "项目或单位名称包含"),
    )
]

SCHEMA: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "预算绩效自评 API", "version": "1", "description":
             "表单以 jixiao.form/1 交换格式（见 docs/domain.md §8）传递。认证：登录会话，或请求头 "
             "`Authorization: Bearer <令牌>`（`jixiao token create 用户名` 生成）。权限与网页相同。"},
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                            "session": {"type": "apiKey", "in": "cookie", "name": "sessionid"}},
        "schemas": {
            "Error": {"type": "object", "properties": {"error": {"type": "string"},
                                                        "errors": {"type": "object"}}},
            "Record": {"type": "object", "description": "jixiao.form/1 记录（随包提供 JSON Schema）",
                       "properties": {"schema": {"const": "jixiao.form/1"}, "year": {"type": ["integer", "null"]},
                                      "project": {"type": "string"}}},
            "Org": {"type": ["object", "null"], "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
            "Finding": {"type": "object", "properties": {
                "code": {"type": "string"}, "severity": {"enum": ["error", "warning", "info"]},
                "location": {"type": "object"}, "found": {"type": "string"}, "expected": {"type": "string"},
                "message": {"type": "string"}}},
            "Form": {"type": "object", "properties": {
                "id": {"type": "integer"}, "unit": {"$ref": "#/components/schemas/Org"},
                "department": {"$ref": "#/components/schemas/Org"}, "year": {"type": "integer"},
                "project": {"type": "string"}, "phase": {"enum": ["target", "self"]},
                "stage": {"enum": ["draft", "submitted", "returned", "approved", "rechecked", "published"]},
                "profile": {"type": "string"}, "profile_override": {"type": "string"},
                "version": {"type": "integer", "description": "修改时原样带回；他人已修改则返回 409"},
                "updated_at": {"type": "string", "format": "date-time"},
                "counts": {"type": "object"}, "form": {"$ref": "#/components/schemas/Record"},
                "scorecard": {"type": "object", "description": "按评分规则计算的得分、公式、总分与等级"},
                "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}}}},
            "FormWrite": {"type": "object", "required": ["form"], "properties": {
                "unit": {"type": "integer"}, "phase": {"enum": ["target", "self"]},
                "profile_override": {"type": "string"}, "version": {"type": "integer"},
                "form": {"$ref": "#/components/schemas/Record"}}},
        },
    },
    "security": [{"bearer": []}, {"session": []}],
    "paths": {
        "/api/forms": {
            "get": {"summary": "列出可查看的表（分页，每页 50，page_size 最多 200）",
                    "parameters": [*_FILTERS, {"name": "page", "in": "query", "schema": {"type": "integer"}},
                                   {"name": "page_size", "in": "query", "schema": {"type": "integer"}}],
                    "responses": {"200": {"description": "count、page、pages、results", "content": {"application/json": {
                        "schema": {"type": "object", "properties": {
                            "count": {"type": "integer"}, "page": {"type": "integer"}, "pages": {"type": "integer"},
                            "results": {"type": "array", "items": {"$ref": "#/components/schemas/Form"}}}}}}},
                        "401": _ERROR}},
            "post": {"summary": "新建表（unit 为可填报单位的 id）",
                     "requestBody": {"required": True, "content": {"application/json": {
                         "schema": {"$ref": "#/components/schemas/FormWrite"}}}},
                     "responses": {"201": {"description": "已保存", "content": {"application/json": {
                         "schema": {"$ref": "#/components/schemas/Form"}}}}, "400": _ERROR, "403": _ERROR}},
        },
        "/api/forms/{id}": {
            "parameters": [_ID],
            "get": {"summary": "读取一张表（含复核发现）", "responses": {"200": {"description": "表", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Form"}}}}, "404": _ERROR}},
            "put": {"summary": "修改一张表（需要 version）", "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/FormWrite"}}}},
                "responses": {"200": {"description": "已保存"}, "400": _ERROR, "403": _ERROR, "404": _ERROR,
                              "409": _ERROR}},
            "patch": {"summary": "部分修改（phase、profile_override、form 任选）", "requestBody": {"content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/FormWrite"}}}},
                "responses": {"200": {"description": "已保存"}, "403": _ERROR, "409": _ERROR}},
        },
        "/api/forms/{id}/export.{format}": {
            "parameters": [_ID, {"name": "format", "in": "path", "required": True,
                                 "schema": {"enum": ["xlsx", "docx", "pdf"]}}],
            "get": {"summary": "按标准格式导出一张表", "responses": {"200": _FILE, "404": _ERROR}},
        },
        "/api/forms/summary.xlsx": {"get": {"summary": "按筛选条件导出汇总表", "parameters": _FILTERS,
                                            "responses": {"200": _FILE}}},
        "/api/export": {"post": {"summary": "把选中的表打包为 zip", "requestBody": {"content": {"application/json": {
            "schema": {"type": "object", "properties": {"ids": {"type": "array", "items": {"type": "integer"}},
                                                        "format": {"enum": ["xlsx", "docx", "pdf"]}}}}}},
            "responses": {"200": _FILE, "400": _ERROR}}},
        "/api/check": {"post": {"summary": "复核上传的文件，返回与 `jixiao check --format json` 相同的结果（不保存）",
                                "requestBody": {"content": {"multipart/form-data": {"schema": {
                                    "type": "object", "properties": {"file": {"type": "string", "format": "binary"},
                                                                     "profile": {"type": "string"}}}}}},
                                "responses": {"200": {"description": "forms、summary、problems"},
                                              "202": {"description": "文件超过 JIXIAO_CHECK_MAX_BYTES：已转为后台检查，"
                                                                     "url（及 Location 头）为任务地址"},
                                              "400": _ERROR}}},
        "/api/check/{id}": {"get": {"summary": "后台检查的状态；完成后返回与同步检查相同的结果（仅提交者可见）",
                                    "parameters": [{"name": "id", "in": "path", "required": True,
                                                    "schema": {"type": "integer"}}],
                                    "responses": {"200": {"description": "完成：forms、summary、problems；"
                                                                         "失败：status 为 failed 及 error"},
                                                  "202": {"description": "排队中或检查中：status、label"},
                                                  "404": _ERROR}}},
        "/api/evaluate": {"post": {"summary": "计算一份未保存的记录的得分和复核发现", "requestBody": {"content": {
            "application/json": {"schema": {"type": "object", "properties": {
                "form": {"$ref": "#/components/schemas/Record"}, "profile": {"type": "string"}}}}}},
            "responses": {"200": {"description": "scorecard、findings、counts"}}}},
        "/api/units": {"get": {"summary": "可查看的单位（writable：可填报）", "responses": {"200": {"description": "单位"}}}},
        "/api/openapi.json": {"get": {"summary": "本说明", "security": [], "responses": {"200": {"description": "OpenAPI"}}}},
    },
}
