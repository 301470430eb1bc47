from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_configuration_doc_lists_every_setting():
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    from gen_config_docs import render

    assert (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8") == render(), (
        "docs/configuration.md is stale: run .venv/bin/python scripts/gen_config_docs.py"
    )


def test_readme_names_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in text and "make test" in text
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
