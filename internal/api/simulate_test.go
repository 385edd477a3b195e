package api

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// simPutObjectDoc is the policy of the recorded SimulatePrincipalPolicy
// test, byte for byte as Python's json.dumps wrote it.
const simPutObjectDoc = `{"Version": "2012-10-17", "Statement": {"Sid": "", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}}`

func position(p *types.Position) [2]int32 {
	if p == nil {
		return [2]int32{}
	}
	return [2]int32{p.Line, p.Column}
}

// TestSimulatePrincipalPolicyRecorded reproduces the recorded AWS response
// of SimulatePrincipalPolicy for a managed policy attached to a role, a
// group and a user.
func TestSimulatePrincipalPolicyRecorded(t *testing.T) {
	for _, kind := range []string{"role", "group", "user"} {
		t.Run(kind, func(t *testing.T) {
			ts := newTestServer(t)
			ctx := context.Background()
			p := createPolicy(t, ts, "put-object", simPutObjectDoc)
			var source string
			switch kind {
			case "role":
				source = aws.ToString(newRole(t, ts, &awsiam.CreateRoleInput{RoleName: aws.String("sim-role")}).Arn)
				_, err := ts.IAM.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("sim-role"), PolicyArn: p.Arn})
				if err != nil {
					t.Fatal(err)
				}
			case "group":
				source = aws.ToString(newGroup(t, ts, "sim-group", "").Arn)
				_, err := ts.IAM.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String("sim-group"), PolicyArn: p.Arn})
				if err != nil {
					t.Fatal(err)
				}
			case "user":
				source = aws.ToString(newUser(t, ts, "sim-user").Arn)
				_, err := ts.IAM.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("sim-user"), PolicyArn: p.Arn})
				if err != nil {
					t.Fatal(err)
				}
			}
			out, err := ts.IAM.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{
				PolicySourceArn: aws.String(source),
				ActionNames:     []string{"s3:PutObject", "s3:GetObjectVersion"},
				ResourceArns:    []string{"arn:aws:s3:::bucket"},
			})
			if err != nil {
				t.Fatal(err)
			}
			if out.IsTruncated || len(out.EvaluationResults) != 2 {
				t.Fatalf("results %+v", out)
			}
			put, get := out.EvaluationResults[0], out.EvaluationResults[1]
			if aws.ToString(put.EvalActionName) != "s3:PutObject" || put.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || aws.ToString(put.EvalResourceName) != "arn:aws:s3:::bucket" {
				t.Errorf("PutObject %+v", put)
			}
			if put.EvalDecisionDetails == nil || len(put.EvalDecisionDetails) != 0 || put.MissingContextValues == nil || len(put.MissingContextValues) != 0 {
				t.Errorf("PutObject details %+v missing %+v", put.EvalDecisionDetails, put.MissingContextValues)
			}
			if put.OrganizationsDecisionDetail == nil || !put.OrganizationsDecisionDetail.AllowedByOrganizations || put.PermissionsBoundaryDecisionDetail != nil {
				t.Errorf("PutObject decision details %+v", put)
			}
			checkMatched := func(ms []types.Statement) {
				t.Helper()
				if len(ms) != 1 {
					t.Fatalf("matched %+v", ms)
				}
				m := ms[0]
				if aws.ToString(m.SourcePolicyId) != "put-object" || m.SourcePolicyType != "IAM Policy" || position(m.StartPosition) != [2]int32{1, 41} || position(m.EndPosition) != [2]int32{1, 113} {
					t.Errorf("matched statement %s %s %v %v", aws.ToString(m.SourcePolicyId), m.SourcePolicyType, position(m.StartPosition), position(m.EndPosition))
				}
			}
			checkMatched(put.MatchedStatements)
			if len(put.ResourceSpecificResults) != 1 {
				t.Fatalf("resource results %+v", put.ResourceSpecificResults)
			}
			rr := put.ResourceSpecificResults[0]
			if aws.ToString(rr.EvalResourceName) != "arn:aws:s3:::bucket" || rr.EvalResourceDecision != types.PolicyEvaluationDecisionTypeAllowed || rr.MissingContextValues == nil {
				t.Errorf("resource result %+v", rr)
			}
			checkMatched(rr.MatchedStatements)

			if aws.ToString(get.EvalActionName) != "s3:GetObjectVersion" || get.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny || get.MatchedStatements == nil || len(get.MatchedStatements) != 0 {
				t.Errorf("GetObjectVersion %+v", get)
			}
			if len(get.ResourceSpecificResults) != 1 || get.ResourceSpecificResults[0].EvalResourceDecision != types.PolicyEvaluationDecisionTypeImplicitDeny || get.ResourceSpecificResults[0].MatchedStatements == nil {
				t.Errorf("GetObjectVersion resource results %+v", get.ResourceSpecificResults)
			}
		})
	}
}

// cliDateDoc is the AWS CLI documentation's simulate-custom-policy example.
const cliDateDoc = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`

func TestSimulateCustomPolicy(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	sim := func(date string) *awsiam.SimulateCustomPolicyOutput {
		t.Helper()
		in := &awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{cliDateDoc}, ActionNames: []string{"dynamodb:CreateBackup"}}
		if date != "" {
			in.ContextEntries = []types.ContextEntry{{ContextKeyName: aws.String("aws:CurrentTime"), ContextKeyValues: []string{date}, ContextKeyType: types.ContextKeyTypeEnumDate}}
		}
		out, err := ts.IAM.SimulateCustomPolicy(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.EvaluationResults) != 1 {
			t.Fatalf("results %+v", out.EvaluationResults)
		}
		return out
	}
	// As in the CLI documentation's example output.
	r := sim("2019-04-25T11:00:00Z").EvaluationResults[0]
	if r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || aws.ToString(r.EvalResourceName) != "*" || len(r.MissingContextValues) != 0 {
		t.Errorf("result %+v", r)
	}
	if r.ResourceSpecificResults != nil || r.EvalDecisionDetails != nil {
		t.Errorf("resource-specific parts without ResourceArns: %+v", r)
	}
	if len(r.MatchedStatements) != 1 {
		t.Fatalf("matched %+v", r.MatchedStatements)
	}
	m := r.MatchedStatements[0]
	if aws.ToString(m.SourcePolicyId) != "PolicyInputList.1" || position(m.StartPosition) != [2]int32{1, 38} || position(m.EndPosition) != [2]int32{1, 167} {
		t.Errorf("matched %s %v %v", aws.ToString(m.SourcePolicyId), position(m.StartPosition), position(m.EndPosition))
	}

	r = sim("2017-01-01T00:00:00Z").EvaluationResults[0]
	if r.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny || len(r.MatchedStatements) != 0 || len(r.MissingContextValues) != 0 {
		t.Errorf("before the date %+v", r)
	}
	// Without the key the condition cannot hold, and the key is reported
	// missing.
	r = sim("").EvaluationResults[0]
	if r.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny || strings.Join(r.MissingContextValues, ",") != "aws:CurrentTime" {
		t.Errorf("without context %+v", r)
	}
}

func TestSimulateExplicitDenyAndPositions(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	allow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	deny := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"sqs:*\", \"Resource\": \"*\"},\n    {\n      \"Effect\": \"Deny\",\n      \"Action\": \"s3:DeleteBucket\",\n      \"Resource\": \"*\"\n    }\n  ]\n}"
	out, err := ts.IAM.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{
		PolicyInputList: []string{allow, deny},
		ActionNames:     []string{"s3:DeleteBucket", "s3:ListBucket", "ec2:RunInstances"},
		ResourceArns:    []string{"arn:aws:s3:::b1", "arn:aws:s3:::b2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Every action with every resource, action by action.
	if len(out.EvaluationResults) != 6 {
		t.Fatalf("%d results", len(out.EvaluationResults))
	}
	var got []string
	for _, r := range out.EvaluationResults {
		got = append(got, aws.ToString(r.EvalActionName)+" "+aws.ToString(r.EvalResourceName)+" "+string(r.EvalDecision))
	}
	want := "s3:DeleteBucket arn:aws:s3:::b1 explicitDeny|s3:DeleteBucket arn:aws:s3:::b2 explicitDeny|s3:ListBucket arn:aws:s3:::b1 allowed|s3:ListBucket arn:aws:s3:::b2 allowed|ec2:RunInstances arn:aws:s3:::b1 implicitDeny|ec2:RunInstances arn:aws:s3:::b2 implicitDeny"
	if strings.Join(got, "|") != want {
		t.Errorf("results\n got %s\nwant %s", strings.Join(got, "|"), want)
	}
	// An explicit deny reports the deny statement only.
	ms := out.EvaluationResults[0].MatchedStatements
	if len(ms) != 1 || aws.ToString(ms[0].SourcePolicyId) != "PolicyInputList.2" || position(ms[0].StartPosition) != [2]int32{5, 6} || position(ms[0].EndPosition) != [2]int32{9, 6} {
		for _, m := range ms {
			t.Logf("matched %s %v %v", aws.ToString(m.SourcePolicyId), position(m.StartPosition), position(m.EndPosition))
		}
		t.Errorf("deny matched statements")
	}
	ms = out.EvaluationResults[2].MatchedStatements
	if len(ms) != 1 || aws.ToString(ms[0].SourcePolicyId) != "PolicyInputList.1" {
		t.Errorf("allow matched %+v", ms)
	}

	// Paging over the results.
	page, err := ts.IAM.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{
		PolicyInputList: []string{allow}, ActionNames: []string{"s3:A", "s3:B", "s3:C"}, MaxItems: aws.Int32(2),
	})
	if err != nil || len(page.EvaluationResults) != 2 || !page.IsTruncated {
		t.Fatalf("page 1 %v %+v", err, page)
	}
	page, err = ts.IAM.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{
		PolicyInputList: []string{allow}, ActionNames: []string{"s3:A", "s3:B", "s3:C"}, MaxItems: aws.Int32(2), Marker: page.Marker,
	})
	if err != nil || len(page.EvaluationResults) != 1 || page.IsTruncated || aws.ToString(page.EvaluationResults[0].EvalActionName) != "s3:C" {
		t.Fatalf("page 2 %v %+v", err, page)
	}
}

func TestSimulatePermissionsBoundary(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	identity := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	boundary := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	out, err := ts.IAM.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{
		PolicyInputList:                    []string{identity},
		PermissionsBoundaryPolicyInputList: []string{boundary},
		ActionNames:                        []string{"s3:GetObject", "s3:PutObject"},
	})
	if err != nil {
		t.Fatal(err)
	}
	get, put := out.EvaluationResults[0], out.EvaluationResults[1]
	if get.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || get.PermissionsBoundaryDecisionDetail == nil || !get.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary {
		t.Errorf("GetObject %+v", get)
	}
	if put.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny || put.PermissionsBoundaryDecisionDetail == nil || put.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary {
		t.Errorf("PutObject %+v", put)
	}
}

func TestSimulatePrincipalPolicyUser(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	u := newUser(t, ts, "worker")
	newGroup(t, ts, "queue-users", "")
	addToGroup(t, ts, "queue-users", "worker")
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// The group grants SQS; the user's inline policy denies deleting
	// queues; a boundary allows SQS and S3 reads.
	must(ts.IAM.PutGroupPolicy(ctx, &awsiam.PutGroupPolicyInput{GroupName: aws.String("queue-users"), PolicyName: aws.String("sqs"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:*","s3:*"],"Resource":"*"}]}`)}))
	must(ts.IAM.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("worker"), PolicyName: aws.String("no-delete"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sqs:DeleteQueue","Resource":"*"}]}`)}))
	b := createPolicy(t, ts, "boundary", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:*","s3:Get*"],"Resource":"*"}]}`)
	must(ts.IAM.PutUserPermissionsBoundary(ctx, &awsiam.PutUserPermissionsBoundaryInput{UserName: aws.String("worker"), PermissionsBoundary: b.Arn}))

	out, err := ts.IAM.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{
		PolicySourceArn: u.Arn,
		ActionNames:     []string{"sqs:SendMessage", "sqs:DeleteQueue", "s3:GetObject", "s3:PutObject", "ec2:RunInstances"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range out.EvaluationResults {
		s := aws.ToString(r.EvalActionName) + "=" + string(r.EvalDecision)
		if r.PermissionsBoundaryDecisionDetail != nil && r.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary {
			s += "(boundary)"
		}
		got = append(got, s)
	}
	want := "sqs:SendMessage=allowed(boundary),sqs:DeleteQueue=explicitDeny(boundary),s3:GetObject=allowed(boundary),s3:PutObject=implicitDeny,ec2:RunInstances=implicitDeny"
	if strings.Join(got, ",") != want {
		t.Errorf("decisions\n got %s\nwant %s", strings.Join(got, ","), want)
	}
	send := out.EvaluationResults[0].MatchedStatements
	if len(send) != 1 || aws.ToString(send[0].SourcePolicyId) != "sqs" || send[0].SourcePolicyType != "IAM Policy" {
		t.Errorf("SendMessage matched %+v", send)
	}
	del := out.EvaluationResults[1].MatchedStatements
	if len(del) != 1 || aws.ToString(del[0].SourcePolicyId) != "no-delete" {
		t.Errorf("DeleteQueue matched %+v", del)
	}

	// A boundary passed in the request replaces the user's own; policies
	// passed in the request are added.
	out, err = ts.IAM.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{
		PolicySourceArn:                    u.Arn,
		ActionNames:                        []string{"s3:PutObject", "ec2:RunInstances"},
		PolicyInputList:                    []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}]}`},
		PermissionsBoundaryPolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.EvaluationResults[0].EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || out.EvaluationResults[1].EvalDecision != types.PolicyEvaluationDecisionTypeAllowed {
		t.Errorf("with request policies %+v", out.EvaluationResults)
	}
}

func TestSimulateResourcePolicy(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	bucketPolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/reader"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}]}`
	none := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:ListQueues","Resource":"*"}]}`
	out, err := ts.IAM.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{
		PolicyInputList: []string{none},
		ActionNames:     []string{"s3:GetObject"},
		ResourceArns:    []string{"arn:aws:s3:::bucket/key"},
		ResourcePolicy:  aws.String(bucketPolicy),
		CallerArn:       aws.String("arn:aws:iam::123456789012:user/reader"),
	})
	if err != nil {
		t.Fatal(err)
	}
	r := out.EvaluationResults[0]
	if r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || len(r.MatchedStatements) != 1 || aws.ToString(r.MatchedStatements[0].SourcePolicyId) != "ResourcePolicy" {
		t.Errorf("resource policy grant %+v", r)
	}
	out, err = ts.IAM.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{
		PolicyInputList: []string{none},
		ActionNames:     []string{"s3:GetObject"},
		ResourceArns:    []string{"arn:aws:s3:::bucket/key"},
		ResourcePolicy:  aws.String(bucketPolicy),
		CallerArn:       aws.String("arn:aws:iam::123456789012:user/someone-else"),
	})
	if err != nil || out.EvaluationResults[0].EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny {
		t.Errorf("other caller %v %+v", err, out)
	}
}

func TestSimulateErrors(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	valid := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	_, err := ts.IAM.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{"not json"}, ActionNames: []string{"s3:GetObject"}})
	apiError(t, err, "InvalidInput", "Syntax errors in policy.", 400)
	_, err = ts.IAM.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::123456789012:user/ghost"), ActionNames: []string{"s3:GetObject"}})
	apiError(t, err, "NoSuchEntity", "The user with name ghost cannot be found.", 404)
	_, err = ts.IAM.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::123456789012:role/ghost"), ActionNames: []string{"s3:GetObject"}})
	apiError(t, err, "NoSuchEntity", "The role with name ghost cannot be found.", 404)
	_, err = ts.IAM.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("not-an-arn"), ActionNames: []string{"s3:GetObject"}})
	apiError(t, err, "InvalidInput", "Invalid ARN: not-an-arn", 400)
	_, err = ts.IAM.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{valid}, ActionNames: []string{"s3:GetObject"}, CallerArn: aws.String("arn:aws:iam::123456789012:role/r")})
	apiError(t, err, "InvalidInput", "Invalid CallerArn: arn:aws:iam::123456789012:role/r. CallerArn must be the ARN of an IAM user.", 400)
	_, err = ts.IAM.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{valid}, ActionNames: []string{"s3:GetObject"}, Marker: aws.String("junk")})
	apiError(t, err, "ValidationError", "Invalid Marker.", 400)
	// Required lists, which the SDK would refuse to send empty.
	status, body := rawIAM(t, ts, map[string]string{"Action": "SimulateCustomPolicy", "PolicyInputList.member.1": valid})
	if status != 400 || !strings.Contains(body, "Value null at &apos;actionNames&apos; failed to satisfy constraint: Member must not be null") {
		t.Errorf("without ActionNames: %d %s", status, body)
	}
	status, body = rawIAM(t, ts, map[string]string{"Action": "SimulateCustomPolicy", "ActionNames.member.1": "s3:GetObject"})
	if status != 400 || !strings.Contains(body, "policyInputList") {
		t.Errorf("without PolicyInputList: %d %s", status, body)
	}
}

func TestGetContextKeys(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1","s3:prefix":"home/"},"Bool":{"aws:SecureTransport":"true"}}},{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"AWS:RequestedRegion":"us-east-1"}}}]}`
	out, err := ts.IAM.GetContextKeysForCustomPolicy(ctx, &awsiam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{doc}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(out.ContextKeyNames, ",") != "aws:RequestedRegion,s3:prefix,aws:SecureTransport" {
		t.Errorf("keys %v", out.ContextKeyNames)
	}
	u := newUser(t, ts, "keyed")
	if _, err := ts.IAM.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("keyed"), PolicyName: aws.String("p"), PolicyDocument: aws.String(cliDateDoc)}); err != nil {
		t.Fatal(err)
	}
	pout, err := ts.IAM.GetContextKeysForPrincipalPolicy(ctx, &awsiam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: u.Arn, PolicyInputList: []string{doc}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(pout.ContextKeyNames, ",") != "aws:RequestedRegion,s3:prefix,aws:SecureTransport,aws:CurrentTime" {
		t.Errorf("principal keys %v", pout.ContextKeyNames)
	}
	_, err = ts.IAM.GetContextKeysForPrincipalPolicy(ctx, &awsiam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::123456789012:group/none")})
	apiError(t, err, "NoSuchEntity", "The group with name none cannot be found.", 404)
}
