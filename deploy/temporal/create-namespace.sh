#!/bin/sh
# Runs in temporalio/admin-tools (docker-compose.yml, service temporal-namespace). Creates the namespace
# Farman runs in, or sets its retention when it exists, and registers Farman's search attributes (the list
# in workflows/contract.ts, searchAttributeTypes). Re-running it changes nothing that is already right.
set -eu

address=${TEMPORAL_ADDRESS:-temporal:7233}
namespace=${TEMPORAL_NAMESPACE:-default}
retention=${TEMPORAL_NAMESPACE_RETENTION:-730d}

# The frontend's port opens before the cluster can serve: wait for the health check to pass.
tries=0
until temporal operator cluster health --address "$address" >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then
    echo "Temporal at $address did not become healthy" >&2
    exit 1
  fi
  sleep 2
done

if temporal operator namespace describe --address "$address" --namespace "$namespace" >/dev/null 2>&1; then
  temporal operator namespace update --address "$address" --namespace "$namespace" --retention "$retention"
  echo "namespace $namespace exists; retention set to $retention"
else
  temporal operator namespace create --address "$address" --namespace "$namespace" --retention "$retention"
  echo "namespace $namespace created with retention $retention"
fi

# The frontend learns of a new namespace on its next registry refresh (2 s by default); until then calls
# naming it fail with "namespace not found".
tries=0
until temporal operator search-attribute list --address "$address" --namespace "$namespace" >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 30 ]; then
    echo "namespace $namespace did not become usable" >&2
    exit 1
  fi
  sleep 1
done

# With SQL visibility, search attributes belong to the namespace; adding an existing one is a no-op.
add() {
  type=$1
  shift
  for name in "$@"; do
    temporal operator search-attribute create --address "$address" --namespace "$namespace" --name "$name" --type "$type"
  done
}
add Keyword DirectiveId UnitCode ComplianceState Priority FarmanKind Campaign
add Int EscalationLevel
add Datetime NextDeadline
echo "search attributes registered in $namespace"
