"""Every test gets its own empty data folder: nothing ever touches the real user's progress."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def tutor_home(tmp_path, monkeypatch):
    home = tmp_path / "tutor-home"
    monkeypatch.setenv("TUTOR_HOME", str(home))
    monkeypatch.delenv("TUTOR_CONTENT", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    return home


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread(request):
    """Demo tests run torch on one thread, as the CLI does: the same seed then gives the same numbers."""
    if not request.module.__name__.startswith("test_demo_"):
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def pytest_sessionstart(session):
    """Refuse to test stale compiled code: an edited grader module runs its old compiled form until rebuilt."""
    from tutor import native

    if stale := native.stale_modules():
        pytest.exit(f"tutor.{', tutor.'.join(stale)}: the compiled module is older than its source; rebuild it "
                    "(make test does) or delete tutor/*.so", returncode=2)
