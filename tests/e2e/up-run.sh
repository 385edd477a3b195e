#!/usr/bin/env bash
# `rolecall up` in the background (server, ECS roles, one agent as
# ecsInstanceRole), a task definition registered with the AWS CLI, and
# `rolecall run`: it streams the container's "hello" and exits with its
# exit code, 3. Ctrl-C (SIGINT) stops everything with exit code 0.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/e2e/lib/server.sh
work=$(mktemp -d)
UP_PID=
cleanup() {
  stop_pid "$UP_PID"
  rm -rf "$work"
}
trap cleanup EXIT
unset ROLECALL_ROOT_ACCESS_KEY_ID ROLECALL_ROOT_SECRET_ACCESS_KEY AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
port=$(free_port)
ENDPOINT="http://127.0.0.1:$port"

"$ROLECALL" up --data "$work/data" --listen "127.0.0.1:$port" --agent-listen "127.0.0.1:$(free_port)" >"$work/up.out" 2>"$work/up.err" &
UP_PID=$!
for _ in $(seq 1 200); do grep -q "rolecall is up" "$work/up.out" 2>/dev/null && break; sleep 0.1; done
grep -q "rolecall is up" "$work/up.out" || { echo "up did not come up:"; cat "$work/up.out" "$work/up.err"; exit 1; }
grep -q "created  role ecsInstanceRole" "$work/up.out"
# The root secret is in the file, never in the output.
secret=$(sed -n 's/^aws_secret_access_key = //p' "$work/data/root-credentials")
if grep -qF "$secret" "$work/up.out" "$work/up.err"; then echo "up printed the root secret"; exit 1; fi

# As up says: the AWS CLI with the root credentials file.
export AWS_SHARED_CREDENTIALS_FILE="$work/data/root-credentials" AWS_DEFAULT_REGION=us-east-1 AWS_PAGER="" AWS_CONFIG_FILE=/dev/null
ecs register-task-definition --family hello --container-definitions \
  '[{"name":"app","image":"local","memory":64,"entryPoint":["/bin/sh","-c"],"command":["echo hello; exit 3"]}]' >/dev/null

set +e
"$ROLECALL" run --endpoint "$ENDPOINT" --data "$work/data" --task-definition hello >"$work/run.out" 2>"$work/run.err"
code=$?
set -e
[ "$code" = 3 ] || { echo "run exited $code"; cat "$work/run.out" "$work/run.err"; exit 1; }
[ "$(cat "$work/run.out")" = "hello" ] || { echo "run's output:"; cat "$work/run.out"; exit 1; }
grep -q "exit code 3" "$work/run.err"

# The agent runs as an ecsInstanceRole session: it is in the cluster.
ecs list-container-instances | grep -q "container-instance/default/"

kill -INT "$UP_PID"
set +e
wait "$UP_PID"; code=$?
set -e
UP_PID=
[ "$code" = 0 ] || { echo "up exited $code on SIGINT"; cat "$work/up.err"; exit 1; }
echo "ok"
