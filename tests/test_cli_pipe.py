"""The CLI stops quietly when its reader goes away (`nianbao catalog | head -1`)."""

from __future__ import annotations

import subprocess


def test_closed_stdout_gives_no_traceback(nianbao_cmd: list[str]) -> None:
    proc = subprocess.Popen(
        [*nianbao_cmd, "catalog"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) in (0, 141)
    assert "Traceback" not in stderr
