#!/usr/bin/env bash
# `rolecall agent` with the AWS CLI against `rolecall serve`: the agent
# joins the cluster, runs a task whose container is the AWS CLI itself
# (default credential chain → the agent's endpoint → the task role), reports
# it STOPPED with exit code 0, keeps its own credentials out of the task's
# environment, stops a task on StopTask, audits credential requests, loses
# no task when it is killed with SIGKILL and restarted, and exits 0 on
# SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/e2e/lib/server.sh
start_server --task-credentials-duration 2h
work=$(mktemp -d)
AGENT_PID=
cleanup() {
  stop_pid "$AGENT_PID"
  stop_server; rm -rf "$work"
}
trap cleanup EXIT
acct=123456789012

"$ROLECALL" bootstrap ecs --endpoint "$ENDPOINT" >/dev/null
# The agent's credentials: the root key in the environment (the standard
# chain). The task must not see them.
LISTEN="127.0.0.1:$(free_port)"
start_agent() {
  "$ROLECALL" agent --endpoint "$ENDPOINT" --state-dir "$work/agent" --listen "$LISTEN" >>"$work/agent.log" 2>&1 &
  AGENT_PID=$!
}
start_agent
for _ in $(seq 1 100); do [ -s "$work/agent/state.json" ] && break; sleep 0.1; done
json_check 'd["cluster"]=="default" and d["containerInstanceArn"].startswith("arn:aws:ecs:us-east-1:'$acct':container-instance/default/")' <"$work/agent/state.json"

cat >"$work/trust.json" <<'JSON'
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}
JSON
iam create-role --role-name e2eTaskRole --assume-role-policy-document "file://$work/trust.json" >/dev/null
role=arn:aws:iam::$acct:role/e2eTaskRole

# wait_stopped TASK_ARN: waits for STOPPED and prints the task.
wait_status() {
  local out
  for _ in $(seq 1 300); do
    out=$(ecs describe-tasks --tasks "$1")
    if "$PY" -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["tasks"][0]["lastStatus"]==sys.argv[1] else 1)' "$2" <<<"$out"; then
      echo "$out"; return 0
    fi
    sleep 0.1
  done
  echo "task $1 did not reach $2: $out" >&2; cat "$work/agent.log" >&2; return 1
}
run() { ecs run-task --task-definition "$1" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["tasks"][0]["taskArn"])'; }

# --- The AWS CLI as the task: it is the task role's session.
ecs register-task-definition --family whoami --task-role-arn "$role" --container-definitions \
  '[{"name":"app","image":"local","memory":64,"command":["'"$AWS"'","sts","get-caller-identity","--endpoint-url","'"$ENDPOINT"'","--query","Arn","--output","text"]}]' >/dev/null
task=$(run whoami)
id=${task##*/}
out=$(wait_status "$task" STOPPED)
json_check 'd["tasks"][0]["containers"][0]["exitCode"]==0 and d["tasks"][0]["stopCode"]=="EssentialContainerExited"' <<<"$out"
got=$(cat "$work/agent/tasks/$id/app.stdout")
[ "$got" = "arn:aws:sts::$acct:assumed-role/e2eTaskRole/$id" ] || { echo "task identity: $got"; cat "$work/agent/tasks/$id/app.stderr"; exit 1; }
grep -q " 200 .* $task GetCredentials 2 default " "$work/agent/audit.log" || { echo "audit log:"; cat "$work/agent/audit.log"; exit 1; }

# --- The task's environment: the endpoint, not the agent's keys.
ecs register-task-definition --family env --task-role-arn "$role" --container-definitions \
  '[{"name":"app","image":"local","memory":64,"entryPoint":["sh","-c"],"command":["env | cut -d= -f1 | sort"]}]' >/dev/null
task=$(run env)
wait_status "$task" STOPPED >/dev/null
keys=$(cat "$work/agent/tasks/${task##*/}/app.stdout")
grep -qx AWS_CONTAINER_CREDENTIALS_FULL_URI <<<"$keys" && grep -qx AWS_CONTAINER_AUTHORIZATION_TOKEN <<<"$keys" || { echo "no endpoint in: $keys"; exit 1; }
if grep -qx -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_SESSION_TOKEN -e ROLECALL_ROOT_SECRET_ACCESS_KEY <<<"$keys"; then
  echo "the agent's credentials reached the task: $keys"; exit 1
fi

# --- StopTask stops a running task.
ecs register-task-definition --family sleeper --container-definitions '[{"name":"app","image":"local","memory":64,"command":["sleep","300"]}]' >/dev/null
task=$(run sleeper)
wait_status "$task" RUNNING >/dev/null
ecs stop-task --task "$task" --reason "e2e stop" >/dev/null
out=$(wait_status "$task" STOPPED)
json_check 'd["tasks"][0]["stopCode"]=="UserInitiated" and d["tasks"][0]["stoppedReason"]=="e2e stop" and d["tasks"][0]["containers"][0]["exitCode"]==143' <<<"$out"

# --- The task's credentials, as an SDK reads them: the role's, for 2 hours
# (serve --task-credentials-duration 2h).
ecs register-task-definition --family expiry --task-role-arn "$role" --container-definitions \
  '[{"name":"app","image":"local","memory":64,"command":["'"$PY"'","-c","import json,os,urllib.request as u; r=u.Request(os.environ[\"AWS_CONTAINER_CREDENTIALS_FULL_URI\"],headers={\"Authorization\":os.environ[\"AWS_CONTAINER_AUTHORIZATION_TOKEN\"]}); d=json.load(u.urlopen(r)); print(d[\"RoleArn\"], d[\"Expiration\"])"]}]' >/dev/null
task=$(run expiry)
wait_status "$task" STOPPED >/dev/null
read -r got_role got_exp <"$work/agent/tasks/${task##*/}/app.stdout" || { cat "$work/agent/tasks/${task##*/}/app.stderr"; exit 1; }
[ "$got_role" = "$role" ] || { echo "RoleArn $got_role"; exit 1; }
"$PY" - "$got_exp" <<'PYEOF' || { echo "Expiration $got_exp is not about 2 hours away"; exit 1; }
import sys, datetime
exp = datetime.datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
left = (exp - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
sys.exit(0 if 7000 < left <= 7200 else 1)
PYEOF

# --- SIGKILL: the task keeps running, the restarted agent adopts it, serves
# its credentials again (the AWS CLI in the task) and reports its exit code.
ecs register-task-definition --family survivor --task-role-arn "$role" --container-definitions \
  '[{"name":"app","image":"local","memory":64,"entryPoint":["sh","-c"],"command":["for i in $(seq 1 600); do [ -f go ] && break; sleep 0.1; done; for i in $(seq 1 50); do '"$AWS"' sts get-caller-identity --endpoint-url '"$ENDPOINT"' --query Arn --output text && exit 4; sleep 0.2; done; exit 1"]}]' >/dev/null
task=$(run survivor)
id=${task##*/}
pid=$(wait_status "$task" RUNNING | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["tasks"][0]["containers"][0]["runtimeId"])')
kill -KILL "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null || true
kill -0 "$pid" || { echo "the task died with the agent"; exit 1; }
start_agent
for _ in $(seq 1 100); do grep -q "msg=\"adopted task\" taskArn=$task" "$work/agent.log" && break; sleep 0.1; done
touch "$work/agent/tasks/$id/go"
out=$(wait_status "$task" STOPPED)
json_check 'd["tasks"][0]["containers"][0]["exitCode"]==4 and d["tasks"][0]["containers"][0]["runtimeId"]=="'"$pid"'"' <<<"$out"
got=$(cat "$work/agent/tasks/$id/app.stdout")
[ "$got" = "arn:aws:sts::$acct:assumed-role/e2eTaskRole/$id" ] || { echo "adopted task identity: $got"; cat "$work/agent/tasks/$id/app.stderr"; exit 1; }
[ "$(grep -c "msg=\"starting task\" taskArn=$task" "$work/agent.log")" = 1 ] || { echo "the task started twice"; exit 1; }

# --- No secret in the agent's log; SIGTERM ends it cleanly.
if grep -q -e "$AWS_SECRET_ACCESS_KEY" -e ASIA "$work/agent.log" "$work/agent/audit.log"; then
  echo "a secret in the agent's logs"; exit 1
fi
kill -TERM "$AGENT_PID"
wait "$AGENT_PID" || { echo "agent exit $?"; cat "$work/agent.log"; exit 1; }
AGENT_PID=
echo "agent-cli: ok"
