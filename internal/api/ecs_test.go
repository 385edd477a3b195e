package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
)

const (
	ecsInstancePolicyARN = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
	ecsFullAccessARN     = "arn:aws:iam::aws:policy/AmazonECS_FullAccess"
	ecsTasksTrust        = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	ecsEC2Trust          = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	// The seed's container instance policy without ecs:CreateCluster.
	ecsNoCreatePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecs:DeregisterContainerInstance","ecs:DiscoverPollEndpoint","ecs:Poll","ecs:RegisterContainerInstance","ecs:StartTelemetrySession","ecs:UpdateContainerInstancesState","ecs:Submit*"],"Resource":"*"}]}`
)

func ecsClient(ts *testServer, key, secret, token string) *awsecs.Client {
	cfg := ts.Cfg.Copy()
	if key != "" {
		cfg.Credentials = credentials.NewStaticCredentialsProvider(key, secret, token)
	}
	return awsecs.NewFromConfig(cfg)
}

// ecsUser creates an IAM user with the given managed policies attached and
// an inline policy (when not empty), and returns an ECS client signing as
// the user.
func ecsUser(t *testing.T, ts *testServer, name, inline string, managed ...string) *awsecs.Client {
	t.Helper()
	ctx := context.Background()
	if _, err := ts.IAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	for _, p := range managed {
		if _, err := ts.IAM.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String(name), PolicyArn: aws.String(p)}); err != nil {
			t.Fatal(err)
		}
	}
	if inline != "" {
		if _, err := ts.IAM.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(inline)}); err != nil {
			t.Fatal(err)
		}
	}
	k, err := ts.IAM.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return ecsClient(ts, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
}

// ecsRole creates a role with a trust policy, managed policies and an
// optional inline policy, and returns its ARN.
func ecsRole(t *testing.T, ts *testServer, name, trust, inline string, managed ...string) string {
	t.Helper()
	ctx := context.Background()
	r, err := ts.IAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range managed {
		if _, err := ts.IAM.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(p)}); err != nil {
			t.Fatal(err)
		}
	}
	if inline != "" {
		if _, err := ts.IAM.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(inline)}); err != nil {
			t.Fatal(err)
		}
	}
	return aws.ToString(r.Role.Arn)
}

// instanceSession is what an EC2 instance with the role in its instance
// profile gets: a session of the role, assumed by ec2.amazonaws.com.
func instanceSession(t *testing.T, ts *testServer, roleARN, instanceID string) *awsecs.Client {
	t.Helper()
	creds, err := ts.Server.STS.AssumeRoleForService(context.Background(), "ec2.amazonaws.com", roleARN, instanceID, 0, "", "")
	if err != nil {
		t.Fatal(err)
	}
	return ecsClient(ts, creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)
}

func deniedMessage(principal, action, resource string) string {
	return fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s because no identity-based policy allows the %s action", principal, action, resource, action)
}

func containerDef(name string) ecstypes.ContainerDefinition {
	return ecstypes.ContainerDefinition{Name: aws.String(name), Image: aws.String("public.ecr.aws/nginx/nginx:latest"), Memory: aws.Int32(128),
		Command: []string{"nginx", "-g", "daemon off;"}, EntryPoint: []string{"/docker-entrypoint.sh"},
		Environment:  []ecstypes.KeyValuePair{{Name: aws.String("MODE"), Value: aws.String("test")}},
		PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(80)}}}
}

var instanceARNPattern = regexp.MustCompile(`^arn:aws:ecs:us-east-1:123456789012:container-instance/default/[0-9a-f]{32}$`)

// Every operation, as the account root, on its success and error paths.
func TestECSOperations(t *testing.T) {
	ts := newTestServer(t)
	c := ecsClient(ts, "", "", "")
	ctx := context.Background()

	_, err := c.RegisterContainerInstance(ctx, &awsecs.RegisterContainerInstanceInput{})
	apiError(t, err, "ClusterNotFoundException", "Cluster not found.", 400)
	var cnf *ecstypes.ClusterNotFoundException
	if !errorsAs(err, &cnf) {
		t.Errorf("not a typed ClusterNotFoundException: %T", err)
	}

	cc, err := c.CreateCluster(ctx, &awsecs.CreateClusterInput{Tags: []ecstypes.Tag{{Key: aws.String("team"), Value: aws.String("core")}}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cc.Cluster.ClusterArn) != "arn:aws:ecs:us-east-1:123456789012:cluster/default" || aws.ToString(cc.Cluster.Status) != "ACTIVE" || len(cc.Cluster.Tags) != 1 {
		t.Fatalf("%+v", cc.Cluster)
	}
	if _, err := c.CreateCluster(ctx, &awsecs.CreateClusterInput{ClusterName: aws.String("other")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateCluster(ctx, &awsecs.CreateClusterInput{ClusterName: aws.String("no/slashes")})
	apiError(t, err, "InvalidParameterException", "", 400)

	lc, err := c.ListClusters(ctx, &awsecs.ListClustersInput{MaxResults: aws.Int32(1)})
	if err != nil || len(lc.ClusterArns) != 1 || lc.NextToken == nil {
		t.Fatalf("%+v %v", lc, err)
	}
	lc2, err := c.ListClusters(ctx, &awsecs.ListClustersInput{NextToken: lc.NextToken})
	if err != nil || len(lc2.ClusterArns) != 1 || lc2.NextToken != nil || lc2.ClusterArns[0] == lc.ClusterArns[0] {
		t.Fatalf("%+v %v", lc2, err)
	}

	dc, err := c.DescribeClusters(ctx, &awsecs.DescribeClustersInput{Clusters: []string{"default", "missing"}, Include: []ecstypes.ClusterField{ecstypes.ClusterFieldTags}})
	if err != nil || len(dc.Clusters) != 1 || len(dc.Clusters[0].Tags) != 1 || len(dc.Failures) != 1 || aws.ToString(dc.Failures[0].Reason) != "MISSING" ||
		aws.ToString(dc.Failures[0].Arn) != "arn:aws:ecs:us-east-1:123456789012:cluster/missing" {
		t.Fatalf("%+v %v", dc, err)
	}

	// Container instances.
	ri, err := c.RegisterContainerInstance(ctx, &awsecs.RegisterContainerInstanceInput{
		InstanceIdentityDocument: aws.String(`{"instanceId":"i-0abcdef1234567890","region":"us-east-1","accountId":"123456789012"}`),
		TotalResources:           []ecstypes.Resource{{Name: aws.String("CPU"), Type: aws.String("INTEGER"), IntegerValue: 1024}, {Name: aws.String("MEMORY"), Type: aws.String("INTEGER"), IntegerValue: 2048}},
		VersionInfo:              &ecstypes.VersionInfo{AgentVersion: aws.String("1.90.0"), DockerVersion: aws.String("25.0")},
		Attributes:               []ecstypes.Attribute{{Name: aws.String("ecs.os-type"), Value: aws.String("linux")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ci := ri.ContainerInstance
	if !instanceARNPattern.MatchString(aws.ToString(ci.ContainerInstanceArn)) || aws.ToString(ci.Ec2InstanceId) != "i-0abcdef1234567890" ||
		aws.ToString(ci.Status) != "ACTIVE" || !ci.AgentConnected || ci.RegisteredAt == nil || ci.RegisteredAt.IsZero() || len(ci.RegisteredResources) != 2 {
		t.Fatalf("%+v", ci)
	}
	ciARN := aws.ToString(ci.ContainerInstanceArn)
	_, err = c.RegisterContainerInstance(ctx, &awsecs.RegisterContainerInstanceInput{Cluster: aws.String("nope")})
	apiError(t, err, "ClusterNotFoundException", "Cluster not found.", 400)

	lci, err := c.ListContainerInstances(ctx, &awsecs.ListContainerInstancesInput{})
	if err != nil || len(lci.ContainerInstanceArns) != 1 || lci.ContainerInstanceArns[0] != ciARN {
		t.Fatalf("%+v %v", lci, err)
	}
	_, err = c.ListContainerInstances(ctx, &awsecs.ListContainerInstancesInput{Cluster: aws.String("nope")})
	apiError(t, err, "ClusterNotFoundException", "Cluster not found.", 400)

	dci, err := c.DescribeContainerInstances(ctx, &awsecs.DescribeContainerInstancesInput{ContainerInstances: []string{ciARN, "0123456789abcdef0123456789abcdef"}})
	if err != nil || len(dci.ContainerInstances) != 1 || len(dci.Failures) != 1 || aws.ToString(dci.Failures[0].Reason) != "MISSING" {
		t.Fatalf("%+v %v", dci, err)
	}
	up, err := c.UpdateContainerInstancesState(ctx, &awsecs.UpdateContainerInstancesStateInput{ContainerInstances: []string{ciARN}, Status: ecstypes.ContainerInstanceStatusDraining})
	if err != nil || aws.ToString(up.ContainerInstances[0].Status) != "DRAINING" {
		t.Fatalf("%+v %v", up, err)
	}
	_, err = c.UpdateContainerInstancesState(ctx, &awsecs.UpdateContainerInstancesStateInput{ContainerInstances: []string{ciARN}, Status: "REGISTERING"})
	apiError(t, err, "InvalidParameterException", "", 400)

	_, err = c.DeleteCluster(ctx, &awsecs.DeleteClusterInput{Cluster: aws.String("default")})
	apiError(t, err, "ClusterContainsContainerInstancesException", "The Cluster cannot be deleted while Container Instances are active or draining.", 400)

	// Tags on clusters and container instances.
	clusterARN := "arn:aws:ecs:us-east-1:123456789012:cluster/default"
	for _, a := range []string{clusterARN, ciARN} {
		if _, err := c.TagResource(ctx, &awsecs.TagResourceInput{ResourceArn: aws.String(a), Tags: []ecstypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.UntagResource(ctx, &awsecs.UntagResourceInput{ResourceArn: aws.String(a), TagKeys: []string{"team"}}); err != nil {
			t.Fatal(err)
		}
		lt, err := c.ListTagsForResource(ctx, &awsecs.ListTagsForResourceInput{ResourceArn: aws.String(a)})
		if err != nil || len(lt.Tags) != 1 || aws.ToString(lt.Tags[0].Key) != "env" {
			t.Fatalf("%s: %+v %v", a, lt, err)
		}
	}
	_, err = c.TagResource(ctx, &awsecs.TagResourceInput{ResourceArn: aws.String("arn:aws:ecs:us-east-1:123456789012:cluster/nope"), Tags: []ecstypes.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	apiError(t, err, "ClusterNotFoundException", "", 400)

	dr, err := c.DeregisterContainerInstance(ctx, &awsecs.DeregisterContainerInstanceInput{ContainerInstance: aws.String(ciARN), Force: aws.Bool(true)})
	if err != nil || aws.ToString(dr.ContainerInstance.Status) != "INACTIVE" {
		t.Fatalf("%+v %v", dr, err)
	}
	_, err = c.DeregisterContainerInstance(ctx, &awsecs.DeregisterContainerInstanceInput{ContainerInstance: aws.String(ciARN)})
	apiError(t, err, "InvalidParameterException", "", 400)

	// Task definitions.
	for i := 1; i <= 2; i++ {
		rt, err := c.RegisterTaskDefinition(ctx, &awsecs.RegisterTaskDefinitionInput{
			Family: aws.String("web"), NetworkMode: ecstypes.NetworkModeBridge,
			ContainerDefinitions: []ecstypes.ContainerDefinition{containerDef("app")},
			Tags:                 []ecstypes.Tag{{Key: aws.String("rev"), Value: aws.String(fmt.Sprint(i))}},
		})
		if err != nil {
			t.Fatal(err)
		}
		td := rt.TaskDefinition
		if aws.ToString(td.TaskDefinitionArn) != fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:task-definition/web:%d", i) || td.Revision != int32(i) ||
			td.Status != ecstypes.TaskDefinitionStatusActive || len(rt.Tags) != 1 || td.NetworkMode != ecstypes.NetworkModeBridge {
			t.Fatalf("%+v", rt)
		}
		cd := td.ContainerDefinitions[0]
		if aws.ToString(cd.Name) != "app" || !aws.ToBool(cd.Essential) || len(cd.Command) != 3 || len(cd.EntryPoint) != 1 || len(cd.Environment) != 1 ||
			len(cd.PortMappings) != 1 || aws.ToInt32(cd.PortMappings[0].ContainerPort) != 80 || aws.ToInt32(cd.Memory) != 128 {
			t.Fatalf("%+v", cd)
		}
	}
	_, err = c.RegisterTaskDefinition(ctx, &awsecs.RegisterTaskDefinitionInput{Family: aws.String("web"), ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("x")}}})
	apiError(t, err, "ClientException", "Container.image should not be null or empty.", 400)

	dt, err := c.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("web"), Include: []ecstypes.TaskDefinitionField{ecstypes.TaskDefinitionFieldTags}})
	if err != nil || dt.TaskDefinition.Revision != 2 || len(dt.Tags) != 1 || aws.ToString(dt.Tags[0].Value) != "2" {
		t.Fatalf("%+v %v", dt, err)
	}
	_, err = c.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("nope")})
	apiError(t, err, "ClientException", "Unable to describe task definition.", 400)

	dd, err := c.DeregisterTaskDefinition(ctx, &awsecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String("web:2")})
	if err != nil || dd.TaskDefinition.Status != ecstypes.TaskDefinitionStatusInactive || dd.TaskDefinition.DeregisteredAt == nil {
		t.Fatalf("%+v %v", dd, err)
	}
	lt, err := c.ListTaskDefinitions(ctx, &awsecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String("web")})
	if err != nil || len(lt.TaskDefinitionArns) != 1 || !strings.HasSuffix(lt.TaskDefinitionArns[0], "web:1") {
		t.Fatalf("%+v %v", lt, err)
	}
	lt, err = c.ListTaskDefinitions(ctx, &awsecs.ListTaskDefinitionsInput{Status: ecstypes.TaskDefinitionStatusInactive, Sort: ecstypes.SortOrderDesc})
	if err != nil || len(lt.TaskDefinitionArns) != 1 || !strings.HasSuffix(lt.TaskDefinitionArns[0], "web:2") {
		t.Fatalf("%+v %v", lt, err)
	}
	lf, err := c.ListTaskDefinitionFamilies(ctx, &awsecs.ListTaskDefinitionFamiliesInput{})
	if err != nil || len(lf.Families) != 1 || lf.Families[0] != "web" {
		t.Fatalf("%+v %v", lf, err)
	}
	tdTags, err := c.ListTagsForResource(ctx, &awsecs.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:ecs:us-east-1:123456789012:task-definition/web:1")})
	if err != nil || len(tdTags.Tags) != 1 {
		t.Fatalf("%+v %v", tdTags, err)
	}

	dl, err := c.DeleteCluster(ctx, &awsecs.DeleteClusterInput{Cluster: aws.String("default")})
	if err != nil || aws.ToString(dl.Cluster.Status) != "INACTIVE" {
		t.Fatalf("%+v %v", dl, err)
	}
	_, err = c.DeleteCluster(ctx, &awsecs.DeleteClusterInput{Cluster: aws.String("default")})
	apiError(t, err, "ClusterNotFoundException", "Cluster not found.", 400)
}

// ecsRaw sends a signed JSON request as the root and returns the status and
// the decoded body.
func ecsRaw(t *testing.T, ts *testServer, op, body string) (int, map[string]any) {
	t.Helper()
	req := signedRequest(t, ts.URL, "ecs", body, testRootKey, testRootSecret, "")
	req.Header.Set("X-Amz-Target", "AmazonEC2ContainerServiceV20141113."+op)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s: not JSON: %s", op, b)
	}
	return resp.StatusCode, out
}

// Bad input is a 400 with ECS's codes, never a 500.
func TestECSBadInput(t *testing.T) {
	ts := newTestServer(t)
	// The body is exactly one JSON object; messages name the field.
	for _, c := range []struct{ op, body, message string }{
		{"CreateCluster", `{"clusterName":`, "Invalid request body: the JSON object is incomplete."},
		{"CreateCluster", `{"clusterName":5}`, "Invalid request body: clusterName must be a string, not a number."},
		{"RunTask", `{"taskDefinition":"hello"} trailing`, "Invalid request body: unexpected data after the JSON object."},
		{"RunTask", `{}{"x":1}`, "Invalid request body: unexpected data after the JSON object."},
		{"RunTask", `{"count":"2"}`, "Invalid request body: count must be an integer, not a string."},
		{"RegisterTaskDefinition", `[]`, "Invalid request body: the body must be a JSON object, not an array."},
		{"RegisterTaskDefinition", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":"x"}]}`,
			"Invalid request body: containerDefinitions.memory must be an integer, not a string."},
		{"ListClusters", `{"maxResults":1} {`, "Invalid request body: unexpected data after the JSON object."},
		{"CreateCluster", `{"a" 1}`, "Invalid request body: malformed JSON at character 6: invalid character '1' after object key."},
		{"SubmitTaskStateChange", `{"task":"x","pullStartedAt":1e300}`, "Invalid request body: timestamp 1e+300 is out of range"},
	} {
		status, out := ecsRaw(t, ts, c.op, c.body)
		if status != 400 || out["__type"] != "SerializationException" || out["message"] != c.message {
			t.Errorf("%s %s: %d %v, want 400 SerializationException %q", c.op, c.body, status, out, c.message)
		}
	}
	// A blank body is an empty object, as an empty one is.
	if status, out := ecsRaw(t, ts, "ListClusters", " \n"); status != 200 {
		t.Errorf("blank body: %d %v", status, out)
	}
	for _, c := range []struct{ op, body, code string }{
		{"CreateCluster", `{"clusterName":`, "SerializationException"},
		{"CreateCluster", `{"clusterName":5}`, "SerializationException"},
		{"RegisterTaskDefinition", `[]`, "SerializationException"},
		{"RegisterTaskDefinition", `{}`, "ClientException"},
		{"RegisterTaskDefinition", `{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":"x"}]}`, "SerializationException"},
		{"DescribeTaskDefinition", `{}`, "ClientException"},
		{"DeregisterTaskDefinition", `{"taskDefinition":"arn:aws:ecs:us-east-1:123456789012:cluster/x"}`, "InvalidParameterException"},
		{"DescribeClusters", `{"clusters":["arn:aws:iam::123456789012:role/x"]}`, "InvalidParameterException"},
		{"DescribeContainerInstances", `{"containerInstances":["x"]}`, "InvalidParameterException"},
		{"DeregisterContainerInstance", `{}`, "InvalidParameterException"},
		{"DeleteCluster", `{}`, "InvalidParameterException"},
		{"TagResource", `{"tags":[{"key":"a","value":"b"}]}`, "InvalidParameterException"},
		{"ListClusters", `{"maxResults":1000}`, "InvalidParameterException"},
		{"ListClusters", `{"nextToken":"garbage"}`, "InvalidParameterException"},
		{"RunTask", `{}`, "ClientException"},
		{"NoSuchOperation", `{}`, "UnknownOperationException"},
	} {
		status, out := ecsRaw(t, ts, c.op, c.body)
		if status != 400 || out["__type"] != c.code || out["message"] == "" {
			t.Errorf("%s %s: %d %v, want 400 %s", c.op, c.body, status, out, c.code)
		}
	}
	// Odd bodies on every operation: answered, never a 5xx.
	bodies := []string{`null`, `{}`, `"x"`, `{"cluster":[]}`, `{"cluster":"arn:aws:ecs:us-east-1:123456789012:cluster/"}`,
		`{"containerDefinitions":[null],"family":"f"}`, `{"tags":[{"key":""}],"resourceArn":"arn:aws:ecs:us-east-1:123456789012:cluster/default"}`,
		`{"resourceArn":"arn:aws:ecs:us-east-1:123456789012:container-instance/x","tagKeys":["a"]}`,
		`{"resourceArn":"arn:aws:ecs:us-east-1:123456789012:task-definition/f:0"}`, `{"containerInstances":[""],"status":"ACTIVE"}`,
		`{"taskDefinition":"f:1:2"}`, `{"taskDefinition":"arn:aws:ecs"}`, `{"maxResults":-1}`, `{"instanceIdentityDocument":"[]"}`,
		`{"containerInstanceArn":"arn:aws:ecs:us-east-1:123456789012:container-instance/default/0123456789abcdef0123456789abcdef"}`,
		`{"resourceArn":"arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef0123456789abcdef","tags":[{"key":"a","value":"b"}],"tagKeys":["a"]}`,
		`{"resourceArn":"arn:aws:ecs:us-east-1:123456789012:task/default/x","tags":[{"key":"aws:a"}]}`,
		`{"resourceArn":"arn:aws:ecs:us-east-1:123456789012:task//","tagKeys":[""]}`}
	if status, _ := ecsRaw(t, ts, "CreateCluster", `{}`); status != 200 {
		t.Fatal(status)
	}
	for op := range ts.Server.jsonOps {
		name := strings.TrimPrefix(op, ecsTargetPrefix+".")
		if name == op {
			continue
		}
		for _, b := range bodies {
			if status, out := ecsRaw(t, ts, name, b); status >= 500 || (status != 200 && out["__type"] == nil) {
				t.Errorf("%s %s: %d %v", name, b, status, out)
			}
		}
	}
}

// The seed's container instance role: an instance whose profile holds
// ecsInstanceRole (AmazonEC2ContainerServiceforEC2Role) can create the
// default cluster, join it, and tag only as part of those calls.
func TestECSInstanceRole(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	roleARN := ecsRole(t, ts, "ecsInstanceRole", ecsEC2Trust, "", ecsInstancePolicyARN)
	agent := instanceSession(t, ts, roleARN, "i-0123456789abcdef0")
	session := "arn:aws:sts::123456789012:assumed-role/ecsInstanceRole/i-0123456789abcdef0"
	clusterARN := "arn:aws:ecs:us-east-1:123456789012:cluster/default"

	// Tags on CreateCluster: allowed by the ecs:CreateAction statement.
	cc, err := agent.CreateCluster(ctx, &awsecs.CreateClusterInput{ClusterName: aws.String("default"), Tags: []ecstypes.Tag{{Key: aws.String("by"), Value: aws.String("agent")}}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cc.Cluster.ClusterArn) != clusterARN {
		t.Fatalf("%+v", cc.Cluster)
	}
	ri, err := agent.RegisterContainerInstance(ctx, &awsecs.RegisterContainerInstanceInput{
		Tags: []ecstypes.Tag{{Key: aws.String("host"), Value: aws.String("a")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ciARN := aws.ToString(ri.ContainerInstance.ContainerInstanceArn)
	if !instanceARNPattern.MatchString(ciARN) {
		t.Fatal(ciARN)
	}
	// The tag landed on the ARN that was authorized.
	lt, err := agent.ListTagsForResource(ctx, &awsecs.ListTagsForResourceInput{ResourceArn: aws.String(ciARN)})
	if err != nil || len(lt.Tags) != 1 {
		t.Fatalf("%+v %v", lt, err)
	}
	if _, err := agent.UpdateContainerInstancesState(ctx, &awsecs.UpdateContainerInstancesStateInput{ContainerInstances: []string{ciARN}, Status: ecstypes.ContainerInstanceStatusDraining}); err != nil {
		t.Fatal(err)
	}

	// A standalone TagResource has no ecs:CreateAction: denied.
	_, err = agent.TagResource(ctx, &awsecs.TagResourceInput{ResourceArn: aws.String(clusterARN), Tags: []ecstypes.Tag{{Key: aws.String("x"), Value: aws.String("y")}}})
	apiError(t, err, "AccessDeniedException", deniedMessage(session, "ecs:TagResource", clusterARN), 400)
	var ade *ecstypes.AccessDeniedException
	if !errorsAs(err, &ade) {
		t.Errorf("not a typed AccessDeniedException: %T", err)
	}
	// Nor may the agent describe or delete clusters.
	_, err = agent.DescribeClusters(ctx, &awsecs.DescribeClustersInput{})
	apiError(t, err, "AccessDeniedException", deniedMessage(session, "ecs:DescribeClusters", clusterARN), 400)
	_, err = agent.DeleteCluster(ctx, &awsecs.DeleteClusterInput{Cluster: aws.String("default")})
	apiError(t, err, "AccessDeniedException", deniedMessage(session, "ecs:DeleteCluster", clusterARN), 400)

	if _, err := agent.DeregisterContainerInstance(ctx, &awsecs.DeregisterContainerInstanceInput{ContainerInstance: aws.String(ciARN)}); err != nil {
		t.Fatal(err)
	}
}

// Without ecs:CreateCluster an agent cannot create the default cluster,
// but it can join one that exists; without ecs:RegisterContainerInstance it
// cannot join at all.
func TestECSAgentWithoutPermissions(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	noCreate := ecsRole(t, ts, "ecsNoCreate", ecsEC2Trust, ecsNoCreatePolicy)
	agent := instanceSession(t, ts, noCreate, "i-00000000000000001")
	session := "arn:aws:sts::123456789012:assumed-role/ecsNoCreate/i-00000000000000001"
	clusterARN := "arn:aws:ecs:us-east-1:123456789012:cluster/default"

	_, err := agent.CreateCluster(ctx, &awsecs.CreateClusterInput{})
	apiError(t, err, "AccessDeniedException", deniedMessage(session, "ecs:CreateCluster", clusterARN), 400)
	// Nothing was created: the root finds it missing.
	root := ecsClient(ts, "", "", "")
	dc, err := root.DescribeClusters(ctx, &awsecs.DescribeClustersInput{})
	if err != nil || len(dc.Failures) != 1 {
		t.Fatalf("%+v %v", dc, err)
	}
	// The agent may try to join: the cluster is not there.
	_, err = agent.RegisterContainerInstance(ctx, &awsecs.RegisterContainerInstanceInput{})
	apiError(t, err, "ClusterNotFoundException", "Cluster not found.", 400)
	if _, err := root.CreateCluster(ctx, &awsecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := agent.RegisterContainerInstance(ctx, &awsecs.RegisterContainerInstanceInput{}); err != nil {
		t.Fatal(err)
	}
	// Tags on registration need ecs:TagResource, which this role lacks.
	_, err = agent.RegisterContainerInstance(ctx, &awsecs.RegisterContainerInstanceInput{Tags: []ecstypes.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	apiError(t, err, "AccessDeniedException", "", 400)
	if e := errString(err); !strings.Contains(e, "ecs:TagResource on resource: arn:aws:ecs:us-east-1:123456789012:container-instance/default/") {
		t.Errorf("%s", e)
	}

	// A user allowed only to create clusters cannot join one.
	creator := ecsUser(t, ts, "creator", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:CreateCluster","Resource":"*"}]}`)
	_, err = creator.RegisterContainerInstance(ctx, &awsecs.RegisterContainerInstanceInput{})
	apiError(t, err, "AccessDeniedException", deniedMessage("arn:aws:iam::123456789012:user/creator", "ecs:RegisterContainerInstance", clusterARN), 400)
	// Resource-scoped permissions: joining only the "prod" cluster.
	prodOnly := ecsUser(t, ts, "prodonly", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecs:RegisterContainerInstance","Resource":"arn:aws:ecs:*:*:cluster/prod"}]}`)
	_, err = prodOnly.RegisterContainerInstance(ctx, &awsecs.RegisterContainerInstanceInput{})
	apiError(t, err, "AccessDeniedException", deniedMessage("arn:aws:iam::123456789012:user/prodonly", "ecs:RegisterContainerInstance", clusterARN), 400)
	if _, err := root.CreateCluster(ctx, &awsecs.CreateClusterInput{ClusterName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	if _, err := prodOnly.RegisterContainerInstance(ctx, &awsecs.RegisterContainerInstanceInput{Cluster: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
}

// Condition keys: ecs:cluster on container instance calls and
// aws:ResourceTag on clusters.
func TestECSConditionKeys(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	root := ecsClient(ts, "", "", "")
	for _, n := range []string{"prod", "dev"} {
		if _, err := root.CreateCluster(ctx, &awsecs.CreateClusterInput{ClusterName: aws.String(n), Tags: []ecstypes.Tag{{Key: aws.String("env"), Value: aws.String(n)}}}); err != nil {
			t.Fatal(err)
		}
	}
	prod, _ := root.RegisterContainerInstance(ctx, &awsecs.RegisterContainerInstanceInput{Cluster: aws.String("prod")})
	dev, _ := root.RegisterContainerInstance(ctx, &awsecs.RegisterContainerInstanceInput{Cluster: aws.String("dev")})
	u := ecsUser(t, ts, "ops", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ecs:DescribeContainerInstances","Resource":"*","Condition":{"ArnEquals":{"ecs:cluster":"arn:aws:ecs:us-east-1:123456789012:cluster/dev"}}},
		{"Effect":"Allow","Action":"ecs:DescribeClusters","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"dev"}}}]}`)
	if _, err := u.DescribeContainerInstances(ctx, &awsecs.DescribeContainerInstancesInput{Cluster: aws.String("dev"), ContainerInstances: []string{aws.ToString(dev.ContainerInstance.ContainerInstanceArn)}}); err != nil {
		t.Fatal(err)
	}
	_, err := u.DescribeContainerInstances(ctx, &awsecs.DescribeContainerInstancesInput{Cluster: aws.String("prod"), ContainerInstances: []string{aws.ToString(prod.ContainerInstance.ContainerInstanceArn)}})
	apiError(t, err, "AccessDeniedException", deniedMessage("arn:aws:iam::123456789012:user/ops", "ecs:DescribeContainerInstances", aws.ToString(prod.ContainerInstance.ContainerInstanceArn)), 400)
	if _, err := u.DescribeClusters(ctx, &awsecs.DescribeClustersInput{Clusters: []string{"dev"}}); err != nil {
		t.Fatal(err)
	}
	_, err = u.DescribeClusters(ctx, &awsecs.DescribeClustersInput{Clusters: []string{"dev", "prod"}})
	apiError(t, err, "AccessDeniedException", "", 400)

	// aws:RequestTag on tag-on-create.
	tagger := ecsUser(t, ts, "tagger", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ecs:CreateCluster","Resource":"*"},
		{"Effect":"Allow","Action":"ecs:TagResource","Resource":"*","Condition":{"StringEquals":{"ecs:CreateAction":"CreateCluster","aws:RequestTag/env":"test"}}}]}`)
	if _, err := tagger.CreateCluster(ctx, &awsecs.CreateClusterInput{ClusterName: aws.String("t1"), Tags: []ecstypes.Tag{{Key: aws.String("env"), Value: aws.String("test")}}}); err != nil {
		t.Fatal(err)
	}
	_, err = tagger.CreateCluster(ctx, &awsecs.CreateClusterInput{ClusterName: aws.String("t2"), Tags: []ecstypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	apiError(t, err, "AccessDeniedException", deniedMessage("arn:aws:iam::123456789012:user/tagger", "ecs:TagResource", "arn:aws:ecs:us-east-1:123456789012:cluster/t2"), 400)
	dc, _ := root.DescribeClusters(ctx, &awsecs.DescribeClustersInput{Clusters: []string{"t2"}})
	if len(dc.Clusters) != 0 {
		t.Fatalf("a denied CreateCluster created the cluster: %+v", dc.Clusters)
	}
}

// RegisterTaskDefinition with task and execution roles needs iam:PassRole
// to ecs-tasks.amazonaws.com, a role that exists, and one that trusts
// ecs-tasks.amazonaws.com.
func TestECSPassRole(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	appRole := ecsRole(t, ts, "app", ecsTasksTrust, "")
	ec2Role := ecsRole(t, ts, "ec2only", ecsEC2Trust, "")
	scoped := ecsRole(t, ts, "scoped", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole",
		"Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"},"ArnLike":{"aws:SourceArn":"arn:aws:ecs:us-east-1:123456789012:*"}}}]}`, "")
	reg := func(c *awsecs.Client, family, taskRole, execRole string) (*awsecs.RegisterTaskDefinitionOutput, error) {
		in := &awsecs.RegisterTaskDefinitionInput{Family: aws.String(family), ContainerDefinitions: []ecstypes.ContainerDefinition{containerDef("app")}}
		if taskRole != "" {
			in.TaskRoleArn = aws.String(taskRole)
		}
		if execRole != "" {
			in.ExecutionRoleArn = aws.String(execRole)
		}
		return c.RegisterTaskDefinition(ctx, in)
	}

	full := ecsUser(t, ts, "dev", "", ecsFullAccessARN)
	out, err := reg(full, "web", appRole, appRole)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.TaskDefinition.TaskRoleArn) != appRole || aws.ToString(out.TaskDefinition.ExecutionRoleArn) != appRole ||
		aws.ToString(out.TaskDefinition.RegisteredBy) != "arn:aws:iam::123456789012:user/dev" {
		t.Fatalf("%+v", out.TaskDefinition)
	}
	if _, err := reg(full, "web", scoped, ""); err != nil {
		t.Fatal(err)
	}
	// A role that does not trust ecs-tasks.amazonaws.com.
	_, err = reg(full, "web", ec2Role, "")
	apiError(t, err, "ClientException", "Role is not valid: the trust policy of "+ec2Role+" does not allow ecs-tasks.amazonaws.com to assume it (sts:AssumeRole).", 400)
	_, err = reg(full, "web", "", ec2Role)
	apiError(t, err, "ClientException", "", 400)
	// A role that does not exist, or a path that does not match.
	_, err = reg(full, "web", "arn:aws:iam::123456789012:role/ghost", "")
	apiError(t, err, "ClientException", "Role is not valid: arn:aws:iam::123456789012:role/ghost does not exist.", 400)
	_, err = reg(full, "web", "arn:aws:iam::123456789012:role/other/app", "")
	apiError(t, err, "ClientException", "Role is not valid: arn:aws:iam::123456789012:role/other/app does not exist.", 400)
	_, err = reg(full, "web", "ghost", "")
	apiError(t, err, "ClientException", "Role is not valid: arn:aws:iam::123456789012:role/ghost does not exist.", 400)
	_, err = reg(full, "web", "arn:aws:s3:::bucket", "")
	apiError(t, err, "ClientException", "Role is not valid: arn:aws:s3:::bucket is neither a role name nor a role ARN.", 400)
	// A role's short name is its ARN in the caller's account (the API
	// reference: "the short name or full ARN"); the full ARN is kept.
	out, err = reg(full, "short", "app", "app")
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.TaskDefinition.TaskRoleArn) != appRole || aws.ToString(out.TaskDefinition.ExecutionRoleArn) != appRole {
		t.Fatalf("%+v", out.TaskDefinition)
	}
	// None of the refused registrations used a revision.
	dt, err := full.DescribeTaskDefinition(ctx, &awsecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("web")})
	if err != nil || dt.TaskDefinition.Revision != 2 {
		t.Fatalf("%+v %v", dt, err)
	}

	// PassRole only to EC2: denied, in ECS's shape, naming iam:PassRole.
	ec2Pass := ecsUser(t, ts, "ec2pass", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ecs:RegisterTaskDefinition","Resource":"*"},
		{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}]}`)
	_, err = reg(ec2Pass, "web", appRole, "")
	apiError(t, err, "AccessDeniedException", deniedMessage("arn:aws:iam::123456789012:user/ec2pass", "iam:PassRole", appRole), 400)
	// Without a role no PassRole is needed.
	if _, err := reg(ec2Pass, "plain", "", ""); err != nil {
		t.Fatal(err)
	}
	// PassRole to ecs-tasks, but only for one role.
	onePass := ecsUser(t, ts, "onepass", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ecs:RegisterTaskDefinition","Resource":"*"},
		{"Effect":"Allow","Action":"iam:PassRole","Resource":"`+appRole+`","Condition":{"StringEquals":{"iam:PassedToService":"ecs-tasks.amazonaws.com"}}}]}`)
	if _, err := reg(onePass, "web", appRole, ""); err != nil {
		t.Fatal(err)
	}
	_, err = reg(onePass, "web", appRole, scoped)
	apiError(t, err, "AccessDeniedException", deniedMessage("arn:aws:iam::123456789012:user/onepass", "iam:PassRole", scoped), 400)
	// No ecs:RegisterTaskDefinition at all: denied on the revision's ARN.
	nobody := ecsUser(t, ts, "nobody", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}`)
	_, err = reg(nobody, "web", "", "")
	apiError(t, err, "AccessDeniedException", deniedMessage("arn:aws:iam::123456789012:user/nobody", "ecs:RegisterTaskDefinition", "arn:aws:ecs:us-east-1:123456789012:task-definition/web:4"), 400)
	// Tags on registration need ecs:TagResource with ecs:CreateAction.
	_, err = ec2Pass.RegisterTaskDefinition(ctx, &awsecs.RegisterTaskDefinitionInput{Family: aws.String("plain"), ContainerDefinitions: []ecstypes.ContainerDefinition{containerDef("app")},
		Tags: []ecstypes.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	apiError(t, err, "AccessDeniedException", deniedMessage("arn:aws:iam::123456789012:user/ec2pass", "ecs:TagResource", "arn:aws:ecs:us-east-1:123456789012:task-definition/plain:2"), 400)
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
