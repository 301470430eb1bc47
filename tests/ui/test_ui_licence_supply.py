"""承诺办's e-licence route in the web UI (issue 12): 从电子证照库调取 beside the upload — in 我的办事 → 容缺待补 and
in the flow's materials checklist — only where the guide names the licence that supplies the material, with what
is read and why written beside it; the licence closes the item, and a licence not issued yet is a plain message
in 简体, 繁體 and English that leaves everything as it was. Callbacks called directly over a real PrefillService."""

from __future__ import annotations

import gradio as gr
import pytest

from core.identity import Principal
from prefill.seed import scenarios_from_meta
from ui import prefill_render as pr
from ui.citizen import CitizenUI

ASSESSMENT = "老年人能力评估结果"  # elderly_welfare: licence: elderly_assessment, tolerance: true
TOLERABLE = "监护关系证明"  # childcare_subsidy: tolerable, upload only
LANGS = ("zh-Hans", "zh-Hant", "en")


@pytest.fixture
def ui(app):
    with gr.Blocks():
        yield CitizenUI(app)


def elderly_draft(svc, n: int) -> tuple[Principal, str]:
    """The nth seeded 80+ applicant's elderly-welfare application, pre-filled and completed, not confirmed. The
    seed has issued the 老年人能力评估结果 of the 1st, 3rd … (n even), not of the others."""
    sc = [s for s in scenarios_from_meta(svc.shared.meta()) if s.one_thing_id == "elderly_welfare"][n]
    me = Principal("citizen", sc.applicant_id)
    draft = svc.start_draft(me, "elderly_welfare")
    svc.grant_all(me, draft.draft_id)
    view = svc.prefill(me, draft.draft_id)
    svc.edit_many(me, draft.draft_id, {f.key: f.options[0] for f in view.fields
                                       if f.required and f.state == "to_be_entered" and f.options})
    return me, draft.draft_id


def promised_assessment(svc, n: int) -> tuple[Principal, str]:
    """`elderly_draft` submitted with 老年人能力评估结果 promised under a signed commitment (容缺待补); the
    submission's tracking number."""
    me, draft_id = elderly_draft(svc, n)
    svc.mark_material_missing(me, draft_id, ASSESSMENT)
    svc.confirm(me, draft_id)
    return me, svc.submit(me, draft_id).tracking_no


@pytest.mark.parametrize("lang", LANGS)
def test_pending_offers_the_licence_with_what_it_reads_and_the_licence_closes_it(ui, svc, lang):
    me, tracking = promised_assessment(svc, 0)
    st = {"lang": lang}
    view, _ = ui.account.pending(me, st)
    item = next(i for i in view["items"] if i["material"] == ASSESSMENT)
    assert item["licence"] == ASSESSMENT and pr.localise(ASSESSMENT, lang) in item["html"]
    assert {"zh-Hans": "证照编号", "zh-Hant": "證照編號", "en": "its number"}[lang] in item["html"]
    view, msg = ui.account.supply_pending_from_licence(item["draft_id"], ASSESSMENT, item["licence"], me, st)
    assert view["items"] == [] and svc.track(me, tracking).pending_materials == []
    assert {"zh-Hans": "已从电子证照库调取", "zh-Hant": "已從電子證照庫調取", "en": "was read from the e-licence library"}[lang] in msg
    assert "*" in msg  # the licence number, masked


@pytest.mark.parametrize("lang", LANGS)
def test_a_licence_not_issued_yet_is_a_plain_message_and_nothing_changes(ui, svc, lang):
    me, tracking = promised_assessment(svc, 1)
    st = {"lang": lang}
    view, _ = ui.account.pending(me, st)
    item = view["items"][0]
    kept, msg = ui.account.supply_pending_from_licence(item["draft_id"], ASSESSMENT, item["licence"], me, st)
    assert kept == gr.skip()  # the list stays as drawn
    assert {"zh-Hans": "电子证照库中还没有", "zh-Hant": "電子證照庫中還沒有", "en": "is not in the e-licence library yet"}[lang] in msg
    assert {"zh-Hans": "上传", "zh-Hant": "上傳", "en": "upload"}[lang] in msg
    assert [p.material for p in svc.track(me, tracking).pending_materials] == [ASSESSMENT]


def test_upload_only_materials_have_no_licence_button(svc):
    from prefill.models import MaterialItemView, MaterialsView, PendingMaterial, SubmissionView

    sub = SubmissionView(tracking_no="YJS-20261123-ABC234", draft_id="d1", one_thing_id="childcare_subsidy", title="t",
                         submitted_at="2026-11-23T00:00:00.000000Z", departments=[], finished=False,
                         pending_materials=[PendingMaterial(material=TOLERABLE, due="2026-12-23", overdue=False,
                                                            departments=["民政部门"])])
    assert pr.pending_specs([sub], {}, "zh-Hans")[0]["licence"] is None
    item = MaterialItemView(name=TOLERABLE, required=False, e_licence=False, tolerable=True, status="committed")
    spec = pr.materials_spec(MaterialsView(draft_id="d1", one_thing_id="childcare_subsidy", items=[item],
                                           blocking=[], pending=[TOLERABLE]), "zh-Hans")
    assert spec["items"][0]["licence"] is None and spec["items"][0]["upload"]


def test_in_the_flow_a_shared_material_that_may_follow_later_is_promised_then_read_from_the_licence(ui, svc):
    me, draft_id = elderly_draft(svc, 0)
    upd = ui.flow.open_at_review(me, draft_id, "zh-Hans")
    flow, spec = upd[ui.flow.flow], upd[ui.flow.review_view]
    mat = next(m for m in spec["materials"]["items"] if m["name"] == ASSESSMENT)
    # 共享调取 when assessed; 未评估的可先受理: 暂缺 is offered, and nothing to read from a licence yet.
    assert mat["absent"] and mat["licence"] is None and not mat["upload"]
    shown = ui.flow.material_absent(ASSESSMENT, me, flow)
    signed = ui.flow.sign_commitment(me, shown[ui.flow.flow], True)
    mat = next(m for m in signed[ui.flow.review_view]["materials"]["items"] if m["name"] == ASSESSMENT)
    assert mat["licence"] == ASSESSMENT and mat["upload"] and "从电子证照库调取" in mat["html"]
    done = ui.flow.supply_from_licence(ASSESSMENT, mat["licence"], me, signed[ui.flow.flow])
    assert "已从电子证照库调取" in str(done[ui.flow.notice])
    mat = next(m for m in done[ui.flow.review_view]["materials"]["items"] if m["name"] == ASSESSMENT)
    assert "电子证照（编号" in mat["html"] and mat["licence"] is None
    assert svc.materials(me, draft_id).pending == []
