package policy

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/rolecall/rolecall/catalog"
)

// lintDoc lints a document. Documents IAM accepts go through Validate, so
// a case fails if Check rejects it; parseOnly documents (ones Check
// rejects, which Lint must still handle) are linted straight from Parse.
func lintDoc(t *testing.T, typ Type, parseOnly bool, doc string) []Finding {
	t.Helper()
	if parseOnly {
		d, err := ParseString(doc)
		if err != nil {
			t.Fatalf("parse: %v", err)
		}
		return Lint(d, typ)
	}
	_, fs := Validate([]byte(doc), CheckOptions{Type: typ})
	if len(fs) > 0 && fs[0].IssueCode == "MALFORMED_POLICY_DOCUMENT" {
		t.Fatalf("IAM rejects the document: %s", fs[0].Message)
	}
	return fs
}

// doc wraps statements (JSON objects, comma-separated) in a 2012-10-17
// document.
func lintJSON(statements string) string {
	return `{"Version":"2012-10-17","Statement":[` + statements + `]}`
}

// allow is an identity statement allowing actions on resources with an
// optional condition ("" for none).
func lintAllow(actions, resources, condition string) string {
	s := `{"Effect":"Allow","Action":` + actions + `,"Resource":` + resources
	if condition != "" {
		s += `,"Condition":` + condition
	}
	return s + "}"
}

// cond is an identity policy allowing s3:GetObject on everything under
// one condition.
func lintCond(condition string) string {
	return lintJSON(lintAllow(`"s3:GetObject"`, `"*"`, condition))
}

func lintTrust(statement string) string { return lintJSON(statement) }

func lintBigPolicy(n int) string {
	actions := make([]string, 0, n)
	for i := 0; len(strings.Join(actions, ",")) < n; i++ {
		actions = append(actions, fmt.Sprintf(`"arn:aws:s3:::bucket-%06d/*"`, i))
	}
	return lintJSON(lintAllow(`"s3:GetObject"`, "["+strings.Join(actions, ",")+"]", ""))
}

type lintCase struct {
	name      string
	typ       Type
	parseOnly bool // Check rejects the document; lint it from Parse
	doc       string
	code      string
	sev       Severity
	path      string
}

var lintCases = []lintCase{
	// Errors.
	{"invalid service in action", TypeIdentity, false, lintJSON(lintAllow(`["ecs:RunTask","ecss:RunTask"]`, `"*"`, "")), "INVALID_SERVICE_IN_ACTION", SeverityError, "Statement[0].Action[1]"},
	{"invalid action", TypeIdentity, false, lintJSON(lintAllow(`["ecs:RunTasks"]`, `"*"`, "")), "INVALID_ACTION", SeverityError, "Statement[0].Action[0]"},
	{"invalid action in NotAction", TypeIdentity, false, lintJSON(`{"Effect":"Deny","NotAction":["s3:GetObject","s3:GetObjekt"],"Resource":"*"}`), "INVALID_ACTION", SeverityError, "Statement[0].NotAction[1]"},
	{"wildcard matching no action", TypeIdentity, false, lintJSON(lintAllow(`["ecs:Zzz*"]`, `"*"`, "")), "INVALID_ACTION", SeverityError, "Statement[0].Action[0]"},
	{"service wildcard matching no action", TypeIdentity, false, lintJSON(lintAllow(`["zzq*:*"]`, `"*"`, "")), "INVALID_ACTION", SeverityError, "Statement[0].Action[0]"},
	{"empty action name", TypeIdentity, false, lintJSON(lintAllow(`["ecs:"]`, `"*"`, "")), "INVALID_ACTION", SeverityError, "Statement[0].Action[0]"},
	{"invalid global condition key", TypeIdentity, false, lintCond(`{"IpAddress":{"aws:SourceIpp":"203.0.113.0/24"}}`), "INVALID_GLOBAL_CONDITION_KEY", SeverityError, "Statement[0].Condition.IpAddress.aws:SourceIpp"},
	{"invalid service condition key", TypeIdentity, false, lintCond(`{"ArnEquals":{"ecs:clusterr":"arn:aws:ecs:us-east-1:123456789012:cluster/a"}}`), "INVALID_SERVICE_CONDITION_KEY", SeverityError, "Statement[0].Condition.ArnEquals.ecs:clusterr"},
	{"invalid service in condition key", TypeIdentity, false, lintCond(`{"StringEquals":{"nosuchsvc:Key":"a"}}`), "INVALID_SERVICE", SeverityError, "Statement[0].Condition.StringEquals.nosuchsvc:Key"},
	{"missing tag key", TypeIdentity, false, lintCond(`{"StringEquals":{"aws:ResourceTag":"a"}}`), "MISSING_TAG_KEY_IN_CONDITION", SeverityError, "Statement[0].Condition.StringEquals.aws:ResourceTag"},
	{"missing tag key after slash", TypeIdentity, false, lintCond(`{"StringEquals":{"ecs:ResourceTag/":"a"}}`), "MISSING_TAG_KEY_IN_CONDITION", SeverityError, "Statement[0].Condition.StringEquals.ecs:ResourceTag/"},
	{"condition key without name", TypeIdentity, false, lintCond(`{"StringEquals":{"aws:":"a"}}`), "INVALID_CONDITION_KEY_FORMAT", SeverityError, "Statement[0].Condition.StringEquals.aws:"},
	{"duplicate keys with different case", TypeIdentity, false, lintCond(`{"StringEquals":{"aws:username":"a","aws:UserName":"b"}}`), "DUPLICATE_KEYS_WITH_DIFFERENT_CASE", SeverityError, "Statement[0].Condition.StringEquals.aws:UserName"},
	{"missing qualifier", TypeIdentity, false, lintCond(`{"StringEquals":{"aws:TagKeys":["a","b"]}}`), "MISSING_QUALIFIER", SeverityError, "Statement[0].Condition.StringEquals.aws:TagKeys"},
	{"null with if exists", TypeIdentity, true, lintCond(`{"NullIfExists":{"aws:username":"true"}}`), "NULL_WITH_IF_EXISTS", SeverityError, "Statement[0].Condition.NullIfExists"},
	{"invalid condition operator", TypeIdentity, true, lintCond(`{"StringEqualz":{"aws:username":"a"}}`), "INVALID_CONDITION_OPERATOR", SeverityError, "Statement[0].Condition.StringEqualz"},
	{"multiple Boolean values", TypeIdentity, false, lintCond(`{"Bool":{"aws:SecureTransport":["true","false"]}}`), "INVALID_CONDITION_MULTIPLE_BOOLEAN", SeverityError, "Statement[0].Condition.Bool.aws:SecureTransport"},
	{"variable with numeric operator", TypeIdentity, false, lintCond(`{"NumericLessThan":{"aws:MultiFactorAuthAge":"${aws:username}"}}`), "INVALID_VARIABLE_FOR_OPERATOR", SeverityError, "Statement[0].Condition.NumericLessThan.aws:MultiFactorAuthAge[0]"},
	{"private IP address", TypeIdentity, false, lintCond(`{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.1.1"]}}`), "PRIVATE_IP_ADDRESS", SeverityError, "Statement[0].Condition.IpAddress.aws:SourceIp"},
	{"private NotIpAddress", TypeIdentity, false, lintCond(`{"NotIpAddress":{"aws:SourceIp":"172.16.0.0/16"}}`), "PRIVATE_NOT_IP_ADDRESS", SeverityError, "Statement[0].Condition.NotIpAddress.aws:SourceIp"},
	{"invalid VPC ID", TypeIdentity, false, lintCond(`{"StringEquals":{"aws:SourceVpc":["vpc-1a2b3c4d","vpc-123"]}}`), "INVALID_VPC_FORMAT", SeverityError, "Statement[0].Condition.StringEquals.aws:SourceVpc[1]"},
	{"invalid VPC endpoint ID", TypeIdentity, false, lintCond(`{"StringEquals":{"aws:SourceVpce":"vpce-xyz"}}`), "INVALID_VPCE_FORMAT", SeverityError, "Statement[0].Condition.StringEquals.aws:SourceVpce[0]"},
	{"invalid Region value", TypeIdentity, false, lintCond(`{"StringEquals":{"aws:RequestedRegion":["us-east-1","us-east"]}}`), "INVALID_REGION", SeverityError, "Statement[0].Condition.StringEquals.aws:RequestedRegion[1]"},
	{"ARN without arn prefix", TypeIdentity, false, lintJSON(lintAllow(`"s3:GetObject"`, `["foo:aws:s3:::bucket/*"]`, "")), "INVALID_ARN_PREFIX", SeverityError, "Statement[0].Resource[0]"},
	{"ARN with missing fields", TypeIdentity, true, lintJSON(lintAllow(`"s3:GetObject"`, `["arn:aws:s3:bucket"]`, "")), "MISSING_ARN_FIELD", SeverityError, "Statement[0].Resource[0]"},
	{"invalid partition", TypeIdentity, true, lintJSON(lintAllow(`"s3:GetObject"`, `["arn:aws-moon:s3:::bucket"]`, "")), "INVALID_PARTITION", SeverityError, "Statement[0].Resource[0]"},
	{"ARN service case", TypeIdentity, false, lintJSON(lintAllow(`"ec2:StartInstances"`, `["arn:aws:EC2:us-east-1:123456789012:instance/*"]`, "")), "INVALID_ARN_SERVICE_CASE", SeverityError, "Statement[0].Resource[0]"},
	{"ARN region", TypeIdentity, false, lintJSON(lintAllow(`"ec2:StartInstances"`, `["arn:aws:ec2:useast1:123456789012:instance/*"]`, "")), "INVALID_ARN_REGION", SeverityError, "Statement[0].Resource[0]"},
	{"ARN account", TypeIdentity, false, lintJSON(lintAllow(`"ec2:StartInstances"`, `["arn:aws:ec2:us-east-1:12345:instance/*"]`, "")), "INVALID_ARN_ACCOUNT", SeverityError, "Statement[0].Resource[0]"},
	{"ARN account not allowed", TypeIdentity, false, lintJSON(lintAllow(`"s3:ListBucket"`, `["arn:aws:s3::123456789012:my-bucket"]`, "")), "ARN_ACCOUNT_NOT_ALLOWED", SeverityError, "Statement[0].Resource[0]"},
	{"ARN region not allowed", TypeIdentity, false, lintJSON(lintAllow(`"cloudfront:GetDistribution"`, `["arn:aws:cloudfront:us-east-1:123456789012:distribution/E1"]`, "")), "ARN_REGION_NOT_ALLOWED", SeverityError, "Statement[0].Resource[0]"},
	{"ARN region missing", TypeIdentity, false, lintJSON(lintAllow(`"ecs:ListServices"`, `["arn:aws:ecs::123456789012:cluster/a"]`, "")), "MISSING_ARN_REGION", SeverityError, "Statement[0].Resource[0]"},
	{"wildcard service principal", TypeResource, false, lintJSON(`{"Effect":"Allow","Principal":{"Service":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), "UNSUPPORTED_WILDCARD_IN_PRINCIPAL", SeverityError, "Statement[0].Principal.Service[0]"},
	{"federated principal in resource policy", TypeResource, false, lintJSON(`{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), "FEDERATED_PRINCIPAL_NOT_SUPPORTED", SeverityError, "Statement[0].Principal.Federated"},
	{"trust policy NotPrincipal", TypeTrust, false, lintTrust(`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}`), "ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL", SeverityError, "Statement[0].NotPrincipal"},
	{"trust policy wildcard principal", TypeTrust, false, lintTrust(`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}`), "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL", SeverityError, "Statement[0].Principal"},
	{"trust policy AWS wildcard principal", TypeTrust, false, lintTrust(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}`), "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL", SeverityError, "Statement[0].Principal.AWS[0]"},
	{"trust policy resource", TypeTrust, true, lintTrust(`{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}`), "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE", SeverityError, "Statement[0].Resource"},
	{"mismatched action for principal", TypeTrust, false, lintTrust(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":["sts:AssumeRole","sts:AssumeRoleWithSAML"]}`), "MISMATCHED_ACTION_FOR_PRINCIPAL", SeverityError, "Statement[0].Action[1]"},
	{"SAML provider with web identity", TypeTrust, false, lintTrust(`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/corp"},"Action":"sts:AssumeRoleWithWebIdentity"}`), "MISMATCHED_ACTION_FOR_PRINCIPAL", SeverityError, "Statement[0].Action[0]"},
	{"roles anywhere missing actions", TypeTrust, false, lintTrust(`{"Effect":"Allow","Principal":{"Service":"rolesanywhere.amazonaws.com"},"Action":"sts:AssumeRole"}`), "MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY", SeverityError, "Statement[0].Action"},
	{"invalid federated principal", TypeTrust, false, lintTrust(`{"Effect":"Allow","Principal":{"Federated":"corp_idp"},"Action":"sts:AssumeRoleWithSAML"}`), "INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY", SeverityError, "Statement[0].Principal.Federated[0]"},
	{"SCP principal", TypeSCP, true, lintJSON(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}`), "SCP_SYNTAX_ERROR_PRINCIPAL", SeverityError, "Statement[0].Principal"},
	{"SCP action wildcard", TypeSCP, false, lintJSON(`{"Effect":"Deny","Action":["iam:Get*","iam:*Role"],"Resource":"*"}`), "SCP_SYNTAX_ERROR_ACTION_WILDCARD", SeverityError, "Statement[0].Action[1]"},
	{"SCP allow condition", TypeSCP, false, lintJSON(`{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}}`), "SCP_SYNTAX_ERROR_ALLOW_CONDITION", SeverityError, "Statement[0].Condition"},
	{"SCP allow NotAction", TypeSCP, false, lintJSON(`{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`), "SCP_SYNTAX_ERROR_ALLOW_NOTACTION", SeverityError, "Statement[0].NotAction"},
	{"SCP allow resource", TypeSCP, false, lintJSON(`{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b"}`), "SCP_SYNTAX_ERROR_ALLOW_RESOURCE", SeverityError, "Statement[0].Resource[0]"},
	{"SCP NotResource", TypeSCP, false, lintJSON(`{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::b"}`), "SCP_SYNTAX_ERROR_NOTRESOURCE", SeverityError, "Statement[0].NotResource"},
	{"SCP size", TypeSCP, false, strings.Replace(lintBigPolicy(5200), `"Effect":"Allow"`, `"Effect":"Deny"`, 1), "POLICY_SIZE_EXCEEDS_SCP_QUOTA", SeverityError, ""},
	{"unsupported Sid", TypeIdentity, true, lintJSON(`{"Sid":"read-objects","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), "UNSUPPORTED_SID", SeverityError, "Statement[0].Sid"},
	{"duplicate Sid", TypeIdentity, true, lintJSON(`{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Sid":"A","Effect":"Allow","Action":"s3:PutObject","Resource":"*"}`), "UNIQUE_SIDS_REQUIRED", SeverityError, "Statement[1].Sid"},
	{"missing brace in variable", TypeIdentity, false, lintJSON(lintAllow(`"s3:GetObject"`, `"arn:aws:s3:::b/${aws:username"`, "")), "MISSING_BRACE_IN_VARIABLE", SeverityError, "Statement[0].Resource[0]"},
	{"missing quote in variable", TypeIdentity, false, lintJSON(lintAllow(`"s3:GetObject"`, `"arn:aws:s3:::b-${aws:PrincipalTag/team, company}/*"`, "")), "MISSING_QUOTE_IN_VARIABLE", SeverityError, "Statement[0].Resource[0]"},
	{"space in variable", TypeIdentity, false, lintCond(`{"StringEquals":{"aws:ResourceTag/owner":"${aws:user name}"}}`), "UNSUPPORTED_SPACE_IN_VARIABLE", SeverityError, "Statement[0].Condition.StringEquals.aws:ResourceTag/owner[0]"},
	{"empty variable", TypeIdentity, false, lintJSON(lintAllow(`"s3:GetObject"`, `"arn:aws:s3:::b/${ }/*"`, "")), "EMPTY_VARIABLE", SeverityError, "Statement[0].Resource[0]"},
	{"variable in principal", TypeResource, false, lintJSON(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${aws:PrincipalAccount}:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), "VARIABLE_UNSUPPORTED_IN_ELEMENT", SeverityError, "Statement[0].Principal.AWS[0]"},
	{"variable in condition key", TypeIdentity, false, lintCond(`{"StringEquals":{"aws:PrincipalTag/${aws:username}":"x"}}`), "VARIABLE_UNSUPPORTED_IN_ELEMENT", SeverityError, "Statement[0].Condition.StringEquals.aws:PrincipalTag/${aws:username}"},
	{"variable without version", TypeIdentity, false, `{"Statement":[` + lintAllow(`"s3:GetObject"`, `"arn:aws:s3:::b/${aws:username}/*"`, "") + `]}`, "VARIABLE_UNSUPPORTED_IN_VERSION", SeverityError, "Statement[0].Resource[0]"},

	// Security warnings.
	{"pass role with star in resource", TypeIdentity, false, lintJSON(lintAllow(`["iam:GetRole","iam:PassRole"]`, `"*"`, "")), "PASS_ROLE_WITH_STAR_IN_RESOURCE", SeveritySecurityWarning, "Statement[0].Resource[0]"},
	{"pass role via iam:Pass*", TypeIdentity, false, lintJSON(lintAllow(`"iam:Pass*"`, `["arn:aws:iam::123456789012:role/*"]`, "")), "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", SeveritySecurityWarning, "Statement[0].Resource[0]"},
	{"pass role via *", TypeIdentity, false, lintJSON(lintAllow(`"*"`, `"*"`, "")), "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", SeveritySecurityWarning, "Statement[0].Resource[0]"},
	{"pass role via iam:*", TypeIdentity, false, lintJSON(lintAllow(`"iam:*"`, `["arn:aws:iam::*:*"]`, "")), "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", SeveritySecurityWarning, "Statement[0].Resource[0]"},
	{"pass role via NotAction", TypeIdentity, false, lintJSON(`{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}`), "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", SeveritySecurityWarning, "Statement[0].Resource[0]"},
	{"pass role with NotResource", TypeIdentity, false, lintJSON(`{"Effect":"Allow","Action":"iam:PassRole","NotResource":"arn:aws:iam::123456789012:role/admin"}`), "PASS_ROLE_WITH_NOT_RESOURCE", SeveritySecurityWarning, "Statement[0].NotResource"},
	{"pass role with star in action and NotResource", TypeIdentity, false, lintJSON(`{"Effect":"Allow","Action":"iam:*","NotResource":"arn:aws:iam::123456789012:role/admin"}`), "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", SeveritySecurityWarning, "Statement[0].NotResource"},
	{"pass role with NotAction and NotResource", TypeIdentity, false, lintJSON(`{"Effect":"Allow","NotAction":"s3:*","NotResource":"arn:aws:iam::123456789012:role/admin"}`), "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE", SeveritySecurityWarning, "Statement[0].NotResource"},
	{"allow with NotPrincipal", TypeResource, false, lintJSON(`{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), "ALLOW_WITH_NOT_PRINCIPAL", SeveritySecurityWarning, "Statement[0].NotPrincipal"},
	{"ForAllValues with single-valued key", TypeIdentity, false, lintCond(`{"ForAllValues:StringEquals":{"aws:username":["a","b"]}}`), "FORALLVALUES_WITH_SINGLE_VALUED_KEY", SeveritySecurityWarning, "Statement[0].Condition.ForAllValues:StringEquals.aws:username"},
	{"missing paired condition key", TypeIdentity, false, lintCond(`{"IpAddress":{"aws:VpcSourceIp":"10.1.0.0/16"}}`), "MISSING_PAIRED_CONDITION_KEYS", SeveritySecurityWarning, "Statement[0].Condition.IpAddress.aws:VpcSourceIp"},
	{"missing paired EC2 key", TypeIdentity, false, lintCond(`{"StringEquals":{"aws:Ec2InstanceSourcePrivateIPv4":"${aws:VpcSourceIp}"}}`), "MISSING_PAIRED_CONDITION_KEYS", SeveritySecurityWarning, "Statement[0].Condition.StringEquals.aws:Ec2InstanceSourcePrivateIPv4"},
	{"service principal without source", TypeResource, false, lintJSON(`{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:123456789012:q"}`), "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL", SeveritySecurityWarning, "Statement[0].Principal.Service"},
	{"OIDC principal without condition", TypeTrust, false, lintTrust(`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"},"Action":"sts:AssumeRoleWithWebIdentity"}`), "MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL", SeveritySecurityWarning, "Statement[0].Principal.Federated[0]"},
	{"GitHub principal without sub", TypeTrust, false, lintTrust(`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}`), "MISSING_GITHUB_REPO_CONDITION_KEY", SeveritySecurityWarning, "Statement[0].Principal.Federated[0]"},

	// Warnings.
	{"create SLR with star in resource", TypeIdentity, false, lintJSON(lintAllow(`"iam:CreateServiceLinkedRole"`, `"*"`, "")), "CREATE_SLR_WITH_STAR_IN_RESOURCE", SeverityWarning, "Statement[0].Resource[0]"},
	{"create SLR via iam:Create*", TypeIdentity, false, lintJSON(lintAllow(`"iam:Create*"`, `"arn:aws:iam::*:role/aws-service-role/*"`, "")), "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE", SeverityWarning, "Statement[0].Resource[0]"},
	{"create SLR with NotResource", TypeIdentity, false, lintJSON(`{"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","NotResource":"arn:aws:s3:::b"}`), "CREATE_SLR_WITH_NOT_RESOURCE", SeverityWarning, "Statement[0].NotResource"},
	{"create SLR with star in action and NotResource", TypeIdentity, false, lintJSON(`{"Effect":"Allow","Action":"iam:Create*","NotResource":"arn:aws:s3:::b"}`), "CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", SeverityWarning, "Statement[0].NotResource"},
	{"create SLR with NotAction and NotResource", TypeIdentity, false, lintJSON(`{"Effect":"Allow","NotAction":"s3:*","NotResource":"arn:aws:s3:::b"}`), "CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE", SeverityWarning, "Statement[0].NotResource"},
	{"create SLR with NotAction", TypeIdentity, false, lintJSON(`{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}`), "CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", SeverityWarning, "Statement[0].Resource[0]"},
	{"missing version", TypeIdentity, false, `{"Statement":[` + lintAllow(`"s3:GetObject"`, `"*"`, "") + `]}`, "MISSING_VERSION", SeverityWarning, "Version"},
	{"numeric operator on string key", TypeIdentity, false, lintCond(`{"NumericEquals":{"aws:username":"5"}}`), "TYPE_MISMATCH", SeverityWarning, "Statement[0].Condition.NumericEquals.aws:username"},
	{"date operator on string key", TypeIdentity, false, lintCond(`{"DateGreaterThan":{"aws:username":"2020-01-01"}}`), "TYPE_MISMATCH", SeverityWarning, "Statement[0].Condition.DateGreaterThan.aws:username"},
	{"string operator on bool key", TypeIdentity, false, lintCond(`{"StringEquals":{"aws:SecureTransport":"true"}}`), "TYPE_MISMATCH", SeverityWarning, "Statement[0].Condition.StringEquals.aws:SecureTransport"},
	{"non-number value", TypeIdentity, false, lintCond(`{"NumericLessThan":{"aws:MultiFactorAuthAge":"one hour"}}`), "TYPE_MISMATCH_NUMBER", SeverityWarning, "Statement[0].Condition.NumericLessThan.aws:MultiFactorAuthAge[0]"},
	{"non-Boolean value", TypeIdentity, false, lintCond(`{"Bool":{"aws:SecureTransport":"yes"}}`), "TYPE_MISMATCH_BOOLEAN", SeverityWarning, "Statement[0].Condition.Bool.aws:SecureTransport[0]"},
	{"non-Boolean Null value", TypeIdentity, false, lintCond(`{"Null":{"aws:TokenIssueTime":"maybe"}}`), "TYPE_MISMATCH_BOOLEAN", SeverityWarning, "Statement[0].Condition.Null.aws:TokenIssueTime[0]"},
	{"bad date", TypeIdentity, true, lintCond(`{"DateGreaterThan":{"aws:CurrentTime":"yesterday"}}`), "TYPE_MISMATCH_DATE", SeverityWarning, "Statement[0].Condition.DateGreaterThan.aws:CurrentTime[0]"},
	{"epoch date", TypeIdentity, false, lintCond(`{"DateGreaterThan":{"aws:CurrentTime":"1700000000"}}`), "INVALID_DATE_VALUE", SeverityWarning, "Statement[0].Condition.DateGreaterThan.aws:CurrentTime[0]"},
	{"bad IP range", TypeIdentity, false, lintCond(`{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","300.1.1.1"]}}`), "TYPE_MISMATCH_IP_RANGE", SeverityWarning, "Statement[0].Condition.IpAddress.aws:SourceIp[1]"},
	{"bad base64", TypeIdentity, false, lintCond(`{"BinaryEquals":{"aws:username":"not base64!"}}`), "TYPE_MISMATCH_STRING", SeverityWarning, "Statement[0].Condition.BinaryEquals.aws:username[0]"},
	{"wildcard without like", TypeIdentity, false, lintCond(`{"StringEquals":{"aws:PrincipalTag/job":"admin-*"}}`), "WILDCARD_WITHOUT_LIKE_OPERATOR", SeverityWarning, "Statement[0].Condition.StringEquals.aws:PrincipalTag/job"},
	{"Sids differing in case", TypeIdentity, false, lintJSON(`{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Sid":"READ","Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}`), "UNIQUE_SIDS_RECOMMENDED", SeverityWarning, "Statement[1].Sid"},
	{"duplicate Sid in resource policy", TypeResource, true, lintJSON(`{"Sid":"A","Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},{"Sid":"A","Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}`), "UNIQUE_SIDS_RECOMMENDED", SeverityWarning, "Statement[1].Sid"},
	{"deprecated aws:ARN", TypeIdentity, false, lintCond(`{"ArnLike":{"aws:ARN":"arn:aws:iam::123456789012:user/*"}}`), "DEPRECATED_GLOBAL_CONDITION_KEY", SeverityWarning, "Statement[0].Condition.ArnLike.aws:ARN"},
	{"identity policy size", TypeIdentity, false, lintBigPolicy(6200), "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", SeverityWarning, ""},
	{"trust policy size", TypeTrust, false, lintTrust(`{"Effect":"Allow","Principal":{"AWS":[` + strings.TrimSuffix(strings.Repeat(`"arn:aws:iam::123456789012:role/some-role-name-long-enough-to-add-up",`, 40), ",") + `]},"Action":"sts:AssumeRole"}`), "POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA", SeverityWarning, ""},
	{"role ID principal", TypeResource, false, lintJSON(`{"Effect":"Allow","Principal":{"AWS":"AROAEXAMPLEID1234567"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), "INVALID_ROLE_REFERENCE", SeverityWarning, "Statement[0].Principal.AWS[0]"},
	{"user ID principal", TypeResource, false, lintJSON(`{"Effect":"Allow","Principal":{"AWS":["123456789012","AIDAEXAMPLEID1234567"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), "INVALID_USER_REFERENCE", SeverityWarning, "Statement[0].Principal.AWS[1]"},
	{"GitHub sub with wildcard", TypeTrust, false, lintTrust(`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo-org/*"}}}`), "SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED", SeverityWarning, "Statement[0].Condition.StringLike.token.actions.githubusercontent.com:sub"},

	// Suggestions.
	{"empty action array", TypeIdentity, true, lintJSON(lintAllow(`[]`, `"*"`, "")), "EMPTY_ARRAY_ACTION", SeveritySuggestion, "Statement[0].Action"},
	{"empty resource array", TypeIdentity, true, lintJSON(lintAllow(`"s3:GetObject"`, `[]`, "")), "EMPTY_ARRAY_RESOURCE", SeveritySuggestion, "Statement[0].Resource"},
	{"empty condition values", TypeIdentity, false, lintCond(`{"StringEquals":{"aws:username":[]}}`), "EMPTY_ARRAY_CONDITION", SeveritySuggestion, "Statement[0].Condition.StringEquals.aws:username"},
	{"empty ForAllValues values", TypeIdentity, false, lintCond(`{"ForAllValues:StringEquals":{"aws:TagKeys":[]}}`), "EMPTY_ARRAY_CONDITION_FORALLVALUES", SeveritySuggestion, "Statement[0].Condition.ForAllValues:StringEquals.aws:TagKeys"},
	{"empty ForAnyValue values", TypeIdentity, false, lintCond(`{"ForAnyValue:StringEquals":{"aws:TagKeys":[]}}`), "EMPTY_ARRAY_CONDITION_FORANYVALUE", SeveritySuggestion, "Statement[0].Condition.ForAnyValue:StringEquals.aws:TagKeys"},
	{"empty IfExists values", TypeIdentity, false, lintCond(`{"StringEqualsIfExists":{"aws:username":[]}}`), "EMPTY_ARRAY_CONDITION_IFEXISTS", SeveritySuggestion, "Statement[0].Condition.StringEqualsIfExists.aws:username"},
	{"empty principal array", TypeResource, true, lintJSON(`{"Effect":"Allow","Principal":{"AWS":[]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), "EMPTY_ARRAY_PRINCIPAL", SeveritySuggestion, "Statement[0].Principal.AWS"},
	{"empty condition object", TypeIdentity, false, lintCond(`{}`), "EMPTY_OBJECT_CONDITION", SeveritySuggestion, "Statement[0].Condition"},
	{"empty condition block", TypeIdentity, false, lintCond(`{"StringEquals":{}}`), "EMPTY_OBJECT_CONDITION", SeveritySuggestion, "Statement[0].Condition.StringEquals"},
	{"empty principal object", TypeResource, false, lintJSON(`{"Effect":"Allow","Principal":{},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`), "EMPTY_OBJECT_PRINCIPAL", SeveritySuggestion, "Statement[0].Principal"},
	{"empty Sid", TypeIdentity, false, lintJSON(`{"Sid":"","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`), "EMPTY_SID_VALUE", SeveritySuggestion, "Statement[0].Sid"},
	{"redundant action", TypeIdentity, false, lintJSON(lintAllow(`["ecs:*","ecs:RunTask"]`, `"*"`, "")), "REDUNDANT_ACTION", SeveritySuggestion, "Statement[0].Action[1]"},
	{"redundant action before its wildcard", TypeIdentity, false, lintJSON(lintAllow(`["iam:GetCredentialReport","iam:Get*","iam:List*"]`, `"*"`, "")), "REDUNDANT_ACTION", SeveritySuggestion, "Statement[0].Action[0]"},
	{"duplicate action", TypeIdentity, false, lintJSON(lintAllow(`["ecs:RunTask","ECS:runtask"]`, `"*"`, "")), "REDUNDANT_ACTION", SeveritySuggestion, "Statement[0].Action[1]"},
	{"action covered by *", TypeIdentity, false, lintJSON(lintAllow(`["s3:Get*","*"]`, `"*"`, "")), "REDUNDANT_ACTION", SeveritySuggestion, "Statement[0].Action[0]"},
	{"redundant resource", TypeIdentity, false, lintJSON(lintAllow(`"s3:GetObject"`, `["arn:aws:s3:::b/*","arn:aws:s3:::b/x"]`, "")), "REDUNDANT_RESOURCE", SeveritySuggestion, "Statement[0].Resource[1]"},
	{"redundant resource pattern", TypeIdentity, false, lintJSON(lintAllow(`"iam:GetRole"`, `["arn:aws:iam::111122223333:role/jane-admin","arn:aws:iam::111122223333:role/jane*"]`, "")), "REDUNDANT_RESOURCE", SeveritySuggestion, "Statement[0].Resource[0]"},
	{"redundant statement", TypeIdentity, false, lintJSON(`{"Sid":"A","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"},{"Sid":"B","Effect":"Allow","Action":["s3:listbucket","s3:GetObject"],"Resource":["*"]}`), "REDUNDANT_STATEMENT", SeveritySuggestion, "Statement[1]"},
	{"wildcard in service name", TypeIdentity, false, lintJSON(lintAllow(`["*:Get*"]`, `"*"`, "")), "WILDCARD_IN_SERVICE_NAME", SeveritySuggestion, "Statement[0].Action[0]"},
	{"partial wildcard in service name", TypeIdentity, false, lintJSON(lintAllow(`["s3:GetObject","ec*:Describe*"]`, `"*"`, "")), "WILDCARD_IN_SERVICE_NAME", SeveritySuggestion, "Statement[0].Action[1]"},
	{"improve IP range", TypeIdentity, false, lintCond(`{"IpAddress":{"aws:SourceIp":"203.0.113.5/24"}}`), "IMPROVE_IP_RANGE", SeveritySuggestion, "Statement[0].Condition.IpAddress.aws:SourceIp[0]"},
	{"Null with qualifier", TypeIdentity, true, lintCond(`{"ForAnyValue:Null":{"aws:TagKeys":"true"}}`), "NULL_WITH_QUALIFIER", SeveritySuggestion, "Statement[0].Condition.ForAnyValue:Null"},
	{"private IP subset", TypeIdentity, false, lintCond(`{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","10.0.0.0/8"]}}`), "PRIVATE_IP_ADDRESS_SUBSET", SeveritySuggestion, "Statement[0].Condition.IpAddress.aws:SourceIp"},
	{"private NotIpAddress subset", TypeIdentity, false, lintCond(`{"NotIpAddress":{"aws:SourceIp":["203.0.113.0/24","fd00::/8"]}}`), "PRIVATE_NOT_IP_ADDRESS_SUBSET", SeveritySuggestion, "Statement[0].Condition.NotIpAddress.aws:SourceIp"},
	{"redundant numeric values", TypeIdentity, false, lintCond(`{"NumericLessThan":{"aws:MultiFactorAuthAge":["2700","3600"]}}`), "REDUNDANT_CONDITION_VALUE_NUM", SeveritySuggestion, "Statement[0].Condition.NumericLessThan.aws:MultiFactorAuthAge"},
	{"redundant session principal", TypeTrust, false, lintTrust(`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:role/ops","arn:aws:sts::123456789012:assumed-role/ops/alice"]},"Action":"sts:AssumeRole"}`), "REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY", SeveritySuggestion, "Statement[0].Principal.AWS[1]"},
}

func TestLintChecks(t *testing.T) {
	for _, c := range lintCases {
		t.Run(c.name, func(t *testing.T) {
			fs := lintDoc(t, c.typ, c.parseOnly, c.doc)
			for _, f := range fs {
				if f.IssueCode == c.code && f.Path == c.path {
					if f.Severity != c.sev {
						t.Errorf("%s at %s has severity %s, want %s", c.code, c.path, f.Severity, c.sev)
					}
					if f.Message == "" {
						t.Errorf("%s at %s has no message", c.code, c.path)
					}
					return
				}
			}
			t.Errorf("no %s at %q; findings:\n%s", c.code, c.path, lintFormat(fs))
		})
	}
}

// Every issue code is always reported with the same severity.
func TestLintSeveritiesConsistent(t *testing.T) {
	sev := map[string]Severity{}
	for _, c := range lintCases {
		if s, ok := sev[c.code]; ok && s != c.sev {
			t.Errorf("%s: severity %s in one case, %s in another", c.code, s, c.sev)
		}
		sev[c.code] = c.sev
	}
}

// Policies that must not produce certain findings.
func TestLintNoFalsePositives(t *testing.T) {
	cases := []struct {
		name   string
		typ    Type
		doc    string
		absent []string // issue codes
	}{
		{"pass role limited to a service", TypeIdentity, lintJSON(lintAllow(`"iam:PassRole"`, `"*"`, `{"StringEquals":{"iam:PassedToService":"ecs-tasks.amazonaws.com"}}`)), []string{"PASS_ROLE_WITH_STAR_IN_RESOURCE"}},
		{"pass role on named roles", TypeIdentity, lintJSON(lintAllow(`"iam:PassRole"`, `["arn:aws:iam::*:role/Service*","arn:aws:iam::123456789012:role/app"]`, "")), []string{"PASS_ROLE_WITH_STAR_IN_RESOURCE"}},
		{"pass role denied", TypeIdentity, lintJSON(`{"Effect":"Deny","Action":"iam:PassRole","Resource":"*"}`), []string{"PASS_ROLE_WITH_STAR_IN_RESOURCE"}},
		{"NotAction excluding PassRole", TypeIdentity, lintJSON(`{"Effect":"Allow","NotAction":["iam:*"],"Resource":"*"}`), []string{"PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", "CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION"}},
		{"NotResource excluding all roles", TypeIdentity, lintJSON(`{"Effect":"Allow","Action":"iam:PassRole","NotResource":"arn:aws:iam::*:role/*"}`), []string{"PASS_ROLE_WITH_NOT_RESOURCE"}},
		{"SLR limited to a service", TypeIdentity, lintJSON(lintAllow(`"iam:CreateServiceLinkedRole"`, `"*"`, `{"StringLike":{"iam:AWSServiceName":"ecs.amazonaws.com"}}`)), []string{"CREATE_SLR_WITH_STAR_IN_RESOURCE"}},
		{"Deny with NotPrincipal", TypeResource, lintJSON(`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"}`), []string{"ALLOW_WITH_NOT_PRINCIPAL"}},
		{"partly overlapping wildcards", TypeIdentity, lintJSON(lintAllow(`["iam:Get*","iam:*CredentialReport"]`, `"*"`, "")), []string{"REDUNDANT_ACTION"}},
		{"distinct resources", TypeIdentity, lintJSON(lintAllow(`"s3:GetObject"`, `["arn:aws:s3:::a/*","arn:aws:s3:::b/*","arn:aws:s3:::a*/x"]`, "")), []string{"REDUNDANT_RESOURCE"}},
		{"wildcard fields do not cross colons", TypeIdentity, lintJSON(lintAllow(`"ecs:RunTask"`, `["arn:aws:ecs:*:123456789012:task-definition/*","arn:aws:ecs:us-east-1:*:task-definition/a"]`, "")), []string{"REDUNDANT_RESOURCE"}},
		{"variables are not compared", TypeIdentity, lintJSON(lintAllow(`"s3:GetObject"`, `["arn:aws:s3:::b/${aws:username}/*","arn:aws:s3:::b/${aws:username}/*"]`, "")), []string{"REDUNDANT_RESOURCE", "MISSING_BRACE_IN_VARIABLE"}},
		{"like operator with wildcard", TypeIdentity, lintCond(`{"StringLike":{"aws:PrincipalTag/job":"admin-*"}}`), []string{"WILDCARD_WITHOUT_LIKE_OPERATOR"}},
		{"templated and nested keys", TypeIdentity, lintCond(`{"StringLike":{"ec2:ResourceTag/aws:cloudformation:stack-name":"x-*","aws:RequestTag/Team":"a","s3:ExistingObjectTag/k":"v","secretsmanager:ResourceTag/owner":"me","kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::b"}}`), []string{"INVALID_SERVICE_CONDITION_KEY", "INVALID_GLOBAL_CONDITION_KEY", "MISSING_TAG_KEY_IN_CONDITION"}},
		{"identity provider keys", TypeTrust, lintTrust(`{"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"accounts.google.com:aud":"x"}}}`), []string{"INVALID_SERVICE", "INVALID_SERVICE_CONDITION_KEY", "MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL", "MISMATCHED_ACTION_FOR_PRINCIPAL"}},
		{"ARN operators on ARN-valued tag", TypeIdentity, lintCond(`{"ArnLike":{"aws:RequestTag/Created":"arn:aws:ecs:*:*:task/*"}}`), []string{"TYPE_MISMATCH"}},
		{"epoch time as number", TypeIdentity, lintCond(`{"NumericGreaterThan":{"aws:EpochTime":"1700000000"},"DateGreaterThan":{"aws:EpochTime":"1700000000"}}`), []string{"TYPE_MISMATCH", "INVALID_DATE_VALUE"}},
		{"Null on multi-valued key", TypeIdentity, lintCond(`{"Null":{"aws:TagKeys":"false"}}`), []string{"MISSING_QUALIFIER"}},
		{"paired keys present", TypeIdentity, lintCond(`{"IpAddress":{"aws:VpcSourceIp":"10.1.0.0/16"},"StringEquals":{"aws:SourceVpc":"vpc-1a2b3c4d"}}`), []string{"MISSING_PAIRED_CONDITION_KEYS", "INVALID_VPC_FORMAT"}},
		{"public source IP", TypeIdentity, lintCond(`{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]}}`), []string{"PRIVATE_IP_ADDRESS_SUBSET", "PRIVATE_IP_ADDRESS", "IMPROVE_IP_RANGE"}},
		{"literal star escape", TypeIdentity, lintCond(`{"StringLike":{"s3:prefix":"a${*}b"}}`), []string{"EMPTY_VARIABLE", "INVALID_VARIABLE_FOR_OPERATOR"}},
		{"variable default value", TypeIdentity, lintJSON(lintAllow(`"s3:GetObject"`, `"arn:aws:s3:::b-${aws:PrincipalTag/team, 'company-wide'}/*"`, "")), []string{"MISSING_QUOTE_IN_VARIABLE", "UNSUPPORTED_SPACE_IN_VARIABLE"}},
		{"service principal with source", TypeResource, lintJSON(`{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:123456789012:q","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:123456789012:t"}}}`), []string{"RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL"}},
		{"ECS task trust policy", TypeTrust, lintTrust(`{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:ecs:us-east-1:123456789012:*"},"StringEquals":{"aws:SourceAccount":"123456789012"}}}`), nil},
		{"GitHub with repo", TypeTrust, lintTrust(`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":"repo:octo-org/app:ref:refs/heads/main"}}}`), nil},
		{"roles anywhere with all actions", TypeTrust, lintTrust(`{"Effect":"Allow","Principal":{"Service":"rolesanywhere.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],"Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/x"}}}`), nil},
		{"SCP deny with wildcard at end", TypeSCP, lintJSON(`{"Effect":"Deny","Action":["iam:Delete*","s3:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}},{"Effect":"Allow","Action":"*","Resource":"*"}`), nil},
		{"valid ARNs", TypeIdentity, lintJSON(lintAllow(`["s3:GetObject","ec2:StartInstances","iam:GetPolicy","ssm:GetParameter"]`, `["arn:aws:s3:::b/*","arn:aws:ec2:us-gov-west-1:123456789012:instance/*","arn:aws:iam::aws:policy/ReadOnlyAccess","arn:aws:ssm:*:${aws:PrincipalAccount}:parameter/x","arn:aws-cn:ec2:cn-north-1:*:instance/*"]`, "")), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := lintDoc(t, c.typ, false, c.doc)
			if c.absent == nil {
				if len(fs) > 0 {
					t.Errorf("want no findings, got:\n%s", lintFormat(fs))
				}
				return
			}
			for _, f := range fs {
				for _, code := range c.absent {
					if f.IssueCode == code {
						t.Errorf("unexpected %s at %s: %s", f.IssueCode, f.Path, f.Message)
					}
				}
			}
		})
	}
}

func lintFormat(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s %s %s: %s\n", f.Severity, f.IssueCode, f.Path, f.Message)
	}
	return b.String()
}

// The AWS managed policies the ECS seeds attach must lint without errors.
func TestLintECSManagedPolicies(t *testing.T) {
	for _, name := range []string{
		"AmazonEC2ContainerServiceforEC2Role",
		"AmazonECSTaskExecutionRolePolicy",
		"AmazonECS_FullAccess",
		"AmazonECSServiceRolePolicy",
		"AmazonECSInfrastructureRolePolicyForVolumes",
		"AmazonEC2ContainerServiceEventsRole",
	} {
		mp, ok := catalog.LookupManagedPolicy(name)
		if !ok {
			t.Errorf("%s: not in the catalog", name)
			continue
		}
		_, fs := Validate([]byte(mp.Document), CheckOptions{Type: TypeIdentity, Managed: true})
		for _, f := range fs {
			if f.Severity == SeverityError {
				t.Errorf("%s: %s %s: %s", name, f.IssueCode, f.Path, f.Message)
			} else {
				t.Logf("%s: %s %s %s", name, f.Severity, f.IssueCode, f.Path)
			}
		}
	}
}

// Every AWS managed policy lints without panicking, and actions AWS has
// retired (INVALID_ACTION) stay rare. The counts by issue code are logged
// (go test -v) to show what the checks find in AWS's own policies.
func TestLintAllManagedPolicies(t *testing.T) {
	mps := catalog.ManagedPolicies()
	counts := map[string]int{}
	policies := map[string]int{}
	invalidAction := 0
	for _, mp := range mps {
		doc, err := Check([]byte(mp.Document), CheckOptions{Type: TypeIdentity, Managed: true})
		if err != nil {
			t.Errorf("%s: %v", mp.Name, err)
			continue
		}
		seen := map[string]bool{}
		for _, f := range Lint(doc, TypeIdentity) {
			key := string(f.Severity) + " " + f.IssueCode
			counts[key]++
			if !seen[key] {
				seen[key] = true
				policies[key]++
			}
			if f.Path == "" && f.IssueCode != "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA" {
				t.Errorf("%s: %s has no path", mp.Name, f.IssueCode)
			}
		}
		if seen["ERROR INVALID_ACTION"] {
			invalidAction++
		}
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	t.Logf("%d AWS managed policies:", len(mps))
	for _, k := range keys {
		t.Logf("  %-60s %5d findings in %4d policies", k, counts[k], policies[k])
	}
	if invalidAction*50 >= len(mps) {
		t.Errorf("%d of %d managed policies have INVALID_ACTION errors; want under 2%%", invalidAction, len(mps))
	}
}

// policySize agrees with the length of the managed policies' JSON text
// without whitespace (the catalog keeps AWS's text minus insignificant
// whitespace; numbers and Booleans, which policySize counts as strings,
// account for small differences).
func TestLintPolicySize(t *testing.T) {
	for _, mp := range catalog.ManagedPolicies() {
		d, err := ParseString(mp.Document)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, r := range mp.Document {
			if !unicode.IsSpace(r) {
				want++
			}
		}
		if got := lintPolicySize(d); got < want || got > want+want/50 {
			t.Errorf("%s: size %d, text has %d characters", mp.Name, got, want)
		}
	}
}

// Lint handles documents IAM rejects without panicking.
func TestLintParseOnlyDocuments(t *testing.T) {
	for _, s := range []string{
		`{"Statement":{"Effect":"Allow"}}`,
		`{"Statement":[{"Effect":"Allow","Action":"","Resource":""},{"Effect":"Allow","Action":":","NotResource":["arn:","arn:aws:iam::${:role/*"]}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*","**","*:*","a:b:c","noservice"],"NotAction":"x","Resource":"*","NotResource":"*","Principal":{"AWS":[]},"NotPrincipal":"*","Condition":{"Bogus":{"":[]},"ForAllValues:NullIfExists":{"a":"b"}}}]}`,
	} {
		d, err := ParseString(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		for typ := TypeIdentity; typ <= TypeRCP; typ++ {
			Lint(d, typ)
		}
	}
}

// Linting a large policy stays fast: the redundancy checks are pairwise, so
// a policy of many wildcards must not take quadratic time per action.
func BenchmarkLintLargePolicy(b *testing.B) {
	var actions []string
	for _, s := range []string{"ec2", "iam", "s3", "ecs", "lambda", "rds"} {
		svc, _ := catalog.LookupService(s)
		for k, a := range svc.Actions {
			if k%3 == 0 {
				actions = append(actions, `"`+s+":"+a.Name[:min(len(a.Name), 6)]+`*"`)
			}
		}
	}
	d, err := ParseString(lintJSON(lintAllow("["+strings.Join(actions, ",")+"]", `"*"`, "")))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		Lint(d, TypeIdentity)
	}
}

func BenchmarkLintManagedPolicy(b *testing.B) {
	mp, _ := catalog.LookupManagedPolicy("AmazonECS_FullAccess")
	d, err := ParseString(mp.Document)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		Lint(d, TypeIdentity)
	}
}
