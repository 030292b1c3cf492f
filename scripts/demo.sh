#!/usr/bin/env bash
# make demo: the whole story on the embedded store, each step printed as the CLI command it runs.
#   1. sweep train_classifier            2. register the best run, promote it to champion
#   3. gate a new candidate (it fails)   4. score a calm batch, then a drifted one
#   5. the drift alert retrains          6. the retrained model passes the gate and is promoted
#   7. report.html
set -euo pipefail
nbtrack=${NBTRACK:-.venv/bin/nbtrack}
python=$(dirname "$nbtrack")/python
export NBTRACK_CONFIG=${NBTRACK_CONFIG:-$PWD/scripts/demo.toml}
export MPLBACKEND=Agg
train=notebooks/train_classifier.ipynb
monitor=notebooks/monitor_batch.ipynb
began=$(date -u +%Y-%m-%dT%H:%M:%S)
SECONDS=0

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ nbtrack %s\n' "$*"; "$nbtrack" "$@"; }
run_id() { "$python" -c 'import json, sys; print(json.load(sys.stdin)["id"])'; }
best_id() {
  "$nbtrack" runs --experiment train_classifier --where "started >= '$began' and status = 'finished'" \
    --order-by -metrics.test.f1 --limit 1 --format json | "$python" -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])'
}
newest_version() { "$nbtrack" models show churn --format json | "$python" -c 'import json, sys; print(json.load(sys.stdin)["versions"][0]["version"])'; }
gate=(--require "metrics.test.f1 >= 0.9" --require "data.train.rows >= 300"
      --require "data.test.schema == data.train.schema" --baseline churn@champion --max-drop test.f1=0.01)

step "1. A sweep of $train: four models, two at a time"
if "$nbtrack" sweep --help >/dev/null 2>&1; then
  show sweep "$train" --grid model=rf,gb --grid max_depth=2,4 --grid n_estimators=50 --workers 2
else
  for model in rf gb; do for depth in 2 4; do
    show run "$train" -p model "$model" -p max_depth "$depth" -p n_estimators 50 --no-autolog
  done; done
fi
show runs --experiment train_classifier --where "started >= '$began'" --order-by -metrics.test.f1 \
  --columns params.model,params.max_depth,metrics.test.f1,metrics.test.roc_auc,metrics.test.expected_cost

step "2. Register the best run as the next version of model churn and promote it to champion"
best=$(best_id)
model=$("$nbtrack" show "$best" --format json | "$python" -c 'import json, sys; print(json.load(sys.stdin)["params"]["model"])')
show models register churn --run "$best" --artifact "models/$model.skops"
show models promote churn "$(newest_version)" --alias champion

step "3. A new candidate (a small forest) meets the quality gate: it must not drop test F1 by more than 0.01"
candidate=$(show run "$train" -p model rf -p n_estimators 5 -p max_depth 1 --no-autolog --format json | tail -n +2 | run_id)
echo "candidate run $candidate"
show check "$candidate" "${gate[@]}" --junit gate-candidate.xml \
  || echo "-> exit $?: the gate stops this candidate before it reaches production (JUnit in gate-candidate.xml)"

step "4. Score new batches with the champion: a calm one, then one whose features drifted"
show run "$monitor" -p shift 0 --no-autolog
echo
echo "(the drifted batch ends, the alert rule of $NBTRACK_CONFIG fires and retrains:)"
drifted=$(show run "$monitor" -p shift 1.5 --no-autolog --format json | tail -n +2 | run_id)

step "5. What the alert saw and did (recorded on the monitoring run)"
show alerts "$drifted" --dry-run
"$nbtrack" show "$drifted" --format json | "$python" -c '
import json, sys
run = json.load(sys.stdin)
for name, firing in run["records"].get("alert", {}).items():
    for action in firing["actions"]:
        print("fired", firing["rule"] + ":", action["summary"])
        if action.get("run_id"):
            open(".demo-retrained", "w").write(action["run_id"])'
retrained=$(cat .demo-retrained) && rm -f .demo-retrained

step "6. The retrained model meets the same gate, is registered and promoted"
show check "$retrained" "${gate[@]}" --junit gate-retrained.xml
show models register churn --run "$retrained" --artifact models/logreg.skops
show models promote churn "$(newest_version)" --alias champion
show models show churn

step "7. The report: one self-contained HTML file"
show report --out report.html
echo
echo "demo finished in ${SECONDS}s: open report.html; the runs are in ${NBTRACK_STORE:-.nbtrack}"
