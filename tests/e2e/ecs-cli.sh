#!/usr/bin/env bash
# The ECS control plane with the AWS CLI against `rolecall serve`: clusters,
# container instances, task definitions with a task role, tags, the
# iam:PassRole check for a user who lacks it, and tasks (run, describe,
# tags, list, state changes, stop, forced deregistration).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/e2e/lib/server.sh
start_server
work=$(mktemp -d); trap 'stop_server; rm -rf "$work"' EXIT
cd "$work"
acct=123456789012

# --- Clusters.
out=$(ecs create-cluster --cluster-name web --tags key=team,value=core)
json_check 'd["cluster"]["clusterArn"]=="arn:aws:ecs:us-east-1:'$acct':cluster/web" and d["cluster"]["status"]=="ACTIVE" and d["cluster"]["tags"]==[{"key":"team","value":"core"}]' <<<"$out"
out=$(ecs create-cluster)
json_check 'd["cluster"]["clusterName"]=="default"' <<<"$out"
out=$(ecs list-clusters)
json_check 'sorted(d["clusterArns"])==["arn:aws:ecs:us-east-1:'$acct':cluster/default","arn:aws:ecs:us-east-1:'$acct':cluster/web"]' <<<"$out"
out=$(ecs describe-clusters --clusters web nope --include TAGS)
json_check 'd["clusters"][0]["clusterName"]=="web" and d["clusters"][0]["tags"][0]["key"]=="team" and d["failures"]==[{"arn":"arn:aws:ecs:us-east-1:'$acct':cluster/nope","reason":"MISSING"}]' <<<"$out"
expect_error ClusterNotFoundException ecs delete-cluster --cluster nope

# --- A container instance (external: no identity document).
out=$(ecs register-container-instance --cluster web --total-resources name=CPU,type=INTEGER,integerValue=1024)
json_check 'd["containerInstance"]["status"]=="ACTIVE" and d["containerInstance"]["agentConnected"] and d["containerInstance"]["containerInstanceArn"].startswith("arn:aws:ecs:us-east-1:'$acct':container-instance/web/")' <<<"$out"
ci=$("$PY" -c 'import json,sys; print(json.load(sys.stdin)["containerInstance"]["containerInstanceArn"])' <<<"$out")
out=$(ecs list-container-instances --cluster web)
json_check 'd["containerInstanceArns"]==["'$ci'"]' <<<"$out"
out=$(ecs update-container-instances-state --cluster web --container-instances "$ci" --status DRAINING)
json_check 'd["containerInstances"][0]["status"]=="DRAINING"' <<<"$out"
expect_error ClusterContainsContainerInstancesException ecs delete-cluster --cluster web
expect_error ClusterNotFoundException ecs register-container-instance --cluster nope
out=$(ecs deregister-container-instance --cluster web --container-instance "$ci" --force)
json_check 'd["containerInstance"]["status"]=="INACTIVE"' <<<"$out"

# --- A task role trusting ecs-tasks.amazonaws.com, and a task definition.
cat > ecs-tasks-trust.json <<'JSON'
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": { "Service": "ecs-tasks.amazonaws.com" },
      "Action": "sts:AssumeRole"
    }
  ]
}
JSON
iam create-role --role-name appTaskRole --assume-role-policy-document file://ecs-tasks-trust.json >/dev/null
role=arn:aws:iam::$acct:role/appTaskRole
cat > taskdef.json <<JSON
{
  "family": "web",
  "taskRoleArn": "$role",
  "networkMode": "bridge",
  "containerDefinitions": [
    {
      "name": "app",
      "image": "public.ecr.aws/nginx/nginx:latest",
      "memory": 128,
      "essential": true,
      "command": ["nginx", "-g", "daemon off;"],
      "environment": [{"name": "MODE", "value": "e2e"}],
      "portMappings": [{"containerPort": 80, "hostPort": 8080}]
    }
  ]
}
JSON
out=$(ecs register-task-definition --cli-input-json file://taskdef.json --tags key=app,value=web)
json_check 'd["taskDefinition"]["taskDefinitionArn"]=="arn:aws:ecs:us-east-1:'$acct':task-definition/web:1" and d["taskDefinition"]["taskRoleArn"]=="'$role'" and d["taskDefinition"]["status"]=="ACTIVE" and d["taskDefinition"]["containerDefinitions"][0]["portMappings"][0]["hostPort"]==8080 and d["tags"]==[{"key":"app","value":"web"}]' <<<"$out"
out=$(ecs register-task-definition --cli-input-json file://taskdef.json)
json_check 'd["taskDefinition"]["revision"]==2' <<<"$out"
out=$(ecs describe-task-definition --task-definition web --include TAGS)
json_check 'd["taskDefinition"]["revision"]==2 and d["tags"]==[]' <<<"$out"
out=$(ecs describe-task-definition --task-definition web:1 --include TAGS)
json_check 'd["taskDefinition"]["revision"]==1 and d["tags"][0]["key"]=="app"' <<<"$out"
out=$(ecs list-task-definitions --family-prefix web --sort DESC)
json_check 'd["taskDefinitionArns"]==["arn:aws:ecs:us-east-1:'$acct':task-definition/web:2","arn:aws:ecs:us-east-1:'$acct':task-definition/web:1"]' <<<"$out"
out=$(ecs deregister-task-definition --task-definition web:2)
json_check 'd["taskDefinition"]["status"]=="INACTIVE"' <<<"$out"
out=$(ecs list-task-definitions)
json_check 'd["taskDefinitionArns"]==["arn:aws:ecs:us-east-1:'$acct':task-definition/web:1"]' <<<"$out"
expect_error ClientException ecs describe-task-definition --task-definition nope
ecs tag-resource --resource-arn arn:aws:ecs:us-east-1:$acct:task-definition/web:1 --tags key=stage,value=prod
out=$(ecs list-tags-for-resource --resource-arn arn:aws:ecs:us-east-1:$acct:task-definition/web:1)
json_check 'len(d["tags"])==2' <<<"$out"

# A role that does not trust ecs-tasks.amazonaws.com is refused.
cat > ec2-trust.json <<'JSON'
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}
JSON
iam create-role --role-name notForTasks --assume-role-policy-document file://ec2-trust.json >/dev/null
expect_error ClientException ecs register-task-definition --family web --task-role-arn arn:aws:iam::$acct:role/notForTasks \
  --container-definitions '[{"name":"app","image":"nginx","memory":128}]'

# --- A user who may register task definitions but not pass roles to ECS.
cat > dev-policy.json <<'JSON'
{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":["ecs:RegisterTaskDefinition","ecs:DescribeTaskDefinition"],"Resource":"*"},
  {"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}
]}
JSON
iam create-user --user-name dev >/dev/null
iam put-user-policy --user-name dev --policy-name ecs --policy-document file://dev-policy.json
keys=$(iam create-access-key --user-name dev)
dev_key=$("$PY" -c 'import json,sys; print(json.load(sys.stdin)["AccessKey"]["AccessKeyId"])' <<<"$keys")
dev_secret=$("$PY" -c 'import json,sys; print(json.load(sys.stdin)["AccessKey"]["SecretAccessKey"])' <<<"$keys")
as_dev() { AWS_ACCESS_KEY_ID=$dev_key AWS_SECRET_ACCESS_KEY=$dev_secret "$@"; }
out=$(as_dev "$AWS" ecs --endpoint-url "$ENDPOINT" register-task-definition --cli-input-json file://taskdef.json 2>&1) && { echo "expected AccessDeniedException: $out"; exit 1; }
grep -q "(AccessDeniedException)" <<<"$out" || { echo "expected AccessDeniedException: $out"; exit 1; }
grep -q "User: arn:aws:iam::$acct:user/dev is not authorized to perform: iam:PassRole on resource: $role" <<<"$out" || { echo "message: $out"; exit 1; }
# Without a role, the same user may register.
out=$(as_dev "$AWS" ecs --endpoint-url "$ENDPOINT" --output json register-task-definition --family plain --container-definitions '[{"name":"app","image":"nginx","memory":128}]')
json_check 'd["taskDefinition"]["taskDefinitionArn"]=="arn:aws:ecs:us-east-1:'$acct':task-definition/plain:1" and d["taskDefinition"]["registeredBy"]=="arn:aws:iam::'$acct':user/dev"' <<<"$out"
expect_error AccessDeniedException as_dev "$AWS" ecs --endpoint-url "$ENDPOINT" create-cluster --cluster-name devs

# --- Tasks: an instance, tasks with the task role, their life cycle.
ecs create-cluster --cluster-name jobs >/dev/null
expect_error InvalidParameterException ecs run-task --cluster jobs --task-definition web
out=$(ecs register-container-instance --cluster jobs --total-resources name=CPU,type=INTEGER,integerValue=1024 name=MEMORY,type=INTEGER,integerValue=300)
ji=$("$PY" -c 'import json,sys; print(json.load(sys.stdin)["containerInstance"]["containerInstanceArn"])' <<<"$out")
out=$(ecs run-task --cluster jobs --task-definition web --count 3 --started-by e2e --tags key=env,value=e2e)
json_check 'len(d["tasks"])==2 and d["failures"]==[{"arn":"'$ji'","reason":"RESOURCE:MEMORY"}] and d["tasks"][0]["lastStatus"]=="PENDING" and d["tasks"][0]["containerInstanceArn"]=="'$ji'"' <<<"$out"
task=$("$PY" -c 'import json,sys; print(json.load(sys.stdin)["tasks"][0]["taskArn"])' <<<"$out")
out=$(ecs describe-tasks --cluster jobs --tasks "$task")
json_check 'd["tasks"][0]["desiredStatus"]=="RUNNING" and d["tasks"][0]["taskDefinitionArn"].endswith("task-definition/web:1") and "tags" not in d["tasks"][0] and "ecretAccessKey" not in json.dumps(d) and "essionToken" not in json.dumps(d)' <<<"$out"
# Task tags: RunTask's, then tag-resource / untag-resource on the task ARN.
ecs tag-resource --resource-arn "$task" --tags key=owner,value=ci key=tmp,value=x
ecs untag-resource --resource-arn "$task" --tag-keys tmp
out=$(ecs list-tags-for-resource --resource-arn "$task")
json_check 'd["tags"]==[{"key":"env","value":"e2e"},{"key":"owner","value":"ci"}]' <<<"$out"
out=$(ecs describe-tasks --cluster jobs --tasks "$task" --include TAGS)
json_check 'len(d["tasks"][0]["tags"])==2' <<<"$out"
expect_error ResourceNotFoundException ecs list-tags-for-resource --resource-arn arn:aws:ecs:us-east-1:$acct:task/jobs/0123456789abcdef0123456789abcdef
ecs submit-task-state-change --cluster jobs --task "$task" --status RUNNING >/dev/null
out=$(ecs list-tasks --cluster jobs --started-by e2e)
json_check 'len(d["taskArns"])==2' <<<"$out"
expect_error ClusterContainsTasksException ecs delete-cluster --cluster jobs
out=$(ecs stop-task --cluster jobs --task "$task" --reason done)
json_check 'd["task"]["desiredStatus"]=="STOPPED" and d["task"]["stopCode"]=="UserInitiated" and d["task"]["stoppedReason"]=="done"' <<<"$out"
ecs submit-task-state-change --cluster jobs --task "$task" --status STOPPED >/dev/null
out=$(ecs describe-tasks --cluster jobs --tasks "$task")
json_check 'd["tasks"][0]["lastStatus"]=="STOPPED"' <<<"$out"
out=$(ecs discover-poll-endpoint --container-instance "$ji")
json_check 'd["endpoint"]=="'$ENDPOINT'" and d["telemetryEndpoint"]=="'$ENDPOINT'"' <<<"$out"
expect_error InvalidParameterException ecs deregister-container-instance --cluster jobs --container-instance "$ji"
ecs deregister-container-instance --cluster jobs --container-instance "$ji" --force >/dev/null
out=$(ecs list-tasks --cluster jobs --desired-status STOPPED)
json_check 'len(d["taskArns"])==2' <<<"$out"
out=$(ecs delete-cluster --cluster jobs)
json_check 'd["cluster"]["status"]=="INACTIVE"' <<<"$out"

out=$(ecs delete-cluster --cluster web)
json_check 'd["cluster"]["status"]=="INACTIVE"' <<<"$out"
echo "ecs-cli: ok"
