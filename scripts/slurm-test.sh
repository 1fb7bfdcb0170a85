#!/usr/bin/env bash
# The sharded run on a real Slurm (issue 18), on this one host: installs Slurm and munge from Debian's packages when
# missing (scripts/deps.sh --slurm), starts munged, slurmctld and slurmd with a configuration of their own (one node
# with 8 task slots) in a private network namespace (only its loopback: nothing they open is reachable from outside),
# starts `sambabench mock` as a second process, submits deploy/slurm/sambabench.sbatch (4 srun tasks, each a shard,
# then the merge), and checks the result with scripts/slurm/check.py: the scenario's request count, no sequence
# overlap, the merged summary equal to `report` over the concatenated records, the aggregate rate within 2% of the
# configured one. Then it runs the same scenario in one process and prints both summaries. Root only (Slurm's
# daemons); everything it starts is stopped on exit, its scratch directory removed (SAMBABENCH_KEEP=1 keeps it).
# Usage: scripts/slurm-test.sh   (make test-slurm)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

if [ -z "${SAMBABENCH_SLURM_INSIDE:-}" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    # Slurm's and munge's daemons, and the network namespace, need root.
    command -v sudo >/dev/null 2>&1 || { echo "slurm-test: needs root (Slurm's and munge's daemons) and there is no sudo" >&2; exit 1; }
    exec sudo --preserve-env=SAMBABENCH_BIN,SAMBABENCH_KEEP,SWIFT "$0" "$@"
  fi
  scripts/deps.sh --slurm
  BIN=${SAMBABENCH_BIN:-$ROOT/.build/debug/sambabench}
  if [ ! -x "$BIN" ]; then
    ${SWIFT:-swift} build --product sambabench
  fi
  # Again inside a network namespace of its own, whose only interface is its loopback.
  exec env SAMBABENCH_SLURM_INSIDE=1 SAMBABENCH_BIN="$BIN" unshare --net "$0" "$@"
fi

BIN=$SAMBABENCH_BIN
ip link set lo up
# Slurm binds its ports through getaddrinfo(AI_ADDRCONFIG), which finds no IPv4 address when only 127.0.0.1 exists:
# one more address on the loopback (this namespace has no other interface, so it stays private).
ip addr add 10.254.254.1/32 dev lo
HOST=$(hostname -s)
SCRATCH=$(mktemp -d /tmp/sambabench-slurm.XXXXXX)
chmod 755 "$SCRATCH"
MOCK_PID=""
cleanup() {
  for pidfile in "$SCRATCH/slurmd.pid" "$SCRATCH/slurmctld.pid"; do
    if [ -s "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi
  done
  if [ -n "$MOCK_PID" ]; then kill "$MOCK_PID" 2>/dev/null || true; fi
  if [ -s "$SCRATCH/munge-run/munged.pid" ]; then kill "$(cat "$SCRATCH/munge-run/munged.pid")" 2>/dev/null || true; fi
  sleep 1
  if [ -z "${SAMBABENCH_KEEP:-}" ]; then rm -rf "$SCRATCH"; else echo "slurm-test: kept $SCRATCH" >&2; fi
}
trap cleanup EXIT
started=$(date +%s.%N)

# munge: a key of this test's own (in a directory only munge reads), its socket in one every user can enter.
mkdir -p "$SCRATCH/munge" "$SCRATCH/munge-run"
head -c 1024 /dev/urandom > "$SCRATCH/munge/munge.key"
chown -R munge:munge "$SCRATCH/munge" "$SCRATCH/munge-run"
chmod 700 "$SCRATCH/munge"
chmod 755 "$SCRATCH/munge-run"
chmod 400 "$SCRATCH/munge/munge.key"
SOCKET="$SCRATCH/munge-run/munge.socket"
runuser -u munge -- /usr/sbin/munged --key-file="$SCRATCH/munge/munge.key" --socket="$SOCKET" \
  --pid-file="$SCRATCH/munge-run/munged.pid" --log-file="$SCRATCH/munge-run/munged.log" --seed-file="$SCRATCH/munge-run/munged.seed"
munge -n -S "$SOCKET" | unmunge -S "$SOCKET" | grep -q "STATUS: *Success" || { echo "slurm-test: munge does not work" >&2; exit 1; }

# Slurm: one node (this host) with 8 task slots, more than its cores (config_overrides lets slurmd accept that).
export SLURM_CONF="$SCRATCH/slurm.conf"
mkdir -p "$SCRATCH/state" "$SCRATCH/spool"
cat > "$SLURM_CONF" <<CONF
ClusterName=sambabench
SlurmctldHost=$HOST(127.0.0.1)
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$SCRATCH/state
SlurmdSpoolDir=$SCRATCH/spool
SlurmctldPidFile=$SCRATCH/slurmctld.pid
SlurmdPidFile=$SCRATCH/slurmd.pid
SlurmctldLogFile=$SCRATCH/slurmctld.log
SlurmdLogFile=$SCRATCH/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MailProg=/bin/true
ReturnToService=2
SlurmdParameters=config_overrides
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=8 State=UNKNOWN
PartitionName=local Nodes=$HOST Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
/usr/sbin/slurmctld -f "$SLURM_CONF"
/usr/sbin/slurmd -f "$SLURM_CONF"
for _ in $(seq 1 60); do
  state=$(timeout 5 sinfo -h -o %T 2>/dev/null || true)
  [ "$state" = "idle" ] && break
  sleep 0.5
done
[ "$state" = "idle" ] || { echo "slurm-test: the node is '$state', not idle; see $SCRATCH/slurmctld.log" >&2; SAMBABENCH_KEEP=1; exit 1; }
ready=$(date +%s.%N)

# The mock, a second process; its base URL comes back through --address-file.
"$BIN" mock --port 0 --address-file "$SCRATCH/mock.url" --ttft 20ms --decode-rate 3000 --output-tokens 16-32 --seed 7 \
  > "$SCRATCH/mock.log" 2>&1 &
MOCK_PID=$!
for _ in $(seq 1 100); do [ -s "$SCRATCH/mock.url" ] && break; sleep 0.1; done
BASE_URL=$(cat "$SCRATCH/mock.url")
export SAMBABENCH_TEST_KEY="slurm-test-key"

SCENARIO="$ROOT/scripts/slurm/scenario.yaml"
submitted=$(date +%s.%N)
timeout 300 sbatch --wait --ntasks=4 --output="$SCRATCH/job.out" \
  --export=ALL,SAMBABENCH="$BIN",SCENARIO="$SCENARIO",RESULTS="$SCRATCH/results",BASE_URL="$BASE_URL" \
  "$ROOT/deploy/slurm/sambabench.sbatch" > "$SCRATCH/sbatch.out" || {
  echo "slurm-test: the batch job failed:" >&2; cat "$SCRATCH/job.out" >&2; exit 1; }
finished=$(date +%s.%N)
RUN=$(find "$SCRATCH/results" -mindepth 1 -maxdepth 1 -type d | head -1)
echo "== 4 Slurm tasks (each shard's table, then the merged run's: $RUN/merged)"
cat "$SCRATCH/job.out"
echo "== checks"
python3 "$ROOT/scripts/slurm/check.py" "$RUN" "$BIN" 40 1000 100

echo "== the same scenario in one process"
"$BIN" run "$SCENARIO" --base-url "$BASE_URL" --output "$SCRATCH/single" --quiet | sed '$d'
python3 - "$SCRATCH/single/requests.csv" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["warmup"] == "0"]
sent = sorted(float(r["sent_ms"]) for r in rows)
print(f"one process: achieved rate {(len(sent) - 1) / ((sent[-1] - sent[0]) / 1000):.2f} requests/s (configured 100)")
PY
done_at=$(date +%s.%N)
awk -v a="$started" -v b="$ready" -v c="$submitted" -v d="$finished" -v e="$done_at" 'BEGIN {
  printf "timing: daemons up %.1f s, batch job (4 shards + merge) %.1f s, whole test %.1f s (target: under 180 s to run in make test)\n", b - a, d - c, e - a }'
