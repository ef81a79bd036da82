#!/usr/bin/env bash
# Runs the test suite against a real Temporal cluster: the server and its SQL tool built from Go modules at
# the version docker-compose.yml pins, persistence and SQL visibility on PostgreSQL, in two fresh databases
# that are dropped afterwards. Prints the test command's output and exits with its exit code.
#
# Environment (all optional):
#   CLUSTER_TEST_CMD          command to run against the cluster (default: npm test)
#   CLUSTER_NAMESPACE         namespace to create (default: farman)
#   TEMPORAL_SERVER_VERSION   server version, e.g. 1.29.1 (default: the temporalio/server tag in docker-compose.yml)
#   PGHOST PGPORT PGUSER PGPASSWORD
#                             PostgreSQL to create the databases on (default: 127.0.0.1 5432 postgres, no password)
#   TEMPORAL_CLI              path of the `temporal` CLI (default: PATH, then Go's bin directory, else go install)
#   CLUSTER_KEEP=1            keep the temporary directory (config, server log) and the databases for inspection
#
# The test command sees TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE pointing at the cluster.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

log() { printf '[test-cluster] %s\n' "$*" >&2; }
fail() { log "error: $*"; exit 2; }

# --- versions ---------------------------------------------------------------------------------------------
# The compose file is the single place the version is pinned; the server and admin-tools tags must agree.
compose_server_tag=$(sed -nE 's#^[[:space:]]*image:[[:space:]]*temporalio/server:([0-9]+\.[0-9]+\.[0-9]+)[[:space:]]*$#\1#p' docker-compose.yml | head -n1)
compose_admin_tag=$(sed -nE 's#^[[:space:]]*image:[[:space:]]*temporalio/admin-tools:([0-9]+\.[0-9]+\.[0-9]+).*$#\1#p' docker-compose.yml | head -n1)
[[ -n "$compose_server_tag" ]] || fail "no temporalio/server:<x.y.z> image found in docker-compose.yml"
[[ "$compose_server_tag" == "$compose_admin_tag" ]] ||
  fail "docker-compose.yml pins temporalio/server:$compose_server_tag but temporalio/admin-tools:$compose_admin_tag"
server_version="v${TEMPORAL_SERVER_VERSION:-$compose_server_tag}"
cli_version=v1.5.1 # the last temporalio/cli tag without `replace` directives, so `go install` can build it
namespace=${CLUSTER_NAMESPACE:-farman}
test_cmd=${CLUSTER_TEST_CMD:-npm test}

command -v go >/dev/null || fail "go is not installed; it builds the Temporal server"
command -v node >/dev/null || fail "node is not installed"
go_bin=$(go env GOBIN)
[[ -n "$go_bin" ]] || go_bin=$(go env GOPATH | cut -d: -f1)/bin

# --- state for cleanup ------------------------------------------------------------------------------------
work_dir=$(mktemp -d "${TMPDIR:-/tmp}/farman-test-cluster.XXXXXX")
server_pid=""
dbs_created=()
build_pid=""
test_pid=""
tests_ran=""

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n "$build_pid" ]] && kill -0 "$build_pid" 2>/dev/null; then kill "$build_pid" 2>/dev/null || true; fi
  if [[ -n "$test_pid" ]] && kill -0 "$test_pid" 2>/dev/null; then
    kill -TERM -- "-$test_pid" 2>/dev/null || true
    wait "$test_pid" 2>/dev/null || true
  fi
  # A failure before the tests ran is the cluster's: show why, before stopping the server adds its own noise.
  if ((rc != 0)) && [[ -z "$tests_ran" && -s "$work_dir/server.log" ]]; then
    log "last lines of the Temporal server log:"
    tail -n 15 "$work_dir/server.log" | cut -c1-400 >&2 || true
  fi
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ "${CLUSTER_KEEP:-}" == 1 ]]; then
    log "kept $work_dir (server config and log) and databases: ${dbs_created[*]:-none}"
  else
    for db in "${dbs_created[@]}"; do
      sql_tool --db "$db" drop-database --force >/dev/null 2>&1 || log "could not drop database $db"
    done
    rm -rf "$work_dir"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- build (in the background: the first build takes minutes) -------------------------------------------
# Reuses the binaries in Go's bin directory ($(go env GOBIN), else $(go env GOPATH)/bin) when Go's build
# info says they were built from the pinned module version.
built_from() { # built_from BINARY PACKAGE VERSION
  [[ -x "$1" ]] && go version -m "$1" 2>/dev/null | awk -v p="$2" -v v="$3" '
    $1 == "path" && $2 == p { path_ok = 1 }
    $1 == "mod" && $2 == "go.temporal.io/server" && $3 == v { mod_ok = 1 }
    END { exit !(path_ok && mod_ok) }'
}
server_bin=$go_bin/server
sql_bin=$go_bin/sql
to_install=()
built_from "$server_bin" go.temporal.io/server/cmd/server "$server_version" ||
  to_install+=("go.temporal.io/server/cmd/server@$server_version")
built_from "$sql_bin" go.temporal.io/server/cmd/tools/sql "$server_version" ||
  to_install+=("go.temporal.io/server/cmd/tools/sql@$server_version")

temporal_cli=${TEMPORAL_CLI:-$(command -v temporal || true)}
[[ -z "$temporal_cli" && -x "$go_bin/temporal" ]] && temporal_cli=$go_bin/temporal
cli_install=""
[[ -z "$temporal_cli" ]] && cli_install="github.com/temporalio/cli/cmd/temporal@$cli_version"

if ((${#to_install[@]})) || [[ -n "$cli_install" ]]; then
  log "building with go install (first build takes several minutes): ${to_install[*]} $cli_install"
  (
    set -e
    start=$SECONDS
    if ((${#to_install[@]})); then go install "${to_install[@]}"; fi
    if [[ -n "$cli_install" ]]; then go install "$cli_install"; fi
    echo "build took $((SECONDS - start))s"
  ) >"$work_dir/build.log" 2>&1 &
  build_pid=$!
fi

# The schema files ship inside the server module; `go mod download` prints where it lives (cached after once).
schema_root=$(go mod download -json "go.temporal.io/server@$server_version" |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const m=JSON.parse(s);if(m.Error){console.error(m.Error);process.exit(1)}console.log(m.Dir)})')/schema/postgresql/v12
[[ -d "$schema_root/temporal/versioned" ]] || fail "no PostgreSQL schema under $schema_root"

# Free ports, held together while chosen so that no two are the same. Below 32768 because PostgreSQL keeps
# membership ports in a smallint column (a larger one fails the server's start: "out of range for type
# smallint"), and because Linux hands out ephemeral ports from 32768 up.
read -r -a ports < <(node -e '
  const net = require("node:net");
  const held = [];
  const tryPort = (port) => new Promise((ok) => {
    const s = net.createServer();
    s.once("error", () => ok(null)).listen(port, "127.0.0.1", () => ok(s));
  });
  (async () => {
    for (let i = 0; held.length < 9 && i < 500; i++) {
      const port = 20000 + Math.floor(Math.random() * 12000);
      if (held.some((s) => s.address().port === port)) continue;
      const s = await tryPort(port);
      if (s) held.push(s);
    }
    console.log(held.map((s) => s.address().port).join(" "));
    held.forEach((s) => s.close());
  })();
')
((${#ports[@]} == 9)) || fail "could not reserve free ports"
frontend_port=${ports[0]}
address=127.0.0.1:$frontend_port

if [[ -n "$build_pid" ]]; then
  if ! wait "$build_pid"; then
    build_pid=""
    log "go install failed; its output follows"
    cat "$work_dir/build.log" >&2
    exit 2
  fi
  build_pid=""
  log "$(tail -n1 "$work_dir/build.log")"
  [[ -n "$temporal_cli" ]] || temporal_cli=$go_bin/temporal
fi
built_from "$server_bin" go.temporal.io/server/cmd/server "$server_version" || fail "$server_bin is not built from $server_version"
log "server $("$server_bin" --version | awk '{print $NF}'), sql tool $("$sql_bin" --version | awk '{print $NF}'), CLI $temporal_cli"

# --- databases --------------------------------------------------------------------------------------------
pg_host=${PGHOST:-127.0.0.1}
pg_port=${PGPORT:-5432}
pg_user=${PGUSER:-postgres}
pg_password=${PGPASSWORD:-}
sql_tool() {
  "$sql_bin" --plugin postgres12 --endpoint "$pg_host" --port "$pg_port" --user "$pg_user" --password "$pg_password" "$@"
}
db_prefix=farman_tc_$$_$(date +%s)
db_main=${db_prefix}_temporal
db_visibility=${db_prefix}_visibility
for pair in "$db_main:temporal" "$db_visibility:visibility"; do
  db=${pair%%:*}
  schema=${pair##*:}
  sql_tool --db "$db" create-database --defaultdb postgres >"$work_dir/sql-$db.log" 2>&1 ||
    { cat "$work_dir/sql-$db.log" >&2; fail "cannot create database $db on $pg_host:$pg_port as $pg_user"; }
  dbs_created+=("$db")
  { sql_tool --db "$db" setup-schema -v 0.0 && sql_tool --db "$db" update-schema -d "$schema_root/$schema/versioned"; } \
    >>"$work_dir/sql-$db.log" 2>&1 || { cat "$work_dir/sql-$db.log" >&2; fail "schema setup failed on $db"; }
done
log "databases $db_main and $db_visibility created on $pg_host:$pg_port"

# --- server config ----------------------------------------------------------------------------------------
# Modelled on the module's config/development-postgres12.yaml: one process running all four services, bound
# to 127.0.0.1 on the ports chosen above. No metrics endpoint and no pprof, so no further fixed ports.
mkdir -p "$work_dir/config"
yaml_string() { node -e 'process.stdout.write(JSON.stringify(process.argv[1]))' "$1"; }
datastore() { # datastore DB MAX_CONNS
  cat <<EOF
      sql:
        pluginName: postgres12
        databaseName: $(yaml_string "$1")
        connectAddr: $(yaml_string "$pg_host:$pg_port")
        connectProtocol: tcp
        user: $(yaml_string "$pg_user")
        password: $(yaml_string "$pg_password")
        maxConns: $2
        maxIdleConns: $2
        maxConnLifetime: 1h
EOF
}
cat >"$work_dir/config/development.yaml" <<EOF
log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
    postgres-default:
$(datastore "$db_main" 20)
    postgres-visibility:
$(datastore "$db_visibility" 10)
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
services:
  frontend:
    rpc: { grpcPort: $frontend_port, membershipPort: ${ports[1]}, httpPort: ${ports[2]}, bindOnLocalHost: true }
  history:
    rpc: { grpcPort: ${ports[3]}, membershipPort: ${ports[4]}, bindOnLocalHost: true }
  matching:
    rpc: { grpcPort: ${ports[5]}, membershipPort: ${ports[6]}, bindOnLocalHost: true }
  worker:
    rpc: { grpcPort: ${ports[7]}, membershipPort: ${ports[8]}, bindOnLocalHost: true }
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: $address
      httpAddress: 127.0.0.1:${ports[2]}
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: $work_dir/dynamicconfig.yaml
  pollInterval: 10s
EOF
# The dev server's defaults, so tests behave alike on both: search attributes readable as soon as they are
# created, and persistence QPS raised to match.
cat >"$work_dir/dynamicconfig.yaml" <<'EOF'
system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
frontend.persistenceMaxQPS:
  - value: 10000
history.persistenceMaxQPS:
  - value: 45000
limit.maxIDLength:
  - value: 255
EOF

# --- start and wait ---------------------------------------------------------------------------------------
"$server_bin" --root "$work_dir" --config config --env development --allow-no-auth start >"$work_dir/server.log" 2>&1 &
server_pid=$!
log "server starting (pid $server_pid) on $address"

tctl() { "$temporal_cli" --address "$address" "$@"; }
deadline=$((SECONDS + 120))
until tctl operator cluster health >/dev/null 2>&1; do
  kill -0 "$server_pid" 2>/dev/null || fail "the Temporal server exited during start-up"
  ((SECONDS < deadline)) || fail "the Temporal server did not report healthy within 120 s"
  sleep 0.5
done
log "server healthy"

tctl operator namespace create --namespace "$namespace" --retention 1d >/dev/null
# The frontend learns of a new namespace on its next registry refresh (2 s by default): wait until a call
# naming it is accepted rather than sleeping a guessed amount.
until tctl operator search-attribute list --namespace "$namespace" >/dev/null 2>&1; do
  ((SECONDS < deadline)) || fail "namespace $namespace did not become usable"
  sleep 0.5
done
# Farman's search attributes (workflows/contract.ts, searchAttributeTypes). One call each: the CLI pairs the
# n-th --name with the n-th --type, so one --type with several names registers only the first.
search_attributes=(
  DirectiveId=Keyword UnitCode=Keyword ComplianceState=Keyword EscalationLevel=Int NextDeadline=Datetime
  Priority=Keyword FarmanKind=Keyword Campaign=Keyword
)
for attribute in "${search_attributes[@]}"; do
  tctl operator search-attribute create --namespace "$namespace" --name "${attribute%%=*}" --type "${attribute##*=}" >/dev/null
done
log "namespace $namespace ready with search attributes ${search_attributes[*]}"

# --- tests ------------------------------------------------------------------------------------------------
log "running: $test_cmd (TEMPORAL_ADDRESS=$address TEMPORAL_NAMESPACE=$namespace)"
tests_ran=1
# In the background and waited for, so that an INT or TERM reaches the cleanup at once rather than after the
# tests finish; in a process group of its own, so that the cleanup stops every process the tests started.
TEMPORAL_ADDRESS=$address TEMPORAL_NAMESPACE=$namespace TEMPORAL_CLI=$temporal_cli setsid bash -c "$test_cmd" &
test_pid=$!
test_rc=0
wait "$test_pid" || test_rc=$?
test_pid=""
log "test command exited with $test_rc${CLUSTER_KEEP:+; server log kept in $work_dir/server.log}"
exit "$test_rc"
