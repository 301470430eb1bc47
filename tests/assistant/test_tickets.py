"""Ticket routing on a small invented 12345-style set (no benchmark data, no model files)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.tickets import (
    OTHER,
    SETTING,
    TicketPrediction,
    TicketRouter,
    domain_to_department,
    train_from_jsonl,
)
from core.errors import ConfigurationError, InvalidInput

# What a citizen writes about, per domain; each is combined with one phrasing per message type.
TOPICS = {
    "城建": ["小区楼道墙皮脱落，老旧小区改造", "小区物业不管电梯维修，电梯经常停运", "我们楼的房屋漏水，住房维修基金",
             "胡同里的平房是否有拆迁计划", "小区供暖管道不热，暖气温度不达标"],
    "交通": ["地铁站出口离公交站太远，换乘不方便", "路口红绿灯时间太短，行人过马路危险", "公交车班次太少，早高峰等车半小时",
             "高速公路收费站排队拥堵", "路边违章停车占用车道，道路拥堵"],
    "教育": ["孩子上小学的学区划片和入学报名", "幼儿园学位不足，孩子没法入园", "学校课后服务收费和作业负担",
             "初中学校食堂饭菜质量差，学生吃不饱", "高考报名和学籍转学手续"],
    "医疗": ["社区医院挂号难，专家号抢不到", "医院看病排队时间太长，门诊缴费慢", "医生开药过多，医院检查费用太高",
             "社区卫生服务中心疫苗接种预约", "急诊科医护人员态度差，病人等待太久"],
}
PHRASING = {
    "咨询": "您好，请问{t}的问题应该怎么办理？想咨询一下具体政策和时间。",
    "投诉": "我要投诉：{t}，反映多次一直没人管，强烈要求相关部门严肃处理！",
    "建言": "建议有关部门重视{t}，希望能出台措施加以改进，个人建议仅供参考。",
    "求助": "求助！{t}，家里老人孩子实在没办法了，恳请领导帮帮我们尽快解决。",
}


def _records() -> list[dict]:
    return [{"message": PHRASING[kind].format(t=t), "domain": dom, "message_type": kind}
            for dom, topics in TOPICS.items() for t in topics for kind in PHRASING]


HELD_OUT = [
    ("请问我家小区的老旧楼房什么时候改造？物业说不清楚。", "城建", "咨询"),
    ("强烈投诉，地铁站和公交车换乘太乱，早高峰拥堵没人管！", "交通", "投诉"),
    ("建议增加幼儿园和小学学位，希望教育部门改进入学报名。", "教育", "建言"),
    ("请问社区医院的专家号怎么挂？想咨询看病预约流程。", "医疗", "咨询"),
    ("我要投诉学校食堂，孩子吃不饱，反映多次没人管！", "教育", "投诉"),
    ("建议在路口增加红绿灯时间，方便行人过马路。", "交通", "建言"),
    ("求助，家里老人急诊排队太久没人管，恳请帮帮我们。", "医疗", "求助"),
]


@pytest.fixture(scope="module")
def router() -> TicketRouter:
    r = TicketRouter(top_k=3)
    report = r.train(_records())
    assert report.domain_examples == report.type_examples == 80
    assert sorted(report.domain_labels) == sorted(TOPICS)
    return r


def test_held_out_messages_are_routed(router: TicketRouter) -> None:
    preds = router.run_many([m for m, _, _ in HELD_OUT])
    assert [p.domain for p in preds] == [d for _, d, _ in HELD_OUT]
    assert [p.message_type for p in preds] == [t for _, _, t in HELD_OUT]


def test_prediction_shape_and_scores(router: TicketRouter) -> None:
    p = router.run("小区电梯坏了好几天，物业不修，请问找哪个部门？")
    assert isinstance(p, TicketPrediction)
    assert p.domain == "城建" and p.department == domain_to_department["城建"] == "住房和城乡建设部门"
    assert len(p.top_domains) == 3 and p.top_domains[0] == (p.domain, p.domain_score)
    scores = [s for _, s in p.top_domains]
    assert scores == sorted(scores, reverse=True) and 0 < sum(scores) <= 1.0001
    assert 0.25 < p.domain_score <= 1 and 0.25 < p.type_score <= 1
    assert json.loads(json.dumps(p.to_dict(), ensure_ascii=False))["department"] == "住房和城乡建设部门"


def test_save_load_round_trip(router: TicketRouter, tmp_path: Path) -> None:
    path = router.save(tmp_path / "models" / "tickets.joblib")
    loaded = TicketRouter(path)
    loaded.warm_up()
    loaded.warm_up()  # safe twice
    msgs = [m for m, _, _ in HELD_OUT]
    assert loaded.run_many(msgs) == router.run_many(msgs)
    assert loaded.meta["classifier"] == "linear_svc"


def test_missing_model_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=SETTING) as exc:
        TicketRouter().warm_up()
    assert exc.value.field == "YJS_TICKET_MODEL_PATH" and "python -m assistant.tickets train" in exc.value.message
    missing = tmp_path / "nope.joblib"
    with pytest.raises(ConfigurationError, match="YJS_TICKET_MODEL_PATH") as exc:
        TicketRouter(missing).run("小区电梯坏了")
    assert str(missing) in exc.value.message


def test_foreign_file_is_a_configuration_error(tmp_path: Path) -> None:
    import joblib

    joblib.dump({"something": "else"}, tmp_path / "x.joblib")
    (tmp_path / "garbage.joblib").write_bytes(b"not a pickle")
    for name in ("x.joblib", "garbage.joblib"):
        with pytest.raises(ConfigurationError, match=SETTING):
            TicketRouter(tmp_path / name).warm_up()


@pytest.mark.parametrize("message", ["", "   \n", None])
def test_empty_message_is_invalid_input(router: TicketRouter, message) -> None:
    with pytest.raises(InvalidInput, match="empty") as exc:
        router.run(message)
    assert exc.value.field == "message"


def test_train_from_jsonl(tmp_path: Path) -> None:
    src = tmp_path / "tickets.jsonl"
    recs = _records() + [
        # no domain label: still teaches the type head
        {"message": "建议公园增加健身器材和座椅。", "domain": None, "message_type": "建言"},
        # a label with too few examples is folded into 其他
        {"message": "建议规范手机广告关闭按钮大小。", "domain": "工业和信息化部", "message_type": "建言"},
    ]
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n\n", encoding="utf-8")
    out = tmp_path / "model.joblib"
    report = train_from_jsonl(src, out)
    assert out.is_file()
    assert report.domain_examples == 81 and report.type_examples == 82
    assert report.folded_domains == {"工业和信息化部": 1} and OTHER in report.domain_labels
    assert TicketRouter(out).run("强烈投诉公交车班次太少，等车太久！").domain == "交通"


def test_bad_training_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"message": "a", "domain": "城建", "message_type": "咨询"}\n{oops\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="bad.jsonl:2"):
        train_from_jsonl(bad, tmp_path / "m.joblib")
    with pytest.raises(InvalidInput, match="record 0"):
        TicketRouter().train([{"text": "小区电梯坏了", "domain": "城建", "message_type": "投诉"}])
    one_domain = [{**r, "domain": "城建"} for r in _records()]
    with pytest.raises(InvalidInput, match="domain head"):
        TicketRouter().train(one_domain)


def test_bad_options_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError, match="naive_bayes"):
        TicketRouter(classifier="naive_bayes")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="Nothing to save"):
        TicketRouter().save("x.joblib")
