"""Ticket-model files: the format version, the hash of the training inputs, the lazy loader."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import assistant.tickets as tickets
from assistant.tickets import FORMAT, FORMAT_VERSION, SETTING, TicketModel, TicketRouter, inputs_digest
from core.errors import ConfigurationError

TRAIN = "python -m assistant.tickets train"


def _records() -> list[dict]:
    rows = []
    for i in range(6):
        rows.append({"message": f"小区路灯坏了第{i}天，道路坑洼积水，请尽快维修", "domain": "城建", "message_type": "投诉/求助",
                     "row": 2 * i})
        rows.append({"message": f"孩子上学报名第{i}次咨询，学校招生划片怎么算", "domain": "教育", "message_type": "咨询",
                     "row": 2 * i + 1})
    return rows


@pytest.fixture(scope="module")
def trained() -> TicketRouter:
    router = TicketRouter(min_class_examples=2)
    router.train(_records())
    return router


def _assert_names_setting_and_command(exc: pytest.ExceptionInfo) -> None:
    assert exc.value.field == SETTING and SETTING in exc.value.message and TRAIN in exc.value.message


def test_training_records_the_hash_of_its_inputs(trained: TicketRouter, tmp_path: Path) -> None:
    digest = trained.inputs_sha256
    assert isinstance(digest, str) and len(digest) == 64
    assert trained.meta["inputs_sha256"] == digest
    again = TicketRouter(min_class_examples=2)
    assert again.train(_records()).inputs_sha256 == digest  # same data, same options: same hash
    loaded = TicketRouter(trained.save(tmp_path / "m.joblib"))
    loaded.warm_up()
    assert loaded.inputs_sha256 == digest and loaded.meta["inputs_sha256"] == digest


def test_the_hash_covers_data_and_parameters_not_extra_keys() -> None:
    router = TicketRouter(min_class_examples=2)
    examples = [(r["message"], r["domain"], r["message_type"]) for r in _records()]
    base = inputs_digest(examples, router.training_params())
    assert inputs_digest(examples[:-1], router.training_params()) != base
    assert inputs_digest(examples[1:] + examples[:1], router.training_params()) != base  # order changes the folds
    assert inputs_digest(examples, TicketRouter(min_class_examples=2, C=1.0).training_params()) != base
    assert inputs_digest(examples, TicketRouter(min_class_examples=3).training_params()) != base
    # top_k only shapes the output; a record's other keys ("row") are not training inputs
    assert inputs_digest(examples, TicketRouter(min_class_examples=2, top_k=1).training_params()) == base
    no_rows = TicketRouter(min_class_examples=2)
    no_rows.train([{k: v for k, v in r.items() if k != "row"} for r in _records()])
    assert no_rows.inputs_sha256 == base


def test_older_format_version_is_a_configuration_error(trained: TicketRouter, tmp_path: Path) -> None:
    import joblib

    path = tmp_path / "v1.joblib"
    joblib.dump({"format": FORMAT, "version": FORMAT_VERSION - 1, "domain": trained._domain, "type": trained._type,
                 "meta": {}}, path)
    with pytest.raises(ConfigurationError, match="format version") as exc:
        TicketRouter(path).warm_up()
    _assert_names_setting_and_command(exc)


def test_file_without_inputs_hash_is_a_configuration_error(trained: TicketRouter, tmp_path: Path) -> None:
    import joblib

    path = tmp_path / "nohash.joblib"
    joblib.dump({"format": FORMAT, "version": FORMAT_VERSION, "domain": trained._domain, "type": trained._type,
                 "meta": dict(trained.meta)}, path)
    with pytest.raises(ConfigurationError, match="hash of its training inputs") as exc:
        TicketRouter(path).warm_up()
    _assert_names_setting_and_command(exc)


def test_file_pickled_by_the_single_module_code_is_a_configuration_error(tmp_path: Path, monkeypatch) -> None:
    """Version-1 files refer to classes of the old single module (``assistant.tickets._Head``)."""
    import joblib

    class _Head:  # what unpickling a version-1 file looks up, and no longer finds
        pass

    _Head.__module__, _Head.__qualname__ = "assistant.tickets", "_Head"
    monkeypatch.setattr(tickets, "_Head", _Head, raising=False)
    path = tmp_path / "old.joblib"
    joblib.dump({"format": FORMAT, "version": 1, "domain": _Head(), "type": _Head(), "meta": {}}, path)
    monkeypatch.delattr(tickets, "_Head")
    with pytest.raises(ConfigurationError, match="older version") as exc:
        TicketRouter(path).warm_up()
    _assert_names_setting_and_command(exc)


def test_an_untrained_router_has_nothing_to_save(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="Nothing to save"):
        TicketRouter().save(tmp_path / "x.joblib")


def test_ticket_model_is_lazy_and_reloads_a_changed_file(trained: TicketRouter, tmp_path: Path) -> None:
    path = tmp_path / "var" / "ticket-model.joblib"
    model = TicketModel(path)
    assert model.get() is None and TRAIN in model.hint and str(path) in model.hint
    trained.save(path)
    first = model.get()
    assert first is not None and first.run("路灯坏了，道路积水").domain == "城建"
    assert model.get() is first  # cached while the file is unchanged
    retrained = TicketRouter(min_class_examples=2, C=1.0)
    retrained.train(_records())
    retrained.save(path)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # a clock-independent "file changed"
    second = model.get()
    assert second is not first and second.inputs_sha256 == retrained.inputs_sha256 != trained.inputs_sha256


def test_ticket_model_with_an_incompatible_file_says_how_to_fix_it(tmp_path: Path) -> None:
    path = tmp_path / "ticket-model.joblib"
    path.write_bytes(b"not a pickle")
    with pytest.raises(ConfigurationError) as exc:
        TicketModel(path).get()
    _assert_names_setting_and_command(exc)
