# Shared by the end-to-end scripts: start a rolecall server on a free port
# with a throw-away data directory, and point the AWS CLI at it.
#
#   source tests/e2e/lib/server.sh
#   start_server            # sets ENDPOINT, DATA, SERVER_PID; exports AWS_* variables
#   aws iam list-roles --endpoint-url "$ENDPOINT"

ROLECALL=${ROLECALL:-rolecall}
# Debian's awscli, not a pyenv shim that may shadow it.
AWS=${AWS:-$(command -v /usr/bin/aws || command -v aws)}
PY=${PY:-$(command -v /usr/bin/python3 || command -v python3)}

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

start_server() {
  DATA=$(mktemp -d)
  local port; port=$(free_port)
  ENDPOINT="http://127.0.0.1:$port"
  export AWS_ACCESS_KEY_ID=AKIAE2ETESTROOTKEY01 AWS_SECRET_ACCESS_KEY=e2eRootSecretKey0000000000000000000000000
  export ROLECALL_ROOT_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID ROLECALL_ROOT_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY
  export AWS_DEFAULT_REGION=us-east-1 AWS_PAGER="" AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
  "$ROLECALL" serve --listen "127.0.0.1:$port" --data "$DATA" "$@" >"$DATA/server.log" 2>&1 &
  SERVER_PID=$!
  trap stop_server EXIT
  for _ in $(seq 1 100); do
    if "$PY" -c "import urllib.request,sys; urllib.request.urlopen('$ENDPOINT/healthz', timeout=1)" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "server did not start:"; cat "$DATA/server.log"; return 1
}

# stop_pid PID: stops the background process PID and waits for it; nothing
# when PID is empty.
stop_pid() {
  if [ -n "${1:-}" ]; then
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
  fi
}

stop_server() {
  stop_pid "${SERVER_PID:-}"
  rm -rf "${DATA:-/nonexistent}"
}

# iam runs `aws iam ...` against the server.
iam() { "$AWS" iam --endpoint-url "$ENDPOINT" --output json "$@"; }

# ecs runs `aws ecs ...` against the server.
ecs() { "$AWS" ecs --endpoint-url "$ENDPOINT" --output json "$@"; }

# expect_error CODE CMD...: the command must fail with the AWS error CODE.
expect_error() {
  local code=$1; shift
  local out
  if out=$("$@" 2>&1); then
    echo "expected $code, got success: $out"; return 1
  fi
  grep -q "($code)" <<<"$out" || { echo "expected $code, got: $out"; return 1; }
}

# jq-like checks with python: json_check 'expr' <<<"$json", expr uses d.
json_check() {
  "$PY" -c "import json,sys; d=json.load(sys.stdin); assert ($1), d" || { echo "check failed: $1"; return 1; }
}
