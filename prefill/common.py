"""What the pre-fill command classes share: who may call, the identifiers they accept, the caller's
draft loaded inside the command's own transaction, and the labels a citizen reads.

Every command opens one `StateDB.session()` and hands it down; the helpers here never open one,
so a command commits its change and its audit entry together or not at all.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from core.clock import utcnow
from core.errors import Forbidden, InvalidInput, NotFound
from core.identity import Principal
from prefill.engine import DraftState
from prefill.forms import MergedForm
from prefill.store import DraftRow, iso

ACTION_LABELS = {
    "read": "调取了数据", "identity_lookup": "按身份证号识别您以请您授权", "draft_start": "创建申请",
    "consent_grant": "授权调取", "consent_refuse": "拒绝调取", "edit": "修改字段", "confirm": "确认申请内容",
    "reopen": "撤回确认", "submit": "提交并分送各部门", "status_change": "部门更新办理状态", "document": "生成打印文书",
    "payload_read": "部门调阅申请数据", "correction_report": "提交纠错申请", "consent_code_issue": "生成帮办授权码",
    "consent_code_redeem": "工作人员凭授权码代办", "ocr": "识别上传的证照",
    "proactive_opt_in": "开启主动服务授权", "proactive_opt_out": "关闭主动服务授权", "offer_sent": "主动推送可办事项",
    "offer_grant": "免申即享：无需申请直接发放", "offer_open": "查看主动服务提醒", "offer_accept": "接受主动服务并预填申请",
    "offer_decline": "拒绝主动服务", "commitment_sign": "签署容缺受理承诺书", "material_missing": "标记材料暂缺",
    "material_supply": "补交材料",
    "representative_check": "核验您是否为市场主体的法定代表人（经营者、管理人）",
    "applicant_name": "在授权请求中显示您遮掩后的姓名",
}
SOURCE_LABELS = {"population": "人口库（公安户籍）", "e_licence": "电子证照库", "social_insurance": "社会保险和医疗保障信息库",
                 "housing_fund": "住房公积金信息库", "enterprise": "法人库（市场主体登记）", "real_estate": "不动产登记信息库",
                 "ocr": "证照照片识别（OCR，需本人确认）"}


def require_citizen(who: Principal) -> None:
    if who.kind != "citizen":
        raise Forbidden("this needs a citizen sign-in (a clerk acts for a citizen with their consent code)")


def require_staff(who: Principal) -> None:
    if who.kind != "staff":
        raise Forbidden("this needs a staff sign-in")


def check_id(value: str, name: str) -> str:
    """An identifier from the caller (draft id, one-thing id, field key): short and alphanumeric."""
    if not isinstance(value, str) or not value or len(value) > 64 or not value.replace("-", "").replace("_", "").isalnum():
        raise InvalidInput(f"{name}: not a valid identifier", field=name)
    return value


def owned_draft(s: Session, who: Principal, draft_id: str, *, lock: bool = False) -> DraftRow:
    """The caller's own draft; anyone else's is "not found", so its existence is not revealed.

    `lock` is for commands that change the draft: the row stays locked until the command commits
    (SELECT … FOR UPDATE on PostgreSQL; SQLite transactions already hold the write lock), so two
    workers' read-modify-write of one draft run one after the other instead of losing a change."""
    require_citizen(who)
    check_id(draft_id, "draft_id")
    row = s.get(DraftRow, draft_id, with_for_update=lock or None)
    if row is None or row.owner_id != who.subject:
        raise NotFound(f"no draft {draft_id!r} for this user")
    return row


def draft_state(row: DraftRow) -> DraftState:
    """A deep copy of the draft's bindings and values for the engine to work on."""
    return DraftState(row.id, row.owner_id, json.loads(json.dumps(row.bindings or {})),
                      json.loads(json.dumps(row.values or {})), dict(row.requested or {}))


def store_state(row: DraftRow, st: DraftState) -> None:
    """Write the engine's result back to the row (committed with the command)."""
    row.bindings, row.values = st.bindings, st.values
    row.version += 1
    row.updated_at = iso(utcnow())


def purpose(form: MergedForm) -> str:
    """The purpose every audit entry of a form's data use names."""
    return f"{form.one_thing_id}: {form.purpose}"


def as_text(v: Any) -> str | None:
    return None if v is None else str(v)
