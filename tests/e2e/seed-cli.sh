#!/usr/bin/env bash
# The AWS CLI steps of the seed documents, verbatim plus --endpoint-url,
# against `rolecall serve`, checking every output.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/e2e/lib/server.sh
start_server
work=$(mktemp -d); trap 'stop_server; rm -rf "$work"' EXIT
cd "$work"

# --- 001: the container instance role (the console's steps, then the CLI's).
cat > ec2-trust-policy.json <<'JSON'
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": { "Service": "ec2.amazonaws.com" },
      "Action": "sts:AssumeRole"
    }
  ]
}
JSON
out=$(iam create-role --role-name ecsInstanceRole --assume-role-policy-document file://ec2-trust-policy.json --description "Allows EC2 instances to call AWS services on your behalf.")
json_check 'd["Role"]["Arn"]=="arn:aws:iam::123456789012:role/ecsInstanceRole" and d["Role"]["RoleId"].startswith("AROA") and d["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"]=="ec2.amazonaws.com"' <<<"$out"
iam attach-role-policy --role-name ecsInstanceRole --policy-arn arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role

out=$(iam create-instance-profile --instance-profile-name ecsInstanceRole-profile)
json_check 'd["InstanceProfile"]["InstanceProfileName"]=="ecsInstanceRole-profile" and d["InstanceProfile"]["Roles"]==[] and d["InstanceProfile"]["Path"]=="/" and d["InstanceProfile"]["InstanceProfileId"].startswith("AIPA") and d["InstanceProfile"]["Arn"]=="arn:aws:iam::123456789012:instance-profile/ecsInstanceRole-profile"' <<<"$out"

iam add-role-to-instance-profile \
    --instance-profile-name ecsInstanceRole-profile \
    --role-name ecsInstanceRole
out=$(iam get-instance-profile --instance-profile-name ecsInstanceRole-profile)
json_check 'd["InstanceProfile"]["Roles"][0]["RoleName"]=="ecsInstanceRole"' <<<"$out"
expect_error LimitExceeded iam add-role-to-instance-profile --instance-profile-name ecsInstanceRole-profile --role-name ecsInstanceRole

# "Adding Amazon S3 read-only access to your container instance IAM role"
iam attach-role-policy --role-name ecsInstanceRole --policy-arn arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
out=$(iam list-attached-role-policies --role-name ecsInstanceRole)
json_check 'sorted(p["PolicyName"] for p in d["AttachedPolicies"])==["AmazonEC2ContainerServiceforEC2Role","AmazonS3ReadOnlyAccess"]' <<<"$out"

# --- 002: the ECS Anywhere role.
cat > ssm-trust-policy.json <<'JSON'
{ "Version": "2012-10-17", "Statement": { "Effect": "Allow", "Principal": {"Service": [ "ssm.amazonaws.com" ]}, "Action": "sts:AssumeRole" } }
JSON
out=$(iam create-role --role-name ecsAnywhereRole --assume-role-policy-document file://ssm-trust-policy.json)
json_check 'd["Role"]["RoleName"]=="ecsAnywhereRole" and d["Role"]["AssumeRolePolicyDocument"]["Statement"]["Principal"]["Service"]==["ssm.amazonaws.com"]' <<<"$out"
iam attach-role-policy --role-name ecsAnywhereRole --policy-arn arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore
iam attach-role-policy --role-name ecsAnywhereRole --policy-arn arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role
out=$(iam get-policy --policy-arn arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role)
json_check 'd["Policy"]["AttachmentCount"]==2 and d["Policy"]["Path"]=="/service-role/"' <<<"$out"

# --- 003: the task role and the task execution role.
cat > ecs-tasks-trust-policy.json <<'JSON'
{ "Version": "2012-10-17", "Statement": [ { "Sid": "", "Effect": "Allow", "Principal": { "Service": "ecs-tasks.amazonaws.com" }, "Action": "sts:AssumeRole" } ] }
JSON
iam create-role --role-name ecsTaskExecutionRole --assume-role-policy-document file://ecs-tasks-trust-policy.json >/dev/null
iam attach-role-policy --role-name ecsTaskExecutionRole --policy-arn arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy
iam create-role --role-name appTaskRole --assume-role-policy-document file://ecs-tasks-trust-policy.json >/dev/null
cat > task-policy.json <<'JSON'
{ "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::app-config/*" } ] }
JSON
iam put-role-policy --role-name appTaskRole --policy-name read-config --policy-document file://task-policy.json
out=$(iam get-role-policy --role-name appTaskRole --policy-name read-config)
json_check 'd["PolicyDocument"]["Statement"][0]["Resource"]=="arn:aws:s3:::app-config/*"' <<<"$out"

# --- 004: the service-linked role for ECS.
out=$(iam create-service-linked-role --aws-service-name ecs.amazonaws.com)
json_check 'd["Role"]["RoleName"]=="AWSServiceRoleForECS" and d["Role"]["Path"]=="/aws-service-role/ecs.amazonaws.com/"' <<<"$out"
expect_error InvalidInput iam create-service-linked-role --aws-service-name ecs.amazonaws.com

# Listing and cleanup behave.
out=$(iam list-roles)
json_check 'sorted(r["RoleName"] for r in d["Roles"])==["AWSServiceRoleForECS","appTaskRole","ecsAnywhereRole","ecsInstanceRole","ecsTaskExecutionRole"]' <<<"$out"
expect_error DeleteConflict iam delete-role --role-name ecsInstanceRole
expect_error NoSuchEntity iam get-role --role-name does-not-exist
echo "seed-cli: ok"
