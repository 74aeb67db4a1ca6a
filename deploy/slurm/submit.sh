#!/bin/bash
# Submits an llmsim sweep as a Slurm job array of <shards> tasks and the merge job that runs when
# all of them succeeded (afterok; if a task fails, the merge is cancelled instead of waiting
# forever). Prints the two job ids. Options after the third argument go to both sbatch calls
# (--partition, --account, --output=logs/%x-%j.out, ...).
#
#   deploy/slurm/submit.sh scenarios/load-sweep.yaml results/load-sweep 16 --partition=cpu
#
# Result: results/load-sweep/sweep/{runs.csv,points.csv,sweep.json}; the shards stay in
# results/load-sweep/shards/ (delete them once merged).
set -euo pipefail
usage='usage: submit.sh <scenario.yaml> <out-dir> <shards> [sbatch options...]'
scenario=${1:?$usage}
out=${2:?$usage}
n=${3:?$usage}
shift 3
case $n in '' | *[!0-9]* | 0) echo "submit.sh: <shards>: expected a whole number >= 1, found \"$n\"" >&2; exit 2 ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
array=$(sbatch --parsable --array="0-$((n - 1))" "$@" "$here/sweep.sbatch" "$scenario" "$out")
array=${array%%;*} # --parsable prints <id>[;<cluster>]
merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes "$@" "$here/merge.sbatch" "$out" "$n")
merge=${merge%%;*}
echo "$array $merge"
