"""What the question asks about (materials, time, fees, where, 代办, 跨省...), by keyword.

Keywords are matched on the normalised (Simplified, lower-cased) question, so Traditional and
English work. Deterministic on purpose: the composer's choice of sections must be explainable.
Each aspect names what answers it as typed guide parts (`Quote`), never as text to look for.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from knowledge.retrieval import Query
from knowledge.schema import OneThing


@dataclass(frozen=True)
class Quote:
    """What to quote from a guide: the parts of one section, by the section's kind and the parts'
    aspects as knowledge.catalog renders them (all its parts when `parts` is None). `label` is the
    statement's label; by default the name of the aspect asked about."""

    section: str
    parts: tuple[str, ...] | None = None
    label: str | None = None


def _whole(section: str) -> tuple[Quote, ...]:
    return (Quote(section),)


# Having missed a time limit asks what now, wherever the question word is ("错过了网上报名怎么办": the deadline's
# if-missed line, not where to register online). Deadline triggers (below) that are asked by themselves.
_MISSED = ("错过", "没赶上", "赶不上")

# aspect → (what answers it, trigger keywords). Order = order in the answer.
ASPECTS: dict[str, tuple[tuple[Quote, ...], tuple[str, ...]]] = {
    "services": (
        _whole("services"),
        ("包括", "包含", "哪些事", "哪几项", "联办", "合并", "一起办", "哪些服务", "能办什么", "办哪些",
         # Whether it is one trip or one per department: the list of what one application covers answers it.
         "一次办", "一次申请", "一趟", "一块儿", "一起申请", "挨个", "一个个窗口", "一个个跑", "一个一个", "一个部门一个部门", "分别跑", "两头跑",
         "跑哪些", "跑几个", "跑好几",
         # What there is to do ("老人去世了要办什么手续", "证照都要办啥"): the things one application covers.
         "办什么", "办啥", "什么手续", "哪些手续", "啥手续", "要做什么", "要做哪些", "要做啥",
         # (and said with 搞, the spoken 办: "宝宝刚出生，要搞些什么", Cantonese "要搞啲咩")
         "办些什么", "做些什么", "搞什么", "搞啥", "搞些什么",
         "what do we need to do", "what do i need to do", "what do we have to do", "what do i have to do",
         "what needs to be done",
         "include", "which services", "what services", "in one go", "one application", "single application",
         "separately", "what registrations", "one by one", "one after another", "each office", "every office",
         "each department", "every department"),
    ),
    "eligibility": (
        _whole("eligibility"),
        ("条件", "符合", "资格", "能不能办", "能否办", "可不可以办", "超过", "超龄", "满", "岁",
         "不满", "限制", "多大", "几岁", "年龄", "多少岁", "eligible", "eligibility", "qualify", "qualified", "qualification", "condition",
         "requirement", "how old", "age limit", "entitled", "who can apply", "who can get",
         # A waiting period is a condition, not a processing time: "最少要多久才能申请移出" (the longer keyword wins).
         "多久才能", "多长时间才能", "多久之后才能", "多久以后才能", "多久后才能"),
    ),
    "materials": (
        _whole("materials"),
        ("材料", "带什么", "带啥", "准备什么", "准备啥", "证件", "资料", "证明", "提交什么", "要啥",
         # "要带哪些东西", "得拿什么去": the same question in other words.
         "带哪些", "带些什么", "拿哪些", "拿什么", "准备哪些", "交哪些",
         "document", "bring", "paper", "material", "certificate", "need to provide"),
    ),
    "steps": (
        _whole("steps"),
        ("流程", "步骤", "程序", "怎么申请", "如何申请", "怎么办理", "如何办理", "怎么弄", "怎么操作",
         "process", "steps", "procedure", "how do i", "how do we", "how can i", "how can we", "how to"),
    ),
    # A deadline the citizen can miss (落户 within a month of birth) belongs with any question of time.
    "time": (
        (Quote("time_fees", ("time",)), Quote("deadlines", label="deadline")),
        ("多久", "多长时间", "几天", "时限", "多少天", "多快", "什么时候", "啥时候", "几时", "几个工作日", "时间",
         "how long", "days", "when will", "when do", "when does", "time limit", "how quickly", "how fast", "how soon", "processing time",
         "turnaround"),
    ),
    # "多少天内要办" is a deadline, "多少天能办好" a time limit: the longer trigger wins (see `_matches`).
    # Without a deadline in the guide, its time limit is the closest it says.
    "deadline": (
        (Quote("deadlines", label="deadline"), Quote("time_fees", ("time",), label="time")),
        ("期限", "逾期", "过期", "超期", "来不及", "截止", "截至", "最晚", "晚了", "天内", "日内", "月内", "天之内",
         "多少天内", "几天内", "多少日内", "几日内", "几个月内",
         "天以内", "多久之内", "多久以内", "多长时间内", "时间要求", "几月几号", "几号", "哪天", "deadline",
         # How long before a date something must be done ("到期之前多久要去换", "提前多久告诉单位"): a deadline.
         "前多久", "提前多久",
         "too late", "within", "by when", "how long do we have", "how long do i have", "how much time do",
         "are late", "be late", "is late", "how many days do we have", "how many days do i have", "if we miss", "if i miss", "if you miss", "miss the deadline",
         "missed the deadline", "overdue", "in time",
         # What happens when a time limit is missed is a deadline question ("错过了网上报名怎么办", "we missed the sign-up").
         *_MISSED, "miss",
         # How often something is renewed or repeated (体检每年一次, 证件6年一换) is a deadline of its own.
         "多久一次", "多长时间一次", "几年一次", "几年换", "几年要换", "每隔多久", "多久换", "how often"),
    ),
    # Who issues or handles it: the services list names each service's department.
    "departments": (
        (Quote("services", label="departments"),),
        ("哪个单位", "什么单位", "哪个部门", "什么部门", "哪些部门", "哪个机关", "谁发", "谁负责", "谁审批", "谁来办", "找谁",
         "发证", "which department", "which agency", "who issues", "who handles", "who is responsible",
         "which organisation", "which organization", "which authority", "which bureau", "which office", "which body",
         "who do i apply to", "who do we apply to", "apply to whom"),
    ),
    "fees": (
        (Quote("time_fees", ("fees",)),),
        # Not a bare 钱: "养老金账户里的钱怎么取" asks how to draw money, not what the service costs.
        ("收费", "费用", "多少钱", "要钱", "花钱", "免费", "收钱", "掏钱", "交钱", "付钱", "给钱", "钱吗", "工本费", "手续费",
         "fee", "cost", "charge", "free",
         "pay", "how much"),
    ),
    # Where to apply: the online and offline channels; 跨省, 代办 and 容缺 have aspects of their own.
    "channels": (
        (Quote("channels", ("online", "offline")),),
        ("在哪", "哪里办", "去哪", "网上", "线上", "窗口", "app", "小程序", "地点", "地址", "哪儿",
         # Whether one must go in person is answered by where else it can be done.
         "亲自", "现场", "in person",
         # Not "office": English stories name one far more often than they ask where to go ("our Shanghai office",
         # "its registered office", "the tax office"); "which office" asks for the department.
         "where", "online", "website"),
    ),
    "proxy": (
        (Quote("channels", ("proxy",)),),
        ("代办", "代理", "帮我办", "替", "帮办", "委托", "家属", "家人", "子女", "别人", "亲戚",
         "on behalf", "on my behalf", "on his behalf", "on her behalf", "on their behalf", "on our behalf",
         "someone else", "proxy", "for me", "instead of me", "relative", "family member",
         "apply for him", "apply for her", "apply for them", "do it for him", "do it for her", "do it for them"),
    ),
    # Working across provinces often hangs on the conditions (户籍, 居住证), so those are quoted too.
    "cross_province": (
        (Quote("channels", ("cross_province",)), Quote("eligibility", label="eligibility")),
        ("跨省", "外省", "异地", "外地", "省外", "跨市", "户籍不在", "不在本地",
         # Whether one must go back to where the hukou or the file is ("还得回老家开证明吗") is the same question.
         # (Not "回原籍": 原籍 would stop being a topic word, and an FAQ asking it would not be found.)
         "回老家", "回原来", "得回", "先回", "要回去", "不用回",
         "another province", "other province", "different province", "cross-province", "another city",
         "other city", "different city", "travel back", "travelling back", "traveling back", "go back to",
         "fly back", "without going back"),
    ),
    "tolerance": (
        (Quote("channels", ("tolerance",)),),
        ("容缺", "缺材料", "缺少", "少了", "后补", "补交", "没带", "不全", "missing", "incomplete", "in later",
         "submit later", "submitted later", "provide later", "provided later", "bring later", "afterwards"),
    ),
    "replaced": (
        _whole("replaced"),
        ("省了", "少跑", "好处", "区别", "以前", "不用再", "减少", "少多少", "省多少", "减了多少", "benefit", "save",
         "no longer", "used to", "how much less", "how many fewer",
         "difference", "what changed", "what has changed", "what's changed"),
    ),
}

# Phrases that ask for an aspect and name the topic too ("能领什么补贴": which benefits there are; "高龄津贴能上门办吗":
# 代办 at home; "What licences do we need?"). They are matched like the keywords above but are no keywords: 补贴,
# 上门 and "licences" stay content words of the question (what it is about), which the decision model counts —
# as keywords they moved its features for every question naming a 补贴 (tried: blind ambiguous 0.70 → 0.65).
_TOPICAL: dict[str, tuple[str, ...]] = {
    "services": ("什么补贴", "哪些补贴", "啥补贴", "what licences", "what licenses", "which licences", "which licenses",
                 "what permits", "which permits",
                 # The procedures there are, as 什么手续 asks them ("What paperwork is there?"; paperwork to bring is
                 # the materials, "what paperwork do I need to bring?")
                 "what paperwork is there", "what paperwork do we need to do", "what paperwork do i need to do",
                 "what paperwork do we have to do", "what paperwork do i have to do", "what paperwork needs",
                 "what formalities", "what procedures", "which procedures"),
    "proxy": ("上门办", "上门服务", "上门受理"),
    # 交费 names what is paid for as often as it asks the price ("医保交费", "城乡居民医保参保登记及缴费"): asked, the fee part.
    "fees": ("交费吗", "要交费", "付费吗", "要付费", "收不收"),
}

# Handing a paper in later, in English, with words between ("hand in the assessment later", "can the referral be sent in
# later?"): what the 容缺 part answers, and the open way when the decision model reads fraud (assistant.abuse).
HANDED_IN_LATER = (r"\b(send|sent|hand|handed|bring|brought|submit|submitted|provide|provided|upload|uploaded|add|added"
                   r"|give|file|filed|show|supply)\b(\s+[\w']+){0,6}?\s+(in\s+)?(later|afterwards)\b")

# Phrases of an aspect that only a pattern can say, matched like keywords and, like _TOPICAL, no keywords (their words
# stay content words of the question):
# - someone close doing it for the asker ("可以让我女儿去办吗", "我儿子能替我跑一趟吗"): the 代办 part. A daughter is what a
#   question is about as often as who runs the errand, so the kin must be sent (让/叫/请 …) or do it for someone
#   (帮/替/代 …): "我妈去办退休要带什么" asks nothing of a proxy; in English, the asker applying for him or her;
# - something done late ("what happens if I register the baby's hukou late?"): the deadline, not a "late" relative
#   ("my late father's pension"), nor is something not yet done and what it leads to ("还没上户口，会不会有影响");
# - what to bring in other words ("得带些啥", "要带上什么", "准备好哪些"): the materials;
# - how long until the result is in hand ("要多久才能拿到"), or working days as Taiwan writes them ("幾個工作天"): the time;
# - how to claim a benefit ("育儿补贴怎么领", "那个补贴咋领"): the steps, as "How do we claim…" asks ("去哪领" asks where);
# - when a licence must be renewed or runs out ("幾時要去換", "when does it need renewing?"): the deadline, not 几时's
#   processing time; what penalty there is ("会罚多少", "is there a penalty for late…"): the deadline's if-missed line;
# - in English, what a keyword cannot say with words between: how long someone else has ("How long does he have to
#   report?": the deadline), which government department, a paper handed in later (容缺), how much faster it is now
#   (what changed), "docs" (the materials).
_KIN = r"(女儿|儿子|孩子|闺女|老婆|老公|爱人|妻子|丈夫|媳妇|爸爸|妈妈|爸|妈|父母|爸妈|老伴|朋友|同事|邻居|亲戚|家里人|孙子|孙女|保姆|护工)"
_PATTERNS: dict[str, re.Pattern[str]] = {
    "proxy": re.compile(
        rf"(让|叫|(?<![申邀])请|找|派)[^，。？?]{{0,2}}{_KIN}[^，。？?]{{0,3}}(去|来)?(办|弄|跑|交|领|申请|提交)"
        rf"|{_KIN}[^，。？?]{{0,3}}(帮|替|代)(我|他|她|我们|他们|老人)?[^，。？?]{{0,2}}(办|弄|跑|交|领|申请|提交)"
        # the asker doing it for someone ("我能帮她在网上申请吗", "我可以替我爸去办吗")
        rf"|(我|我们)[^，。？?]{{0,4}}(帮|替|代)(他|她|他们|她们|老人|{_KIN})[^，。？?]{{0,6}}(办|弄|跑|交|领|申请|提交)"
        # English, the asker doing it for someone with the thing in between ("apply for my mum's allowance for her",
        # "help him with the registration paperwork"), or someone doing it for the askers ("can our property management
        # company file the joint application for us?")
        r"|\b(apply|claim|register|file|handle|submit|collect)\b[^.?!]{0,50}\bfor (him|her|them|us)\b"
        r"|\bhelp (him|her|them|my \w+) (with|to|apply|register|claim|file)\b"
        # whether both must come ("必须我俩一起去吗", "do we both have to go?"): whether one may act for the other
        r"|(我俩|我们俩|我们两个|两个人|两人|夫妻|两口子)[^，。？?]{0,4}(一起|都|一块)(要|得)?(去|到场|来|跑)"
        r"|\b(do|must|should) (we|they|you) both (have to |need to )?(go|come|attend|be there|show up)\b"
        # or whether one of them can do it alone, the other away ("我老公在外地，我一个人能办吗", "我自己一個人幫兩公婆嘅嘢一齊辦",
        # "Can my wife register our baby without me?"): the same question from the other side. Someone must be alone:
        # "一個人可以同時辦兩張社保卡嗎" asks how many cards one person may hold, "我一个人在外地工作" where one lives; and
        # "on his own" or "by myself" is as often paying for oneself ("keep paying his pension on his own"), "without
        # my husband's ID card" a missing paper.
        r"|(我|她|他|自己|老婆|老公|妻子|丈夫|爱人|媳妇)一个人[^，。？?]{0,4}(能|可以|能不能|可不可以|行|去|来|办|弄|跑|帮|替|代|申请)"
        r"|\bwithout (me|him|her|them|us|(my|her|his) \w+)\b(?!')[^.?!]{0,40}\?", re.IGNORECASE),
    "deadline": re.compile(
        r"\b(register\w*|appl(y|ies|ied|ying)|fil(e|es|ed|ing)|report\w*|enrol\w*|sign(s|ed|ing)? up|renew\w*|submit\w*"
        r"|pa(y|ys|id|ying)|do(ing)? it|did it|get(ting)? it done)\b"
        r"[^.?!]{0,40}\blate\b(?!\s+(father|mother|husband|wife|grand\w*|dad|mum|mom|parents?|uncle|aunt|brother|sister"
        r"|son|daughter|relative|spouse))"
        r"|(还没|还未|一直没|晚|迟|拖)[^，。？?]{0,10}(有(什么)?影响|有没有影响|会不会(有)?影响|影响大吗|要紧吗|会怎样|会怎么样)"
        # past the deadline, and what then ("最多可以拖多久处理？超过的话会怎样？", "过了期限怎么办"): not who qualifies (超过60岁)
        r"|(超过|超出|过了|错过)(的话|了|期限|时限|时间|日子|截止日期|这个时间)[^，。？?]{0,6}(会怎样|会怎么样|怎么办|咋办|后果"
        r"|有什么影响|有啥影响|罚)"
        # not done in time, and what it costs ("老人走了没及时报要担责吗"; English "in time" is a keyword)
        r"|(没|未|没有)及时[^，。？?]{0,10}(担责|责任|影响|要紧|会怎样|会怎么样|罚)"
        # how long someone has to do it ("How long does he have to report?"; the asker's own are keywords)
        r"|\bhow (long|many days|many months|much time) (do|does|did) \w+ have\b"
        # when a licence must be renewed or runs out ("从业资格证几时要去换", "健康证什么时候到期", "when does it need
        # renewing?"): the renewal deadline, not how long getting one takes
        r"|(几时|什么时候|啥时候|何时)(要|得|需要|必须|该)?去?(换|续|更换|重新办|审验|年审|到期|过期)"
        # within how long it must be done ("出生多久内要上户口", "多长时间要办好"): the clock, not how long the office takes
        # ("要多久", "多久能办好")
        r"|(多久|多长时间)(之内|以内|内)|(多久|多长时间)就?(要|得|必须|需要|应该|应当)(?!多)"
        # by when it must be done ("认缴了，什么时候必须实缴"): no question of how long the office takes either
        r"|(什么时候|啥时候|何时|几时)(之前)?就?(必须|得|应该|应当)"
        # before when ("户口要几时之前注销", "什么时候以前要报"): a deadline too
        r"|(什么时候|啥时候|何时|几时)(之前|以前)"
        r"|\bwhen\b[^.?!]{0,60}\b(renew\w*|expir\w*|run(s)? out)\b"
        # what penalty there is ("会罚多少", "会不会被罚款", "is there a penalty for…", "what fine are we looking at"): what
        # missing the deadline costs. Asked, not told: "我们去年被罚了款" or "we paid off a fine" name a past penalty.
        r"|罚(多少|几|款多少|款是多少|不罚|吗|款吗)|(会|要|会不会|要不要)被?(罚|处罚)"
        r"|\b(what|any|is there an?|how much( of an?)?|how big an?)\s+(penalt(y|ies)|fines?)\b|\bpenalt(y|ies)\s+(for|if)\b"
        r"|\b(will|would|could|can|do|does|are|is|am|get)\b[^.?!]{0,30}\b(fined|penali[sz]ed)\b"
        # whether it comes before or after another step ("契税是过户前交还是过户后交", "paid before or after the transfer
        # registration?"): when it is due
        r"|前[^，。？?]{0,8}还是[^，。？?]{0,8}后|后[^，。？?]{0,8}还是[^，。？?]{0,8}前|\bbefore or after\b|\bafter or before\b"
        # or whether it may wait until something else is done ("move in first and sort out the registration
        # afterwards", "先搬进去，之后再办迁移行吗"): by when it is due, not a paper handed in later ("以后再补")
        r"|\bfirst\b[^.?!]{0,50}\b(afterwards|after that|later on|(after|later)(?=\s*[?.!]|\s*$))"
        r"|先[^，,。？?]{1,12}[，,]?(之后|以后|然后|过后)再(?!补)",
        re.IGNORECASE),
    # Whether it can be done here, where the asker lives ("在苏州这边能办不", "can we do it here?"): the cross-province
    # service answers, as for "another province" (a hukou or insured place elsewhere is what makes one ask).
    "cross_province": re.compile(r"(这边|这里|本地|当地|现在住的地方)[^，。？?]{0,3}(能|可以|可不可以|能不能)办"
                                 # someone far away coming back for it ("原来的老板已经回河南老家了，他还得专门回来一趟吗"): can it
                                 # be done from there, not whether one trip covers all (一趟, the services list)
                                 r"|(回来|回去|赶回|跑回)[^，。？?]{0,3}(一趟|一次)"
                                 r"|\b(do|sort|handle|file|apply|get)\b[^.?!]{0,25}\b(from|in) here\b"
                                 # or from the city one names, at the question's end ("Can I do it from Beijing? I work
                                 # there."); from home is the online channel
                                 r"|\b(do|sort|handle|file|apply)\b[^.?!]{0,20}\bfrom "
                                 r"(?!(home|the|my|our|your|his|her|their|a|an|him|them|us|me|you|it|there)\b)[a-z]+\s*\?"
                                 # here or back where the hukou is ("…the one in Shenzhen or the one back home?", "do we
                                 # need to travel back to sichuan to apply?"), as 回老家 is in Chinese
                                 r"|\bor (the one )?back (home|in (the|my|our|his|her|their) (home ?town|village))\b"
                                 r"|\b(go|travel|come|get|return) back to (there|[a-z]+)\b(?<!\bto work)(?<!\bto china)"
                                 r"[^.?!]{0,30}\b(apply|register|get|do|sign|file|for)\b",
                                 re.IGNORECASE),
    # Which office with words between ("which government department", "which local authority"), who is in charge.
    "departments": re.compile(r"\bwhich (\w+\s+){1,2}(department|agency|authority|bureau|office|organi[sz]ation)s?\b"
                              r"|\b(who|which \w+) (is|are) in charge\b", re.IGNORECASE),
    # A paper handed in later, the verb and "later" apart ("hand in the assessment later", "send the proof later"): 容缺.
    "tolerance": re.compile(HANDED_IN_LATER, re.IGNORECASE),
    # How much faster or simpler it has become ("how much faster is it now?"): what the reform changed.
    "replaced": re.compile(r"\bhow much (faster|quicker|sooner|shorter|less|fewer|simpler|easier)\b", re.IGNORECASE),
    # How to claim a benefit, and how someone other than the asker applies ("how does she claim the old-age
    # allowance?", "how can my son apply?"; the keywords have "how do I / we"). A pattern rather than keywords:
    # keywords (and their parts, such as 怎样) are also left out of the content words the decision model counts.
    "steps": re.compile(r"(怎么|如何|怎样|咋)领|\bhow (do|does|can|could|should) (he|she|they|you|(my|our|his|her|their|the) "
                        r"[a-z'-]+) (claim|apply|register|sign up|file|go about)\b", re.IGNORECASE),
    # Who pays, said with the money and the payer ("外面马路上接管子拉线的钱要我们出吗", "这笔费用由我们自己出吗"): the fee part,
    # which says what is charged and to whom. (Not 出 of 出生, 出院 or 出来.)
    "fees": re.compile(r"(钱|费|费用)[^，。？?\s]{0,3}(我们|我|自己|谁|用户|业主|企业|公司|个人)[^，。？?\s]{0,3}出(?![生院国门来去现具租])"),
    # What to bring in other words ("得带些啥"); "docs" for documents.
    "materials": re.compile(r"(带|拿|准备)(上|好|齐|些|点){1,2}(啥|什么|哪些)|\bdocs\b", re.IGNORECASE),
    # How long until the result is in hand ("要多久才能拿到", "多久才能办下来"): the processing time, where "多久才能" alone
    # is a waiting period, a condition ("要等多久才能申请信用修复"). The longer match wins (see _matches).
    "time": re.compile(r"(多久|多长时间)(之后|以后|后)?才能(拿到|拿证|领到|到手|到账|下来|出来|出结果|办下来|批下来|发下来|办好|办完|办齐"
                       r"|办成|改好|改过来|把[^，。？?]{0,8}(办齐|办好|办完|办下来|改过来|拿到))"
                       # Working days as Taiwan writes them ("幾個工作天可以開通"; 工作日 is a keyword).
                       r"|(几|多少)个?工作天"),
}

_TRIGGERS = frozenset(w for _, words in ASPECTS.values() for w in words)
# Every part (of two or more characters) of a trigger: "is this token inside some keyword" becomes one
# set lookup instead of a scan of all keywords per token.
_TRIGGER_PARTS = frozenset(w[i:j] for w in _TRIGGERS for i in range(len(w)) for j in range(i + 2, len(w) + 1))


# A trigger is asked, not merely mentioned, when a question word is part of it or right beside it:
# "几个工作日" and "材料有哪些" ask; "…一起办，一般几个工作日能办好" only mentions the bundling.
_INTERROGATIVE = re.compile(r"几|多|什么|啥|哪|谁|怎|如何|吗|是否|能否|能不能|可不可以|要不要|\?|？")
_NEAR = 2  # characters either side of a trigger searched for a question word
_ENGLISH = re.compile(r"[a-z]{3}")


@dataclass(frozen=True)
class _Match:
    aspect: str
    start: int
    end: int


# How an English keyword is also written: "fee" as "fees", "charge" as "charged"; one ending in y also as
# "qualifies", "qualified". Used to find keywords in a question (`_trigger`) and to tell one in a token (`_is_trigger`).
_SUFFIXES = ("s", "es", "d", "ed")
_Y_SUFFIXES = ("ies", "ied")


@functools.cache
def _trigger(word: str) -> re.Pattern[str]:
    """Chinese triggers match anywhere; English ones as whole words with their inflections ("fees",
    "charged"), so "app" does not fire on "apply"."""
    if word.isascii():
        if word.endswith("y"):
            return re.compile(rf"\b{re.escape(word[:-1])}(?:y|ys|{'|'.join(_Y_SUFFIXES)})\b")
        return re.compile(rf"\b{re.escape(word)}(?:{'|'.join(_SUFFIXES)})?\b")
    return re.compile(re.escape(word))


def _matches(q: str) -> list[_Match]:
    """Every trigger occurrence in `q`, except those inside a longer occurrence of another aspect's
    trigger ("多少天内" is a deadline, so the time aspect's "多少天" inside it does not count)."""
    found = [_Match(name, m.start(), m.end()) for name, (_, words) in ASPECTS.items()
             for w in (*words, *_TOPICAL.get(name, ())) for m in _trigger(w).finditer(q)
             if not (name == "time" and _OWN_DAYS.match(q, max(0, m.start() - 1)))
             and not (name == "eligibility" and _CERTIFICATE.match(q, m.end()))
             and not (name == "fees" and (_COMPARED.match(q, m.end()) or q.endswith("who ", 0, m.start())
                                           or (q.startswith("charge", m.start()) and q.endswith("in ", 0, m.start()))
                                           or (q.startswith("pay", m.start()) and _PAYS_IN.match(q, m.end()))))]
    found += [_Match(name, m.start(), m.end()) for name, pattern in _PATTERNS.items() for m in pattern.finditer(q)]
    # "去哪" sharing its 哪 with "哪个机关" ("这要去哪个机关办？") asks which authority, not where the windows are.
    return [m for m in found if not any(o.aspect != m.aspect and o.start <= m.start and m.end <= o.end
                                        and o.end - o.start > m.end - m.start for o in found)
            and not (m.aspect == "channels" and any(o.aspect == "departments" and m.start < o.start < m.end
                                                    for o in found))]


# A qualification named as a document ("从业资格证", "qualification certificate") asks nothing about who qualifies.
_CERTIFICATE = re.compile(r"证|\s+cert")
# "How much earlier can I retire", "how much faster is it now": how much more or less of something, no price; nor is
# who is "in charge" of it, or who pays ("who pays the deed tax, the buyer or the seller?").
_COMPARED = re.compile(r"\s+(earlier|later|sooner|faster|quicker|slower|longer|shorter|more|less|fewer|bigger|smaller"
                       r"|higher|lower|easier|simpler)\b")
# Paying one's own contributions, a fine or capital in ("I pay my own pension", "keep paying shebao on my own", "by when
# must the capital be paid in"): what is paid is the topic, not the service's price ("do we have to pay for it?").
_PAYS_IN = re.compile(r"\s+(my|his|her|their|our|own|in|into|shebao|gongjijin|pension|contributions?|social|insurance"
                      r"|premiums?|capital|(a |the )?fines?)\b")
# A few days of the asker's own ("回不去几天", "请几天假", "住几天"): no question of how long the service takes.
_OWN_DAYS = re.compile(r"[去来回请住待呆]几天")


def _asked(q: str, m: _Match) -> bool:
    return bool(_INTERROGATIVE.search(q[max(0, m.start - _NEAR):m.end + _NEAR]))


# An English sentence that asks: it ends with a question mark or opens with a question word or an auxiliary.
_EN_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
_EN_ASKS = re.compile(r"\s*(what|which|who|whom|whose|when|where|why|how|can|could|do|does|did|is|are|was|were|"
                      r"should|must|will|would|may|might|shall|have|has|am)\b")


def _asked_in_english(q: str, matches: list[_Match]) -> list[str]:
    """English puts the question word first and far from the noun, so an aspect named in a sentence that
    asks counts as asked; one named only in the story around it ("I pay my own contributions. Who files
    my application — can I do it online?") does not. With no asking sentence, every aspect named counts."""
    asking = [m.span() for m in _EN_SENTENCE.finditer(q) if m.group().rstrip().endswith("?") or _EN_ASKS.match(m.group())]
    inside = [m.aspect for m in matches if any(s <= m.start < e for s, e in asking)]
    return inside or [m.aspect for m in matches]


# What a story around an English question says of the asker's situation, which the question may hang on ("My
# child was born in another province. Can I still use it?", "We missed the online sign-up. Is there any way…?"); a
# document, a fee or a place named in it is only part of the story ("My son lost his vaccination certificate. Can he
# still start school?").
_SITUATION = frozenset({"cross_province", "proxy", "tolerance", "eligibility", "deadline"})


def _story_aspects(q: str, matches: list[_Match]) -> list[_Match]:
    """The aspects an English question's story names that count when its question (a sentence ending in "?")
    names none: only the situation; all of them when nothing ends in "?" or the question names some."""
    asking = [m.span() for m in _EN_SENTENCE.finditer(q) if m.group().rstrip().endswith("?")]
    if not asking or any(s <= m.start < e for m in matches for s, e in asking):
        return matches
    return [m for m in matches if m.aspect in _SITUATION]


def own_names(o: OneThing) -> tuple[str, ...]:
    """A bundle's own names as a question holds them (normalised, lower-case), read as its topic by `Ask.of`."""
    from knowledge.text import normalize

    return tuple(normalize(n).lower() for n in (o.name, o.name_en, *o.aliases) if n)


@functools.cache  # the guides' own texts: a bounded set, read again for every answer
def _read_guide(text: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """`_read` of a text of the guide (an FAQ's own question): the aspects it names and those it asks."""
    from knowledge.text import normalize

    named, asked = _read(normalize(text).lower())
    return tuple(named), asked


def asked_in(text: str) -> frozenset[str]:
    """The aspects a text of the guide asks about (an FAQ's own question: "老人多大年龄可以领高龄津贴？")."""
    return _read_guide(text)[1]


# Aspects that, named in passing, make a question a special case: another province, missing papers, an age or
# condition ("孩子在外省出生，还能用出生一件事一次办吗？" is about births elsewhere). Not 代办: an FAQ naming 子女 or
# 家人 in passing ("老人跟子女住在外省…") is about the same case as one saying 我们.
_CASE_ASPECTS = frozenset({"cross_province", "tolerance", "eligibility"})


def _case(named: Iterable[str], asked: frozenset[str]) -> frozenset[str]:
    """Of the aspects a text names and those it asks, the special cases it names without asking about them."""
    return (frozenset(named) - asked) & _CASE_ASPECTS


def cases_named(text: str) -> frozenset[str]:
    """The special cases a text of the guide names, asked about or not ("An employee has moved from a company in
    another province. What happens to…": another province)."""
    return frozenset(_read_guide(text)[0]) & _CASE_ASPECTS


def conditions_in(text: str) -> frozenset[str]:
    """The special cases a text of the guide names without asking about them: the case it is about ("孩子在外省
    出生，还能用出生一件事一次办吗？" asks whether it is one application, for a birth in another province)."""
    return _case(*_read_guide(text))


# An FAQ about someone who lacks something ("没有领结婚证，能走联办吗？", "还没有营业执照，能先办…？", "I do not have
# my own office…") is a special case too, of a question that says what it lacks. The guide's phrases are few and
# plain; a citizen's are not ("没领证", "未婚", "no marriage cert"), so any negation in the question lets it lead.
_LACKING = re.compile(r"没有|还没|没来得及|尚未|没领|没拿|不是本地|\bhave no\b|\bhas no\b|\bdo not have\b|\bdoes not have\b"
                      r"|\bdon't have\b|\bdoesn't have\b|\bhaven't\b|\bhasn't\b|\bnot yet\b|\bwithout\b", re.I)
_NEGATION = re.compile(r"[没沒未无無非缺]|不是|\bno\b|\bnot\b|n't\b|\bwithout\b", re.I)


def of_the_case(faq_question: str, question: str, aspects: Iterable[str], shares_a_word: bool) -> bool:
    """Whether the special case an FAQ's own question is about (`conditions_in`, or lacking something) is named by
    `question`, whose named aspects are `aspects`: "刚生完孩子，出院前能把出生证和户口一起办了吗" is not the case of
    "没有领结婚证，能走联办吗？", though both ask about 联办. A question sharing a topic word with an FAQ on lacking
    something may be telling the same case in other words ("I quit my job…" for "I quit my job and have no
    employer now…")."""
    if not conditions_in(faq_question) <= set(aspects):
        return False
    return not _LACKING.search(faq_question) or shares_a_word or bool(_NEGATION.search(question))


_VALIDITY = re.compile(r"有效期|有效多久|多久有效|几年有效|管几年|管多久|能用几年|能用多久|\bvalid(?:ity)?\b|\bexpir(?:e|es|y|ed)\b")


# Materials keywords that are also part of one document's name (残疾证明, "birth certificate").
_DOCUMENT_NAMES = frozenset({"certificate", "证明", "证件"})


@functools.lru_cache(maxsize=4096)  # asked of the same guide FAQs for every answer
def asks_validity(text: str) -> bool:
    """Whether a text asks how long something stays valid ("有效期多久", "How long is the licence valid?")."""
    from knowledge.text import normalize

    return bool(_VALIDITY.search(normalize(text).lower()))


def _read(q: str, names: Iterable[str] = ()) -> tuple[list[str], frozenset[str]]:
    """The aspects the question `q` (normalised, lower-case) names, those it asks about first ("一起办…几个工作日能办好"
    asks the time and mentions the bundling), each group in the order of the question; and the set of asked ones."""
    matches = sorted(_matches(q), key=lambda m: m.start)
    # A keyword inside one of `names` (the bundle's own) is its topic; one reaching past it still asks ("如何申请" in
    # "如何申请低保", whose alias is 申请低保).
    spans = [(m.start(), m.end()) for name in names for m in re.finditer(re.escape(name), q)]
    matches = [m for m in matches if not any(s <= m.start and m.end <= e for s, e in spans)]
    english = bool(_ENGLISH.search(q))
    if english:
        matches = _story_aspects(q, matches)
    # (A choice within a match asks it too: "是搬过去以后再办，还是搬之前就得申请" asks which comes first.)
    asked = _asked_in_english(q, matches) if english else [m.aspect for m in matches if _asked(q, m)
                                                            or q[m.start:m.end] in _MISSED or "还是" in q[m.start:m.end]]
    found = list(dict.fromkeys(asked + [m.aspect for m in matches]))
    # "全流程要几天" asks how long the whole process takes, not for its steps: with a time word,
    # 流程 alone (no 步骤, 怎么申请…) is not a question about the steps.
    steps = [w for w in ASPECTS["steps"][1] if w in q]
    # ("processing" holds "process" but names no aspect: steps may not be among those found.)
    if "time" in found and "steps" in found and steps in (["流程"], ["process"]):  # "How many days does the whole process take?"
        found.remove("steps")
    # How long a licence or a filing stays valid ("How long is the licence valid?", "有效期多久") asks a deadline of
    # its own (when to renew), not how long the service takes.
    if _VALIDITY.search(q):
        if "time" in found:
            found[found.index("time")] = "deadline"
            found = list(dict.fromkeys(found))
            asked = ["deadline" if a == "time" else a for a in asked]
        elif "deadline" not in found:  # "那证能管几年" names no time word, and asks the same
            found.append("deadline")
            asked.append("deadline")
    # A document's name beside a question of what it costs, how long it takes, how, where or who issues it ("Does
    # getting a disability certificate cost anything?", "开证明要钱吗", "How do I get a disability certificate?", "这个证明
    # 去哪弄") asks that, not for the list of materials: the list only supports.
    named = {q[m.start:m.end] for m in matches if m.aspect == "materials"}
    if named and named <= _DOCUMENT_NAMES and "materials" in asked and set(asked) - {"materials"}:
        asked = [a for a in asked if a != "materials"]
        found.remove("materials")
        found.append("materials")
    # Whether a document may come later ("死亡证明能后补吗", "Can the death certificate be handed in later?") asks
    # about 容缺, not for the list of materials the document's name triggers: the list only supports.
    if "tolerance" in found and "materials" in found:
        found.remove("materials")
        found.insert(found.index("tolerance") + 1, "materials")
        asked = [a for a in asked if a != "materials"] or ["tolerance"]
    return found, frozenset(asked) & frozenset(found)


# Words that only point back at the conversation ("那", "这个") or carry no topic of their own.
_ANAPHORA = frozenset("那 那么 那个 这 这个 它 还有 另外 然后 呢 吗 嗯 好的 ok 呀 大概 大约 大致 一般 通常 差不多 左右 具体 "
                      "and then what about it that this".split())
# Characters of spoken function words. jieba glues them into tokens no stopword list can foresee ("那要",
# "那得交", "哪办", "咋办", "还要"), so a token made of nothing else says nothing about the topic: "那要带啥材料？"
# asks only for the materials, and in a conversation is a follow-up. (Checked on the 4,900 training
# questions: every such token is a pointer, a pronoun, a particle or a generic verb — 去 办 给 交 带 弄 咋 啥 完.)
_FUNCTION_CHARS = frozenset("那这要得啥咋么呢吗还就也都又该去来再能会可以哪在办弄搞带交给让把被们些个儿吧啊呀嘛哦呗怎样谁的了是我你他她它咱俺完")
# Words too general to tell one topic from another: 钱 (money) is asked about in every bundle ("那得交多少钱", "账户里的钱").
_GENERIC = frozenset({"钱"})
# English function words: they say nothing about which passage answers ("does", "after", "we").
_ENGLISH_STOPWORDS = frozenset("""a an the do does did done is are was were be been being am can could will would shall
should must may might have has had having i we you he she they me us him them my our your his her their its it's
what which who whom whose when where why how of for to in on at by with from about after before into onto over under
up out off and or but if so than then there here any some much many more most get gets got need needs want wants
take takes like just also while during since until because ok apply applying applied application still only not no yes other else such same own each every all both either neither
there's i'm we're i've""".split())
_SHORT = 16  # tokens up to this long have their parts enumerated; longer ones (rare) are compared directly


def _inside_another(words: set[str]) -> set[str]:
    """The words that occur inside another, longer word of `words`, in time linear in their total
    length (a 2,000-character question has ~1,000 tokens: comparing every pair took a second)."""
    parts: set[str] = set()
    long = [u for u in words if len(u) > _SHORT]
    for u in words:
        # Proper parts of u up to _SHORT characters: every short word that u contains.
        n = len(u)
        parts.update(u[i:j] for i in range(n) for j in range(i + 1, min(n, i + _SHORT) + 1) if j - i < n)
    inside = {t for t in words if len(t) <= _SHORT and t in parts}
    inside |= {t for t in long if any(t != u and t in u for u in long)}
    return inside


def _is_trigger(token: str) -> bool:
    """A keyword of some aspect, an English one also inflected ("fees" for "fee")."""
    if token in _TRIGGERS:
        return True
    if not token.isascii():
        return False
    return any(token.removesuffix(end) in _TRIGGERS for end in _SUFFIXES) or any(
        token.endswith(end) and token[:-len(end)] + "y" in _TRIGGERS for end in _Y_SUFFIXES)


def content_words(query: Query) -> set[str]:
    """The words that say what the question is about, beyond which aspect it asks for: tokens
    minus aspect keywords ("多久", "代办"), pointers back ("那", "这个") and stopwords. Search-mode
    sub-words of a compound count once (社保卡 → 社保, 社保卡 is one word)."""
    content = {t for t in query.tokens if is_content(t)}
    return content - _inside_another(content)


def is_content(token: str) -> bool:
    """Whether a token can say what a question is about: not a pointer back, not an aspect keyword (nor
    part of one), not an English function word, not punctuation."""
    return (token not in _ANAPHORA and not _is_trigger(token) and token not in _ENGLISH_STOPWORDS and token not in _GENERIC
            and any(c.isalnum() for c in token) and not (len(token) >= 2 and token in _TRIGGER_PARTS)
            and not all(c in _FUNCTION_CHARS for c in token))


def content_word_signature() -> str:
    """A digest of every word list `content_words` depends on: a decision model trained while they were
    different counted content words (one of its features) otherwise, and is flagged when loaded (see
    `assistant.decision.training.warn_if_stale`)."""
    import hashlib
    import json

    lists = [sorted(_TRIGGERS), sorted(_ANAPHORA), sorted(_ENGLISH_STOPWORDS), sorted(_FUNCTION_CHARS), sorted(_GENERIC)]
    return hashlib.sha256(json.dumps(lists, ensure_ascii=False).encode()).hexdigest()[:16]


# Someone or something of the conversation referred back to ("那他户口咋恢复", "what does he need to do with his card",
# "she hasn't done that assessment yet"): a pronoun, not 其他 or 他人 (others).
_REFERS_BACK = re.compile(r"(?<!其)[他她它](?!人)|这个|那个|这些|那些|^那|\b(he|she|him|his|her|hers|they|them|their|it|its)\b",
                          re.IGNORECASE)


def refers_back(query: Query) -> bool:
    """Whether a question refers back to someone or something of the conversation by a pronoun."""
    return bool(_REFERS_BACK.search(query.normalized))


def is_elliptical(query: Query) -> bool:
    """A follow-up that leans on the conversation: at most one content word — "那要多久？",
    "可以代办吗？", "那社保卡呢？"."""
    return len(content_words(query)) <= 1


# A yes/no question ("要先注销吗", "能不能网上办", "Can I apply online?") is answered by the FAQ or the
# condition that decides it, when the guide has one on its topic.
# (Spoken Chinese also ends a yes/no question with 不 or 没: "还得回老家开证明不", "材料交了没".)
_YES_NO = re.compile(r"吗[?？。!！\s]*$|[^不没][不没][?？\s]*$|能不能|可不可以|是不是|要不要|需不需要|用不用|是否|可否|能否|有没有|会不会|行不行"
                     # A choice in its last clause ("户口要去派出所销吗，还是自动注销") is decided the same way.
                     r"|还是[^，,。；;]*$"
                     r"|(^|[,;:.!?\-–—]\s*)(can|could|do|does|did|is|are|was|should|must|will|may|would|have|has)\b")
# "What is this bundle?" — the only questions, with a vague first one, that get the bundle overview.
# ("是什么时候" asks when, not what.) Every English bundle name ends in "bundle", so the word names the topic
# and is no keyword of the services part: "What is the Newborn birth bundle?" gets the overview.
# (Not "有什么是一定要我本人做的": what there is that must be done in person.)
_WHAT_IS = re.compile(r"是什么(?!时候)|(?<!有)什么是|是啥(?!时候)|干什么的|做什么的|介绍一下|介绍下|什么意思|怎么回事|了解一下"
                      r"|^what('s| is| are| does)\b.*\b(bundle|service|one.thing)|^tell me about")


# A question word or mark anywhere: a message without one states something ("我爸昨天夜里在医院走了", "Just had our 2nd
# baby last night") — unless it reads as yes/no (`_YES_NO`: a final 不, English word order). (几 after 十, 廿 or 好 is a
# number: "做咗廿幾年".) Spoken Cantonese arrives folded (knowledge.text.fold_cantonese: 點樣 → 怎样, 係咪 → 是不是,
# 邊度 → 哪里, 得唔得 → 行不行); only a bare 乜 is left as written.
_QUESTION_WORDS_ZH = r"吗|呢|怎|如何|什么|啥|哪|多少|多久|(?<![十廿好])几|谁|咋|乜"
_WH = r"(?:what|which|who|whom|whose|when|where|why|how)(?:s|re)?\b"  # "whats", "hows": typed without the apostrophe
_ASKS_SOMETHING = re.compile(rf"[?？]|{_QUESTION_WORDS_ZH}|\b{_WH}")

# What to do now, asked at the end of a message that tells what happened (`Ask.what_to_do`). Not 怎么办: it follows a
# problem as often as a life event ("社保卡落出租车上了咋办", "卖方人在国外回不来，房子过户怎么办"), which an FAQ answers.
_WHAT_TO_DO = re.compile(r"(?:(?:要|该|得|需要|应该)?(?:办|做|搞)(?:些)?(?:什么|啥|哪些)(?:手续|事情|事)?|(?:什么|哪些|啥)手续"
                         r"|\bwhat (?:now|next)|\bwhat (?:do|should|must) (?:i|we) do(?: now| next| first)?"
                         r"|\bwhat do (?:i|we) (?:need|have) to do(?: now| next| first)?|\bwhat needs to be done"
                         # what paperwork or formalities there are, and where to begin ("My grandfather passed away
                         # last week. What paperwork is there?", "My husband died on Sunday. Where do I begin?")
                         r"|\bwhat (?:paperwork|formalities|procedures) (?:is there|are there|(?:do|should|must) (?:i|we) "
                         r"(?:need to |have to )?(?:do|handle|sort out|deal with|go through)|needs (?:doing|to be done))"
                         r"|\bwhere (?:do|should) (?:i|we) (?:start|begin))"
                         r"[\s?？!！。.啊呀呢吧]*$")
_STATED = 4  # characters of what happened, at least, before the question ("孩子出生了")
# A plan told (`Ask.intends`): "(我们)想 / 打算 / 准备 / 计划…", "I want to…", "we're planning to…", "thinking of…".
_INTENDS = re.compile(r"\s*(?:(?:我|我们|咱|咱们|本人|我家|我们家|我们公司|公司)?(?:想要|想|打算|准备|计划|正打算|正准备)"
                      r"|(?:i|we)(?:'d| would)? (?:want|wanna|like|plan|intend|hope)\b"
                      r"|(?:i|we)(?:'m| am|'re| are) (?:planning|going|about|thinking|hoping)\b|thinking (?:of|about)\b)")
_CONTRAST = re.compile(r"但|可是|不过|却|\bbut\b|\bthough\b|\bhowever\b")

# ("Where do we start all the baby paperwork in one go?" asks where the bundle is applied for, not one service's window.)
_WHOLE = re.compile(r"全流程|整个流程|整个过程|全过程|全部办完|都办完|一次办完|一共|总共|\bwhole (?:process|thing)\b"
                    r"|\bentire process\b|\bin total\b|\baltogether\b|\bfrom start to finish\b|\bend to end\b"
                    r"|\bin one go\b|\ball (?:the |of the |our |my )?(?:\w+ )?(?:paperwork|formalities|procedures)\b")


@dataclass(frozen=True)
class Ask:
    """What a question asks, as the composer needs it: the aspects named (materials, time…), the
    words of its own topic, whether it wants a yes or no, and whether it asks what the bundle is."""

    aspects: list[str] = field(default_factory=list)
    topic_words: set[str] = field(default_factory=set)
    yes_no: bool = False
    what_is: bool = False
    asked: frozenset[str] = frozenset()  # the aspects asked about, not merely mentioned (none: all are asked)
    text: str = ""  # the question, normalised: which item of a list it is closest to

    @classmethod
    def of(cls, query: Query, names: Iterable[str] = ()) -> Ask:
        """What `query` asks. `names` (the bundle's own names, normalised and lower-case) are read as its topic, not
        as aspects asked: "异地就医备案一件事是什么？" asks what the bundle is, not about other provinces (异地), and
        "What is the Retirement bundle (pension and related procedures)?" not for its steps."""
        q = query.normalized.lower().strip()
        aspects, asked = _read(q, names)
        return cls(aspects, content_words(query), bool(_YES_NO.search(q)), bool(_WHAT_IS.search(q)), asked, q)

    @property
    def conditions(self) -> frozenset[str]:
        """The special cases the question names without asking about them ("我家老大上个月刚满3岁，还能领吗": an age),
        as `conditions_in` reads a text of the guide (from the aspects already read, not read again)."""
        return _case(self.aspects, self.asked)

    @property
    def states_only(self) -> bool:
        """Whether it asks nothing at all: no aspect, no yes/no, no question word or mark ("我们工作室刚招了3个人，下周一正式
        入职", "my son finally came home yesterday, done with his 2 years in the army")."""
        return not (self.aspects or self.yes_no or self.what_is or _ASKS_SOMETHING.search(self.text))

    @property
    def intends(self) -> bool:
        """Whether it only tells a plan ("准备注册一家公司", "We're planning to open a small restaurant"): `states_only`,
        opening with what the asker means to do, with no snag in it (no "but", no negation: "想退休但是缴费年限不够" tells
        a problem, which an FAQ may answer)."""
        return self.states_only and bool(_INTENDS.match(self.text)) and not (_CONTRAST.search(self.text)
                                                                              or _NEGATION.search(self.text))

    @property
    def what_to_do(self) -> bool:
        """Whether it tells what happened and then asks only what to do now ("我爸上周去世了，要办什么", "We just had a
        baby, what should we do?"): a life event told, as `states_only`, with the vaguest question at its end — no
        other aspect, no yes/no, and at least `_STATED` characters of what happened before it."""
        m = _WHAT_TO_DO.search(self.text)
        if not m:
            return False
        matches = _matches(self.text)
        # (Not what a bundle named covers, "新生儿出生一件事可以一起办哪些事": a services word before the question. An
        # aspect the question's own words name, "where" in "Where do I begin?", asks nothing more.)
        own = {x.aspect for x in matches if x.start >= m.start()}
        return len(self.text[:m.start()].strip(" ,，.。")) >= _STATED and not (
            self.yes_no or self.what_is or set(self.aspects) - {"services"} - own
            or any(x.start < m.start() for x in matches))

    @property
    def whole(self) -> bool:
        """Whether it asks about the bundle as a whole ("全流程要几天", "How many working days should the whole
        process take?"): the bundle's own part answers it, not one service's."""
        return bool(_WHOLE.search(self.text))

    def leads(self, aspect: str) -> bool:
        """Whether the part for `aspect` answers the question (asked, or nothing in particular is asked)
        rather than supporting the answer (only mentioned: "一起办" beside "几天能办好"). What is done together is
        no lead either when it is said of the whole bundle beside another aspect asked ("Where do we start all the baby
        paperwork in one go?": where, for all of it)."""
        if aspect == "services" and self.whole and self.asked - {"services"}:
            return False
        return not self.asked or aspect in self.asked


# Where a message may ask its next question: after a question mark, after a final 吗 and a space or comma
# ("房子贷款还没还完能过户吗 过户一般要多久"), or at a comma before "and" or 另外 ("who pays the deed tax, and does it have
# to be paid before the transfer?"; not before 还有, which also means "still": "老大四岁了，还有份不"). A choice stays one
# question: "能走简易注销吗，还是必须先还清".
_QUESTION_END = re.compile(r"[？?]\s*|吗[\s，,]+(?!还是)|[,，]\s*(?=(?:and|also|plus)\b|另外|以及)", re.IGNORECASE)
_MARKS = re.compile(r"[?？]")
# A question word of a piece: in English only where a clause starts ("On taxes: who pays…", not "the barber who sold me
# his shop…").
_QUESTION_WORD = re.compile(rf"{_QUESTION_WORDS_ZH}|(?:^|[,;:.!]\s*){_WH}")
_CONNECTIVE = re.compile(r"^\s*(?:(?:and|also|plus)\b|另外|以及)[,，\s]*", re.IGNORECASE)
# More questions than this in one message join the last part: a long message is answered in one piece.
MAX_PARTS = 3


def question_parts(text: str, ask_of: Callable[[str], Ask]) -> list[str]:
    """The questions one message asks ("育儿补贴一年给多少钱？孩子户口还没上 能先申请吗": how much, and whether it can
    come first), each answered as a question of its own. A piece asks one when it names an aspect or something and
    asks about it — by a yes/no, "what is", a question word, or (for an aspect) a question mark: not "你好？", "在吗？",
    nor "the barber still owes a quarter's taxes," (an aspect named, nothing asked); a piece that does not
    ("孩子户口还没上") joins the question after it (the last one the question before). One part: a single question."""
    cuts = [m.end() for m in _QUESTION_END.finditer(text) if m.end() < len(text)]
    if not cuts:  # one piece: one question (most messages, read without preparing anything again)
        return [text]
    parts: list[str] = []
    pending = ""
    for start, end in zip([0, *cuts], [*cuts, len(text)], strict=True):
        # (A question's own word order after its "and": "…, and does it have to be paid before the transfer?")
        pending += _CONNECTIVE.sub("", text[start:end]) if start and not pending else text[start:end]
        ask = ask_of(pending.strip())
        worded = ask.yes_no or ask.what_is or _QUESTION_WORD.search(ask.text)
        if (ask.aspects and (worded or _MARKS.search(ask.text))) or (ask.topic_words and worded):
            parts.append(pending)
            pending = ""
    if pending and parts:
        parts[-1] += pending
    if len(parts) > MAX_PARTS:
        parts[MAX_PARTS - 1:] = ["".join(parts[MAX_PARTS - 1:])]
    return [p.strip() for p in parts] if len(parts) > 1 else [text]
