"""One time zone (the `timezone` setting, Asia/Shanghai by default) for the tracking number's date and
every time shown, while stored times stay UTC (issue 11 item 11)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from core import clock
from core.errors import ConfigurationError
from core.settings import Settings
from prefill import printouts, submission
from ui import prefill_render, render

# 17:30 UTC on 23 November is already 01:30 on the 24th in Beijing.
LATE_UTC = dt.datetime(2026, 11, 23, 17, 30, tzinfo=dt.UTC)


@pytest.fixture
def late_evening(monkeypatch):
    monkeypatch.setattr(submission, "utcnow", lambda: LATE_UTC)
    monkeypatch.setattr(printouts, "utcnow", lambda: LATE_UTC)


def test_tracking_number_date_and_shown_times_agree(svc, scenario, h, late_evening):
    me, _, sub = h.full_flow(svc, scenario("retirement"))
    assert sub.tracking_no.startswith("YJS-20261124-")
    assert sub.submitted_at.startswith("2026-11-23T17:30")  # stored in UTC
    shown = prefill_render.submission_html(sub, "zh-Hans")
    assert "2026-11-24 01:30" in shown and "2026-11-23 17:30" not in shown
    doc = svc.document(me, sub.draft_id, "docx")
    text = zipfile.ZipFile(io.BytesIO(doc.content)).read("word/document.xml").decode()
    assert "提交时间 2026-11-24 01:30" in text and "生成时间：2026-11-24 01:30" in text


def test_another_zone_is_one_setting(shared_url, tmp_path, scenario, h, late_evening):
    from prefill.service import PrefillService

    utc = PrefillService(shared_data_url=shared_url, state_url=f"sqlite:///{(tmp_path / 's.db').as_posix()}",
                         secret="test-secret-" + "s" * 32, seed_people=160, seed_enterprises=36, timezone="UTC")
    utc.warm_up()
    _, _, sub = h.full_flow(utc, scenario("retirement", 1))
    assert sub.tracking_no.startswith("YJS-20261123-")


def test_display_zone_follows_the_setting(monkeypatch):
    monkeypatch.setattr(clock, "_display", clock.DEFAULT_TIMEZONE)
    assert prefill_render.fmt_time("2026-11-23T17:30:00Z") == "2026-11-24 01:30"
    row = {"status": "handoff", "updated_at": "2026-11-23T17:30:00+00:00", "id": "x" * 32}
    assert "2026-11-24 01:30" in render.queue_markdown([row])
    clock.set_display_timezone("Europe/London")
    assert prefill_render.fmt_time("2026-11-23T17:30:00Z") == "2026-11-23 17:30"
    with pytest.raises(ConfigurationError, match="YJS_TIMEZONE"):
        Settings(timezone="Mars/Olympus_Mons")
    assert Settings().timezone == "Asia/Shanghai"
