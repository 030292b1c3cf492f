#!/usr/bin/env bash
# make demo: train_classifier over a small grid on the embedded store, then the comparison by test F1.
set -euo pipefail
nbtrack=${NBTRACK:-.venv/bin/nbtrack}
notebook=notebooks/train_classifier.ipynb
demo=$(date -u +%Y%m%dT%H%M%SZ)
grid=(
  "-p model rf -p n_estimators 50"
  "-p model rf -p n_estimators 200"
  "-p model gb -p max_depth 2"
  "-p model gb -p max_depth 3"
  "-p model logreg -p C 0.1"
  "-p model logreg -p C 1.0"
)
for params in "${grid[@]}"; do
  echo "== nbtrack run $notebook $params"
  # shellcheck disable=SC2086
  "$nbtrack" run "$notebook" $params --tag demo="$demo"
done
echo
echo "== the six runs of this demo, best test F1 first"
"$nbtrack" runs --where "tags.demo = '$demo'" --order-by -metrics.test.f1 \
  --columns params.model,params.n_estimators,params.max_depth,params.C,metrics.test.f1,metrics.test.accuracy,metrics.test.roc_auc
