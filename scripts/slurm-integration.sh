#!/usr/bin/env bash
# End-to-end check of the Slurm path on a one-node cluster started here (needs root):
# installs slurm-wlm + munge, starts munged/slurmctld/slurmd, submits a small sweep as a 3-shard job array
# with `hindsight sweep slurm --submit`, waits, and checks that the merged results equal an unsharded run.
# Stops only the daemons it started, by pid. Usage: scripts/slurm-integration.sh [path/to/hindsight]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
if [ "$(id -u)" -ne 0 ]; then
  echo "slurm-integration: needs root (it installs packages and starts slurmctld/slurmd); skipped" >&2
  exit 0
fi
HS=${1:-}
if [ -z "$HS" ]; then
  if [ -x .build/debug/hindsight ]; then HS=.build/debug/hindsight; else swift build -c release --product hindsight; HS=.build/release/hindsight; fi
fi
HS=$(cd "$(dirname "$HS")" && pwd)/$(basename "$HS")

need=()
for p in slurm-wlm munge sqlite3; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "slurm-integration: installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

W=$(mktemp -d /tmp/hindsight-slurm.XXXXXX)
chmod 755 "$W"
PIDS=()
cleanup() {
  local rc=$?
  # Our jobs carry the sweep's name (hs-slurm-it, hs-slurm-it-merge).
  if [ -n "${SLURM_CONF:-}" ]; then
    for name in hs-slurm-it hs-slurm-it-merge hs-slurm-kill hs-slurm-kill-merge; do scancel --quiet --name=$name 2>/dev/null || true; done
  fi
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ $rc -ne 0 ]; then
    echo "slurm-integration: FAILED; logs:" >&2
    for f in "$W"/*.log "$W"/slurm/*/logs/*.out; do [ -f "$f" ] && { echo "== $f" >&2; tail -20 "$f" >&2; }; done
  fi
  rm -rf "$W"
  exit $rc
}
trap cleanup EXIT

# munge: use a running munged if there is one, else start our own on a private socket.
MUNGE_SOCKET=/run/munge/munge.socket.2
if ! (munge -n -S "$MUNGE_SOCKET" 2>/dev/null | unmunge -S "$MUNGE_SOCKET" >/dev/null 2>&1); then
  MUNGE_SOCKET=$W/munge.socket
  dd if=/dev/urandom bs=1 count=1024 of="$W/munge.key" status=none
  chmod 400 "$W/munge.key"
  mkdir -p "$W/munge-state"
  munged --foreground --force --key-file="$W/munge.key" --socket="$MUNGE_SOCKET" \
    --pid-file="$W/munged.pid" --log-file="$W/munged.log" --seed-file="$W/munge-state/seed" > "$W/munged.stdout.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 50); do [ -S "$MUNGE_SOCKET" ] && break; sleep 0.1; done
fi

HOST=$(hostname -s)
CPUS=$(nproc)
mkdir -p "$W/state" "$W/spool"
cat > "$W/slurm.conf" <<CONF
ClusterName=hindsight-it
SlurmctldHost=$HOST
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$W/state
SlurmdSpoolDir=$W/spool
SlurmctldPidFile=$W/slurmctld.pid
SlurmdPidFile=$W/slurmd.pid
SlurmctldLogFile=$W/slurmctld.log
SlurmdLogFile=$W/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=$HOST CPUs=$CPUS RealMemory=1000 State=UNKNOWN
PartitionName=it Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$W/slurm.conf
slurmctld -D -f "$SLURM_CONF" > "$W/slurmctld.stdout.log" 2>&1 &
PIDS+=($!)
slurmd -D -f "$SLURM_CONF" > "$W/slurmd.stdout.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
  sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)' && break
  sleep 0.2
done
sinfo -h -o '%t' | grep -qE '^(idle|mix|alloc)' || { echo "slurm-integration: the node did not come up" >&2; exit 1; }
echo "slurm-integration: one-node cluster up ($HOST, $CPUS cpus)"

cat > "$W/sweep.yaml" <<'YAML'
sweep: slurm-it
base:
  name: slurm-it
  data: {synthetic: {assets: 6, start: 2014-01-02, end: 2017-12-29, seed: 21}}
  start: 2014-01-02
  end: 2017-12-29
  universe: {tickers: [MKT]}
  strategy: {kind: sma_crossover, params: {fast: 10, slow: 50}}
  execution: {fill: close, commission: {model: bps, bps: 5}}
  benchmark: MKT
grid:
  strategy.params.fast: {range: [3, 30, 3]}
  strategy.params.slow: [40, 80, 120]
  execution.fill: [close, next_open]
rank_by: sharpe_ratio
walk_forward: {train: 2y, test: 6m}
store: {equity: {top: 3}, trades: {top: 3}}
report: {top: 3}
YAML
out=$(cd "$W" && "$HS" sweep slurm sweep.yaml --shards 3 --cpus 1 --partition it --time 00:10:00 --work-dir "$W/slurm" --report-dir "$W/reports" --submit)
echo "$out"
merge_id=$(echo "$out" | sed -n 's/^submitted array job \([0-9]*\) and merge job \([0-9]*\)$/\2/p')
array_id=$(echo "$out" | sed -n 's/^submitted array job \([0-9]*\) and merge job \([0-9]*\)$/\1/p')
[ -n "$merge_id" ] || { echo "slurm-integration: no job ids printed" >&2; exit 1; }
for _ in $(seq 600); do
  [ -z "$(squeue -h -j "$array_id,$merge_id" 2>/dev/null)" ] && break
  sleep 0.5
done
[ -z "$(squeue -h -j "$array_id,$merge_id" 2>/dev/null)" ] || { echo "slurm-integration: jobs still queued after 5 minutes" >&2; squeue >&2; exit 1; }
for i in 1 2 3; do [ -s "$W/slurm/slurm-it/shard-$i.sqlite" ] || { echo "slurm-integration: shard $i wrote no database" >&2; exit 1; }; done
MERGED=$W/slurm/slurm-it/merged.sqlite
[ -s "$MERGED" ] || { echo "slurm-integration: the merge job wrote no database" >&2; exit 1; }
[ -s "$W/reports/slurm-it/README.md" ] || { echo "slurm-integration: the merge job wrote no report" >&2; exit 1; }

(cd "$W" && "$HS" sweep run sweep.yaml --db "$W/whole.sqlite" --quiet --no-report >/dev/null)
q="SELECT point_id, status, config_hash, metrics_json FROM backtest_runs ORDER BY point_id"
sqlite3 "$MERGED" "$q" > "$W/merged.txt"
sqlite3 "$W/whole.sqlite" "$q" > "$W/whole.txt"
n=$(wc -l < "$W/whole.txt")
[ "$n" -eq 60 ] || { echo "slurm-integration: the unsharded run stored $n points, expected 60" >&2; exit 1; }
if ! cmp -s "$W/merged.txt" "$W/whole.txt"; then
  echo "slurm-integration: merged shards differ from the unsharded run" >&2
  diff "$W/merged.txt" "$W/whole.txt" | head -5 >&2
  exit 1
fi
wf_m=$(sqlite3 "$MERGED" "SELECT value FROM dataset_metadata WHERE key LIKE 'walk_forward:%'")
wf_w=$(sqlite3 "$W/whole.sqlite" "SELECT value FROM dataset_metadata WHERE key LIKE 'walk_forward:%'")
[ -n "$wf_m" ] && [ "$wf_m" = "$wf_w" ] || { echo "slurm-integration: walk-forward of the merge differs from the unsharded run" >&2; exit 1; }
grep -q "## Walk-forward" "$W/reports/slurm-it/README.md"
echo "slurm-integration: OK: 3 array tasks + merge job; merged = unsharded ($n points, walk-forward equal); report written"

# A shard killed mid-run and resubmitted: SIGKILL the batch task of shard 2 once it has stored some points (its
# merge job can then never start), resubmit the same array, and check that the killed shard kept every point it had
# stored (same rows, not re-run), resumed the rest, and that the merge equals an unsharded run.
cat > "$W/kill.yaml" <<'YAML'
sweep: slurm-kill
base:
  data: {synthetic: {assets: 40, start: 2008-01-02, end: 2017-12-29, seed: 5}}
  start: 2008-01-02
  end: 2017-12-29
  initial_cash: 1000000
  fractional_shares: true
  universe: {all: true}
  strategy: {kind: momentum_rotation, params: {lookback: 21, top_n: 10, rebalance_every: 5}}
  execution: {fill: close, commission: {model: bps, bps: 10}}
grid:
  strategy.params.lookback: {range: [10, 240, 10]}
  strategy.params.top_n: [3, 5, 8, 10, 15]
  strategy.params.rebalance_every: [5, 10, 21]
rank_by: sharpe_ratio
store: {equity: none, trades: {top: 3}}
report: {top: 3}
YAML
KW=$W/slurm-kill
out=$(cd "$W" && "$HS" sweep slurm kill.yaml --shards 2 --cpus 1 --partition it --time 00:10:00 --work-dir "$KW" --report-dir "$W/kill-reports" --submit)
array_id=$(echo "$out" | sed -n 's/^submitted array job \([0-9]*\) and merge job \([0-9]*\)$/\1/p')
merge_id=$(echo "$out" | sed -n 's/^submitted array job \([0-9]*\) and merge job \([0-9]*\)$/\2/p')
[ -n "$merge_id" ] || { echo "slurm-integration: no job ids printed for the kill test" >&2; exit 1; }
SHARD2=$KW/slurm-kill/shard-2.sqlite
stored() { sqlite3 "$1" "SELECT COUNT(*) FROM backtest_runs" 2>/dev/null || echo 0; }
killed=""
for _ in $(seq 1200); do
  n=$( [ -s "$SHARD2" ] && stored "$SHARD2" || echo 0 )
  if [ "${n:-0}" -ge 10 ]; then
    scancel --signal=KILL --full "${array_id}_2"
    killed=$n
    break
  fi
  sleep 0.1
done
[ -n "$killed" ] || { echo "slurm-integration: shard 2 stored nothing to kill in 2 minutes" >&2; exit 1; }
for _ in $(seq 300); do
  squeue -h -j "${array_id}_2" 2>/dev/null | grep -q . || break
  sleep 0.2
done
scancel --quiet "$merge_id" 2>/dev/null || true
for _ in $(seq 300); do
  [ -z "$(squeue -h -j "$array_id,$merge_id" 2>/dev/null)" ] && break
  sleep 0.2
done
before=$(stored "$SHARD2")
half=$(( $(cd "$W" && "$HS" sweep plan kill.yaml | sed -n 's/^sweep slurm-kill: \([0-9,]*\) points.*/\1/p' | tr -d ,) / 2 ))
[ "$before" -ge "$killed" ] && [ "$before" -lt "$half" ] || {
  echo "slurm-integration: after SIGKILL shard 2 holds $before points (saw $killed before the kill; a full shard is $half)" >&2; exit 1; }
q="SELECT point_id, status, config_hash, created_at, metrics_json FROM backtest_runs ORDER BY point_id"
sqlite3 "$SHARD2" "$q" > "$W/kill-before.txt"
out=$(cd "$W" && "$HS" sweep slurm kill.yaml --shards 2 --cpus 1 --partition it --time 00:10:00 --work-dir "$KW" --report-dir "$W/kill-reports" --submit)
array_id=$(echo "$out" | sed -n 's/^submitted array job \([0-9]*\) and merge job \([0-9]*\)$/\1/p')
merge_id=$(echo "$out" | sed -n 's/^submitted array job \([0-9]*\) and merge job \([0-9]*\)$/\2/p')
for _ in $(seq 1200); do
  [ -z "$(squeue -h -j "$array_id,$merge_id" 2>/dev/null)" ] && break
  sleep 0.5
done
KMERGED=$KW/slurm-kill/merged.sqlite
[ -s "$KMERGED" ] || { echo "slurm-integration: the resubmitted merge job wrote no database" >&2; exit 1; }
sqlite3 "$SHARD2" "$q" > "$W/kill-after.txt"
# Every row stored before the kill is still there, unchanged (its created_at too: it was not run again).
missing=$(comm -23 "$W/kill-before.txt" "$W/kill-after.txt" | wc -l)
[ "$missing" -eq 0 ] || { echo "slurm-integration: $missing rows of the killed shard changed or vanished on resume" >&2; exit 1; }
[ "$(stored "$SHARD2")" -eq "$half" ] || { echo "slurm-integration: the resumed shard 2 holds $(stored "$SHARD2") points, expected $half" >&2; exit 1; }
(cd "$W" && "$HS" sweep run kill.yaml --db "$W/kill-whole.sqlite" --quiet --no-report >/dev/null)
q="SELECT point_id, status, config_hash, metrics_json FROM backtest_runs ORDER BY point_id"
sqlite3 "$KMERGED" "$q" > "$W/kill-merged.txt"
sqlite3 "$W/kill-whole.sqlite" "$q" > "$W/kill-whole.txt"
cmp -s "$W/kill-merged.txt" "$W/kill-whole.txt" || {
  echo "slurm-integration: the merge after kill and resubmit differs from the unsharded run" >&2
  diff "$W/kill-merged.txt" "$W/kill-whole.txt" | head -5 >&2; exit 1; }
[ -s "$W/kill-reports/slurm-kill/README.md" ] || { echo "slurm-integration: no report after the resubmitted merge" >&2; exit 1; }
echo "slurm-integration: OK: shard 2 SIGKILLed at $killed+ stored points ($before kept), resubmitted, resumed to $half; merged = unsharded ($((half * 2)) points)"
