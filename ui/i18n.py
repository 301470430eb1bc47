"""UI strings in 简体 / 繁體 / English. Traditional is derived from Simplified with OpenCC (繁體
overrides only where the conversion would be wrong), so the two never drift apart.

`t(key, lang)` returns the string; an unknown key is a programming error (KeyError), an unknown
language falls back to Simplified Chinese.
"""

from __future__ import annotations

from core.lang import DEFAULT_LANG, SUPPORTED_LANGS, localise, normalize_lang, to_traditional

LANGS = SUPPORTED_LANGS
__all__ = ["DEFAULT_LANG", "LANGS", "LANG_CHOICES", "STRINGS", "localise", "normalize_lang", "t"]
# Radio choices: (label shown, value); each label is written in its own script.
LANG_CHOICES: list[tuple[str, str]] = [("简体中文", "zh-Hans"), ("繁體中文", "zh-Hant"), ("English", "en")]

STRINGS: dict[str, dict[str, str]] = {
    # page
    "title": {"zh-Hans": "一件事助手", "en": "One-Thing Assistant"},
    "intro": {
        "zh-Hans": "依据官方办事指南作答，每条答复都注明出处；帮您找到要办的“一件事”，一次办好。",
        "en": "Answers come from official service guides, each with its source; we help you find the "
        "one-thing (一件事) bundle to get it all done at once.",
    },
    "tab_citizen": {"zh-Hans": "办事咨询", "en": "Ask"},
    "tab_staff": {"zh-Hans": "窗口工作台", "en": "Staff desk"},
    "lang_label": {"zh-Hans": "语言", "zh-Hant": "語言", "en": "Language"},
    "large_mode": {"zh-Hans": "大字号 · 高对比（适老化）", "en": "Large text · high contrast"},
    # chat
    "chat_label": {"zh-Hans": "对话", "en": "Conversation"},
    "question_label": {"zh-Hans": "您的问题", "en": "Your question"},
    "question_placeholder": {"zh-Hans": "例如：孩子刚出生要办哪些手续？", "en": "e.g. What do I need to do when my baby is born?"},
    "send": {"zh-Hans": "发送", "en": "Send"},
    "new_chat": {"zh-Hans": "新对话", "en": "New conversation"},
    "handoff": {"zh-Hans": "转人工", "en": "Talk to a person"},
    "handoff_done": {
        "zh-Hans": "已为您转接人工服务，工作人员会在这里回复您。也可以拨打12345政务服务便民热线。",
        "en": "You have been put through to a member of staff, who will reply here. You can also call the 12345 hotline.",
    },
    "staff_role": {"zh-Hans": "人工服务 · 政务服务中心工作人员", "en": "Staff member · government service centre"},
    "handoff_offer": {
        "zh-Hans": "这个问题我没能回答。需要的话可以转人工，工作人员会在这里回复您；也可以拨打12345政务服务便民热线。",
        "en": "I could not answer this. You can talk to a member of staff, who will reply here, or call the 12345 hotline.",
    },
    "staff_hold_sent": {
        "zh-Hans": "您的消息已转给工作人员，回复会显示在这里，请稍候。",
        "en": "Your message has been passed to the member of staff; their reply will appear here.",
    },
    "examples": {"zh-Hans": "试试这样问：", "en": "Try asking:"},
    "example_1": {"zh-Hans": "孩子刚出生要办哪些手续", "en": "What do I need to do when my baby is born?"},
    "example_2": {"zh-Hans": "我下个月退休，要办什么手续", "en": "I retire next month. What do I need to do?"},
    "example_3": {"zh-Hans": "想开一家公司需要准备什么材料", "en": "What do I need to start a company?"},
    "example_4": {"zh-Hans": "家里老人去世了要办哪些事", "en": "A family member has died. What must we do?"},
    "thinking": {"zh-Hans": "正在查阅办事指南…", "en": "Looking it up in the service guides…"},
    "empty_question": {"zh-Hans": "请先输入您的问题。", "en": "Please type your question first."},
    "not_ready": {
        "zh-Hans": "助手暂时不可用（办事指南索引未加载），请稍后再试，或拨打12345。",
        "en": "The assistant is not available right now (the guide index is not loaded). Please try again later or call 12345.",
    },
    # buttons under the answer
    "candidates_label": {"zh-Hans": "您可能想了解的一件事：", "en": "Related one-things:"},
    # sources
    "sources_title": {"zh-Hans": "回答依据（点击展开）", "en": "Sources (click to expand)"},
    "sources_none": {"zh-Hans": "本次回答没有引用办事指南。", "en": "This reply quotes no service guide."},
    "source_pick": {"zh-Hans": "查看来源原文", "en": "Show the full source text"},
    "source_text": {"zh-Hans": "来源原文", "en": "Source text"},
    "source_missing": {"zh-Hans": "找不到这条来源的原文。", "en": "The text of this source was not found."},
    "source_id": {"zh-Hans": "来源编号", "en": "Source id"},
    # side panel
    "panel_title": {"zh-Hans": "一件事一览", "en": "The bundle at a glance"},
    "panel_empty": {
        "zh-Hans": "选中一件事后，这里会显示它合并了哪些事项、要带什么材料、多久办好、在哪里办。",
        "en": "Once a one-thing is chosen, this panel shows what it bundles, the materials, the time and where to apply.",
    },
    "summary": {"zh-Hans": "概述", "en": "Summary"},
    "bundles": {"zh-Hans": "一次办好这些事项", "en": "Services handled together"},
    "replaced": {"zh-Hans": "不用再", "en": "No more"},
    "materials": {"zh-Hans": "所需材料", "en": "Materials"},
    "e_licence": {"zh-Hans": "电子证照，免交纸质", "en": "e-licence: no paper copy"},
    "optional": {"zh-Hans": "视情况提供", "en": "only if applicable"},
    "tolerance": {"zh-Hans": "可容缺后补", "en": "may follow later (容缺)"},
    "time_limit": {"zh-Hans": "办理时限", "en": "Time limit"},
    "fees": {"zh-Hans": "收费", "en": "Fees"},
    "channels": {"zh-Hans": "办理渠道", "en": "Where to apply"},
    "online": {"zh-Hans": "线上", "en": "Online"},
    "offline": {"zh-Hans": "线下", "en": "In person"},
    "cross_province": {"zh-Hans": "跨省通办", "en": "Cross-province (跨省通办)"},
    "proxy": {"zh-Hans": "代办", "en": "Applying for someone (代办)"},
    "tolerance_policy": {"zh-Hans": "容缺受理", "en": "Missing materials (容缺受理)"},
    "lead_department": {"zh-Hans": "牵头部门", "en": "Lead department"},
    "sample_note": {
        "zh-Hans": "以上以{region}的做法为例，各地可能不同，请以当地政务服务中心公布为准。",
        "en": "Details follow {region}'s practice and vary locally; check with your local service centre.",
    },
    "content_in_chinese": {"zh-Hans": "", "en": "(Guide content is in Chinese.)"},
    "prefill": {"zh-Hans": "一键办理", "zh-Hant": "一鍵辦理", "en": "Apply in one go (一键办理)"},
    # 一键办理: sign-in (demo identity)
    "id_label": {"zh-Hans": "选择演示身份（系统生成的合成数据，非真实人员）",
                 "en": "Choose a demo identity (synthetic data, not real people)"},
    "id_signin": {"zh-Hans": "登录", "en": "Sign in"},
    "id_signout": {"zh-Hans": "退出登录", "en": "Sign out"},
    "id_none": {"zh-Hans": "未登录：办理、查进度和授权前，请先选择演示身份并登录。",
                "en": "Not signed in: choose a demo identity and sign in to apply, track or approve."},
    "id_signed": {"zh-Hans": "已登录：**{name}**（{id}）· 演示数据", "en": "Signed in: **{name}** ({id}) · demo data"},
    "id_pick_first": {"zh-Hans": "请先在列表中选择一个演示身份。", "en": "Please pick a demo identity from the list first."},
    "id_demo_off": {"zh-Hans": "演示身份未开放，请通过统一身份认证登录。",
                    "en": "Demo identities are switched off here; please sign in through the government single sign-on."},
    "id_option": {"zh-Hans": "{name} · {id} · {sex} {age}岁 · {things}", "en": "{name} · {id} · {sex} {age} · {things}"},
    "prefill_down": {
        "zh-Hans": "一键办理服务暂不可用（共享数据或申请库未连接），请稍后再试或拨打12345。",
        "en": "One-go application is unavailable right now (shared data or the application store is not connected). "
        "Please try later or call 12345.",
    },
    "need_signin": {"zh-Hans": "请先登录：在页面上方“选择演示身份”后点“登录”。",
                    "en": "Please sign in first: choose a demo identity at the top of the page and press Sign in."},
    "signin_first": {"zh-Hans": "办理前请先登录：在页面上方“选择演示身份”后点“登录”，再点“一键办理”。",
                     "en": "Please sign in first: choose a demo identity at the top of the page, press Sign in, "
                     "then Apply in one go."},
    # 一键办理: steps
    "flow_title": {"zh-Hans": "一键办理：{title}", "en": "Apply in one go: {title}"},
    "step_consent": {"zh-Hans": "授权", "en": "Consent"},
    "step_form": {"zh-Hans": "核对", "en": "Check"},
    "step_review": {"zh-Hans": "确认", "en": "Confirm"},
    "step_done": {"zh-Hans": "提交", "en": "Submit"},
    "step_of": {"zh-Hans": "第{n}步，共4步", "en": "Step {n} of 4"},
    "flow_expired": {"zh-Hans": "这次办理已结束或已切换身份，请重新点击“一键办理”。",
                     "en": "This application was closed or the sign-in changed; press Apply in one go again."},
    # consent
    "consent_intro": {
        "zh-Hans": "为办理“{title}”，可从以下政务数据来源调取信息，自动填入合并申请表。点开来源可查看详情，再决定是否同意。",
        "en": "To apply for {title}, the merged form can be filled from the government data sources below. "
        "Open a source for the details, then decide.",
    },
    "consent_purpose": {"zh-Hans": "用途", "en": "Purpose"},
    "consent_receivers": {"zh-Hans": "接收部门", "en": "Receiving departments"},
    "consent_fields": {"zh-Hans": "调取字段", "en": "Fields"},
    "consent_about": {"zh-Hans": "关于", "en": "About"},
    "consent_decider": {"zh-Hans": "由谁授权", "en": "Who decides"},
    "consent_source": {"zh-Hans": "数据来源", "en": "Data source"},
    "cs_pending": {"zh-Hans": "待您决定", "en": "awaiting your decision"},
    "cs_granted": {"zh-Hans": "已同意", "en": "granted"},
    "cs_refused": {"zh-Hans": "已拒绝（需手工填写）", "en": "refused (type these fields)"},
    "cs_awaiting_other": {"zh-Hans": "等待其本人授权", "en": "waiting for that person's approval"},
    "cs_unresolved": {"zh-Hans": "确定身份后请其本人授权", "en": "asked once the person is identified"},
    "consent_pick": {"zh-Hans": "同意调取的数据来源（未勾选的视为拒绝）", "en": "Sources you allow (unticked = refused)"},
    "consent_pick_info": {
        "zh-Hans": "拒绝某个来源后，不会调取它的任何数据，相关字段需要您手工填写。已同意的来源只为本事项调取所列字段，"
        "每次调取都记录在“数据使用记录”中。",
        "en": "A refused source is never read: you type those fields yourself. Allowed sources are read only for "
        "this application and only the fields listed; every read shows in your data use record.",
    },
    "consent_choice_info": {
        "zh-Hans": "请先选择：需要调取谁的数据取决于这一选择，下方只列出所选一方需要的信息。",
        "en": "Choose first: whose data is needed depends on this, and the list below asks only for what your choice needs.",
    },
    "consent_all": {"zh-Hans": "全部同意并预填", "en": "Allow all and pre-fill"},
    "consent_apply": {"zh-Hans": "按所选授权并预填", "en": "Apply my choices and pre-fill"},
    "consent_others_short": {"zh-Hans": "需其本人授权：{roles}", "en": "For them to approve: {roles}"},
    "consent_others": {
        "zh-Hans": "以下数据属于家庭成员（或其他当事人）本人，需其本人登录后在“家人授权”中同意：",
        "en": "The data below belongs to a family member (or another person), who must approve it after "
        "signing in (Family approvals):",
    },
    "consent_none": {"zh-Hans": "本事项无需调取共享数据，请直接填写。", "en": "This application reads no shared data; please fill it in."},
    # form
    "form_summary": {
        "zh-Hans": "已从共享数据预填 **{filled}/{total}** 项（{rate}），还需您填写 **{todo}** 项。",
        "en": "**{filled} of {total}** fields were filled from shared data ({rate}); **{todo}** left for you.",
    },
    "form_waiting": {
        "zh-Hans": "等待授权：{items}。对方同意后点“重新预填”；也可以直接手工填写这些字段。",
        "en": "Waiting for approval: {items}. Press Pre-fill again once they approve, or type these fields yourself.",
    },
    "form_refill": {"zh-Hans": "重新预填", "en": "Pre-fill again"},
    "form_back_consent": {"zh-Hans": "修改授权", "en": "Change consent"},
    "form_save": {"zh-Hans": "保存并核对", "en": "Save and review"},
    "form_prev": {"zh-Hans": "上一步", "en": "Back"},
    "form_next": {"zh-Hans": "下一步", "en": "Next"},
    "form_position": {"zh-Hans": "第{n}页，共{total}页", "en": "Page {n} of {total}"},
    "form_errors": {"zh-Hans": "有 {n} 项需要修改或补充（{pages}），请查看标出的字段。",
                    "en": "{n} field(s) need attention ({pages}); see the messages next to them."},
    "form_saved": {"zh-Hans": "已保存。", "en": "Saved."},
    # (each locked registry value says itself why it is locked and how to have it corrected)
    "form_legend": {"zh-Hans": "带 * 的为必填项。", "en": "Fields marked * are required."},
    "field_keep": {"zh-Hans": "当前：{value}（不修改请留空）", "en": "Now: {value} (leave empty to keep)"},
    "field_correct": {"zh-Hans": "纠错", "en": "Report error"},
    "reveal_show": {"zh-Hans": "显示完整号码", "en": "Show the full number"},
    "reveal_hide": {"zh-Hans": "隐藏号码", "en": "Hide the number"},
    "place_pick": {"zh-Hans": "请选择地区（可输入地名查找）", "en": "Choose the place (type to search)"},
    "consent_is_you": {"zh-Hans": "（您本人）", "en": " (you)"},
    "ro_why_registry": {"zh-Hans": "这是{src}登记的信息，不能在这里直接修改；如有错误请点“纠错”，由登记部门核实更正。",
                        "en": "Registered in the {src}, so it cannot be changed here; if it is wrong, use Report error "
                        "and the registering office will check and correct it."},
    "ro_why_registry_nocorr": {"zh-Hans": "这是{src}登记的信息，不能在这里直接修改；如有错误请到登记部门更正。",
                               "en": "Registered in the {src}, so it cannot be changed here; if it is wrong, ask the "
                               "registering office to correct it."},
    "ro_why_locked": {"zh-Hans": "此项现在不能修改。", "en": "This field cannot be changed now."},
    "field_ocr": {"zh-Hans": "上传证照照片识别", "en": "Read from a photo"},
    "field_accept_ocr": {"zh-Hans": "确认识别结果", "en": "Accept the value read"},
    "field_required_msg": {"zh-Hans": "此项必填，请填写。", "en": "This field is required."},
    "field_ocr_msg": {"zh-Hans": "识别结果需要您确认或修改。", "en": "Please accept or correct the value read from the photo."},
    "state_authoritative": {"zh-Hans": "权威数据·只读", "en": "Authoritative · read-only"},
    "state_prefilled": {"zh-Hans": "已预填·可修改", "en": "Pre-filled · editable"},
    "state_edited": {"zh-Hans": "已修改", "en": "Changed by you"},
    "state_entered": {"zh-Hans": "本人填写", "en": "Typed by you"},
    "state_ocr": {"zh-Hans": "OCR识别·需确认", "en": "Read by OCR · please confirm"},
    "state_to_be_entered": {"zh-Hans": "待填写", "en": "To fill in"},
    "src_population": {"zh-Hans": "人口库", "en": "Population registry"},
    "src_e_licence": {"zh-Hans": "电子证照库", "en": "E-licence library"},
    "src_social_insurance": {"zh-Hans": "社保医保", "en": "Social & medical insurance"},
    "src_housing_fund": {"zh-Hans": "公积金", "en": "Housing fund"},
    "src_enterprise": {"zh-Hans": "法人库", "en": "Enterprise registry"},
    "src_real_estate": {"zh-Hans": "不动产登记", "en": "Real-estate register"},
    "src_ocr": {"zh-Hans": "证照照片识别", "en": "Photo (OCR)"},
    "src_badge": {"zh-Hans": "来源：{src} · 调取于 {at}", "en": "Source: {src} · fetched {at}"},
    "ph_date": {"zh-Hans": "例如 2024-01-31", "en": "e.g. 2024-01-31"},
    "ph_phone": {"zh-Hans": "11位手机号码", "en": "11-digit mobile number"},
    "ph_id_number": {"zh-Hans": "18位公民身份号码", "en": "18-character ID number"},
    "ph_bank_card": {"zh-Hans": "本人银行卡号", "en": "Your bank card number"},
    "ph_uscc": {"zh-Hans": "18位统一社会信用代码", "en": "18-character unified social credit code"},
    "ph_integer": {"zh-Hans": "整数", "en": "A whole number"},
    "ph_decimal": {"zh-Hans": "数字", "en": "A number"},
    "choose": {"zh-Hans": "请选择", "en": "Please choose"},
    "corr_title": {"zh-Hans": "纠错：{label}", "en": "Report an error: {label}"},
    "corr_note": {"zh-Hans": "哪里有误？（将转数据提供部门核实更正）", "en": "What is wrong? (sent to the data owner to check)"},
    "corr_send": {"zh-Hans": "提交纠错", "en": "Send the report"},
    "corr_cancel": {"zh-Hans": "取消", "en": "Cancel"},
    "corr_sent": {"zh-Hans": "纠错申请已提交（编号 {id}），{src}核实更正后可重新预填。",
                  "en": "Report {id} sent; once {src} has corrected it you can pre-fill again."},
    "corr_empty": {"zh-Hans": "请说明哪里有误。", "en": "Please say what is wrong."},
    "ocr_read": {"zh-Hans": "已识别，请核对后点“确认识别结果”或直接修改。",
                 "en": "Read; check it, then accept it or type the right value."},
    # review
    "review_intro": {"zh-Hans": "请核对将要提交的信息。各部门只会收到各自需要的字段。",
                     "en": "Please check what will be submitted. Each department receives only the fields it needs."},
    "review_by_section": {"zh-Hans": "按栏目核对", "en": "By section"},
    "review_by_dept": {"zh-Hans": "各部门将收到的内容", "en": "What each department receives"},
    "review_edit": {"zh-Hans": "修改“{title}”", "en": "Change “{title}”"},
    "review_group": {"zh-Hans": "{title} · {n}项", "en": "{title} · {n} fields"},
    "review_group_todo": {"zh-Hans": "{n}项待处理", "en": "{n} to fix"},
    "review_field": {"zh-Hans": "项目", "en": "Field"},
    "review_value": {"zh-Hans": "内容", "en": "Value"},
    "review_state": {"zh-Hans": "来源状态", "en": "State"},
    "review_empty_value": {"zh-Hans": "（未填写）", "en": "(empty)"},
    "review_problems": {"zh-Hans": "还有以下问题，处理后才能确认：", "en": "Please fix these before confirming:"},
    "review_ready": {"zh-Hans": "信息完整，请核对无误后勾选确认并提交。",
                     "en": "Complete. Check it, tick the confirmation and submit."},
    "review_confirm": {"zh-Hans": "我已核对以上信息无误", "en": "I have checked the information above and it is correct"},
    "review_confirm_staff": {"zh-Hans": "已与群众当面核对以上信息无误", "en": "Checked with the citizen in person"},
    "review_submit": {"zh-Hans": "确认并提交", "en": "Confirm and submit"},
    "review_back": {"zh-Hans": "返回修改", "en": "Back to the form"},
    "confirm_first": {"zh-Hans": "请先勾选“我已核对以上信息无误”，再提交。",
                      "en": "Please tick “I have checked the information above” before submitting."},
    "not_ready_to_confirm": {"zh-Hans": "还有未处理的问题，请先返回修改。",
                             "en": "Some fields still need attention; go back to the form first."},
    # done
    "done_title": {"zh-Hans": "已提交！受理编号：{no}", "en": "Submitted! Tracking number: {no}"},
    "done_next": {"zh-Hans": "接下来", "en": "What happens next"},
    "done_next_track": {"zh-Hans": "各部门分别办理，受理、补正、办结都会在“我的办事 › 查进度”中更新。",
                        "en": "Each department handles its part; acceptance, requests for more and completion show under "
                        "My applications › Track."},
    "done_next_copy": {"zh-Hans": "需要时可下载申请表留存（证件号码已打码）。",
                       "en": "Download a copy of the form if you need one (ID numbers are masked)."},
    "done_keep": {"zh-Hans": "请记下受理编号，可随时在“查进度”中查询各部门的办理状态。",
                  "en": "Keep the tracking number; check each department's progress under Track."},
    "col_department": {"zh-Hans": "部门", "en": "Department"},
    "col_status": {"zh-Hans": "状态", "en": "Status"},
    "col_updated": {"zh-Hans": "更新时间", "en": "Updated"},
    "col_note": {"zh-Hans": "说明", "en": "Note"},
    "submitted_at": {"zh-Hans": "提交时间", "en": "Submitted"},
    "all_finished": {"zh-Hans": "各部门均已办结。", "en": "Every department has finished."},
    "done_docx": {"zh-Hans": "下载申请表（Word）", "en": "Download the form (Word)"},
    "done_pdf": {"zh-Hans": "下载申请表（PDF）", "en": "Download the form (PDF)"},
    "done_rate": {"zh-Hans": "这次一键办理体验如何？", "en": "How was applying in one go?"},
    "done_close": {"zh-Hans": "完成", "en": "Done"},
    # 我的办事
    "my_title": {"zh-Hans": "我的办事", "en": "My applications"},
    "tab_track": {"zh-Hans": "查进度", "en": "Track"},
    "track_no": {"zh-Hans": "受理编号", "en": "Tracking number"},
    "track_btn": {"zh-Hans": "查询", "en": "Check"},
    "track_empty": {"zh-Hans": "请输入受理编号，例如 YJS-20261123-ABC234。", "en": "Type a tracking number, e.g. YJS-20261123-ABC234."},
    "track_not_found": {"zh-Hans": "没有找到受理编号 {no}（只能查询本人提交的申请）。",
                        "en": "No application {no} found (you can only track your own)."},
    "track_mine": {"zh-Hans": "我提交的申请", "en": "My submissions"},
    "track_none": {"zh-Hans": "您还没有提交过申请。", "en": "You have not submitted anything yet."},
    "tab_approvals": {"zh-Hans": "家人授权", "en": "Family approvals"},
    "appr_none": {"zh-Hans": "目前没有需要您授权的请求。", "en": "Nobody is waiting for your approval."},
    "appr_line": {"zh-Hans": "{applicant} 正在办理“{title}”，请求使用您（{roles}）在{source}中的数据",
                  "en": "{applicant} is applying for {title} and asks to use your data ({roles}) from {source}"},
    "appr_asked": {"zh-Hans": "请求时间", "en": "Asked"},
    "appr_pick": {"zh-Hans": "选择一条授权请求", "en": "Choose a request"},
    "appr_grant": {"zh-Hans": "同意", "en": "Approve"},
    "appr_refuse": {"zh-Hans": "拒绝", "en": "Refuse"},
    "appr_refresh": {"zh-Hans": "刷新", "en": "Refresh"},
    "appr_done_grant": {"zh-Hans": "已同意。申请人重新预填后即可使用这些数据。", "en": "Approved. The applicant can now pre-fill with it."},
    "appr_done_refuse": {"zh-Hans": "已拒绝。申请人需要手工填写这些信息。", "en": "Refused. The applicant will type it instead."},
    "appr_pick_first": {"zh-Hans": "请先选择一条授权请求。", "en": "Please choose a request first."},
    "tab_log": {"zh-Hans": "数据使用记录", "en": "Data use record"},
    "log_intro": {"zh-Hans": "谁在什么时候、为什么使用了您的哪些数据（所有调取和操作都留痕，不可篡改）。",
                  "en": "Who used which of your data, when and why (every read and action is logged, append-only)."},
    "log_refresh": {"zh-Hans": "刷新记录", "en": "Refresh"},
    "log_none": {"zh-Hans": "暂无记录。", "en": "Nothing recorded yet."},
    "col_time": {"zh-Hans": "时间", "en": "Time"},
    "col_who": {"zh-Hans": "使用者", "en": "Who"},
    "col_action": {"zh-Hans": "操作", "en": "Action"},
    "col_source": {"zh-Hans": "数据来源", "en": "Source"},
    "col_fields": {"zh-Hans": "字段", "en": "Fields"},
    "col_purpose": {"zh-Hans": "用途", "en": "Purpose"},
    "tab_code": {"zh-Hans": "帮办授权码", "en": "Help-desk code"},
    "code_intro": {
        "zh-Hans": "在政务服务大厅窗口办理时，可以生成一个授权码当面告诉工作人员，由其代您办理（帮办代办）；"
        "工作人员的每一步操作都会记入您的数据使用记录。",
        "en": "At a service centre window you can give a clerk a one-time code so they can apply for you; "
        "every step they take shows in your data use record.",
    },
    "code_btn": {"zh-Hans": "生成帮办授权码", "en": "Create a help-desk code"},
    "code_show": {"zh-Hans": "授权码：**{code}**　有效期至 {expires}，仅可使用一次。请只当面告诉窗口工作人员。",
                  "en": "Code: **{code}** — valid until {expires}, single use. Tell it only to the clerk in person."},
    "code_by_staff": {"zh-Hans": "授权码只能由本人登录后生成。", "en": "Only you, signed in yourself, can create a code."},
    # 免申办: the standing opt-in and the offers (in 我的办事)
    "tab_offers": {"zh-Hans": "主动服务", "en": "Proactive service"},
    "optin_on": {"zh-Hans": "主动服务已开启（{since}起）。", "en": "Proactive service is on (since {since})."},
    "optin_off": {"zh-Hans": "主动服务未开启。", "en": "Proactive service is off."},
    "optin_what": {
        "zh-Hans": "开启后，系统定期比对您的下列数据，发现您可能符合条件的事项（例如孩子出生后申领育儿补贴、到龄办理退休）时主动告诉您，"
        "并为您预填好申请表；每次比对都记入“数据使用记录”。未经您确认，不会提交任何申请。可以随时关闭。",
        "en": "When it is on, we regularly check the data below to find things you may be entitled to (for example a "
        "childcare subsidy after a birth, or retirement when you reach the age) and tell you, with the form already "
        "pre-filled. Every check shows in your data use record. Nothing is submitted unless you confirm it. "
        "You can turn it off at any time.",
    },
    "optin_reads": {"zh-Hans": "比对时读取", "en": "What is checked"},
    "optin_grant": {"zh-Hans": "开启主动服务", "en": "Turn on proactive service"},
    "optin_withdraw": {"zh-Hans": "关闭主动服务", "en": "Turn off proactive service"},
    "optin_done_on": {"zh-Hans": "已开启。发现您可办的事项时会在这里提醒您。", "en": "Turned on. Offers will appear here."},
    "optin_done_off": {"zh-Hans": "已关闭。今后不再用您的数据比对。", "en": "Turned off. Your data is no longer checked."},
    "offers_title": {"zh-Hans": "为您主动提醒", "en": "Offers for you"},
    "offers_none": {"zh-Hans": "暂时没有为您找到可办的事项。", "en": "Nothing to offer you right now."},
    "offer_why": {"zh-Hans": "为什么提醒您", "en": "Why you are eligible"},
    "offer_basis": {"zh-Hans": "依据", "en": "Legal basis"},
    "offer_event": {"zh-Hans": "事由", "en": "Event"},
    "offer_reads": {"zh-Hans": "接受后为预填调取", "en": "Accepting reads, to pre-fill"},
    "offer_accept": {"zh-Hans": "接受并办理（已预填）", "en": "Accept (pre-filled)"},
    "offer_decline": {"zh-Hans": "不需要", "en": "Decline"},
    "offer_decline_grant": {"zh-Hans": "不需要，退回", "en": "Decline this benefit"},
    "offer_reason": {"zh-Hans": "不需要的原因（可选）", "en": "Reason (optional)"},
    "offer_declined": {"zh-Hans": "已记录：您不需要“{title}”。", "en": "Noted: you do not want {title}."},
    "offer_accepted": {"zh-Hans": "已为您预填“{title}”，请核对后确认提交。",
                       "en": "{title} is pre-filled: check it, then confirm and submit."},
    "offer_granted": {"zh-Hans": "免申即享 · 已为您办理", "en": "Benefit granted without application"},
    "offer_status": {"zh-Hans": "状态", "en": "Status"},
    # 承诺办: the materials checklist, 暂缺 with a commitment, later supply
    "mat_title": {"zh-Hans": "所需材料", "en": "Materials"},
    "mat_summary": {"zh-Hans": "所需材料 · {n}项", "en": "Materials · {n}"},
    "mat_summary_todo": {"zh-Hans": "{n}项需提交", "en": "{n} to hand in"},
    "mat_summary_later": {"zh-Hans": "{n}项容缺待补", "en": "{n} to supply later"},
    "mat_shared": {"zh-Hans": "共享获取，无需提交", "en": "From shared data: nothing to hand in"},
    "mat_to_provide": {"zh-Hans": "需提交", "en": "To hand in"},
    "mat_optional": {"zh-Hans": "按需提交", "en": "If it applies"},
    "mat_committed": {"zh-Hans": "容缺待补 · {due}前补交", "en": "To be supplied later · by {due}"},
    "mat_overdue": {"zh-Hans": "已逾期", "en": "overdue"},
    "mat_missing": {"zh-Hans": "暂缺 · 不可容缺", "en": "Missing · cannot follow later"},
    "mat_supplied": {"zh-Hans": "已提交", "en": "Handed in"},
    "mat_tolerable": {"zh-Hans": "可容缺后补", "en": "may follow later"},
    "mat_upload": {"zh-Hans": "上传", "en": "Upload"},
    "mat_absent": {"zh-Hans": "暂缺", "en": "I don't have it yet"},
    "mat_blocked": {"zh-Hans": "以下材料不可容缺，补齐（上传）后才能提交：{items}",
                    "en": "These materials cannot follow later; upload them before submitting: {items}"},
    "mat_not_tolerable": {"zh-Hans": "“{name}”不可容缺：办事指南没有把它列为可后补的材料，须上传后才能提交。",
                          "en": "{name} cannot follow later: the guide does not list it as a material that may be "
                          "supplied after submission. Upload it before submitting."},
    "mat_received": {"zh-Hans": "已收到“{name}”。", "en": "{name} received."},
    "mat_supplied_licence": {"zh-Hans": "已提交 · 电子证照（编号 {no}）", "en": "Handed in · e-licence (No. {no})"},
    "lic_btn": {"zh-Hans": "从电子证照库调取", "en": "Get it from my e-licences"},
    "lic_note": {"zh-Hans": "可从电子证照库调取您本人的“{licence}”（证照编号、发证日期、发证机关），仅用于补交这项材料。"
                            "点“从电子证照库调取”即表示您同意这一次调取，调取记录见“数据使用记录”。",
                 "en": "Your own {licence} can be read from the e-licence library (its number, date of issue and "
                 "issuing authority), only to hand in this material. Clicking “Get it from my e-licences” means you "
                 "agree to this one read; it is listed in your data use record."},
    "lic_received": {"zh-Hans": "已从电子证照库调取“{licence}”（编号 {no}），“{name}”已补交。",
                     "en": "{name} handed in: your {licence} (No. {no}) was read from the e-licence library."},
    "lic_none": {"zh-Hans": "电子证照库中还没有您的“{licence}”（可能尚未发证或尚未汇入）。您可以先上传“{name}”，"
                            "也可以等发证后再来调取；已保存的内容不受影响。",
                 "en": "Your {licence} is not in the e-licence library yet (it may not have been issued or shared "
                 "yet). You can upload {name} instead, or come back once it is issued; nothing you have saved is "
                 "affected."},
    "commit_title": {"zh-Hans": "容缺受理承诺书", "en": "Commitment (acceptance with missing materials to be supplied later)"},
    "commit_intro": {"zh-Hans": "“{name}”可以容缺后补。签署下面的承诺书后，申请可以先提交，材料按期补交。",
                     "en": "{name} may follow later. Sign the commitment below and the application can go ahead; "
                     "hand the material in by the date."},
    "commit_agree": {"zh-Hans": "我已阅读并同意以上承诺", "en": "I have read and agree to this commitment"},
    "commit_sign": {"zh-Hans": "签署承诺书", "en": "Sign the commitment"},
    "commit_cancel": {"zh-Hans": "取消", "en": "Cancel"},
    "commit_agree_first": {"zh-Hans": "请先勾选“我已阅读并同意以上承诺”。", "en": "Please tick that you agree first."},
    "commit_signed": {"zh-Hans": "已签署承诺书：“{name}”容缺待补，请于{due}前补交。",
                      "en": "Commitment signed: hand in {name} by {due}."},
    "quick_title": {"zh-Hans": "还需您选择", "en": "Still for you to choose"},
    "pending_label": {"zh-Hans": "容缺待补", "en": "To be supplied later"},
    "pending_line": {"zh-Hans": "{material}：请于{due}前补交", "en": "{material}: hand in by {due}"},
    "tab_pending": {"zh-Hans": "容缺待补", "en": "Materials to supply"},
    "pending_none": {"zh-Hans": "没有需要补交的材料。", "en": "No materials to supply."},
    "pending_upload": {"zh-Hans": "上传补交", "en": "Upload it"},
    "more_of": {"zh-Hans": "等{total}项", "en": "and {more} more"},
    "log_times": {"zh-Hans": "{n}次", "en": "{n} times"},
    "log_thing": {"zh-Hans": "事项", "en": "For"},
    # 好差评
    "rate_label": {"zh-Hans": "这次回答对您有帮助吗？", "en": "Was this reply helpful?"},
    "rate_comment": {"zh-Hans": "意见或建议（可选）", "en": "Comment (optional)"},
    "rate_good": {"zh-Hans": "好评", "en": "Good"},
    "rate_bad": {"zh-Hans": "差评", "en": "Bad"},
    "rate_thanks": {"zh-Hans": "感谢您的评价！", "en": "Thank you for your rating!"},
    "rate_first": {"zh-Hans": "请先提问，再评价回答。", "en": "Ask a question first, then rate the reply."},
}


def t(key: str, lang: str | None = DEFAULT_LANG) -> str:
    """The UI string `key` in `lang` (zh-Hans | zh-Hant | en)."""
    entry = STRINGS[key]
    lang = normalize_lang(lang)
    if lang in entry:
        return entry[lang]
    if lang == "zh-Hant":
        return to_traditional(entry["zh-Hans"])
    return entry["zh-Hans"]
