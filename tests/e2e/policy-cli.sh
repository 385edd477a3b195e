#!/usr/bin/env bash
# rolecall policy validate / eval, as a user runs them from a shell.
set -euo pipefail
cd "$(dirname "$0")/../.."
R=${ROLECALL:-rolecall}
ex=examples/policies
fail() { echo "policy-cli: $*" >&2; exit 1; }

# validate: a good trust policy passes, a broken one fails with IAM's message
# and says where.
$R policy validate --type trust $ex/ec2-trust.json >/dev/null || fail "valid trust policy rejected"
if out=$($R policy validate $ex/broken.json); then fail "broken policy accepted"; fi
grep -q 'Actions/Condition can contain only one colon.' <<<"$out" || fail "missing IAM message: $out"
grep -q 'line 6' <<<"$out" || fail "missing location: $out"
{ $R policy validate --json $ex/broken.json || true; } | python3 -c '
import json,sys
r=json.load(sys.stdin)
assert r["valid"] is False, r
assert r["findings"][0]["findingType"]=="ERROR", r
' || fail "validate --json"

# eval: variables, deny on a condition, AWS AccessDenied wording, --expect.
$R policy eval --policy $ex/task-role.json --principal arn:aws:sts::111122223333:assumed-role/appTaskRole/t1 \
  --action s3:GetObject --resource arn:aws:s3:::app-data/payments/x --context aws:PrincipalTag/team=payments \
  --context aws:SourceIp=10.1.2.3 --expect allow >/dev/null || fail "task role should read its team prefix"
$R policy eval --policy $ex/task-role.json --principal arn:aws:sts::111122223333:assumed-role/appTaskRole/t1 \
  --action s3:GetObject --resource arn:aws:s3:::app-data/other/x --context aws:PrincipalTag/team=payments \
  --context aws:SourceIp=10.1.2.3 --expect implicit-deny >/dev/null || fail "other team's prefix must be denied"
out=$($R policy eval --policy $ex/task-role.json --principal arn:aws:sts::111122223333:assumed-role/appTaskRole/t1 \
  --action s3:GetObject --resource arn:aws:s3:::app-data/payments/x --context aws:PrincipalTag/team=payments \
  --context aws:SourceIp=203.0.113.7)
grep -q '^ExplicitDeny' <<<"$out" || fail "outside the VPC must be an explicit deny: $out"
grep -q 'is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::app-data/payments/x with an explicit deny in an identity-based policy' <<<"$out" || fail "AccessDenied wording: $out"
if $R policy eval --policy $ex/task-role.json --principal arn:aws:iam::111122223333:user/u --action s3:GetObject --resource '*' --expect allow >/dev/null 2>&1; then
  fail "--expect must exit non-zero on a different decision"
fi

# Boundary narrows an AWS managed policy.
$R policy eval --policy arn:aws:iam::aws:policy/AmazonECS_FullAccess --boundary $ex/boundary-ecs-only.json \
  --principal arn:aws:iam::111122223333:user/deployer --action iam:PassRole \
  --resource arn:aws:iam::111122223333:role/appTaskRole --context iam:PassedToService=ecs-tasks.amazonaws.com \
  --json | python3 -c '
import json,sys
r=json.load(sys.stdin)
assert r["decision"]=="ImplicitDeny" and r["reason"]=="no permissions boundary allows", r
' || fail "boundary must stop iam:PassRole"

# Batch mode: one decision per line, in order; a bad line does not stop the run.
out=$( (cat $ex/cases.jsonl; echo '{"id":"bad","principal":'; echo '{"id":"late","principal":"arn:aws:iam::111122223333:root","action":"s3:ListBucket","resource":"arn:aws:s3:::b"}') | $R policy eval --cases -)
python3 - "$out" <<'PY' || fail "batch output"
import json, sys
lines = [json.loads(l) for l in sys.argv[1].splitlines()]
want = {"instance-role-joins": "Allow", "instance-role-no-runtask": "ImplicitDeny",
        "passrole-to-tasks": "Allow", "passrole-to-ec2": "ImplicitDeny",
        "ec2-assumes-instance-role": "Allow", "tasks-cannot-assume-instance-role": "ImplicitDeny",
        "late": "Allow"}
ids = [l.get("id") for l in lines]
assert ids == list(want)[:6] + ["", "late"], ids
for l in lines:
    if l.get("id") in want:
        assert l["decision"] == want[l["id"]], l
assert "error" in lines[6], lines[6]
PY
echo "policy-cli: ok"
