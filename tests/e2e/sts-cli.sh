#!/usr/bin/env bash
# STS with the AWS CLI and boto3 against `rolecall serve`: a user assumes a
# role, the session acts with the role's permissions and is refused the
# rest with AWS's messages; a role that does not trust the user refuses it.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/e2e/lib/server.sh
start_server
work=$(mktemp -d); trap 'stop_server; rm -rf "$work"' EXIT
cd "$work"
sts() { "$AWS" sts --endpoint-url "$ENDPOINT" --output json "$@"; }

# --- As the root: a user with an access key and a policy allowing
# sts:AssumeRole, a role trusting that user and allowed iam:ListRoles, and a
# role trusting nobody the user is.
iam create-user --user-name dev >/dev/null
iam put-user-policy --user-name dev --policy-name assume --policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}'
key=$(iam create-access-key --user-name dev)
cat > trust.json <<'JSON'
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/dev"},"Action":"sts:AssumeRole"}]}
JSON
role=$(iam create-role --role-name lister --assume-role-policy-document file://trust.json)
role_id=$("$PY" -c 'import json,sys; print(json.load(sys.stdin)["Role"]["RoleId"])' <<<"$role")
iam put-role-policy --role-name lister --policy-name list --policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}]}'
iam create-role --role-name private --assume-role-policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}' >/dev/null

# --- As the user.
export AWS_ACCESS_KEY_ID=$("$PY" -c 'import json,sys; print(json.load(sys.stdin)["AccessKey"]["AccessKeyId"])' <<<"$key")
export AWS_SECRET_ACCESS_KEY=$("$PY" -c 'import json,sys; print(json.load(sys.stdin)["AccessKey"]["SecretAccessKey"])' <<<"$key")
out=$(sts get-caller-identity)
json_check 'd["Arn"]=="arn:aws:iam::123456789012:user/dev" and d["Account"]=="123456789012" and d["UserId"].startswith("AIDA")' <<<"$out"

creds=$(sts assume-role --role-arn arn:aws:iam::123456789012:role/lister --role-session-name cli)
json_check 'd["Credentials"]["AccessKeyId"].startswith("ASIA") and len(d["Credentials"]["SecretAccessKey"])==40 and d["Credentials"]["SessionToken"] and d["Credentials"]["Expiration"] and d["AssumedRoleUser"]["Arn"]=="arn:aws:sts::123456789012:assumed-role/lister/cli" and d["AssumedRoleUser"]["AssumedRoleId"]=="'"$role_id"':cli"' <<<"$creds"

# A role whose trust policy does not name the user.
out=$(sts assume-role --role-arn arn:aws:iam::123456789012:role/private --role-session-name cli 2>&1) && { echo "assumed private: $out"; exit 1; }
grep -qF "An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:iam::123456789012:user/dev is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/private" <<<"$out" || { echo "unexpected: $out"; exit 1; }
# Bad input.
expect_error ValidationError sts assume-role --role-arn arn:aws:iam::123456789012:role/lister --role-session-name 'bad:name'
expect_error ValidationError sts assume-role --role-arn arn:aws:iam::123456789012:role/lister --role-session-name cli --duration-seconds 7200

# --- With the session's credentials.
user_key=$AWS_ACCESS_KEY_ID user_secret=$AWS_SECRET_ACCESS_KEY
export AWS_ACCESS_KEY_ID=$("$PY" -c 'import json,sys; print(json.load(sys.stdin)["Credentials"]["AccessKeyId"])' <<<"$creds")
export AWS_SECRET_ACCESS_KEY=$("$PY" -c 'import json,sys; print(json.load(sys.stdin)["Credentials"]["SecretAccessKey"])' <<<"$creds")
export AWS_SESSION_TOKEN=$("$PY" -c 'import json,sys; print(json.load(sys.stdin)["Credentials"]["SessionToken"])' <<<"$creds")
out=$(sts get-caller-identity)
json_check 'd["Arn"]=="arn:aws:sts::123456789012:assumed-role/lister/cli" and d["UserId"]=="'"$role_id"':cli" and d["Account"]=="123456789012"' <<<"$out"
out=$(iam list-roles)
json_check 'sorted(r["RoleName"] for r in d["Roles"])==["lister","private"]' <<<"$out"
out=$(iam create-role --role-name X --assume-role-policy-document file://trust.json 2>&1) && { echo "created X: $out"; exit 1; }
grep -qF "An error occurred (AccessDenied) when calling the CreateRole operation: User: arn:aws:sts::123456789012:assumed-role/lister/cli is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::123456789012:role/X because no identity-based policy allows the iam:CreateRole action" <<<"$out" || { echo "unexpected: $out"; exit 1; }
# A tampered session token.
c=${AWS_SESSION_TOKEN:40:1}; [ "$c" = A ] && c=B || c=A
AWS_SESSION_TOKEN="${AWS_SESSION_TOKEN:0:40}$c${AWS_SESSION_TOKEN:41}" expect_error InvalidClientTokenId sts get-caller-identity
unset AWS_SESSION_TOKEN

# --- boto3, as the user: AssumeRole, then the session's clients.
export AWS_ACCESS_KEY_ID=$user_key AWS_SECRET_ACCESS_KEY=$user_secret
ENDPOINT=$ENDPOINT "$PY" - <<'PY'
import os, boto3, botocore.exceptions
ep = os.environ["ENDPOINT"]
sts = boto3.client("sts", endpoint_url=ep, region_name="us-east-1")
assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::123456789012:user/dev"
r = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/lister", RoleSessionName="boto",
                    DurationSeconds=900, Policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}]}')
c = r["Credentials"]
assert r["AssumedRoleUser"]["Arn"] == "arn:aws:sts::123456789012:assumed-role/lister/boto", r
assert 0 < r["PackedPolicySize"] <= 100, r
session = boto3.Session(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                        aws_session_token=c["SessionToken"], region_name="us-east-1")
assert session.client("sts", endpoint_url=ep).get_caller_identity()["Arn"] == "arn:aws:sts::123456789012:assumed-role/lister/boto"
iam = session.client("iam", endpoint_url=ep)
assert any(x["RoleName"] == "lister" for x in iam.list_roles()["Roles"])
try:
    iam.get_role(RoleName="lister")
    raise SystemExit("GetRole allowed")
except botocore.exceptions.ClientError as e:
    err = e.response["Error"]
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 403, e.response
    assert err["Code"] == "AccessDenied", err
    assert err["Message"].startswith("User: arn:aws:sts::123456789012:assumed-role/lister/boto is not authorized to perform: iam:GetRole"), err
try:
    sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/lister", RoleSessionName="x" * 65)
    raise SystemExit("long session name accepted")
except botocore.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "ValidationError", e.response
    assert e.response["Error"]["Message"] == "1 validation error detected: Value '" + "x" * 65 + "' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64", e.response
t = sts.get_session_token(DurationSeconds=900)["Credentials"]
s2 = boto3.client("sts", endpoint_url=ep, region_name="us-east-1", aws_access_key_id=t["AccessKeyId"],
                  aws_secret_access_key=t["SecretAccessKey"], aws_session_token=t["SessionToken"])
assert s2.get_caller_identity()["Arn"] == "arn:aws:iam::123456789012:user/dev"
assert sts.get_access_key_info(AccessKeyId=os.environ["AWS_ACCESS_KEY_ID"])["Account"] == "123456789012"
print("boto3 ok")
PY
echo "sts-cli: ok"
