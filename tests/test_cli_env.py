"""The command line's process settings made before numpy loads (lca.cli)."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = (
    "import os, sys; import lca.cli; import numpy; "
    "print(os.environ['OPENBLAS_NUM_THREADS'], 'numpy' in sys.modules)"
)


def _probe(env: dict[str, str]) -> str:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_one_blas_thread_unless_the_user_asks_for_more():
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    assert _probe(env) == "1 True"
    assert _probe({**env, "OPENBLAS_NUM_THREADS": "3"}) == "3 True"


def test_numpy_is_not_loaded_before_the_setting():
    # the setting only works if nothing imports numpy before lca.cli sets it
    probe = "import sys; import lca; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
