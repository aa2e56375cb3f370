#!/usr/bin/env python3
"""Writes the NYSE session list 1995-01-01..2030-12-31 from exchange-calendars (an independent implementation).

Usage: scripts/make_calendar_fixture.py   (creates .venv-fixtures if missing)
"""
import os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".venv-fixtures")
OUT = os.path.join(ROOT, "Tests", "TimeMachineTests", "Fixtures", "nyse-sessions-1995-2030.txt")

if sys.prefix != VENV:
    if not os.path.exists(VENV):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
    py = os.path.join(VENV, "bin", "python")
    subprocess.check_call([py, "-m", "pip", "install", "-q", "exchange-calendars"])
    os.execv(py, [py, os.path.abspath(__file__)])

import exchange_calendars as xcals  # noqa: E402

cal = xcals.get_calendar("XNYS", start="1994-01-01", end="2031-12-31")
sessions = cal.sessions_in_range("1995-01-01", "2030-12-31")
with open(OUT, "w") as f:
    f.write(f"# NYSE sessions from exchange_calendars {xcals.__version__} (XNYS), made by scripts/make_calendar_fixture.py\n")
    for s in sessions:
        f.write(s.strftime("%Y-%m-%d") + "\n")
print(f"wrote {len(sessions)} sessions to {OUT}")
