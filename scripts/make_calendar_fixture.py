#!/usr/bin/env python3
"""Writes the NYSE session list 1995-01-01..2030-12-31 and each session's open and close (UTC) from
exchange-calendars (an independent implementation).

Usage: scripts/make_calendar_fixture.py   (creates .venv-fixtures if missing)
"""
import os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.environ.get("HINDSIGHT_VENV", os.path.join(ROOT, ".venv-fixtures"))
OUT = os.path.join(ROOT, "Tests", "TimeMachineTests", "Fixtures", "nyse-sessions-1995-2030.txt")
TIMES = os.path.join(ROOT, "Tests", "TimeMachineTests", "Fixtures", "nyse-session-times-1995-2030.csv")

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
schedule = cal.schedule.loc["1995-01-01":"2030-12-31"]
with open(TIMES, "w") as f:
    f.write(f"# exchange_calendars {xcals.__version__} XNYS schedule (market open, close), made by scripts/make_calendar_fixture.py\n")
    f.write("date,open_utc,close_utc\n")
    for day, row in schedule.iterrows():
        f.write(f"{day.strftime('%Y-%m-%d')},{row['open'].strftime('%Y-%m-%dT%H:%MZ')},{row['close'].strftime('%Y-%m-%dT%H:%MZ')}\n")
print(f"wrote {len(sessions)} sessions to {OUT} and their hours to {TIMES}")
