"""Shared set-up of the peer scripts: re-run the calling script inside .venv-fixtures with its packages."""
import os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, ".venv-fixtures")


def ensure_venv(script, packages):
    """Creates the venv if needed, installs `packages`, and re-executes `script` there (returns when already inside)."""
    if sys.prefix == VENV:
        return
    if not os.path.exists(VENV):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
    py = os.path.join(VENV, "bin", "python")
    subprocess.check_call([py, "-m", "pip", "install", "-q"] + packages)
    os.execv(py, [py, os.path.abspath(script)] + sys.argv[1:])
