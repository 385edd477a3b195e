package policy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/catalog"
)

func managedPolicy(tb testing.TB, name string) *Policy {
	tb.Helper()
	mp, ok := catalog.LookupManagedPolicy(name)
	if !ok {
		tb.Fatalf("no managed policy %s", name)
	}
	p, err := CompileJSON([]byte(mp.Document), TypeIdentity, mp.ARN)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func benchRequest(tb testing.TB, principal, action, resource string, kv ...string) *Request {
	tb.Helper()
	p, err := PrincipalFromARN(principal)
	if err != nil {
		tb.Fatal(err)
	}
	ctx := NewContext()
	for i := 0; i+1 < len(kv); i += 2 {
		ctx.Set(kv[i], kv[i+1])
	}
	return &Request{Principal: p, Action: action, Resource: resource, Context: ctx}
}

func benchEval(b *testing.B, ev *Evaluator, req *Request, want Decision) {
	var res Result
	if ev.Evaluate(req, &res) != want {
		b.Fatalf("decision %v, want %v (%v)", res.Decision, want, res.Reason)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ev.Evaluate(req, &res)
	}
}

// (a) The container instance role's managed policy against the call every
// agent makes when it joins a cluster.
func BenchmarkEvalEC2RoleRegisterContainerInstance(b *testing.B) {
	ev := NewEvaluator(Set{Identity: []*Policy{managedPolicy(b, "AmazonEC2ContainerServiceforEC2Role")}})
	req := benchRequest(b, "arn:aws:sts::111122223333:assumed-role/ecsInstanceRole/i-0123456789abcdef0",
		"ecs:RegisterContainerInstance", "arn:aws:ecs:us-east-1:111122223333:cluster/default",
		"aws:PrincipalAccount", "111122223333", "aws:SourceIp", "10.0.1.17")
	benchEval(b, ev, req, Allowed)
}

// (b) AmazonECS_FullAccess deciding iam:PassRole with iam:PassedToService.
func BenchmarkEvalECSFullAccessPassRole(b *testing.B) {
	ev := NewEvaluator(Set{Identity: []*Policy{managedPolicy(b, "AmazonECS_FullAccess")}})
	req := benchRequest(b, "arn:aws:iam::111122223333:user/deployer",
		"iam:PassRole", "arn:aws:iam::111122223333:role/ecsTaskExecutionRole",
		"iam:PassedToService", "ecs-tasks.amazonaws.com")
	benchEval(b, ev, req, Allowed)
}

// bigSet builds n statements over many services and actions, the shape of a
// large account's combined policies, with conditions on some of them.
func bigSet(tb testing.TB, n int) *Evaluator {
	tb.Helper()
	services := []string{"sns2", "ec2", "ecs", "apigw", "ssmx", "dynamodb", "sqs", "sns", "kms", "logs", "lambda", "rds", "ssm", "cloudwatch", "ecr", "elasticloadbalancing"}
	var ps []*Policy
	perPolicy := 50
	for start := 0; start < n; start += perPolicy {
		var stmts []string
		for i := start; i < start+perPolicy && i < n; i++ {
			svc := services[i%len(services)]
			effect := "Allow"
			if i%17 == 0 {
				effect = "Deny"
			}
			action := fmt.Sprintf("%s:Action%d", svc, i)
			if i%10 == 0 {
				action = fmt.Sprintf("%s:Get%d*", svc, i)
			}
			cond := ""
			if i%3 == 0 {
				cond = fmt.Sprintf(`,"Condition":{"StringEquals":{"aws:PrincipalTag/team":"t%d"},"IpAddress":{"aws:SourceIp":"10.%d.0.0/16"}}`, i%7, i%250)
			}
			stmts = append(stmts, fmt.Sprintf(`{"Sid":"S%d","Effect":%q,"Action":%q,"Resource":"arn:aws:%s:*:111122223333:thing/%d/*"%s}`, i, effect, action, svc, i, cond))
		}
		doc := `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
		p, err := CompileJSON([]byte(doc), TypeIdentity, fmt.Sprintf("p%d", start))
		if err != nil {
			tb.Fatal(err)
		}
		ps = append(ps, p)
	}
	return NewEvaluator(Set{Identity: ps})
}

// (c) A 1,000-statement set (and 100 and 10,000 to show how cost grows).
func BenchmarkEvalLargeSet(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("statements=%d", n), func(b *testing.B) {
			ev := bigSet(b, n)
			i := n/2 + 3 // a statement with a condition, in the middle
			svc := []string{"sns2", "ec2", "ecs", "apigw", "ssmx", "dynamodb", "sqs", "sns", "kms", "logs", "lambda", "rds", "ssm", "cloudwatch", "ecr", "elasticloadbalancing"}[i%16]
			req := benchRequest(b, "arn:aws:sts::111122223333:assumed-role/app/s1",
				fmt.Sprintf("%s:Action%d", svc, i), fmt.Sprintf("arn:aws:%s:us-east-1:111122223333:thing/%d/x", svc, i),
				"aws:PrincipalTag/team", fmt.Sprintf("t%d", i%7), "aws:SourceIp", fmt.Sprintf("10.%d.3.4", i%250))
			benchEval(b, ev, req, Allowed)
		})
	}
}

// Compiling a policy of about 6 KB, the managed policy size limit.
func BenchmarkCompile6KB(b *testing.B) {
	var stmts []string
	for i := 0; len(strings.Join(stmts, ",")) < 6000; i++ {
		stmts = append(stmts, fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Action":["ecs:Describe*","ecs:List*","ecs:RunTask"],"Resource":"arn:aws:ecs:*:${aws:PrincipalAccount}:task-definition/app-%d:*","Condition":{"StringEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}}`, i, i))
	}
	doc := []byte(`{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := CompileJSON(doc, TypeIdentity, "p"); err != nil {
			b.Fatal(err)
		}
	}
}
