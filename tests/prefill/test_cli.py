"""`python -m prefill`: staff commands, exit codes, one-line errors, masked output."""

import json

import pytest

from app.prefill_cli import main
from core.settings import get_settings
from prefill.seed import scenarios_from_meta
from prefill.sources import SharedDataDB


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    monkeypatch.setenv("YJS_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("YJS_SEED_PEOPLE", "60")
    monkeypatch.setenv("YJS_SEED_ENTERPRISES", "24")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def test_commands_and_exit_codes(cli_env, capsys):
    assert main(["seed"]) == 0
    assert "seeded" in capsys.readouterr().out
    assert main(["seed"]) == 0 and "already seeded" in capsys.readouterr().out
    assert main(["forms"]) == 0 and "newborn" in capsys.readouterr().out
    assert main(["forms", "newborn"]) == 0 and "father_id_number" in capsys.readouterr().out
    assert main(["demo-people"]) == 0 and "合成" in capsys.readouterr().out

    sc = next(s for s in scenarios_from_meta(SharedDataDB(cli_env.resolved_shared_data_url).meta())
              if s.one_thing_id == "retirement")
    assert main(["preview", "retirement", "--as-citizen", sc.applicant_id]) == 0
    out = capsys.readouterr().out
    assert "pre-fill rate" in out and "********" in out
    assert main(["preview", "retirement", "--as-citizen", sc.applicant_id, "--json"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["prefill_rate"] > 0.5

    for argv, code in ((["preview", "retirement"], 2), (["preview", "retirement", "--code", "000000"], 2),
                       (["preview", "retirement", "--code", "12"], 2), (["preview", "moon", "--as-citizen", "P00001"], 2),
                       (["status", "YJS-20260101-AAAAAA", "公安部门", "已受理"], 2),
                       (["track", "YJS-20260101-AAAAAA"], 2)):
        assert main(argv) == code, argv
        err = capsys.readouterr().err.strip()
        assert err.startswith("error:") and len(err.splitlines()) == 1, err
    assert main(["audit-verify"]) == 0 and '"ok":true' in capsys.readouterr().out


def test_status_update_from_the_cli(cli_env, capsys):
    from core.identity import Principal
    from prefill.service import build_prefill_service

    svc = build_prefill_service(cli_env)
    sc = next(s for s in scenarios_from_meta(svc.shared.meta()) if s.one_thing_id == "hukou_migration")
    me = Principal("citizen", sc.applicant_id)
    d = svc.start_draft(me, "hukou_migration").draft_id
    svc.grant_all(me, d)
    svc.prefill(me, d)
    svc.edit(me, d, "migration_reason", "购房迁入")
    svc.confirm(me, d)
    sub = svc.submit(me, d)
    assert main(["status", sub.tracking_no, "公安部门", "已受理", "--staff", "window3"]) == 0
    assert "待受理 → 已受理" in capsys.readouterr().out
    assert main(["status", sub.tracking_no, "公安部门", "待受理"]) == 2
    assert main(["track", sub.tracking_no, "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["departments"][0]["status"] == "已受理"
    assert any(e.actor == "staff:window3" for e in svc.audit.entries(action="status_change"))
