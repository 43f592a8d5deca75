"""Migration files sort in the order of their revision chain, so a reader meets them in turn."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from tests.conftest import alembic_config


def test_files_sort_in_the_order_of_the_revision_chain() -> None:
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    chain = [script.revision for script in reversed(list(scripts.walk_revisions()))]
    by_file = [
        script.revision
        for script in sorted(scripts.walk_revisions(), key=lambda s: s.path.rsplit("/", 1)[-1])
    ]
    assert by_file == chain
