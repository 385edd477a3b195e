package ecs

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store/memory"
)

var sc = Scope{Account: "123456789012"}

func newService(t *testing.T) *Service {
	t.Helper()
	s := New(memory.New(), "aws", "us-east-1")
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	return s
}

// wantErr asserts an AWS error code (and, if given, message).
func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	e, ok := awserr.As(err)
	if !ok {
		t.Fatalf("want %s, got %v", code, err)
	}
	if e.Code != code || (msg != "" && e.Message != msg) {
		t.Fatalf("want %s %q, got %s %q", code, msg, e.Code, e.Message)
	}
	if e.Status != 400 {
		t.Errorf("status %d, want 400", e.Status)
	}
}

func intp(n int) *int { return &n }

func TestClusters(t *testing.T) {
	s, ctx := newService(t), context.Background()
	c, err := s.CreateCluster(ctx, sc, &CreateClusterInput{})
	if err != nil {
		t.Fatal(err)
	}
	if c.ClusterName != "default" || c.ClusterArn != "arn:aws:ecs:us-east-1:123456789012:cluster/default" || c.Status != "ACTIVE" {
		t.Fatalf("%+v", c)
	}
	// Creating an ACTIVE cluster again returns it.
	again, err := s.CreateCluster(ctx, sc, &CreateClusterInput{ClusterName: "default", Tags: []Tag{{"a", "b"}}})
	if err != nil || again.ClusterArn != c.ClusterArn || len(again.Tags) != 0 {
		t.Fatalf("%+v %v", again, err)
	}
	for _, n := range []string{"b", "a", "c"} {
		if _, err := s.CreateCluster(ctx, sc, &CreateClusterInput{ClusterName: n, Tags: []Tag{{"team", n}}}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = s.CreateCluster(ctx, sc, &CreateClusterInput{ClusterName: "bad name"})
	wantErr(t, err, "InvalidParameterException", "")
	_, err = s.CreateCluster(ctx, sc, &CreateClusterInput{ClusterName: "x", Tags: []Tag{{"aws:x", "y"}}})
	wantErr(t, err, "InvalidParameterException", "")

	// Pagination walks the clusters in name order.
	var got []string
	token := ""
	for {
		out, err := s.ListClusters(ctx, sc, &ListClustersInput{MaxResults: intp(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, out.ClusterArns...)
		if token = out.NextToken; token == "" {
			break
		}
	}
	if want := "a b c default"; strings.Join(names(got), " ") != want {
		t.Fatalf("%v", got)
	}
	_, err = s.ListClusters(ctx, sc, &ListClustersInput{MaxResults: intp(0)})
	wantErr(t, err, "InvalidParameterException", "")
	_, err = s.ListClusters(ctx, sc, &ListClustersInput{NextToken: "!!"})
	wantErr(t, err, "InvalidParameterException", "")

	// Describe: by name and ARN; missing ones are failures; tags only on
	// request.
	d, err := s.DescribeClusters(ctx, sc, &DescribeClustersInput{Clusters: []string{"a", "arn:aws:ecs:us-east-1:123456789012:cluster/b", "nope"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Clusters) != 2 || d.Clusters[0].Tags != nil || len(d.Failures) != 1 ||
		d.Failures[0] != (Failure{Arn: "arn:aws:ecs:us-east-1:123456789012:cluster/nope", Reason: "MISSING"}) {
		t.Fatalf("%+v", d)
	}
	d, err = s.DescribeClusters(ctx, sc, &DescribeClustersInput{Clusters: []string{"a"}, Include: []string{"TAGS"}})
	if err != nil || len(d.Clusters[0].Tags) != 1 {
		t.Fatalf("%+v %v", d, err)
	}
	_, err = s.DescribeClusters(ctx, sc, &DescribeClustersInput{Include: []string{"NOPE"}})
	wantErr(t, err, "InvalidParameterException", "")

	// Delete: INACTIVE, still described, no longer listed; then not found.
	del, err := s.DeleteCluster(ctx, sc, "a")
	if err != nil || del.Status != "INACTIVE" {
		t.Fatalf("%+v %v", del, err)
	}
	_, err = s.DeleteCluster(ctx, sc, "a")
	wantErr(t, err, "ClusterNotFoundException", "Cluster not found.")
	d, _ = s.DescribeClusters(ctx, sc, &DescribeClustersInput{Clusters: []string{"a"}})
	if len(d.Clusters) != 1 || d.Clusters[0].Status != "INACTIVE" {
		t.Fatalf("%+v", d)
	}
	l, _ := s.ListClusters(ctx, sc, &ListClustersInput{})
	if len(l.ClusterArns) != 3 {
		t.Fatalf("%v", l.ClusterArns)
	}
	// Re-creating a deleted cluster makes a fresh ACTIVE one.
	re, err := s.CreateCluster(ctx, sc, &CreateClusterInput{ClusterName: "a"})
	if err != nil || re.Status != "ACTIVE" || len(re.Tags) != 0 {
		t.Fatalf("%+v %v", re, err)
	}
	// Another region sees none of this.
	other := Scope{Account: sc.Account, Region: "eu-west-1"}
	l, _ = s.ListClusters(ctx, other, &ListClustersInput{})
	if len(l.ClusterArns) != 0 {
		t.Fatalf("%v", l.ClusterArns)
	}
	_, err = s.DeleteCluster(ctx, sc, "arn:aws:ecs:eu-west-1:123456789012:cluster/b")
	wantErr(t, err, "ClusterNotFoundException", "")
}

func names(arns []string) []string {
	var out []string
	for _, a := range arns {
		out = append(out, a[strings.LastIndexByte(a, '/')+1:])
	}
	return out
}

var instanceARNRE = regexp.MustCompile(`^arn:aws:ecs:us-east-1:123456789012:container-instance/prod/[0-9a-f]{32}$`)

func TestContainerInstances(t *testing.T) {
	s, ctx := newService(t), context.Background()
	_, err := s.RegisterContainerInstance(ctx, sc, &RegisterContainerInstanceInput{})
	wantErr(t, err, "ClusterNotFoundException", "Cluster not found.")
	if _, err := s.CreateCluster(ctx, sc, &CreateClusterInput{ClusterName: "prod"}); err != nil {
		t.Fatal(err)
	}
	doc := `{"instanceId":"i-0123456789abcdef0","region":"us-east-1"}`
	ci, err := s.RegisterContainerInstance(ctx, sc, &RegisterContainerInstanceInput{
		Cluster: "prod", InstanceIdentityDocument: doc,
		TotalResources: []Resource{{Name: "CPU", Type: "INTEGER", IntegerValue: 2048}},
		VersionInfo:    &VersionInfo{AgentVersion: "1.80.0"},
		Attributes:     []Attribute{{Name: "ecs.os-type", Value: "linux"}},
		Tags:           []Tag{{"k", "v"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !instanceARNRE.MatchString(ci.ContainerInstanceArn) || ci.Ec2InstanceID != "i-0123456789abcdef0" || ci.Status != "ACTIVE" || !ci.AgentConnected ||
		ci.RegisteredAt.IsZero() || len(ci.RemainingResources) != 1 || ci.VersionInfo.AgentVersion != "1.80.0" {
		t.Fatalf("%+v", ci)
	}
	// An external instance: no identity document.
	ext, err := s.RegisterContainerInstance(ctx, sc, &RegisterContainerInstanceInput{Cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/prod"})
	if err != nil || ext.Ec2InstanceID != "" || !instanceARNRE.MatchString(ext.ContainerInstanceArn) {
		t.Fatalf("%+v %v", ext, err)
	}
	_, err = s.RegisterContainerInstance(ctx, sc, &RegisterContainerInstanceInput{Cluster: "prod", InstanceIdentityDocument: "{"})
	wantErr(t, err, "InvalidParameterException", "")

	c, _ := s.GetCluster(ctx, sc, "prod")
	if c.RegisteredContainerInstancesCount != 2 {
		t.Fatalf("count %d", c.RegisteredContainerInstancesCount)
	}
	_, err = s.DeleteCluster(ctx, sc, "prod")
	wantErr(t, err, "ClusterContainsContainerInstancesException", "The Cluster cannot be deleted while Container Instances are active or draining.")

	l, err := s.ListContainerInstances(ctx, sc, &ListContainerInstancesInput{Cluster: "prod"})
	if err != nil || len(l.ContainerInstanceArns) != 2 {
		t.Fatalf("%+v %v", l, err)
	}
	id := instanceIDOf(ci.ContainerInstanceArn)
	// Drain one by ID; list by status.
	u, err := s.UpdateContainerInstancesState(ctx, sc, &UpdateContainerInstancesStateInput{Cluster: "prod", ContainerInstances: []string{id, "0123456789abcdef0123456789abcdef"}, Status: "DRAINING"})
	if err != nil || len(u.ContainerInstances) != 1 || u.ContainerInstances[0].Status != "DRAINING" || len(u.Failures) != 1 || u.Failures[0].Reason != "MISSING" {
		t.Fatalf("%+v %v", u, err)
	}
	_, err = s.UpdateContainerInstancesState(ctx, sc, &UpdateContainerInstancesStateInput{Cluster: "prod", ContainerInstances: []string{id}, Status: "INACTIVE"})
	wantErr(t, err, "InvalidParameterException", "")
	l, _ = s.ListContainerInstances(ctx, sc, &ListContainerInstancesInput{Cluster: "prod", Status: "DRAINING"})
	if len(l.ContainerInstanceArns) != 1 || l.ContainerInstanceArns[0] != ci.ContainerInstanceArn {
		t.Fatalf("%+v", l)
	}
	_, err = s.ListContainerInstances(ctx, sc, &ListContainerInstancesInput{Cluster: "prod", Status: "BOGUS"})
	wantErr(t, err, "InvalidParameterException", "")
	_, err = s.ListContainerInstances(ctx, sc, &ListContainerInstancesInput{Cluster: "nope"})
	wantErr(t, err, "ClusterNotFoundException", "")

	d, err := s.DescribeContainerInstances(ctx, sc, &DescribeContainerInstancesInput{Cluster: "prod", ContainerInstances: []string{ci.ContainerInstanceArn, ext.ContainerInstanceArn}, Include: []string{"TAGS"}})
	if err != nil || len(d.ContainerInstances) != 2 || len(d.ContainerInstances[0].Tags) != 1 {
		t.Fatalf("%+v %v", d, err)
	}
	_, err = s.DescribeContainerInstances(ctx, sc, &DescribeContainerInstancesInput{Cluster: "prod"})
	wantErr(t, err, "InvalidParameterException", "")
	_, err = s.DescribeContainerInstances(ctx, sc, &DescribeContainerInstancesInput{Cluster: "prod", ContainerInstances: []string{"not-an-id"}})
	wantErr(t, err, "InvalidParameterException", "")

	// Re-registration keeps the ARN.
	re, err := s.RegisterContainerInstance(ctx, sc, &RegisterContainerInstanceInput{Cluster: "prod", ContainerInstanceArn: ci.ContainerInstanceArn})
	if err != nil || re.ContainerInstanceArn != ci.ContainerInstanceArn || re.Version != 3 {
		t.Fatalf("%+v %v", re, err)
	}

	// Deregister both; the cluster can then go.
	for _, a := range []string{ci.ContainerInstanceArn, instanceIDOf(ext.ContainerInstanceArn)} {
		out, err := s.DeregisterContainerInstance(ctx, sc, &DeregisterContainerInstanceInput{Cluster: "prod", ContainerInstance: a})
		if err != nil || out.Status != "INACTIVE" {
			t.Fatalf("%+v %v", out, err)
		}
	}
	_, err = s.DeregisterContainerInstance(ctx, sc, &DeregisterContainerInstanceInput{Cluster: "prod", ContainerInstance: id})
	wantErr(t, err, "InvalidParameterException", "")
	_, err = s.RegisterContainerInstance(ctx, sc, &RegisterContainerInstanceInput{Cluster: "prod", ContainerInstanceArn: ci.ContainerInstanceArn})
	wantErr(t, err, "ClientException", fmt.Sprintf("Container instance %s is inactive.", id))
	l, _ = s.ListContainerInstances(ctx, sc, &ListContainerInstancesInput{Cluster: "prod"})
	if len(l.ContainerInstanceArns) != 0 {
		t.Fatalf("%+v", l)
	}
	if _, err := s.DeleteCluster(ctx, sc, "prod"); err != nil {
		t.Fatal(err)
	}
}

func container(name string) ContainerDefinition {
	m := int64(128)
	return ContainerDefinition{Name: name, Image: "nginx", Memory: &m}
}

func TestTaskDefinitions(t *testing.T) {
	s, ctx := newService(t), context.Background()
	reg := func(in *RegisterTaskDefinitionInput) (*TaskDefinition, error) {
		td, _, err := s.RegisterTaskDefinition(ctx, sc, in, "arn:aws:iam::123456789012:root")
		return td, err
	}
	for i := 1; i <= 3; i++ {
		td, err := reg(&RegisterTaskDefinitionInput{Family: "web", TaskRoleArn: "arn:aws:iam::123456789012:role/app", ContainerDefinitions: []ContainerDefinition{container("app")}})
		if err != nil {
			t.Fatal(err)
		}
		if td.Revision != i || td.TaskDefinitionArn != fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:task-definition/web:%d", i) || td.Status != "ACTIVE" ||
			*td.ContainerDefinitions[0].Essential != true {
			t.Fatalf("%+v", td)
		}
	}
	if a, _ := s.NextTaskDefinitionARN(ctx, sc, "web"); !strings.HasSuffix(a, "web:4") {
		t.Fatal(a)
	}
	if _, err := reg(&RegisterTaskDefinitionInput{Family: "api", ContainerDefinitions: []ContainerDefinition{container("a")}, Tags: []Tag{{"t", "1"}}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		in   RegisterTaskDefinitionInput
		code string
		msg  string
	}{
		{RegisterTaskDefinitionInput{Family: "x"}, "ClientException", "Container list cannot be empty."},
		{RegisterTaskDefinitionInput{Family: "bad family", ContainerDefinitions: []ContainerDefinition{container("a")}}, "ClientException", ""},
		{RegisterTaskDefinitionInput{Family: "x", ContainerDefinitions: []ContainerDefinition{{Name: "a"}}}, "ClientException", "Container.image should not be null or empty."},
		{RegisterTaskDefinitionInput{Family: "x", ContainerDefinitions: []ContainerDefinition{{Image: "a"}}}, "ClientException", "Container.name should not be null or empty."},
		{RegisterTaskDefinitionInput{Family: "x", ContainerDefinitions: []ContainerDefinition{{Name: "a", Image: "a"}}}, "ClientException", "Invalid setting for container 'a'. At least one of 'memory' or 'memoryReservation' must be specified."},
		{RegisterTaskDefinitionInput{Family: "x", ContainerDefinitions: []ContainerDefinition{container("a"), container("a")}}, "ClientException", ""},
		{RegisterTaskDefinitionInput{Family: "x", TaskRoleArn: "not-a-role", ContainerDefinitions: []ContainerDefinition{container("a")}}, "ClientException", "Role is not valid: not-a-role is neither a role name nor a role ARN."},
		{RegisterTaskDefinitionInput{Family: "x", ContainerDefinitions: []ContainerDefinition{func() ContainerDefinition {
			c := container("a")
			c.Essential = new(bool)
			return c
		}()}}, "ClientException", "Task definition doesn't have any essential container."},
		{RegisterTaskDefinitionInput{Family: "x", NetworkMode: "weird", ContainerDefinitions: []ContainerDefinition{container("a")}}, "ClientException", ""},
		{RegisterTaskDefinitionInput{Family: "x", RequiresCompatibilities: []string{"FARGATE"}, ContainerDefinitions: []ContainerDefinition{container("a")}}, "ClientException", "Fargate only supports network mode 'awsvpc'."},
	} {
		_, err := reg(&c.in)
		wantErr(t, err, c.code, c.msg)
	}

	// Describe by family (latest ACTIVE), family:rev and ARN.
	d, err := s.DescribeTaskDefinition(ctx, sc, &DescribeTaskDefinitionInput{TaskDefinition: "web"})
	if err != nil || d.TaskDefinition.Revision != 3 || d.Tags != nil {
		t.Fatalf("%+v %v", d, err)
	}
	d, err = s.DescribeTaskDefinition(ctx, sc, &DescribeTaskDefinitionInput{TaskDefinition: "web:2"})
	if err != nil || d.TaskDefinition.Revision != 2 {
		t.Fatalf("%+v %v", d, err)
	}
	d, err = s.DescribeTaskDefinition(ctx, sc, &DescribeTaskDefinitionInput{TaskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/api:1", Include: []string{"TAGS"}})
	if err != nil || d.TaskDefinition.Family != "api" || d.Tags == nil || len(*d.Tags) != 1 {
		t.Fatalf("%+v %v", d, err)
	}
	for _, id := range []string{"nope", "web:9", "web:x", "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1"} {
		_, err = s.DescribeTaskDefinition(ctx, sc, &DescribeTaskDefinitionInput{TaskDefinition: id})
		wantErr(t, err, "ClientException", "")
	}
	_, err = s.DescribeTaskDefinition(ctx, sc, &DescribeTaskDefinitionInput{TaskDefinition: "nope"})
	wantErr(t, err, "ClientException", "Unable to describe task definition.")

	// Deregister web:3: the family's latest ACTIVE is then 2; web:3 can
	// still be described.
	dt, err := s.DeregisterTaskDefinition(ctx, sc, "web:3")
	if err != nil || dt.Status != "INACTIVE" || dt.DeregisteredAt == nil {
		t.Fatalf("%+v %v", dt, err)
	}
	if _, err := s.DeregisterTaskDefinition(ctx, sc, "web:3"); err != nil {
		t.Fatal(err)
	}
	_, err = s.DeregisterTaskDefinition(ctx, sc, "web")
	wantErr(t, err, "ClientException", "")
	_, err = s.DeregisterTaskDefinition(ctx, sc, "web:99")
	wantErr(t, err, "ClientException", "")
	d, _ = s.DescribeTaskDefinition(ctx, sc, &DescribeTaskDefinitionInput{TaskDefinition: "web"})
	if d.TaskDefinition.Revision != 2 {
		t.Fatalf("%+v", d.TaskDefinition)
	}
	d, _ = s.DescribeTaskDefinition(ctx, sc, &DescribeTaskDefinitionInput{TaskDefinition: "web:3"})
	if d.TaskDefinition.Status != "INACTIVE" {
		t.Fatalf("%+v", d.TaskDefinition)
	}

	list := func(in ListTaskDefinitionsInput) []string {
		t.Helper()
		var all []string
		for {
			out, err := s.ListTaskDefinitions(ctx, sc, &in)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range out.TaskDefinitionArns {
				all = append(all, a[strings.LastIndexByte(a, '/')+1:])
			}
			if in.NextToken = out.NextToken; in.NextToken == "" {
				return all
			}
		}
	}
	if got := strings.Join(list(ListTaskDefinitionsInput{MaxResults: intp(1)}), " "); got != "api:1 web:1 web:2" {
		t.Fatal(got)
	}
	if got := strings.Join(list(ListTaskDefinitionsInput{FamilyPrefix: "web", Sort: "DESC", MaxResults: intp(1)}), " "); got != "web:2 web:1" {
		t.Fatal(got)
	}
	if got := strings.Join(list(ListTaskDefinitionsInput{Status: "INACTIVE"}), " "); got != "web:3" {
		t.Fatal(got)
	}
	if got := list(ListTaskDefinitionsInput{FamilyPrefix: "we"}); len(got) != 0 {
		t.Fatal(got)
	}
	_, err = s.ListTaskDefinitions(ctx, sc, &ListTaskDefinitionsInput{Sort: "UP"})
	wantErr(t, err, "InvalidParameterException", "")

	fams, err := s.ListTaskDefinitionFamilies(ctx, sc, &ListTaskDefinitionFamiliesInput{FamilyPrefix: "w"})
	if err != nil || strings.Join(fams.Families, " ") != "web" {
		t.Fatalf("%+v %v", fams, err)
	}
}

func TestTags(t *testing.T) {
	s, ctx := newService(t), context.Background()
	c, _ := s.CreateCluster(ctx, sc, &CreateClusterInput{ClusterName: "c", Tags: []Tag{{"a", "1"}}})
	ci, _ := s.RegisterContainerInstance(ctx, sc, &RegisterContainerInstanceInput{Cluster: "c"})
	td, _, _ := s.RegisterTaskDefinition(ctx, sc, &RegisterTaskDefinitionInput{Family: "f", ContainerDefinitions: []ContainerDefinition{container("x")}}, "")
	for _, a := range []string{c.ClusterArn, ci.ContainerInstanceArn, td.TaskDefinitionArn} {
		if err := s.TagResource(ctx, sc, a, []Tag{{"a", "2"}, {"b", "3"}}); err != nil {
			t.Fatal(a, err)
		}
		if err := s.UntagResource(ctx, sc, a, []string{"b", "zz"}); err != nil {
			t.Fatal(a, err)
		}
		tags, err := s.ListTagsForResource(ctx, sc, a)
		if err != nil || len(tags) != 1 || tags[0] != (Tag{"a", "2"}) {
			t.Fatalf("%s: %v %v", a, tags, err)
		}
	}
	err := s.TagResource(ctx, sc, "arn:aws:ecs:us-east-1:123456789012:cluster/nope", []Tag{{"a", "b"}})
	wantErr(t, err, "ClusterNotFoundException", "")
	err = s.TagResource(ctx, sc, "arn:aws:ecs:us-east-1:123456789012:task-definition/nope:1", []Tag{{"a", "b"}})
	wantErr(t, err, "ResourceNotFoundException", "")
	err = s.TagResource(ctx, sc, "arn:aws:ecs:us-east-1:123456789012:service/c/s", []Tag{{"a", "b"}})
	wantErr(t, err, "InvalidParameterException", "")
	err = s.TagResource(ctx, sc, "nonsense", []Tag{{"a", "b"}})
	wantErr(t, err, "InvalidParameterException", "")
	err = s.TagResource(ctx, sc, c.ClusterArn, nil)
	wantErr(t, err, "InvalidParameterException", "")
	var many []Tag
	for i := range 50 {
		many = append(many, Tag{fmt.Sprint("k", i), ""})
	}
	err = s.TagResource(ctx, sc, c.ClusterArn, many)
	wantErr(t, err, "InvalidParameterException", "")
}

// Records encode in ECS's wire shape: timestamps as epoch seconds, and a
// container definition's unmodelled fields survive a round trip.
func TestWireShapes(t *testing.T) {
	in := `{"name":"a","image":"i","memory":64,"portMappings":[{"containerPort":80}],"logConfiguration":{"logDriver":"awslogs"}}`
	var c ContainerDefinition
	if err := json.Unmarshal([]byte(in), &c); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(c)
	var back map[string]any
	_ = json.Unmarshal(b, &back)
	if back["portMappings"] == nil || back["logConfiguration"] == nil || back["name"] != "a" || back["memory"] != float64(64) {
		t.Fatalf("%s", b)
	}
	ts := Timestamp{time.Date(2026, 1, 2, 3, 4, 5, 250e6, time.UTC)}
	b, _ = json.Marshal(ts)
	if string(b) != "1767323045.25" {
		t.Fatalf("%s", b)
	}
	var ts2 Timestamp
	if err := json.Unmarshal(b, &ts2); err != nil || !ts2.Equal(ts.Time) {
		t.Fatalf("%v %v", ts2, err)
	}
}
