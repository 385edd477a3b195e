#!/usr/bin/env bash
# boto3 (Debian's python3-boto3) against `rolecall serve`: roles, policies,
# versions, instance profiles, users and keys, paginators and error codes.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/e2e/lib/server.sh
start_server
ENDPOINT="$ENDPOINT" /usr/bin/python3 - <<'PY'
import json, os
import boto3
from botocore.exceptions import ClientError

iam = boto3.client("iam", endpoint_url=os.environ["ENDPOINT"], region_name="us-east-1")

def expect(code, fn, **kw):
    try:
        fn(**kw)
    except ClientError as e:
        got = e.response["Error"]["Code"]
        assert got == code, (got, code, e.response)
        return e.response
    raise AssertionError(f"expected {code}")

trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
for i in range(25):
    iam.create_role(RoleName=f"app-{i:02d}", Path="/apps/", AssumeRolePolicyDocument=json.dumps(trust))
r = iam.get_role(RoleName="app-07")["Role"]
assert r["Arn"] == "arn:aws:iam::123456789012:role/apps/app-07", r
assert r["AssumeRolePolicyDocument"] == trust, r["AssumeRolePolicyDocument"]

# The paginator follows Marker/IsTruncated.
names = []
for page in iam.get_paginator("list_roles").paginate(PathPrefix="/apps/", PaginationConfig={"PageSize": 10}):
    names += [x["RoleName"] for x in page["Roles"]]
assert names == [f"app-{i:02d}" for i in range(25)], names

# A customer managed policy with versions.
doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::cfg/*"}]}
p = iam.create_policy(PolicyName="read-cfg", PolicyDocument=json.dumps(doc))["Policy"]
assert p["Arn"] == "arn:aws:iam::123456789012:policy/read-cfg" and p["DefaultVersionId"] == "v1", p
doc2 = dict(doc, Statement=[dict(doc["Statement"][0], Action=["s3:GetObject", "s3:ListBucket"])])
iam.create_policy_version(PolicyArn=p["Arn"], PolicyDocument=json.dumps(doc2), SetAsDefault=True)
v = iam.get_policy_version(PolicyArn=p["Arn"], VersionId="v2")["PolicyVersion"]
assert v["IsDefaultVersion"] and v["Document"] == doc2, v
iam.attach_role_policy(RoleName="app-00", PolicyArn=p["Arn"])
assert iam.get_policy(PolicyArn=p["Arn"])["Policy"]["AttachmentCount"] == 1
expect("DeleteConflict", iam.delete_policy, PolicyArn=p["Arn"])
e = expect("MalformedPolicyDocument", iam.create_policy, PolicyName="bad", PolicyDocument='{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:Get:Object","Resource":"*"}}')
assert e["Error"]["Message"] == "Actions/Condition can contain only one colon.", e
assert e["ResponseMetadata"]["HTTPStatusCode"] == 400

# Inline policies round-trip as documents.
iam.put_role_policy(RoleName="app-01", PolicyName="inline", PolicyDocument=json.dumps(doc))
assert iam.get_role_policy(RoleName="app-01", PolicyName="inline")["PolicyDocument"] == doc

# Instance profiles hold one role.
iam.create_instance_profile(InstanceProfileName="web")
iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="app-02")
expect("LimitExceeded", iam.add_role_to_instance_profile, InstanceProfileName="web", RoleName="app-03")
assert [x["InstanceProfileName"] for x in iam.list_instance_profiles_for_role(RoleName="app-02")["InstanceProfiles"]] == ["web"]
expect("DeleteConflict", iam.delete_role, RoleName="app-02")

# Users and access keys.
iam.create_user(UserName="deployer")
k = iam.create_access_key(UserName="deployer")["AccessKey"]
assert k["AccessKeyId"].startswith("AKIA") and len(k["AccessKeyId"]) == 20 and len(k["SecretAccessKey"]) == 40, k
listed = iam.list_access_keys(UserName="deployer")["AccessKeyMetadata"]
assert [x["AccessKeyId"] for x in listed] == [k["AccessKeyId"]] and "SecretAccessKey" not in listed[0]
e = expect("NoSuchEntity", iam.get_user, UserName="nobody")
assert e["Error"]["Message"] == "The user with name nobody cannot be found." and e["ResponseMetadata"]["HTTPStatusCode"] == 404

# The simulator answers with the policy engine.
res = iam.simulate_principal_policy(PolicySourceArn="arn:aws:iam::123456789012:role/apps/app-00",
                                    ActionNames=["s3:GetObject", "s3:PutObject"], ResourceArns=["arn:aws:s3:::cfg/a"])["EvaluationResults"]
assert [(x["EvalActionName"], x["EvalDecision"]) for x in res] == [("s3:GetObject", "allowed"), ("s3:PutObject", "implicitDeny")], res
print("iam-boto3: ok")
PY
