package policy_test

// The seed documents that define rolecall (/work/shared/seeds/*.txt, the
// Amazon ECS developer guide pages on IAM) describe what each ECS managed
// policy and trust policy lets a principal do. These tests evaluate concrete
// requests against the EMBEDDED managed policies (catalog.LookupManagedPolicy,
// never a retyped copy) and against the trust policies the seeds print
// (testdata/seeds/*.json), and check the decision the seed text implies.
//
// Seeds, as cited below:
//
//	seed 000 = 000_184a69ab32829c54.txt "Amazon ECS Container Instance IAM Role" (older page)
//	seed 001 = 001_a7e5dc0a95228087.txt "Amazon ECS container instance IAM role" (markdown page)
//	seed 002 = 002_787ca2a3b71e2f84.txt "IAM permissions for Amazon ECS Anywhere"
//	seed 003 = 003_00cd2e368630f894.txt "Using IAM roles with Amazon ECS tasks"
//	seed 004 = 004_0abf426cbd20c4b0.txt "AWS managed policies for Amazon Elastic Container Service"
//
// Where the seed text and the embedded document disagree, the document wins
// (it is what AWS serves today) and the case says "SEED/DOC DISAGREE".

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/catalog"
	"github.com/rolecall/rolecall/policy"
)

const (
	seedAcct  = "111122223333"
	seedOther = "444455556666"

	// Callers: role sessions as the ECS agent, Fargate, EventBridge and the
	// ECS service itself would hold them, and an IAM user for the
	// user-attached AmazonECS_FullAccess.
	seedInstanceRole = "arn:aws:sts::111122223333:assumed-role/ecsInstanceRole/i-0123456789abcdef0"
	seedAnywhereRole = "arn:aws:sts::111122223333:assumed-role/ecsAnywhereRole/mi-0123456789abcdef0"
	seedExecRole     = "arn:aws:sts::111122223333:assumed-role/ecsTaskExecutionRole/0a1b2c3d4e5f60718293a4b5c6d7e8f9"
	seedEventsRole   = "arn:aws:sts::111122223333:assumed-role/ecsEventsRole/3b9e0f5c2d7a4e61"
	seedInfraRole    = "arn:aws:sts::111122223333:assumed-role/ecsInfrastructureRole/ECSInfrastructureSession"
	seedECSSLR       = "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForECS/ecs-service-scheduler"
	seedDeployer     = "arn:aws:iam::111122223333:user/deployer"

	// Resources.
	seedCluster   = "arn:aws:ecs:us-east-1:111122223333:cluster/default"
	seedContInst  = "arn:aws:ecs:us-east-1:111122223333:container-instance/default/0a1b2c3d4e5f60718293a4b5c6d7e8f9"
	seedTask      = "arn:aws:ecs:us-east-1:111122223333:task/default/0a1b2c3d4e5f60718293a4b5c6d7e8f9"
	seedTaskDef   = "arn:aws:ecs:us-east-1:111122223333:task-definition/web:7"
	seedService   = "arn:aws:ecs:us-east-1:111122223333:service/default/web"
	seedTaskSet   = "arn:aws:ecs:us-east-1:111122223333:task-set/default/web/ecs-svc/1234567890123456789"
	seedRepo      = "arn:aws:ecr:us-east-1:111122223333:repository/web"
	seedLogGroup  = "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/web"
	seedLogStream = "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/web:log-stream:ecs/web/0a1b2c3d4e5f60718293a4b5c6d7e8f9"
	seedSecret    = "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-password-AbCdEf"
	seedVolume    = "arn:aws:ec2:us-east-1:111122223333:volume/vol-0123456789abcdef0"
	seedInstance  = "arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0"
	seedENI       = "arn:aws:ec2:us-east-1:111122223333:network-interface/eni-0123456789abcdef0"
	seedSG        = "arn:aws:ec2:us-east-1:111122223333:security-group/sg-0123456789abcdef0"
	seedTG        = "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web/0123456789abcdef"
	seedASG       = "arn:aws:autoscaling:us-east-1:111122223333:autoScalingGroup:0a1b2c3d-1234-5678-9abc-def012345678:autoScalingGroupName/ecs-capacity"
	seedCMService = "arn:aws:servicediscovery:us-east-1:111122223333:service/srv-0123456789abcdef"
	seedCA        = "arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/12345678-1234-1234-1234-123456789012"
	seedSCSecret  = "arn:aws:secretsmanager:us-east-1:111122223333:secret:ecs-sc!0a1b2c3d-AbCdEf"
)

// seedCase is one request and the decision the seeds imply for it.
type seedCase struct {
	name      string
	principal string // "" = the table's default caller
	action    string
	resource  string
	// ctx holds extra request context as key, value pairs; a value with "|"
	// is several values. aws:PrincipalArn, aws:PrincipalAccount, ... and
	// aws:ResourceAccount (from the resource ARN) are filled in as AWS would.
	ctx  []string
	want policy.Decision
	// via, for allowed cases, names the statement that must have granted:
	// its Sid, or "#N" for the statement at index N when the policy has no
	// Sids.
	via string
	// why overrides the expected reason of a denial (default: no
	// identity-based policy allows / for trust policies, no resource-based
	// policy allows).
	why policy.Reason
}

// seedManaged compiles an embedded AWS managed policy as AWS uses it: an
// identity-based policy.
func seedManaged(t testing.TB, name string) *policy.Policy {
	t.Helper()
	mp, ok := catalog.LookupManagedPolicy(name)
	if !ok {
		t.Fatalf("managed policy %s is not in the catalog", name)
	}
	p, err := policy.CompileJSON([]byte(mp.Document), policy.TypeIdentity, mp.ARN)
	if err != nil {
		t.Fatalf("compile %s: %v", name, err)
	}
	return p
}

func seedManagedSet(t testing.TB, names ...string) policy.Set {
	t.Helper()
	var s policy.Set
	for _, n := range names {
		s.Identity = append(s.Identity, seedManaged(t, n))
	}
	return s
}

// seedTrust compiles a trust policy stored under testdata/seeds.
func seedTrust(t testing.TB, file string) *policy.Policy {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "seeds", file))
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.CompileJSON(data, policy.TypeTrust, file)
	if err != nil {
		t.Fatalf("compile %s: %v", file, err)
	}
	return p
}

// seedRequest builds the request AWS would authorize.
func seedRequest(t testing.TB, caller, action, resource string, kv []string) policy.Request {
	t.Helper()
	p, err := policy.PrincipalFromARN(caller)
	if err != nil {
		t.Fatalf("principal %q: %v", caller, err)
	}
	g := policy.GlobalKeys{Principal: p}
	if parts := strings.SplitN(resource, ":", 6); len(parts) == 6 && parts[0] == "arn" && parts[4] != "" {
		g.ResourceAccount = parts[4]
	}
	ctx := policy.NewContext().SetGlobal(g)
	if len(kv)%2 != 0 {
		t.Fatalf("odd context list %q", kv)
	}
	for i := 0; i < len(kv); i += 2 {
		ctx.Set(kv[i], strings.Split(kv[i+1], "|")...)
	}
	return policy.Request{Principal: p, Action: action, Resource: resource, Context: ctx}
}

func runSeedCases(t *testing.T, set policy.Set, caller string, cases []seedCase) {
	t.Helper()
	ev := policy.NewEvaluator(set)
	trust := set.Resource != nil && set.Resource.Type == policy.TypeTrust
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.name] {
			t.Fatalf("duplicate case name %q", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			who := c.principal
			if who == "" {
				who = caller
			}
			req := seedRequest(t, who, c.action, c.resource, c.ctx)
			var res policy.Result
			ev.Evaluate(&req, &res)
			why := c.why
			if why == policy.ReasonNone {
				switch {
				case c.want != policy.ImplicitDeny:
				case trust:
					why = policy.ReasonNoResourceAllow
				default:
					why = policy.ReasonNoIdentityAllow
				}
			}
			if res.Decision != c.want || (why != policy.ReasonNone && res.Reason != why) {
				t.Fatalf("%s %s on %s: got %v (%v), want %v (%v); matched %+v",
					who, c.action, c.resource, res.Decision, res.Reason, c.want, why, res.Matched)
			}
			if c.want == policy.Allowed && c.via != "" && !seedMatchedVia(res.Matched, c.via) {
				t.Fatalf("allowed, but not by statement %s; matched %+v", c.via, res.Matched)
			}
		})
	}
}

func seedMatchedVia(ms []policy.Match, via string) bool {
	for _, m := range ms {
		if m.Effect != policy.Allow {
			continue
		}
		if strings.HasPrefix(via, "#") {
			if "#"+itoa(m.Statement) == via {
				return true
			}
		} else if m.Sid == via {
			return true
		}
	}
	return false
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

const (
	allow = policy.Allowed
	deny  = policy.ImplicitDeny
)

// TestSeedManagedPoliciesInCatalog: every managed policy the seeds name is
// served by the catalog, at the path the seeds' ARNs (or their description)
// imply.
func TestSeedManagedPoliciesInCatalog(t *testing.T) {
	for _, c := range []struct {
		name, path string
	}{
		// seed 002, "To create the ECS Anywhere IAM role (AWS CLI)", step 4:
		// --policy-arn arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role
		{"AmazonEC2ContainerServiceforEC2Role", "/service-role/"},
		// seed 002, step 3: --policy-arn arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore
		{"AmazonSSMManagedInstanceCore", "/"},
		// seeds 000/001, "Adding Amazon S3 read-only access to your container
		// instance IAM role": "the AmazonS3ReadOnlyAccess policy".
		{"AmazonS3ReadOnlyAccess", "/"},
		// seed 004, "AmazonECS_FullAccess": "You can attach the
		// AmazonECS_FullAccess policy to your IAM identities."
		{"AmazonECS_FullAccess", "/"},
		// seed 004, "AmazonECSInfrastructureRolePolicyForVolumes": attached
		// to the infrastructure role you provide (a service role).
		{"AmazonECSInfrastructureRolePolicyForVolumes", "/service-role/"},
		// seed 004, "AmazonEC2ContainerServiceEventsRole": attached to the
		// role used for scheduled tasks (a service role).
		{"AmazonEC2ContainerServiceEventsRole", "/service-role/"},
		// seed 004, "AmazonECSTaskExecutionRolePolicy".
		{"AmazonECSTaskExecutionRolePolicy", "/service-role/"},
		// seed 004, "AmazonECSServiceRolePolicy". SEED/DOC DISAGREE: seed 004
		// says "This policy can be added to your task execution IAM role",
		// but the policy lives under /aws-service-role/: it is the policy of
		// the ECS service-linked role (seed 003, "Service-linked roles"),
		// and IAM does not let customers attach such policies.
		{"AmazonECSServiceRolePolicy", "/aws-service-role/"},
		// seed 004,
		// "AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity".
		{"AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity", "/service-role/"},
		// seed 004, "AWSApplicationAutoscalingECSServicePolicy": "You can't
		// attach AWSApplicationAutoscalingECSServicePolicy to your IAM
		// entities. This policy is attached to a service-linked role".
		{"AWSApplicationAutoscalingECSServicePolicy", "/aws-service-role/"},
		// seed 004, "AWSCodeDeployRoleForECS" / "AWSCodeDeployRoleForECSLimited":
		// "You can't attach ... This policy is attached to a service-linked
		// role that allows CodeDeploy". SEED/DOC DISAGREE: both live at "/"
		// (customer-attachable; they are meant for the CodeDeploy service
		// role you create), not under /aws-service-role/.
		{"AWSCodeDeployRoleForECS", "/"},
		{"AWSCodeDeployRoleForECSLimited", "/"},
	} {
		mp, ok := catalog.LookupManagedPolicy(c.name)
		if !ok {
			t.Errorf("%s: not in the catalog", c.name)
			continue
		}
		if mp.Path != c.path {
			t.Errorf("%s: path %q, want %q", c.name, mp.Path, c.path)
		}
		if want := "arn:aws:iam::aws:policy" + c.path + c.name; mp.ARN != want {
			t.Errorf("%s: ARN %s, want %s", c.name, mp.ARN, want)
		}
		if byARN, ok := catalog.LookupManagedPolicy(mp.ARN); !ok || byARN.Name != c.name {
			t.Errorf("%s: not found by its ARN %s", c.name, mp.ARN)
		}
		if _, err := policy.CompileJSON([]byte(mp.Document), policy.TypeIdentity, mp.ARN); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// AmazonEC2ContainerServiceforEC2Role, attached to ecsInstanceRole.
func TestSeedEC2ContainerServiceforEC2Role(t *testing.T) {
	set := seedManagedSet(t, "AmazonEC2ContainerServiceforEC2Role")
	runSeedCases(t, set, seedInstanceRole, []seedCase{
		// seed 004, Permissions details: "ec2:DescribeTags – ... used by the
		// Amazon ECS container agent to support resource tag propagation."
		{name: "ec2:DescribeTags", action: "ec2:DescribeTags", resource: "*", want: allow, via: "#0"},
		// seed 004: "ecs:CreateCluster – ... used by the Amazon ECS container
		// agent to create a default cluster, if one doesn't already exist."
		// seed 000, Note: "If you omit the ecs:CreateCluster line, the Amazon
		// ECS container agent can not create clusters, including the default
		// cluster."
		{name: "ecs:CreateCluster default", action: "ecs:CreateCluster", resource: seedCluster, want: allow, via: "#0"},
		// seed 004: "ecs:RegisterContainerInstance – ... used by the Amazon
		// ECS container agent to register the Amazon EC2 instance with a
		// cluster". seed 003: "If you don't do this, your instances cannot
		// join the cluster."
		{name: "ecs:RegisterContainerInstance", action: "ecs:RegisterContainerInstance", resource: seedCluster, want: allow, via: "#0"},
		// Action names are case-insensitive in IAM.
		{name: "ecs:registercontainerinstance lower case", action: "ECS:registercontainerinstance", resource: seedCluster, want: allow, via: "#0"},
		// seed 004: "ecs:DeregisterContainerInstance – ... this permission
		// remains to help ensure backwards compatibility."
		{name: "ecs:DeregisterContainerInstance", action: "ecs:DeregisterContainerInstance", resource: seedCluster, want: allow, via: "#0"},
		// seed 004: "ecs:DiscoverPollEndpoint – This action returns endpoints
		// that the Amazon ECS container agent uses to poll for updates."
		{name: "ecs:DiscoverPollEndpoint", action: "ecs:DiscoverPollEndpoint", resource: "*", want: allow, via: "#0"},
		// seed 000: "The ecs:Poll line in the above policy is used to grant
		// the agent permission to connect with the Amazon ECS service to
		// report status and get commands."
		{name: "ecs:Poll", action: "ecs:Poll", resource: seedContInst, want: allow, via: "#0"},
		// seed 004: "ecs:StartTelemetrySession – ... report health
		// information and metrics for each container and task."
		{name: "ecs:StartTelemetrySession", action: "ecs:StartTelemetrySession", resource: seedContInst, want: allow, via: "#0"},
		// seed 004: "ecs:UpdateContainerInstancesState – ... used by the
		// Amazon ECS container agent for Spot Instance draining."
		{name: "ecs:UpdateContainerInstancesState", action: "ecs:UpdateContainerInstancesState", resource: seedContInst, want: allow, via: "#0"},
		// seed 004: "ecs:Submit* – This includes the
		// SubmitAttachmentStateChanges, SubmitContainerStateChange, and
		// SubmitTaskStateChange API actions."
		{name: "ecs:SubmitTaskStateChange", action: "ecs:SubmitTaskStateChange", resource: seedCluster, want: allow, via: "#0"},
		{name: "ecs:SubmitContainerStateChange", action: "ecs:SubmitContainerStateChange", resource: seedCluster, want: allow, via: "#0"},
		{name: "ecs:SubmitAttachmentStateChanges", action: "ecs:SubmitAttachmentStateChanges", resource: seedCluster, want: allow, via: "#0"},
		// seed 003: "the ecr and logs api actions allow the containers that
		// are running on your instances to pull images from Amazon ECR and
		// write logs to Amazon CloudWatch."
		{name: "ecr:GetAuthorizationToken", action: "ecr:GetAuthorizationToken", resource: "*", want: allow, via: "#0"},
		{name: "ecr:BatchCheckLayerAvailability", action: "ecr:BatchCheckLayerAvailability", resource: seedRepo, want: allow, via: "#0"},
		{name: "ecr:GetDownloadUrlForLayer", action: "ecr:GetDownloadUrlForLayer", resource: seedRepo, want: allow, via: "#0"},
		{name: "ecr:BatchGetImage", action: "ecr:BatchGetImage", resource: seedRepo, want: allow, via: "#0"},
		{name: "logs:CreateLogStream", action: "logs:CreateLogStream", resource: seedLogGroup, want: allow, via: "#0"},
		{name: "logs:PutLogEvents", action: "logs:PutLogEvents", resource: seedLogStream, want: allow, via: "#0"},
		// The same text grants pulls and log writes, not pushes or log-group
		// creation: ecr:PutImage / ecr:InitiateLayerUpload and
		// logs:CreateLogGroup are not in the policy.
		{name: "ecr:PutImage denied", action: "ecr:PutImage", resource: seedRepo, want: deny},
		{name: "ecr:InitiateLayerUpload denied", action: "ecr:InitiateLayerUpload", resource: seedRepo, want: deny},
		{name: "logs:CreateLogGroup denied", action: "logs:CreateLogGroup", resource: seedLogGroup, want: deny},
		// seed 004: "ecs:TagResource – Allows the Amazon ECS container agent
		// to tag cluster on creation and to tag container instances when they
		// are registered to a cluster." Update history (March 6, 2023): "a
		// condition that limits the permission only to newly created clusters
		// and registered container instances" (ecs:CreateAction in
		// [CreateCluster, RegisterContainerInstance], seed 004 example JSON).
		{name: "ecs:TagResource on CreateCluster", action: "ecs:TagResource", resource: seedCluster,
			ctx: []string{"ecs:CreateAction", "CreateCluster", "aws:RequestTag/team", "web", "aws:TagKeys", "team"}, want: allow, via: "#1"},
		{name: "ecs:TagResource on RegisterContainerInstance", action: "ecs:TagResource", resource: seedContInst,
			ctx: []string{"ecs:CreateAction", "RegisterContainerInstance"}, want: allow, via: "#1"},
		// ... and only then: tagging an existing resource (no
		// ecs:CreateAction), or on another create action, is denied.
		{name: "ecs:TagResource existing cluster denied", action: "ecs:TagResource", resource: seedCluster, want: deny},
		{name: "ecs:TagResource on RunTask denied", action: "ecs:TagResource", resource: seedTask,
			ctx: []string{"ecs:CreateAction", "RunTask"}, want: deny},
		{name: "ecs:TagResource on CreateService denied", action: "ecs:TagResource", resource: seedService,
			ctx: []string{"ecs:CreateAction", "CreateService"}, want: deny},
		// StringEquals is case-sensitive.
		{name: "ecs:TagResource createcluster lower case denied", action: "ecs:TagResource", resource: seedCluster,
			ctx: []string{"ecs:CreateAction", "createcluster"}, want: deny},
		// ecs:UntagResource is not granted at all.
		{name: "ecs:UntagResource denied", action: "ecs:UntagResource", resource: seedCluster,
			ctx: []string{"ecs:CreateAction", "CreateCluster"}, want: deny},
		// SEED/DOC DISAGREE: no seed lists ecs:ListTagsForResource, but the
		// embedded document (v10) grants it on tasks and container instances
		// only. (seed 004, ec2:DescribeTags / ecs:RegisterContainerInstance:
		// "to support resource tag propagation".)
		{name: "ecs:ListTagsForResource task (document only)", action: "ecs:ListTagsForResource", resource: seedTask, want: allow, via: "#2"},
		{name: "ecs:ListTagsForResource container instance (document only)", action: "ecs:ListTagsForResource", resource: seedContInst, want: allow, via: "#2"},
		{name: "ecs:ListTagsForResource cluster denied", action: "ecs:ListTagsForResource", resource: seedCluster, want: deny},
		// seed 000: "If the containers in your tasks need extra permissions
		// that are not listed here, we recommend providing those tasks with
		// their own IAM roles." Nothing beyond the list is granted.
		{name: "ecs:RunTask denied", action: "ecs:RunTask", resource: seedTaskDef, want: deny},
		{name: "ecs:DeleteCluster denied", action: "ecs:DeleteCluster", resource: seedCluster, want: deny},
		{name: "ecs:CreateService denied", action: "ecs:CreateService", resource: seedService, want: deny},
		{name: "iam:PassRole denied", action: "iam:PassRole", resource: "arn:aws:iam::111122223333:role/ecsTaskExecutionRole",
			ctx: []string{"iam:PassedToService", "ecs-tasks.amazonaws.com"}, want: deny},
		{name: "secretsmanager:GetSecretValue denied", action: "secretsmanager:GetSecretValue", resource: seedSecret, want: deny},
		{name: "ec2:DescribeInstances denied", action: "ec2:DescribeInstances", resource: "*", want: deny},
		// seeds 000/001, "Adding Amazon S3 read-only access to your container
		// instance IAM role": S3 access needs AmazonS3ReadOnlyAccess attached
		// as well (TestSeedInstanceRoleWithS3ReadOnly).
		{name: "s3:GetObject denied", action: "s3:GetObject", resource: "arn:aws:s3:::my-ecs-config/ecs.config", want: deny},
		// seed 002 / seed 001 "Important": external instances need "Systems
		// Manager permissions as well" — not in this policy
		// (TestSeedECSAnywhereRole).
		{name: "ssm:UpdateInstanceInformation denied", action: "ssm:UpdateInstanceInformation",
			resource: "arn:aws:ssm:us-east-1:111122223333:managed-instance/mi-0123456789abcdef0", want: deny},
	})
}

// ecsInstanceRole with AmazonS3ReadOnlyAccess added.
func TestSeedInstanceRoleWithS3ReadOnly(t *testing.T) {
	set := seedManagedSet(t, "AmazonEC2ContainerServiceforEC2Role", "AmazonS3ReadOnlyAccess")
	const obj = "arn:aws:s3:::my-ecs-config/ecs.config"
	runSeedCases(t, set, seedInstanceRole, []seedCase{
		// seed 001: "Storing configuration information in a private bucket in
		// Amazon S3 and granting read-only access to your container instance
		// IAM role is a secure and convenient way ... copy your configuration
		// information to /etc/ecs/ecs.config". seed 000, Note: "This policy
		// allows read-only access to all Amazon S3 resources."
		{name: "s3:GetObject ecs.config", action: "s3:GetObject", resource: obj, want: allow},
		{name: "s3:ListBucket", action: "s3:ListBucket", resource: "arn:aws:s3:::my-ecs-config", want: allow},
		{name: "s3:GetObject any bucket", action: "s3:GetObject", resource: "arn:aws:s3:::someone-elses-bucket/x", want: allow},
		// "read-only": no writes or deletes.
		{name: "s3:PutObject denied", action: "s3:PutObject", resource: obj, want: deny},
		{name: "s3:DeleteObject denied", action: "s3:DeleteObject", resource: obj, want: deny},
		// The instance role keeps its own permissions.
		{name: "ecs:RegisterContainerInstance still allowed", action: "ecs:RegisterContainerInstance", resource: seedCluster, want: allow},
	})
}

// ecsAnywhereRole: AmazonSSMManagedInstanceCore + AmazonEC2ContainerServiceforEC2Role.
func TestSeedECSAnywhereRole(t *testing.T) {
	const mi = "arn:aws:ssm:us-east-1:111122223333:managed-instance/mi-0123456789abcdef0"
	set := seedManagedSet(t, "AmazonSSMManagedInstanceCore", "AmazonEC2ContainerServiceforEC2Role")
	runSeedCases(t, set, seedAnywhereRole, []seedCase{
		// seed 002, AWS CLI step 3: "This policy provides the Systems Manager
		// API permissions that are needed for your on-premises server or VM."
		{name: "ssm:UpdateInstanceInformation", action: "ssm:UpdateInstanceInformation", resource: mi, want: allow},
		{name: "ssmmessages:OpenControlChannel", action: "ssmmessages:OpenControlChannel", resource: "*", want: allow},
		{name: "ec2messages:GetMessages", action: "ec2messages:GetMessages", resource: "*", want: allow},
		// seed 002, step 4 "Important": "The AmazonEC2ContainerServiceforEC2Role
		// managed policy provides permissions that are needed for your
		// on-premises server or VM."
		{name: "ecs:RegisterContainerInstance", action: "ecs:RegisterContainerInstance", resource: seedCluster, want: allow},
		{name: "ecs:Poll", action: "ecs:Poll", resource: seedContInst, want: allow},
		// seed 002, "Conditional IAM permissions": "if the ECSAnywhereRole IAM
		// role ... also includes the permissions necessary to pull images
		// from Amazon ECR then your task execution role doesn't need to
		// include them." With these two policies it does.
		{name: "ecr:BatchGetImage", action: "ecr:BatchGetImage", resource: seedRepo, want: allow},
		{name: "ecr:GetAuthorizationToken", action: "ecr:GetAuthorizationToken", resource: "*", want: allow},
		// Neither policy grants running commands on instances or managing SSM.
		{name: "ssm:SendCommand denied", action: "ssm:SendCommand", resource: mi, want: deny},
		{name: "ssm:DeleteParameter denied", action: "ssm:DeleteParameter", resource: "arn:aws:ssm:us-east-1:111122223333:parameter/x", want: deny},
	})
}

// AmazonECSTaskExecutionRolePolicy, attached to ecsTaskExecutionRole.
func TestSeedTaskExecutionRolePolicy(t *testing.T) {
	set := seedManagedSet(t, "AmazonECSTaskExecutionRolePolicy")
	runSeedCases(t, set, seedExecRole, []seedCase{
		// seed 003, "Task execution role": "Fargate needs an IAM role that
		// allows it to pull images from Amazon ECR and write logs to
		// CloudWatch Logs." seed 004 lists ecr:GetAuthorizationToken,
		// ecr:BatchCheckLayerAvailability, ecr:GetDownloadUrlForLayer,
		// ecr:BatchGetImage, logs:CreateLogStream, logs:PutLogEvents.
		{name: "ecr:GetAuthorizationToken", action: "ecr:GetAuthorizationToken", resource: "*", want: allow, via: "#0"},
		{name: "ecr:BatchCheckLayerAvailability", action: "ecr:BatchCheckLayerAvailability", resource: seedRepo, want: allow, via: "#0"},
		{name: "ecr:GetDownloadUrlForLayer", action: "ecr:GetDownloadUrlForLayer", resource: seedRepo, want: allow, via: "#0"},
		{name: "ecr:BatchGetImage", action: "ecr:BatchGetImage", resource: seedRepo, want: allow, via: "#0"},
		// seed 004: "The authorization token ... can be used to access any
		// Amazon ECR registry that the IAM principal has access to": pulls
		// are allowed on any repository, in any account's ARN (cross-account
		// pulls also need the repository policy).
		{name: "ecr:BatchGetImage other repo", action: "ecr:BatchGetImage", resource: "arn:aws:ecr:eu-west-1:111122223333:repository/team/api", want: allow, via: "#0"},
		// seed 002, "Conditional IAM permissions": "You're sending container
		// logs to CloudWatch Logs using the awslogs log driver."
		{name: "logs:CreateLogStream", action: "logs:CreateLogStream", resource: seedLogGroup, want: allow, via: "#0"},
		{name: "logs:PutLogEvents", action: "logs:PutLogEvents", resource: seedLogStream, want: allow, via: "#0"},
		// Nothing else: not log-group creation (awslogs-create-group needs
		// more), not pushes.
		{name: "logs:CreateLogGroup denied", action: "logs:CreateLogGroup", resource: seedLogGroup, want: deny},
		{name: "ecr:PutImage denied", action: "ecr:PutImage", resource: seedRepo, want: deny},
		// seed 003: "An IAM role is also required when a task references a
		// secret that's stored in AWS Secrets Manager, such as an image pull
		// secret." The managed policy does not cover secrets: they need
		// permissions added to the role.
		{name: "secretsmanager:GetSecretValue denied", action: "secretsmanager:GetSecretValue", resource: seedSecret, want: deny},
		{name: "ssm:GetParameters denied", action: "ssm:GetParameters", resource: "arn:aws:ssm:us-east-1:111122223333:parameter/db/password", want: deny},
		{name: "kms:Decrypt denied", action: "kms:Decrypt", resource: "arn:aws:kms:us-east-1:111122223333:key/12345678-1234-1234-1234-123456789012", want: deny},
		// seed 003: the execution role is for "the Amazon ECS container agent
		// ... to call specific AWS API actions"; it does not run tasks or act
		// for the application.
		{name: "ecs:RunTask denied", action: "ecs:RunTask", resource: seedTaskDef, want: deny},
		{name: "ecs:RegisterContainerInstance denied", action: "ecs:RegisterContainerInstance", resource: seedCluster, want: deny},
		{name: "s3:GetObject denied", action: "s3:GetObject", resource: "arn:aws:s3:::bucket/key", want: deny},
		{name: "iam:PassRole denied", action: "iam:PassRole", resource: "arn:aws:iam::111122223333:role/app",
			ctx: []string{"iam:PassedToService", "ecs-tasks.amazonaws.com"}, want: deny},
	})
}

// AmazonECS_FullAccess, attached to an IAM user.
func TestSeedECSFullAccess(t *testing.T) {
	set := seedManagedSet(t, "AmazonECS_FullAccess")
	const (
		anyRole        = "arn:aws:iam::111122223333:role/web-task-role"
		instRole       = "arn:aws:iam::111122223333:role/ecsInstanceRole"
		instRoleSuffix = "arn:aws:iam::111122223333:role/ecsInstanceRole-prod"
		instRolePath   = "arn:aws:iam::111122223333:role/ecs/ecsInstanceRole"
		infraRole      = "arn:aws:iam::111122223333:role/ecsInfrastructureRole"
		autoRole       = "arn:aws:iam::111122223333:role/ecsAutoscaleRole"
		slr            = "arn:aws:iam::111122223333:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
		ecsParam       = "arn:aws:ssm:us-east-1::parameter/aws/service/ecs/optimized-ami/amazon-linux-2/recommended"
	)
	runSeedCases(t, set, seedDeployer, []seedCase{
		// seed 004: "ecs – Allows principals full access to all Amazon ECS
		// API operations." (ecs:*)
		{name: "ecs:CreateCluster", action: "ecs:CreateCluster", resource: seedCluster, want: allow, via: "ECSIntegrationsManagementPolicy"},
		{name: "ecs:DeleteCluster", action: "ecs:DeleteCluster", resource: seedCluster, want: allow, via: "ECSIntegrationsManagementPolicy"},
		{name: "ecs:RunTask", action: "ecs:RunTask", resource: seedTaskDef, want: allow, via: "ECSIntegrationsManagementPolicy"},
		{name: "ecs:ExecuteCommand", action: "ecs:ExecuteCommand", resource: seedTask, want: allow, via: "ECSIntegrationsManagementPolicy"},
		{name: "ecs:TagResource no create action", action: "ecs:TagResource", resource: seedCluster, want: allow, via: "ECSIntegrationsManagementPolicy"},
		// seed 004: "elasticloadbalancing – Allows principals to create,
		// describe, and delete Elastic Load Balancing load balancers."
		{name: "elasticloadbalancing:DescribeLoadBalancers", action: "elasticloadbalancing:DescribeLoadBalancers", resource: "*", want: allow, via: "ECSIntegrationsManagementPolicy"},
		{name: "elasticloadbalancing:DescribeTargetGroups", action: "elasticloadbalancing:DescribeTargetGroups", resource: "*", want: allow, via: "ECSIntegrationsManagementPolicy"},
		{name: "elasticloadbalancing:CreateLoadBalancer", action: "elasticloadbalancing:CreateLoadBalancer", resource: "*", want: allow, via: "ECSIntegrationsManagementPolicy"},
		{name: "elasticloadbalancing:DeleteTargetGroup", action: "elasticloadbalancing:DeleteTargetGroup", resource: seedTG, want: allow, via: "ECSIntegrationsManagementPolicy"},
		// Not "manage": registering targets or modifying listeners is not listed.
		{name: "elasticloadbalancing:RegisterTargets denied", action: "elasticloadbalancing:RegisterTargets", resource: seedTG, want: deny},
		{name: "elasticloadbalancing:ModifyListener denied", action: "elasticloadbalancing:ModifyListener", resource: "*", want: deny},
		// seed 004: "Principals will also be able to add tags to newly
		// created target groups, listeners, and listener rules"; update
		// history (January 4, 2023): "This permission doesn't allow tags to
		// be added to any already created Elastic Load Balancing resources."
		{name: "elasticloadbalancing:AddTags on CreateTargetGroup", action: "elasticloadbalancing:AddTags", resource: seedTG,
			ctx: []string{"elasticloadbalancing:CreateAction", "CreateTargetGroup"}, want: allow, via: "ELBTaggingPolicy"},
		{name: "elasticloadbalancing:AddTags on CreateLoadBalancer", action: "elasticloadbalancing:AddTags", resource: "*",
			ctx: []string{"elasticloadbalancing:CreateAction", "CreateLoadBalancer"}, want: allow, via: "ELBTaggingPolicy"},
		{name: "elasticloadbalancing:AddTags on CreateListener", action: "elasticloadbalancing:AddTags", resource: "*",
			ctx: []string{"elasticloadbalancing:CreateAction", "CreateListener"}, want: allow, via: "ELBTaggingPolicy"},
		{name: "elasticloadbalancing:AddTags on CreateRule", action: "elasticloadbalancing:AddTags", resource: "*",
			ctx: []string{"elasticloadbalancing:CreateAction", "CreateRule"}, want: allow, via: "ELBTaggingPolicy"},
		{name: "elasticloadbalancing:AddTags existing denied", action: "elasticloadbalancing:AddTags", resource: seedTG, want: deny},
		{name: "elasticloadbalancing:AddTags other action denied", action: "elasticloadbalancing:AddTags", resource: seedTG,
			ctx: []string{"elasticloadbalancing:CreateAction", "ModifyTargetGroup"}, want: deny},
		// seed 004: "application-autoscaling – Allows principals to create,
		// describe, and manage Application Auto Scaling resources."
		{name: "application-autoscaling:RegisterScalableTarget", action: "application-autoscaling:RegisterScalableTarget", resource: "*", want: allow},
		{name: "application-autoscaling:PutScalingPolicy", action: "application-autoscaling:PutScalingPolicy", resource: "*", want: allow},
		// seed 004: "autoscaling – Allows principals to create, manage, and
		// describe Amazon EC2 Auto Scaling resources." (autoscaling:Describe*)
		{name: "autoscaling:DescribeAutoScalingGroups", action: "autoscaling:DescribeAutoScalingGroups", resource: "*", want: allow},
		{name: "autoscaling:CreateAutoScalingGroup", action: "autoscaling:CreateAutoScalingGroup", resource: seedASG, want: allow},
		// seed 004: "cloudformation – Allows principals to create and manage
		// AWS CloudFormation stacks." (cloudformation:DescribeStack*)
		{name: "cloudformation:DescribeStacks", action: "cloudformation:DescribeStacks", resource: "*", want: allow},
		{name: "cloudformation:DescribeStackEvents", action: "cloudformation:DescribeStackEvents", resource: "*", want: allow},
		{name: "cloudformation:CreateStack", action: "cloudformation:CreateStack", resource: "*", want: allow},
		{name: "cloudformation:ListStacks denied", action: "cloudformation:ListStacks", resource: "*", want: deny},
		// seed 004: "cloudwatch – Allows principals to create, manage, and
		// describe Amazon CloudWatch alarms."
		{name: "cloudwatch:PutMetricAlarm", action: "cloudwatch:PutMetricAlarm", resource: "*", want: allow},
		// seed 004: "codedeploy – ... create and manage application
		// deployments".
		{name: "codedeploy:CreateDeployment", action: "codedeploy:CreateDeployment", resource: "*", want: allow},
		// seed 004: "ec2 – Allows principals to run Amazon EC2 instances and
		// create and manage routes, route tables, internet gateways, launch
		// groups, security groups, virtual private clouds, Spot Fleets, and
		// subnets."
		{name: "ec2:RunInstances", action: "ec2:RunInstances", resource: "*", want: allow},
		{name: "ec2:DescribeSubnets", action: "ec2:DescribeSubnets", resource: "*", want: allow},
		{name: "ec2:CreateVpc", action: "ec2:CreateVpc", resource: "*", want: allow},
		{name: "ec2:CreateSecurityGroup", action: "ec2:CreateSecurityGroup", resource: "*", want: allow},
		{name: "ec2:RequestSpotFleet", action: "ec2:RequestSpotFleet", resource: "*", want: allow},
		// DeleteVpc, DeleteSubnet and DeleteLaunchTemplate are in the
		// unconditional first statement (seed 004 example and document
		// agree): no CloudFormation tag needed.
		{name: "ec2:DeleteVpc unconditional", action: "ec2:DeleteVpc", resource: "*", want: allow, via: "ECSIntegrationsManagementPolicy"},
		{name: "ec2:DeleteSubnet unconditional", action: "ec2:DeleteSubnet", resource: "*", want: allow, via: "ECSIntegrationsManagementPolicy"},
		// seed 004 example, third statement: ec2:DeleteInternetGateway,
		// DeleteRoute, DeleteRouteTable, DeleteSecurityGroup only with
		// ec2:ResourceTag/aws:cloudformation:stack-name like
		// "EC2ContainerService-*" (the console's cluster stacks: "This is
		// required when creating Amazon ECS clusters using the AWS Management
		// Console and the subsequent managing of those clusters").
		{name: "ec2:DeleteSecurityGroup console stack", action: "ec2:DeleteSecurityGroup", resource: seedSG,
			ctx: []string{"ec2:ResourceTag/aws:cloudformation:stack-name", "EC2ContainerService-default"}, want: allow, via: "ManagedCloudformationResourcesCleanupPolicy"},
		{name: "ec2:DeleteRouteTable console stack", action: "ec2:DeleteRouteTable", resource: "*",
			ctx: []string{"ec2:ResourceTag/aws:cloudformation:stack-name", "EC2ContainerService-prod"}, want: allow, via: "ManagedCloudformationResourcesCleanupPolicy"},
		{name: "ec2:DeleteInternetGateway console stack", action: "ec2:DeleteInternetGateway", resource: "*",
			ctx: []string{"ec2:ResourceTag/aws:cloudformation:stack-name", "EC2ContainerService-prod"}, want: allow, via: "ManagedCloudformationResourcesCleanupPolicy"},
		{name: "ec2:DeleteRoute console stack", action: "ec2:DeleteRoute", resource: "*",
			ctx: []string{"ec2:ResourceTag/aws:cloudformation:stack-name", "EC2ContainerService-prod"}, want: allow, via: "ManagedCloudformationResourcesCleanupPolicy"},
		{name: "ec2:DeleteSecurityGroup untagged denied", action: "ec2:DeleteSecurityGroup", resource: seedSG, want: deny},
		{name: "ec2:DeleteSecurityGroup other stack denied", action: "ec2:DeleteSecurityGroup", resource: seedSG,
			ctx: []string{"ec2:ResourceTag/aws:cloudformation:stack-name", "my-app-stack"}, want: deny},
		// StringLike is case-sensitive.
		{name: "ec2:DeleteSecurityGroup lower-case stack denied", action: "ec2:DeleteSecurityGroup", resource: seedSG,
			ctx: []string{"ec2:ResourceTag/aws:cloudformation:stack-name", "ec2containerservice-default"}, want: deny},
		{name: "ec2:DeleteInternetGateway untagged denied", action: "ec2:DeleteInternetGateway", resource: "*", want: deny},
		// Not in the ec2 list at all.
		{name: "ec2:TerminateInstances denied", action: "ec2:TerminateInstances", resource: seedInstance, want: deny},
		{name: "ec2:DeleteVolume denied", action: "ec2:DeleteVolume", resource: seedVolume, want: deny},
		// seed 004: "events – Allows principals to create, manage, and delete
		// Amazon EventBridge rules and their targets."
		{name: "events:PutRule", action: "events:PutRule", resource: "arn:aws:events:us-east-1:111122223333:rule/nightly", want: allow},
		{name: "events:PutTargets", action: "events:PutTargets", resource: "arn:aws:events:us-east-1:111122223333:rule/nightly", want: allow},
		// seed 004: "iam – Allows principals to list IAM roles and their
		// attached policies. Principals can also list instance profiles".
		{name: "iam:ListRoles", action: "iam:ListRoles", resource: "*", want: allow},
		{name: "iam:ListAttachedRolePolicies", action: "iam:ListAttachedRolePolicies", resource: instRole, want: allow},
		{name: "iam:ListInstanceProfiles", action: "iam:ListInstanceProfiles", resource: "*", want: allow},
		// ... and no more than list: no creating or changing roles.
		{name: "iam:CreateRole denied", action: "iam:CreateRole", resource: instRole, want: deny},
		{name: "iam:AttachRolePolicy denied", action: "iam:AttachRolePolicy", resource: instRole, want: deny},
		{name: "iam:GetRole denied", action: "iam:GetRole", resource: instRole, want: deny},
		// seed 004: "logs – Allows principals to create and describe Amazon
		// CloudWatch Logs log groups. Principals can also list log events".
		{name: "logs:CreateLogGroup", action: "logs:CreateLogGroup", resource: seedLogGroup, want: allow},
		{name: "logs:FilterLogEvents", action: "logs:FilterLogEvents", resource: seedLogGroup, want: allow},
		{name: "logs:DeleteLogGroup denied", action: "logs:DeleteLogGroup", resource: seedLogGroup, want: deny},
		// seed 004: "route53 – ... create, manage, and delete Amazon Route 53
		// hosted zones".
		{name: "route53:CreateHostedZone", action: "route53:CreateHostedZone", resource: "*", want: allow},
		// seed 004: "servicediscovery – ... create, manage, and delete AWS
		// Cloud Map services and create private DNS namespaces."
		{name: "servicediscovery:CreatePrivateDnsNamespace", action: "servicediscovery:CreatePrivateDnsNamespace", resource: "*", want: allow},
		{name: "servicediscovery:CreatePublicDnsNamespace denied", action: "servicediscovery:CreatePublicDnsNamespace", resource: "*", want: deny},
		// seed 004: "sns – ... view a list of Amazon SNS topics." / "lambda –
		// ... view a list of AWS Lambda functions".
		{name: "sns:ListTopics", action: "sns:ListTopics", resource: "*", want: allow},
		{name: "sns:Publish denied", action: "sns:Publish", resource: "arn:aws:sns:us-east-1:111122223333:alerts", want: deny},
		{name: "lambda:ListFunctions", action: "lambda:ListFunctions", resource: "*", want: allow},
		{name: "lambda:InvokeFunction denied", action: "lambda:InvokeFunction", resource: "arn:aws:lambda:us-east-1:111122223333:function:f", want: deny},
		// seed 004 example, second statement: ssm:GetParameter(s/ByPath) on
		// arn:aws:ssm:*:*:parameter/aws/service/ecs* — the public ECS
		// parameters (recommended AMIs), whose ARNs have no account.
		{name: "ssm:GetParameter ECS AMI", action: "ssm:GetParameter", resource: ecsParam, want: allow, via: "SSMPolicy"},
		{name: "ssm:GetParametersByPath ECS", action: "ssm:GetParametersByPath", resource: "arn:aws:ssm:us-east-1::parameter/aws/service/ecs", want: allow, via: "SSMPolicy"},
		{name: "ssm:GetParameter EKS denied", action: "ssm:GetParameter", resource: "arn:aws:ssm:us-east-1::parameter/aws/service/eks/optimized-ami/1.29/amazon-linux-2/recommended", want: deny},
		{name: "ssm:GetParameter own parameter denied", action: "ssm:GetParameter", resource: "arn:aws:ssm:us-east-1:111122223333:parameter/prod/db-password", want: deny},
		{name: "ssm:PutParameter ECS denied", action: "ssm:PutParameter", resource: ecsParam, want: deny},
		// seed 004 example, PassRole statements. Any role may be passed to
		// ecs-tasks.amazonaws.com (task roles and task execution roles).
		{name: "iam:PassRole any role to ecs-tasks", action: "iam:PassRole", resource: anyRole,
			ctx: []string{"iam:PassedToService", "ecs-tasks.amazonaws.com"}, want: allow, via: "TasksPassRolePolicy"},
		{name: "iam:PassRole path role to ecs-tasks", action: "iam:PassRole", resource: "arn:aws:iam::111122223333:role/service-role/etl-exec",
			ctx: []string{"iam:PassedToService", "ecs-tasks.amazonaws.com"}, want: allow, via: "TasksPassRolePolicy"},
		{name: "iam:PassRole no service denied", action: "iam:PassRole", resource: anyRole, want: deny},
		{name: "iam:PassRole any role to ec2 denied", action: "iam:PassRole", resource: anyRole,
			ctx: []string{"iam:PassedToService", "ec2.amazonaws.com"}, want: deny},
		{name: "iam:PassRole any role to lambda denied", action: "iam:PassRole", resource: anyRole,
			ctx: []string{"iam:PassedToService", "lambda.amazonaws.com"}, want: deny},
		// ecsInstanceRole* only to EC2 (ec2.amazonaws.com, ec2.amazonaws.com.cn).
		{name: "iam:PassRole ecsInstanceRole to ec2", action: "iam:PassRole", resource: instRole,
			ctx: []string{"iam:PassedToService", "ec2.amazonaws.com"}, want: allow, via: "InstancePassRolePolicy"},
		{name: "iam:PassRole ecsInstanceRole-prod to ec2.cn", action: "iam:PassRole", resource: instRoleSuffix,
			ctx: []string{"iam:PassedToService", "ec2.amazonaws.com.cn"}, want: allow, via: "InstancePassRolePolicy"},
		{name: "iam:PassRole ecsInstanceRole under a path denied", action: "iam:PassRole", resource: instRolePath,
			ctx: []string{"iam:PassedToService", "ec2.amazonaws.com"}, want: deny},
		{name: "iam:PassRole ecsInstanceRole to autoscaling denied", action: "iam:PassRole", resource: instRole,
			ctx: []string{"iam:PassedToService", "application-autoscaling.amazonaws.com"}, want: deny},
		{name: "iam:PassRole ecsInstanceRole to ecs denied", action: "iam:PassRole", resource: instRole,
			ctx: []string{"iam:PassedToService", "ecs.amazonaws.com"}, want: deny},
		// ... but to ecs-tasks it goes through the any-role statement.
		{name: "iam:PassRole ecsInstanceRole to ecs-tasks", action: "iam:PassRole", resource: instRole,
			ctx: []string{"iam:PassedToService", "ecs-tasks.amazonaws.com"}, want: allow, via: "TasksPassRolePolicy"},
		// ecsAutoscaleRole* only to Application Auto Scaling.
		{name: "iam:PassRole ecsAutoscaleRole to application-autoscaling", action: "iam:PassRole", resource: autoRole,
			ctx: []string{"iam:PassedToService", "application-autoscaling.amazonaws.com"}, want: allow, via: "AutoScalingPassRolePolicy"},
		{name: "iam:PassRole ecsAutoscaleRole-x to application-autoscaling.cn", action: "iam:PassRole", resource: autoRole + "-x",
			ctx: []string{"iam:PassedToService", "application-autoscaling.amazonaws.com.cn"}, want: allow, via: "AutoScalingPassRolePolicy"},
		{name: "iam:PassRole ecsAutoscaleRole to ec2 denied", action: "iam:PassRole", resource: autoRole,
			ctx: []string{"iam:PassedToService", "ec2.amazonaws.com"}, want: deny},
		{name: "iam:PassRole other role to application-autoscaling denied", action: "iam:PassRole", resource: anyRole,
			ctx: []string{"iam:PassedToService", "application-autoscaling.amazonaws.com"}, want: deny},
		// SEED/DOC DISAGREE: the seed 004 example has no
		// InfrastructurePassRolePolicy; the document (v21) lets exactly
		// role/ecsInfrastructureRole be passed to ecs.amazonaws.com
		// (StringEquals, no wildcard on the name). The seed's
		// AmazonECSInfrastructureRolePolicyForVolumes section: "You can
		// attach this policy to the IAM role that you provide with your
		// volume configuration" — ECS needs that role passed to it.
		{name: "iam:PassRole ecsInfrastructureRole to ecs (document only)", action: "iam:PassRole", resource: infraRole,
			ctx: []string{"iam:PassedToService", "ecs.amazonaws.com"}, want: allow, via: "InfrastructurePassRolePolicy"},
		{name: "iam:PassRole ecsInfrastructureRole2 to ecs denied", action: "iam:PassRole", resource: infraRole + "2",
			ctx: []string{"iam:PassedToService", "ecs.amazonaws.com"}, want: deny},
		{name: "iam:PassRole ecsInfrastructureRole to ec2 denied", action: "iam:PassRole", resource: infraRole,
			ctx: []string{"iam:PassedToService", "ec2.amazonaws.com"}, want: deny},
		{name: "iam:PassRole other role to ecs denied", action: "iam:PassRole", resource: anyRole,
			ctx: []string{"iam:PassedToService", "ecs.amazonaws.com"}, want: deny},
		// seed 004 example: iam:CreateServiceLinkedRole only with
		// iam:AWSServiceName in autoscaling, ecs,
		// ecs.application-autoscaling, spot, spotfleet.
		{name: "iam:CreateServiceLinkedRole ecs", action: "iam:CreateServiceLinkedRole", resource: slr,
			ctx: []string{"iam:AWSServiceName", "ecs.amazonaws.com"}, want: allow, via: "ServiceLinkedRoleCreationPolicy"},
		{name: "iam:CreateServiceLinkedRole autoscaling", action: "iam:CreateServiceLinkedRole", resource: "*",
			ctx: []string{"iam:AWSServiceName", "autoscaling.amazonaws.com"}, want: allow, via: "ServiceLinkedRoleCreationPolicy"},
		{name: "iam:CreateServiceLinkedRole ecs.application-autoscaling", action: "iam:CreateServiceLinkedRole", resource: "*",
			ctx: []string{"iam:AWSServiceName", "ecs.application-autoscaling.amazonaws.com"}, want: allow, via: "ServiceLinkedRoleCreationPolicy"},
		{name: "iam:CreateServiceLinkedRole spot", action: "iam:CreateServiceLinkedRole", resource: "*",
			ctx: []string{"iam:AWSServiceName", "spot.amazonaws.com"}, want: allow, via: "ServiceLinkedRoleCreationPolicy"},
		{name: "iam:CreateServiceLinkedRole spotfleet", action: "iam:CreateServiceLinkedRole", resource: "*",
			ctx: []string{"iam:AWSServiceName", "spotfleet.amazonaws.com"}, want: allow, via: "ServiceLinkedRoleCreationPolicy"},
		{name: "iam:CreateServiceLinkedRole elasticloadbalancing denied", action: "iam:CreateServiceLinkedRole", resource: "*",
			ctx: []string{"iam:AWSServiceName", "elasticloadbalancing.amazonaws.com"}, want: deny},
		{name: "iam:CreateServiceLinkedRole application-autoscaling denied", action: "iam:CreateServiceLinkedRole", resource: "*",
			ctx: []string{"iam:AWSServiceName", "application-autoscaling.amazonaws.com"}, want: deny},
		{name: "iam:CreateServiceLinkedRole no name denied", action: "iam:CreateServiceLinkedRole", resource: slr, want: deny},
		{name: "iam:DeleteServiceLinkedRole denied", action: "iam:DeleteServiceLinkedRole", resource: slr, want: deny},
		// Outside every service the policy names.
		{name: "s3:GetObject denied", action: "s3:GetObject", resource: "arn:aws:s3:::bucket/key", want: deny},
		{name: "secretsmanager:GetSecretValue denied", action: "secretsmanager:GetSecretValue", resource: seedSecret, want: deny},
		{name: "ecr:BatchGetImage denied", action: "ecr:BatchGetImage", resource: seedRepo, want: deny},
	})
}

// AmazonEC2ContainerServiceEventsRole, attached to the role EventBridge uses
// for scheduled tasks.
func TestSeedEventsRole(t *testing.T) {
	set := seedManagedSet(t, "AmazonEC2ContainerServiceEventsRole")
	runSeedCases(t, set, seedEventsRole, []seedCase{
		// seed 004: "ecs – Allows a principal in a service to call the Amazon
		// ECS RunTask API." The statement has Resource "*" and no condition
		// (no ecs:cluster restriction), so any cluster will do.
		{name: "ecs:RunTask", action: "ecs:RunTask", resource: seedTaskDef,
			ctx: []string{"ecs:cluster", seedCluster}, want: allow, via: "#0"},
		{name: "ecs:RunTask any cluster", action: "ecs:RunTask", resource: "arn:aws:ecs:eu-west-1:111122223333:task-definition/batch:1",
			ctx: []string{"ecs:cluster", "arn:aws:ecs:eu-west-1:111122223333:cluster/batch"}, want: allow, via: "#0"},
		{name: "ecs:RunTask no cluster key", action: "ecs:RunTask", resource: seedTaskDef, want: allow, via: "#0"},
		// Only RunTask: not StartTask, StopTask or services.
		{name: "ecs:StartTask denied", action: "ecs:StartTask", resource: seedTaskDef, want: deny},
		{name: "ecs:StopTask denied", action: "ecs:StopTask", resource: seedTask, want: deny},
		{name: "ecs:CreateService denied", action: "ecs:CreateService", resource: seedService, want: deny},
		{name: "ecs:UpdateService denied", action: "ecs:UpdateService", resource: seedService, want: deny},
		// seed 004: "iam – Allows passing any IAM service role to any Amazon
		// ECS tasks." (iam:PassedToService ecs-tasks.amazonaws.com)
		{name: "iam:PassRole task role", action: "iam:PassRole", resource: "arn:aws:iam::111122223333:role/web-task-role",
			ctx: []string{"iam:PassedToService", "ecs-tasks.amazonaws.com"}, want: allow, via: "#1"},
		{name: "iam:PassRole execution role", action: "iam:PassRole", resource: "arn:aws:iam::111122223333:role/ecsTaskExecutionRole",
			ctx: []string{"iam:PassedToService", "ecs-tasks.amazonaws.com"}, want: allow, via: "#1"},
		{name: "iam:PassRole to ecs denied", action: "iam:PassRole", resource: "arn:aws:iam::111122223333:role/web-task-role",
			ctx: []string{"iam:PassedToService", "ecs.amazonaws.com"}, want: deny},
		{name: "iam:PassRole to ec2 denied", action: "iam:PassRole", resource: "arn:aws:iam::111122223333:role/ecsInstanceRole",
			ctx: []string{"iam:PassedToService", "ec2.amazonaws.com"}, want: deny},
		{name: "iam:PassRole no service denied", action: "iam:PassRole", resource: "arn:aws:iam::111122223333:role/web-task-role", want: deny},
		// seed 004: "Allows a principal in a service to add tags
		// (TagResource) when they call the Amazon ECS RunTask API."
		// (ecs:CreateAction = RunTask)
		{name: "ecs:TagResource on RunTask", action: "ecs:TagResource", resource: seedTask,
			ctx: []string{"ecs:CreateAction", "RunTask"}, want: allow, via: "#2"},
		{name: "ecs:TagResource existing task denied", action: "ecs:TagResource", resource: seedTask, want: deny},
		{name: "ecs:TagResource on CreateCluster denied", action: "ecs:TagResource", resource: seedCluster,
			ctx: []string{"ecs:CreateAction", "CreateCluster"}, want: deny},
		// SEED/DOC note: the update history entry titled "Add permissions to
		// AmazonEC2ContainerServiceEventsRole" (October 4, 2023) describes a
		// change to AmazonECSServiceRolePolicy (DiscoverInstancesRevision);
		// the events role has no Cloud Map permission.
		{name: "servicediscovery:DiscoverInstancesRevision denied", action: "servicediscovery:DiscoverInstancesRevision", resource: "*", want: deny},
	})
}

// AmazonECSServiceRolePolicy, the policy of the ECS service-linked role
// AWSServiceRoleForECS.
func TestSeedECSServiceRolePolicy(t *testing.T) {
	set := seedManagedSet(t, "AmazonECSServiceRolePolicy")
	const (
		ecsRule   = "arn:aws:events:us-east-1:111122223333:rule/ecs-managed-web-1a2b3c"
		myRule    = "arn:aws:events:us-east-1:111122223333:rule/nightly"
		alarm     = "arn:aws:cloudwatch:us-east-1:111122223333:alarm:TargetTracking-service/default/web-AlarmHigh"
		ecsLG     = "arn:aws:logs:us-east-1:111122223333:log-group:/aws/ecs/containerinsights/default/performance"
		ecsStream = "arn:aws:logs:us-east-1:111122223333:log-group:/aws/ecs/containerinsights/default/performance:log-stream:web"
		session   = "arn:aws:ssm:us-east-1:111122223333:session/ecs-execute-command-0a1b2c3d4e5f6a7b8"
	)
	runSeedCases(t, set, seedECSSLR, []seedCase{
		// seed 003, "Service-linked roles": "Amazon ECS needs the permissions
		// to create and delete network interfaces, register, and de-register
		// targets with a target group."
		{name: "ec2:CreateNetworkInterface", action: "ec2:CreateNetworkInterface", resource: "*", want: allow, via: "ECSTaskManagement"},
		{name: "ec2:DeleteNetworkInterface", action: "ec2:DeleteNetworkInterface", resource: seedENI, want: allow, via: "ECSTaskManagement"},
		{name: "ec2:AttachNetworkInterface", action: "ec2:AttachNetworkInterface", resource: seedInstance, want: allow, via: "ECSTaskManagement"},
		{name: "elasticloadbalancing:RegisterTargets", action: "elasticloadbalancing:RegisterTargets", resource: seedTG, want: allow, via: "ECSTaskManagement"},
		{name: "elasticloadbalancing:DeregisterTargets", action: "elasticloadbalancing:DeregisterTargets", resource: seedTG, want: allow, via: "ECSTaskManagement"},
		{name: "elasticloadbalancing:DescribeTargetHealth", action: "elasticloadbalancing:DescribeTargetHealth", resource: "*", want: allow, via: "ECSTaskManagement"},
		{name: "ec2:DescribeSubnets", action: "ec2:DescribeSubnets", resource: "*", want: allow, via: "ECSTaskManagement"},
		// SEED/DOC DISAGREE (document only): trunk interfaces (awsvpc trunking).
		{name: "ec2:AssociateTrunkInterface (document only)", action: "ec2:AssociateTrunkInterface", resource: "*", want: allow, via: "ECSTaskManagement"},
		// seed 004 example, ECSTaskManagement: route53 and Cloud Map
		// instance registration for service discovery.
		{name: "route53:ChangeResourceRecordSets", action: "route53:ChangeResourceRecordSets", resource: "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ", want: allow, via: "ECSTaskManagement"},
		{name: "servicediscovery:RegisterInstance", action: "servicediscovery:RegisterInstance", resource: seedCMService, want: allow, via: "ECSTaskManagement"},
		// seed 003: "It also needs the necessary permissions to create and
		// delete scaling policies." seed 004 example, AutoScalingManagement:
		// only on groups tagged AmazonECSManaged (Null: false = the tag
		// exists, any value).
		{name: "autoscaling:PutScalingPolicy managed group", action: "autoscaling:PutScalingPolicy", resource: seedASG,
			ctx: []string{"autoscaling:ResourceTag/AmazonECSManaged", "true"}, want: allow, via: "AutoScalingManagement"},
		{name: "autoscaling:DeletePolicy managed group", action: "autoscaling:DeletePolicy", resource: seedASG,
			ctx: []string{"autoscaling:ResourceTag/AmazonECSManaged", "true"}, want: allow, via: "AutoScalingManagement"},
		{name: "autoscaling:UpdateAutoScalingGroup managed group", action: "autoscaling:UpdateAutoScalingGroup", resource: seedASG,
			ctx: []string{"autoscaling:ResourceTag/AmazonECSManaged", "true"}, want: allow, via: "AutoScalingManagement"},
		{name: "autoscaling:SetInstanceProtection managed group", action: "autoscaling:SetInstanceProtection", resource: seedASG,
			ctx: []string{"autoscaling:ResourceTag/AmazonECSManaged", "true"}, want: allow, via: "AutoScalingManagement"},
		{name: "autoscaling:PutScalingPolicy unmanaged group denied", action: "autoscaling:PutScalingPolicy", resource: seedASG, want: deny},
		{name: "autoscaling:UpdateAutoScalingGroup unmanaged group denied", action: "autoscaling:UpdateAutoScalingGroup", resource: seedASG,
			ctx: []string{"autoscaling:ResourceTag/team", "web"}, want: deny},
		// SEED/DOC DISAGREE (document only, same tag condition).
		{name: "autoscaling:TerminateInstanceInAutoScalingGroup managed (document only)", action: "autoscaling:TerminateInstanceInAutoScalingGroup", resource: seedASG,
			ctx: []string{"autoscaling:ResourceTag/AmazonECSManaged", "true"}, want: allow, via: "AutoScalingManagement"},
		{name: "autoscaling:TerminateInstanceInAutoScalingGroup unmanaged denied", action: "autoscaling:TerminateInstanceInAutoScalingGroup", resource: seedASG, want: deny},
		// seed 004: "autoscaling – ... describe", "autoscaling-plans – Allows
		// principals to create, delete, and describe autoscaling plans."
		{name: "autoscaling:DescribeAutoScalingGroups", action: "autoscaling:DescribeAutoScalingGroups", resource: "*", want: allow, via: "AutoScaling"},
		{name: "autoscaling-plans:CreateScalingPlan", action: "autoscaling-plans:CreateScalingPlan", resource: "*", want: allow, via: "AutoScalingPlanManagement"},
		// SEED/DOC DISAGREE: the bullet "autoscaling – Allows principals to
		// create, manage, and describe Amazon EC2 Auto Scaling resources"
		// (copied from AmazonECS_FullAccess); nothing here creates groups.
		{name: "autoscaling:CreateAutoScalingGroup denied (bullet says create)", action: "autoscaling:CreateAutoScalingGroup", resource: seedASG,
			ctx: []string{"autoscaling:ResourceTag/AmazonECSManaged", "true"}, want: deny},
		// seed 004 example, EventBridge: describe only ecs-managed-* rules;
		// EventBridgeRuleManagement: PutRule/PutTargets only with
		// events:ManagedBy = ecs.amazonaws.com.
		{name: "events:DescribeRule ecs-managed", action: "events:DescribeRule", resource: ecsRule, want: allow, via: "EventBridge"},
		{name: "events:DescribeRule customer rule denied", action: "events:DescribeRule", resource: myRule, want: deny},
		{name: "events:PutRule managed by ecs", action: "events:PutRule", resource: ecsRule,
			ctx: []string{"events:ManagedBy", "ecs.amazonaws.com"}, want: allow, via: "EventBridgeRuleManagement"},
		{name: "events:PutTargets managed by ecs", action: "events:PutTargets", resource: ecsRule,
			ctx: []string{"events:ManagedBy", "ecs.amazonaws.com"}, want: allow, via: "EventBridgeRuleManagement"},
		{name: "events:PutRule not managed denied", action: "events:PutRule", resource: myRule, want: deny},
		{name: "events:PutRule managed by other service denied", action: "events:PutRule", resource: myRule,
			ctx: []string{"events:ManagedBy", "autoscaling.amazonaws.com"}, want: deny},
		// SEED/DOC DISAGREE: seed 004's bullet says "events – Allows
		// principals to create, manage, and delete Amazon EventBridge rules",
		// but neither the seed's example nor the document grants DeleteRule.
		{name: "events:DeleteRule denied (bullet says delete)", action: "events:DeleteRule", resource: ecsRule,
			ctx: []string{"events:ManagedBy", "ecs.amazonaws.com"}, want: deny},
		// seed 004 example, CWAlarmManagement: alarms only.
		{name: "cloudwatch:PutMetricAlarm", action: "cloudwatch:PutMetricAlarm", resource: alarm, want: allow, via: "CWAlarmManagement"},
		{name: "cloudwatch:DeleteAlarms", action: "cloudwatch:DeleteAlarms", resource: alarm, want: allow, via: "CWAlarmManagement"},
		{name: "cloudwatch:PutDashboard denied", action: "cloudwatch:PutDashboard", resource: "arn:aws:cloudwatch::111122223333:dashboard/ecs", want: deny},
		// seed 004 example, ECSTagging: ec2:CreateTags on network interfaces only.
		{name: "ec2:CreateTags network interface", action: "ec2:CreateTags", resource: seedENI, want: allow, via: "ECSTagging"},
		{name: "ec2:CreateTags instance denied", action: "ec2:CreateTags", resource: seedInstance, want: deny},
		// seed 004 example, CWLogGroupManagement / CWLogStreamManagement:
		// only under /aws/ecs/.
		{name: "logs:CreateLogGroup /aws/ecs", action: "logs:CreateLogGroup", resource: ecsLG, want: allow, via: "CWLogGroupManagement"},
		{name: "logs:PutRetentionPolicy /aws/ecs", action: "logs:PutRetentionPolicy", resource: ecsLG, want: allow, via: "CWLogGroupManagement"},
		{name: "logs:CreateLogGroup customer group denied", action: "logs:CreateLogGroup", resource: seedLogGroup, want: deny},
		{name: "logs:PutLogEvents /aws/ecs stream", action: "logs:PutLogEvents", resource: ecsStream, want: allow, via: "CWLogStreamManagement"},
		{name: "logs:PutLogEvents customer stream denied", action: "logs:PutLogEvents", resource: seedLogStream, want: deny},
		// The stream statement's pattern needs ":log-stream:".
		{name: "logs:PutLogEvents on the group ARN denied", action: "logs:PutLogEvents", resource: ecsLG, want: deny},
		// SEED/DOC DISAGREE: seed 004's bullet says "logs – ... Principals can
		// also list log events for these log groups", but neither the example
		// nor the document grants logs:FilterLogEvents / GetLogEvents.
		{name: "logs:FilterLogEvents denied (bullet says list)", action: "logs:FilterLogEvents", resource: ecsLG, want: deny},
		// seed 004 example, ExecuteCommandSessionManagement / ExecuteCommand:
		// ssm:StartSession on ECS tasks and the ECS exec document only.
		{name: "ssm:DescribeSessions", action: "ssm:DescribeSessions", resource: "*", want: allow, via: "ExecuteCommandSessionManagement"},
		{name: "ssm:StartSession task", action: "ssm:StartSession", resource: seedTask, want: allow, via: "ExecuteCommand"},
		{name: "ssm:StartSession ECS exec document", action: "ssm:StartSession", resource: "arn:aws:ssm:us-east-1:111122223333:document/AmazonECS-ExecuteInteractiveCommand", want: allow, via: "ExecuteCommand"},
		{name: "ssm:StartSession EC2 instance denied", action: "ssm:StartSession", resource: seedInstance, want: deny},
		{name: "ssm:StartSession other document denied", action: "ssm:StartSession", resource: "arn:aws:ssm:us-east-1:111122223333:document/AWS-StartPortForwardingSession", want: deny},
		// SEED/DOC DISAGREE (document only): ssmmessages:OpenDataChannel on
		// sessions of the caller's own account
		// (aws:PrincipalAccount = ${aws:ResourceAccount}).
		{name: "ssmmessages:OpenDataChannel own account (document only)", action: "ssmmessages:OpenDataChannel", resource: session, want: allow, via: "OpenDataChannel"},
		{name: "ssmmessages:OpenDataChannel other account denied", action: "ssmmessages:OpenDataChannel",
			resource: "arn:aws:ssm:us-east-1:444455556666:session/ecs-execute-command-0a1b2c3d4e5f6a7b8", want: deny, why: policy.ReasonNoResourceAllow},
		// seed 004 example, CloudMapResourceCreation: with
		// ForAllValues:StringEquals aws:TagKeys [AmazonECSManaged] — every
		// tag key in the request must be AmazonECSManaged ...
		{name: "servicediscovery:CreateService tagged AmazonECSManaged", action: "servicediscovery:CreateService", resource: "*",
			ctx: []string{"aws:TagKeys", "AmazonECSManaged", "aws:RequestTag/AmazonECSManaged", "true"}, want: allow, via: "CloudMapResourceCreation"},
		{name: "servicediscovery:CreateHttpNamespace tagged AmazonECSManaged", action: "servicediscovery:CreateHttpNamespace", resource: "*",
			ctx: []string{"aws:TagKeys", "AmazonECSManaged", "aws:RequestTag/AmazonECSManaged", "true"}, want: allow, via: "CloudMapResourceCreation"},
		{name: "servicediscovery:CreateService extra tag key denied", action: "servicediscovery:CreateService", resource: "*",
			ctx: []string{"aws:TagKeys", "AmazonECSManaged|team"}, want: deny},
		// ... and, as ForAllValues is true of an empty set, a request with
		// no tags at all is allowed too (IAM semantics of the document the
		// seed prints; the seed does not discuss it).
		{name: "servicediscovery:CreateService untagged (ForAllValues, empty set)", action: "servicediscovery:CreateService", resource: "*", want: allow, via: "CloudMapResourceCreation"},
		// CloudMapResourceTagging: TagResource only when the request sets
		// the AmazonECSManaged tag.
		{name: "servicediscovery:TagResource AmazonECSManaged", action: "servicediscovery:TagResource", resource: seedCMService,
			ctx: []string{"aws:RequestTag/AmazonECSManaged", "true", "aws:TagKeys", "AmazonECSManaged"}, want: allow, via: "CloudMapResourceTagging"},
		{name: "servicediscovery:TagResource other tag denied", action: "servicediscovery:TagResource", resource: seedCMService,
			ctx: []string{"aws:RequestTag/team", "web", "aws:TagKeys", "team"}, want: deny},
		// CloudMapResourceDeletion: DeleteService only on services tagged
		// AmazonECSManaged.
		{name: "servicediscovery:DeleteService managed", action: "servicediscovery:DeleteService", resource: seedCMService,
			ctx: []string{"aws:ResourceTag/AmazonECSManaged", "true"}, want: allow, via: "CloudMapResourceDeletion"},
		{name: "servicediscovery:DeleteService unmanaged denied", action: "servicediscovery:DeleteService", resource: seedCMService, want: deny},
		// SEED/DOC DISAGREE (document only), same tag condition.
		{name: "servicediscovery:UpdateServiceAttributes managed (document only)", action: "servicediscovery:UpdateServiceAttributes", resource: seedCMService,
			ctx: []string{"aws:ResourceTag/AmazonECSManaged", "true"}, want: allow, via: "CloudMapResourceAttributeManagement"},
		{name: "servicediscovery:UpdateServiceAttributes unmanaged denied", action: "servicediscovery:UpdateServiceAttributes", resource: seedCMService, want: deny},
		// seed 004, update history (October 4, 2023): "updated to allow
		// access to the AWS Cloud Map DiscoverInstancesRevision API
		// operation".
		{name: "servicediscovery:DiscoverInstancesRevision", action: "servicediscovery:DiscoverInstancesRevision", resource: "*", want: allow, via: "CloudMapResourceDiscovery"},
		{name: "servicediscovery:DiscoverInstances", action: "servicediscovery:DiscoverInstances", resource: "*", want: allow, via: "CloudMapResourceDiscovery"},
		// SEED/DOC DISAGREE: seed 004's bullets for this policy were copied
		// from AmazonECS_FullAccess. "ec2 – Allows principals run to Amazon
		// EC2 instances": no ec2:RunInstances. "elasticloadbalancing – ...
		// create ... and delete ... load balancers": no CreateLoadBalancer.
		// "route53 – ... create, manage, and delete ... hosted zones": no
		// CreateHostedZone. "servicediscovery – ... create private DNS
		// namespaces": only CreateHttpNamespace. Neither the seed's own
		// example JSON nor the document grants these.
		{name: "ec2:RunInstances denied (bullet says run)", action: "ec2:RunInstances", resource: "*", want: deny},
		{name: "elasticloadbalancing:CreateLoadBalancer denied (bullet says create)", action: "elasticloadbalancing:CreateLoadBalancer", resource: "*", want: deny},
		// "Principals will also be able to add and describe target groups":
		// describe yes (elasticloadbalancing:Describe*), create no.
		{name: "elasticloadbalancing:CreateTargetGroup denied (bullet says add)", action: "elasticloadbalancing:CreateTargetGroup", resource: "*", want: deny},
		{name: "route53:CreateHostedZone denied (bullet says create)", action: "route53:CreateHostedZone", resource: "*", want: deny},
		{name: "servicediscovery:CreatePrivateDnsNamespace denied (bullet says create)", action: "servicediscovery:CreatePrivateDnsNamespace", resource: "*",
			ctx: []string{"aws:TagKeys", "AmazonECSManaged"}, want: deny},
		// Nothing outside the listed services.
		{name: "iam:PassRole denied", action: "iam:PassRole", resource: "arn:aws:iam::111122223333:role/web-task-role",
			ctx: []string{"iam:PassedToService", "ecs-tasks.amazonaws.com"}, want: deny},
		{name: "ecs:RunTask denied", action: "ecs:RunTask", resource: seedTaskDef, want: deny},
		{name: "s3:GetObject denied", action: "s3:GetObject", resource: "arn:aws:s3:::bucket/key", want: deny},
	})
}

// AmazonECSInfrastructureRolePolicyForVolumes, attached to the
// infrastructure role given with a task's volume configuration.
func TestSeedInfrastructureRolePolicyForVolumes(t *testing.T) {
	set := seedManagedSet(t, "AmazonECSInfrastructureRolePolicyForVolumes")
	const snapshot = "arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0"
	ecsTags := []string{
		"aws:RequestTag/AmazonECSCreated", seedTask,
		"aws:RequestTag/AmazonECSManaged", "true",
		"aws:TagKeys", "AmazonECSCreated|AmazonECSManaged",
	}
	with := func(base []string, kv ...string) []string { return append(append([]string(nil), base...), kv...) }
	runSeedCases(t, set, seedInfraRole, []seedCase{
		// seed 004: "ec2:CreateVolume – Allows a principal to create an
		// Amazon EBS volume if and only if they are tagged with the
		// AmazonECSCreated and AmazonECSManaged tags." Example:
		// AmazonECSCreated ArnLike arn:aws:ecs:*:*:task/*, AmazonECSManaged
		// = "true".
		{name: "ec2:CreateVolume tagged", action: "ec2:CreateVolume", resource: seedVolume, ctx: ecsTags, want: allow, via: "CreateEBSManagedVolume"},
		{name: "ec2:CreateVolume untagged denied", action: "ec2:CreateVolume", resource: seedVolume, want: deny},
		{name: "ec2:CreateVolume no AmazonECSManaged denied", action: "ec2:CreateVolume", resource: seedVolume,
			ctx: []string{"aws:RequestTag/AmazonECSCreated", seedTask}, want: deny},
		{name: "ec2:CreateVolume AmazonECSManaged=false denied", action: "ec2:CreateVolume", resource: seedVolume,
			ctx: []string{"aws:RequestTag/AmazonECSCreated", seedTask, "aws:RequestTag/AmazonECSManaged", "false"}, want: deny},
		{name: "ec2:CreateVolume no AmazonECSCreated denied", action: "ec2:CreateVolume", resource: seedVolume,
			ctx: []string{"aws:RequestTag/AmazonECSManaged", "true"}, want: deny},
		{name: "ec2:CreateVolume created by a service denied", action: "ec2:CreateVolume", resource: seedVolume,
			ctx: []string{"aws:RequestTag/AmazonECSCreated", seedService, "aws:RequestTag/AmazonECSManaged", "true"}, want: deny},
		// SEED/DOC DISAGREE (document only): CreateEBSManagedVolumeFromSnapshot
		// grants ec2:CreateVolume on snapshots without conditions (the
		// snapshot is the other resource of a CreateVolume from snapshot);
		// the volume itself must still satisfy CreateEBSManagedVolume.
		{name: "ec2:CreateVolume snapshot (document only)", action: "ec2:CreateVolume", resource: snapshot, want: allow, via: "CreateEBSManagedVolumeFromSnapshot"},
		// seed 004: "ec2:CreateTags – Allows a principal to add tags to an
		// Amazon EBS volume as part of ec2:CreateVolume." (ec2:CreateAction
		// = CreateVolume, with the same two tags)
		{name: "ec2:CreateTags on CreateVolume", action: "ec2:CreateTags", resource: seedVolume,
			ctx: with(ecsTags, "ec2:CreateAction", "CreateVolume"), want: allow, via: "TagOnCreateVolume"},
		{name: "ec2:CreateTags existing volume denied", action: "ec2:CreateTags", resource: seedVolume, ctx: ecsTags, want: deny},
		{name: "ec2:CreateTags on CreateSnapshot denied", action: "ec2:CreateTags", resource: seedVolume,
			ctx: with(ecsTags, "ec2:CreateAction", "CreateSnapshot"), want: deny},
		{name: "ec2:CreateTags on CreateVolume without ECS tags denied", action: "ec2:CreateTags", resource: seedVolume,
			ctx: []string{"ec2:CreateAction", "CreateVolume", "aws:RequestTag/team", "web"}, want: deny},
		{name: "ec2:CreateTags on an instance denied", action: "ec2:CreateTags", resource: seedInstance,
			ctx: with(ecsTags, "ec2:CreateAction", "CreateVolume"), want: deny},
		// seed 004: "ec2:DescribeVolume – Allows a principal to retrieve
		// information about Amazon EBS volumes." / "ec2:DescribeAvailabilityZones".
		{name: "ec2:DescribeVolumes", action: "ec2:DescribeVolumes", resource: "*", want: allow, via: "DescribeVolumesForLifecycle"},
		{name: "ec2:DescribeAvailabilityZones", action: "ec2:DescribeAvailabilityZones", resource: "*", want: allow, via: "DescribeVolumesForLifecycle"},
		// SEED/DOC note: the bullet's "ec2:DescribeVolume" names no real
		// action; the policy grants ec2:DescribeVolumes, and an action called
		// DescribeVolume would not match it.
		{name: "ec2:DescribeVolume (bullet's spelling) denied", action: "ec2:DescribeVolume", resource: "*", want: deny},
		// SEED/DOC DISAGREE (document only): DescribeInstancesForAttachingVolume.
		{name: "ec2:DescribeInstances (document only)", action: "ec2:DescribeInstances", resource: "*", want: allow, via: "DescribeInstancesForAttachingVolume"},
		// seed 004: "ec2:AttachVolume – ... attach an Amazon EBS volume to an
		// Amazon EC2 instance", "ec2:DetachVolume – ... detach". Example:
		// on volumes only when tagged AmazonECSManaged=true; on instances
		// without condition.
		{name: "ec2:AttachVolume managed volume", action: "ec2:AttachVolume", resource: seedVolume,
			ctx: []string{"aws:ResourceTag/AmazonECSManaged", "true"}, want: allow, via: "ManageEBSVolumeLifecycle"},
		{name: "ec2:AttachVolume instance", action: "ec2:AttachVolume", resource: seedInstance, want: allow, via: "ManageVolumeAttachmentsForEC2"},
		{name: "ec2:AttachVolume unmanaged volume denied", action: "ec2:AttachVolume", resource: seedVolume, want: deny},
		{name: "ec2:AttachVolume volume managed=false denied", action: "ec2:AttachVolume", resource: seedVolume,
			ctx: []string{"aws:ResourceTag/AmazonECSManaged", "false"}, want: deny},
		{name: "ec2:DetachVolume managed volume", action: "ec2:DetachVolume", resource: seedVolume,
			ctx: []string{"aws:ResourceTag/AmazonECSManaged", "true"}, want: allow, via: "ManageEBSVolumeLifecycle"},
		{name: "ec2:DetachVolume instance", action: "ec2:DetachVolume", resource: seedInstance, want: allow, via: "ManageVolumeAttachmentsForEC2"},
		{name: "ec2:DetachVolume unmanaged volume denied", action: "ec2:DetachVolume", resource: seedVolume, want: deny},
		// seed 004: "ec2:DeleteVolume – ... delete Amazon EBS volumes that
		// are no longer used by the Amazon ECS task." Example: both resource
		// tags, AmazonECSCreated a task ARN.
		{name: "ec2:DeleteVolume ECS-created", action: "ec2:DeleteVolume", resource: seedVolume,
			ctx: []string{"aws:ResourceTag/AmazonECSCreated", seedTask, "aws:ResourceTag/AmazonECSManaged", "true"}, want: allow, via: "DeleteEBSManagedVolume"},
		{name: "ec2:DeleteVolume managed but not ECS-created denied", action: "ec2:DeleteVolume", resource: seedVolume,
			ctx: []string{"aws:ResourceTag/AmazonECSManaged", "true"}, want: deny},
		{name: "ec2:DeleteVolume created by non-task denied", action: "ec2:DeleteVolume", resource: seedVolume,
			ctx: []string{"aws:ResourceTag/AmazonECSCreated", "arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0", "aws:ResourceTag/AmazonECSManaged", "true"}, want: deny},
		{name: "ec2:DeleteVolume untagged denied", action: "ec2:DeleteVolume", resource: seedVolume, want: deny},
		// SEED/DOC DISAGREE: seed 004's bullet "ec2:DeleteTags – Allows a
		// principal to delete the AmazonECSManaged tag from an Amazon EBS
		// volume" is granted by neither the seed's example nor the document.
		{name: "ec2:DeleteTags denied (bullet lists it)", action: "ec2:DeleteTags", resource: seedVolume,
			ctx: []string{"aws:ResourceTag/AmazonECSManaged", "true", "aws:TagKeys", "AmazonECSManaged"}, want: deny},
		// Nothing else on EBS.
		{name: "ec2:CreateSnapshot denied", action: "ec2:CreateSnapshot", resource: seedVolume,
			ctx: []string{"aws:ResourceTag/AmazonECSManaged", "true"}, want: deny},
		{name: "ec2:ModifyVolume denied", action: "ec2:ModifyVolume", resource: seedVolume,
			ctx: []string{"aws:ResourceTag/AmazonECSManaged", "true"}, want: deny},
	})
}

// AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity.
func TestSeedInfrastructureRolePolicyForServiceConnectTLS(t *testing.T) {
	set := seedManagedSet(t, "AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity")
	const (
		otherSCSecret = "arn:aws:secretsmanager:us-east-1:444455556666:secret:ecs-sc!0a1b2c3d-AbCdEf"
		endEntity     = "arn:aws:acm-pca:::template/EndEntityCertificate/V1"
	)
	created := func(by string) []string {
		return []string{
			"aws:RequestTag/AmazonECSCreated", by,
			"aws:RequestTag/AmazonECSManaged", "true",
			"aws:TagKeys", "AmazonECSCreated|AmazonECSManaged",
		}
	}
	owned := []string{"secretsmanager:ResourceTag/aws:secretsmanager:owningService", "ecs-sc"}
	runSeedCases(t, set, seedInfraRole, []seedCase{
		// seed 004: "secretsmanager:CreateSecret – ... Amazon ECS keeps the
		// customer's private key in the customer's Secrets Manager secret."
		// Example: secret:ecs-sc!*, AmazonECSCreated a service or task set,
		// AmazonECSManaged = "true", aws:ResourceAccount =
		// ${aws:PrincipalAccount}.
		{name: "secretsmanager:CreateSecret for a service", action: "secretsmanager:CreateSecret", resource: seedSCSecret,
			ctx: created(seedService), want: allow, via: "CreateSecret"},
		{name: "secretsmanager:CreateSecret for a task set", action: "secretsmanager:CreateSecret", resource: seedSCSecret,
			ctx: created(seedTaskSet), want: allow, via: "CreateSecret"},
		{name: "secretsmanager:CreateSecret for a task denied", action: "secretsmanager:CreateSecret", resource: seedSCSecret,
			ctx: created(seedTask), want: deny},
		{name: "secretsmanager:CreateSecret untagged denied", action: "secretsmanager:CreateSecret", resource: seedSCSecret, want: deny},
		{name: "secretsmanager:CreateSecret not ecs-sc! denied", action: "secretsmanager:CreateSecret", resource: seedSecret,
			ctx: created(seedService), want: deny},
		{name: "secretsmanager:CreateSecret other account denied", action: "secretsmanager:CreateSecret", resource: otherSCSecret,
			ctx: created(seedService), want: deny, why: policy.ReasonNoResourceAllow},
		// seed 004: "secretsmanager:TagResource – Allows principal to attach
		// tag on the created secret."
		{name: "secretsmanager:TagResource", action: "secretsmanager:TagResource", resource: seedSCSecret,
			ctx: created(seedService), want: allow, via: "TagOnCreateSecret"},
		{name: "secretsmanager:TagResource without ECS tags denied", action: "secretsmanager:TagResource", resource: seedSCSecret,
			ctx: []string{"aws:RequestTag/team", "web", "aws:TagKeys", "team"}, want: deny},
		// seed 004: UpdateSecret, GetSecretValue, PutSecretValue,
		// UpdateSecretVersionStage "required for Amazon ECS to do Amazon ECS
		// Service Connect TLS materials rotation"; example: only on secrets
		// whose owningService tag is ecs-sc.
		{name: "secretsmanager:GetSecretValue ecs-sc owned", action: "secretsmanager:GetSecretValue", resource: seedSCSecret,
			ctx: owned, want: allow, via: "RotateTLSCertificateSecret"},
		{name: "secretsmanager:PutSecretValue ecs-sc owned", action: "secretsmanager:PutSecretValue", resource: seedSCSecret,
			ctx: owned, want: allow, via: "RotateTLSCertificateSecret"},
		{name: "secretsmanager:UpdateSecretVersionStage ecs-sc owned", action: "secretsmanager:UpdateSecretVersionStage", resource: seedSCSecret,
			ctx: owned, want: allow, via: "RotateTLSCertificateSecret"},
		{name: "secretsmanager:RotateSecret ecs-sc owned", action: "secretsmanager:RotateSecret", resource: seedSCSecret,
			ctx: owned, want: allow, via: "RotateTLSCertificateSecret"},
		{name: "secretsmanager:DeleteSecret ecs-sc owned", action: "secretsmanager:DeleteSecret", resource: seedSCSecret,
			ctx: owned, want: allow, via: "RotateTLSCertificateSecret"},
		{name: "secretsmanager:GetSecretValue not owned denied", action: "secretsmanager:GetSecretValue", resource: seedSCSecret, want: deny},
		{name: "secretsmanager:GetSecretValue owned by rds denied", action: "secretsmanager:GetSecretValue", resource: seedSCSecret,
			ctx: []string{"secretsmanager:ResourceTag/aws:secretsmanager:owningService", "rds"}, want: deny},
		{name: "secretsmanager:GetSecretValue customer secret denied", action: "secretsmanager:GetSecretValue", resource: seedSecret,
			ctx: owned, want: deny},
		{name: "secretsmanager:GetSecretValue other account denied", action: "secretsmanager:GetSecretValue", resource: otherSCSecret,
			ctx: owned, want: deny, why: policy.ReasonNoResourceAllow},
		// SEED/DOC DISAGREE: the seed's example puts DescribeSecret under
		// RotateTLSCertificateSecret (owningService tag required); the
		// document (v4) grants it in DescribeTLSCertificateSecret with only
		// the same-account condition, so an untagged ecs-sc! secret can be
		// described.
		{name: "secretsmanager:DescribeSecret untagged (document)", action: "secretsmanager:DescribeSecret", resource: seedSCSecret,
			want: allow, via: "DescribeTLSCertificateSecret"},
		{name: "secretsmanager:DescribeSecret customer secret denied", action: "secretsmanager:DescribeSecret", resource: seedSecret, want: deny},
		// seed 004: acm-pca:GetCertificate, GetCertificateAuthorityCertificate,
		// DescribeCertificateAuthority; example: CA tagged AmazonECSManaged=true.
		{name: "acm-pca:GetCertificateAuthorityCertificate managed CA", action: "acm-pca:GetCertificateAuthorityCertificate", resource: seedCA,
			ctx: []string{"aws:ResourceTag/AmazonECSManaged", "true"}, want: allow, via: "ManagePrivateCertificateAuthority"},
		{name: "acm-pca:DescribeCertificateAuthority managed CA", action: "acm-pca:DescribeCertificateAuthority", resource: seedCA,
			ctx: []string{"aws:ResourceTag/AmazonECSManaged", "true"}, want: allow, via: "ManagePrivateCertificateAuthority"},
		{name: "acm-pca:GetCertificate managed CA", action: "acm-pca:GetCertificate", resource: seedCA,
			ctx: []string{"aws:ResourceTag/AmazonECSManaged", "true"}, want: allow, via: "ManagePrivateCertificateAuthority"},
		{name: "acm-pca:GetCertificate unmanaged CA denied", action: "acm-pca:GetCertificate", resource: seedCA, want: deny},
		// seed 004: "acm-pca:IssueCertificate – ... for End entity
		// certificate"; example: TemplateArn EndEntityCertificate/V1 on a
		// managed CA.
		{name: "acm-pca:IssueCertificate end entity", action: "acm-pca:IssueCertificate", resource: seedCA,
			ctx: []string{"aws:ResourceTag/AmazonECSManaged", "true", "acm-pca:TemplateArn", endEntity}, want: allow,
			via: "ManagePrivateCertificateAuthorityForIssuingEndEntityCertificate"},
		{name: "acm-pca:IssueCertificate subordinate CA denied", action: "acm-pca:IssueCertificate", resource: seedCA,
			ctx: []string{"aws:ResourceTag/AmazonECSManaged", "true", "acm-pca:TemplateArn", "arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen0/V1"}, want: deny},
		{name: "acm-pca:IssueCertificate no template denied", action: "acm-pca:IssueCertificate", resource: seedCA,
			ctx: []string{"aws:ResourceTag/AmazonECSManaged", "true"}, want: deny},
		{name: "acm-pca:IssueCertificate unmanaged CA denied", action: "acm-pca:IssueCertificate", resource: seedCA,
			ctx: []string{"acm-pca:TemplateArn", endEntity}, want: deny},
		// SEED/DOC DISAGREE: the update history (January 22, 2024) says the
		// policy "provides administrative access to AWS KMS"; neither the
		// example nor the document has any kms action.
		{name: "kms:Decrypt denied (history says KMS)", action: "kms:Decrypt", resource: "arn:aws:kms:us-east-1:111122223333:key/12345678-1234-1234-1234-123456789012", want: deny},
		{name: "kms:CreateGrant denied", action: "kms:CreateGrant", resource: "arn:aws:kms:us-east-1:111122223333:key/12345678-1234-1234-1234-123456789012", want: deny},
		// Not administrative over Secrets Manager or Private CA in general.
		{name: "secretsmanager:ListSecrets denied", action: "secretsmanager:ListSecrets", resource: "*", want: deny},
		{name: "acm-pca:DeleteCertificateAuthority denied", action: "acm-pca:DeleteCertificateAuthority", resource: seedCA,
			ctx: []string{"aws:ResourceTag/AmazonECSManaged", "true"}, want: deny},
	})

	// The example's "aws:ResourceAccount": "${aws:PrincipalAccount}" keeps
	// the role to its own account's secrets even when another account's
	// secret policy grants it access: across accounts both sides must
	// allow, and the identity side's condition fails.
	t.Run("other account's secret policy", func(t *testing.T) {
		rp, err := policy.CompileJSON([]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow",`+
			`"Principal":{"AWS":"arn:aws:iam::111122223333:role/ecsInfrastructureRole"},"Action":"secretsmanager:*","Resource":"*"}}`),
			policy.TypeResource, "secret-policy")
		if err != nil {
			t.Fatal(err)
		}
		cross := set
		cross.Resource = rp
		runSeedCases(t, cross, seedInfraRole, []seedCase{
			{name: "GetSecretValue denied by the account condition", action: "secretsmanager:GetSecretValue", resource: otherSCSecret,
				ctx: owned, want: deny},
			{name: "DescribeSecret denied by the account condition", action: "secretsmanager:DescribeSecret", resource: otherSCSecret, want: deny},
			// Control: the same request with aws:ResourceAccount forced to
			// the caller's account is allowed, so the denial above is the
			// condition's doing, not the cross-account rule's alone.
			{name: "control: account condition met", action: "secretsmanager:GetSecretValue", resource: otherSCSecret,
				ctx: append([]string{"aws:ResourceAccount", seedAcct}, owned...), want: allow, via: "RotateTLSCertificateSecret"},
		})
	})
}

// Trust policies printed by the seeds, compiled as TypeTrust and evaluated
// for sts:AssumeRole with the service principal as caller.
func TestSeedTrustPolicies(t *testing.T) {
	const admin = "arn:aws:iam::111122223333:user/admin"
	adminIdentity := []*policy.Policy{seedManaged(t, "AdministratorAccess")}
	t.Run("ecsInstanceRole", func(t *testing.T) {
		// seeds 000 and 001: "Verify that the trust relationship contains the
		// following policy": Principal Service ec2.amazonaws.com, Action
		// sts:AssumeRole (Version 2008-10-17).
		const role = "arn:aws:iam::111122223333:role/ecsInstanceRole"
		set := policy.Set{Resource: seedTrust(t, "ecsInstanceRole-trust.json")}
		runSeedCases(t, set, "ec2.amazonaws.com", []seedCase{
			{name: "ec2 assumes", action: "sts:AssumeRole", resource: role, want: allow, why: policy.ReasonResourceAllows},
			// seed 003: tasks use a role "different from the one that your
			// EC2 instance uses. This way, your task doesn't inherit the role
			// of your EC2 instance." The instance role is not for tasks.
			{name: "ecs-tasks denied", principal: "ecs-tasks.amazonaws.com", action: "sts:AssumeRole", resource: role, want: deny},
			{name: "ssm denied", principal: "ssm.amazonaws.com", action: "sts:AssumeRole", resource: role, want: deny},
			{name: "ecs denied", principal: "ecs.amazonaws.com", action: "sts:AssumeRole", resource: role, want: deny},
			// Only sts:AssumeRole is trusted.
			{name: "ec2 TagSession denied", action: "sts:TagSession", resource: role, want: deny},
			{name: "ec2 AssumeRoleWithWebIdentity denied", action: "sts:AssumeRoleWithWebIdentity", resource: role, want: deny},
		})
		// Not even an administrator of the account may assume it: the trust
		// policy names only ec2.amazonaws.com.
		set.Identity = adminIdentity
		runSeedCases(t, set, admin, []seedCase{
			{name: "admin user denied", action: "sts:AssumeRole", resource: role, want: deny},
		})
	})
	t.Run("ecsAnywhereRole", func(t *testing.T) {
		// seed 002, "To create the ECS Anywhere IAM role (AWS CLI)", step 1:
		// ssm-trust-policy.json, Principal Service ["ssm.amazonaws.com"];
		// step 2 creates ecsAnywhereRole with it.
		const role = "arn:aws:iam::111122223333:role/ecsAnywhereRole"
		set := policy.Set{Resource: seedTrust(t, "ecsAnywhereRole-trust.json")}
		runSeedCases(t, set, "ssm.amazonaws.com", []seedCase{
			{name: "ssm assumes", action: "sts:AssumeRole", resource: role, want: allow, why: policy.ReasonResourceAllows},
			{name: "ec2 denied", principal: "ec2.amazonaws.com", action: "sts:AssumeRole", resource: role, want: deny},
			{name: "ecs-tasks denied", principal: "ecs-tasks.amazonaws.com", action: "sts:AssumeRole", resource: role, want: deny},
		})
		set.Identity = adminIdentity
		runSeedCases(t, set, admin, []seedCase{
			{name: "admin user denied", action: "sts:AssumeRole", resource: role, want: deny},
		})
	})
	t.Run("taskRole", func(t *testing.T) {
		// seed 003: "When assigning IAM roles for a task, you must use the
		// folllowing trust policy so that each of your tasks can assume an
		// IAM role that's different from the one that your EC2 instance
		// uses." SEED/DOC DISAGREE: the seed prints "Service": "" (lost in
		// conversion); ecsTaskRole-trust.json restores
		// ecs-tasks.amazonaws.com. The same trust serves task execution
		// roles (seed 003, "Task execution role").
		const role = "arn:aws:iam::111122223333:role/web-task-role"
		set := policy.Set{Resource: seedTrust(t, "ecsTaskRole-trust.json")}
		runSeedCases(t, set, "ecs-tasks.amazonaws.com", []seedCase{
			{name: "ecs-tasks assumes", action: "sts:AssumeRole", resource: role, want: allow, why: policy.ReasonResourceAllows},
			{name: "ecs-tasks assumes execution role", action: "sts:AssumeRole", resource: "arn:aws:iam::111122223333:role/ecsTaskExecutionRole", want: allow, why: policy.ReasonResourceAllows},
			// "This way, your task doesn't inherit the role of your EC2 instance."
			{name: "ec2 denied", principal: "ec2.amazonaws.com", action: "sts:AssumeRole", resource: role, want: deny},
			{name: "ecs denied", principal: "ecs.amazonaws.com", action: "sts:AssumeRole", resource: role, want: deny},
			{name: "ssm denied", principal: "ssm.amazonaws.com", action: "sts:AssumeRole", resource: role, want: deny},
		})
		set.Identity = adminIdentity
		runSeedCases(t, set, admin, []seedCase{
			{name: "admin user denied", action: "sts:AssumeRole", resource: role, want: deny},
		})
	})
}

// seedTaskTrustAsPrinted is the task-role trust policy exactly as seed 003
// prints it: "Principal": { "Service": "" }.
func seedTaskTrustAsPrinted(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "seeds", "ecsTaskRole-trust-as-printed.json"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Accepted or not, the policy as printed must not let any service assume
// the role.
func TestSeedTaskTrustAsPrintedTrustsNobody(t *testing.T) {
	p, err := policy.CompileJSON(seedTaskTrustAsPrinted(t), policy.TypeTrust, "as-printed")
	if err != nil {
		t.Skipf("rejected: %v", err)
	}
	const role = "arn:aws:iam::111122223333:role/web-task-role"
	runSeedCases(t, policy.Set{Resource: p}, "ecs-tasks.amazonaws.com", []seedCase{
		{name: "ecs-tasks denied", action: "sts:AssumeRole", resource: role, want: deny},
		{name: "ec2 denied", principal: "ec2.amazonaws.com", action: "sts:AssumeRole", resource: role, want: deny},
	})
}

// IAM validates service principals in trust policies (CreateRole and
// UpdateAssumeRolePolicy fail with MalformedPolicyDocument "Invalid
// principal in policy: \"SERVICE\":\"amazonaws.com\"" for a name that is no
// service, aws/aws-cdk-examples#801, and for "ssm.<region>.amazonaws.com" in
// regions without it, aws/aws-cdk#17646), so the empty name seed 003 prints
// cannot be a role's trust policy.
func TestSeedTaskTrustAsPrintedRejected(t *testing.T) {
	_, err := policy.CompileJSON(seedTaskTrustAsPrinted(t), policy.TypeTrust, "as-printed")
	if err == nil {
		t.Fatal(`trust policy with "Service": "" accepted; IAM rejects it: Invalid principal in policy: "SERVICE":""`)
	}
	if !strings.Contains(err.Error(), "Invalid principal in policy") {
		t.Fatalf("rejected, but not as IAM does (Invalid principal in policy: \"SERVICE\":\"\"): %v", err)
	}
}
