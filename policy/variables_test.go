package policy

import "testing"

// varCase evaluates one identity policy for one caller and request.
type varCase struct {
	name     string
	doc      string
	caller   string
	action   string
	resource string
	ctx      []string // extra context keys, as for ctxFor
	want     Decision
}

func runVars(t *testing.T, cases []varCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := pol(t, TypeIdentity, "vars", c.doc)
			action := c.action
			if action == "" {
				action = "s3:GetObject"
			}
			r := req(t, c.caller, action, c.resource, c.ctx...)
			r.ResourceAccount = r.Principal.Account
			res := decide(Set{Identity: []*Policy{p}}, r)
			if res.Decision != c.want {
				t.Fatalf("got %v (%v), want %v", res.Decision, res.Reason, c.want)
			}
		})
	}
}

func stmt(version, body string) string {
	if version == "" {
		return `{"Statement":[` + body + `]}`
	}
	return `{"Version":"` + version + `","Statement":[` + body + `]}`
}

// reference_policies_variables.md throughout.
func TestPolicyVariables(t *testing.T) {
	homeDir := stmt(Version2012, `{"Action":["s3:ListBucket"],"Effect":"Allow","Resource":["arn:aws:s3:::mybucket"],"Condition":{"StringLike":{"s3:prefix":["${aws:username}/*"]}}},
		{"Action":["s3:GetObject","s3:PutObject"],"Effect":"Allow","Resource":["arn:aws:s3:::mybucket/${aws:username}/*"]}`)
	teamBucket := stmt(Version2012, `{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET-${aws:PrincipalTag/team, 'company-wide'}/*"}`)
	runVars(t, []varCase{
		// "Using variables in policies" / "Resource element".
		{"username in Resource", homeDir, userAlice, "", "arn:aws:s3:::mybucket/alice/notes.txt", nil, Allowed},
		{"username in Resource, other user's folder", homeDir, userAlice, "", "arn:aws:s3:::mybucket/bob/notes.txt", nil, ImplicitDeny},
		{"username in condition", homeDir, userAlice, "s3:ListBucket", "arn:aws:s3:::mybucket", []string{"s3:prefix", "alice/photos"}, Allowed},
		{"username in condition, other prefix", homeDir, userAlice, "s3:ListBucket", "arn:aws:s3:::mybucket", []string{"s3:prefix", "bob/"}, ImplicitDeny},
		// aws:username exists only for IAM users: a role session's
		// statement has a variable with no value and matches nothing.
		{"role session has no username", homeDir, sessionDev, "", "arn:aws:s3:::mybucket/alice-session/x", nil, ImplicitDeny},
		{"variable names are case-insensitive", stmt(Version2012, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${AWS:UserName}/*"}`), userAlice, "", "arn:aws:s3:::b/alice/x", nil, Allowed},
		{"variable values are case-sensitive", stmt(Version2012, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/*"}`), userAlice, "", "arn:aws:s3:::b/Alice/x", nil, ImplicitDeny},
		{"sqs queue per user", stmt(Version2012, `{"Sid":"AllQueueActions","Effect":"Allow","Action":"sqs:*","Resource":"arn:aws:sqs:us-east-2:*:${aws:username}-queue"}`), userAlice, "sqs:SendMessage", "arn:aws:sqs:us-east-2:111122223333:alice-queue", nil, Allowed},
		{"sqs queue of another user", stmt(Version2012, `{"Sid":"AllQueueActions","Effect":"Allow","Action":"sqs:*","Resource":"arn:aws:sqs:us-east-2:*:${aws:username}-queue"}`), userAlice, "sqs:SendMessage", "arn:aws:sqs:us-east-2:111122223333:bob-queue", nil, ImplicitDeny},
		{"PrincipalAccount in condition", stmt(Version2012, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:ResourceAccount":"${aws:PrincipalAccount}"}}}`), userAlice, "", "arn:aws:s3:::b/x", []string{"aws:ResourceAccount", acctA}, Allowed},
		{"PrincipalAccount in condition, other account", stmt(Version2012, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:ResourceAccount":"${aws:PrincipalAccount}"}}}`), userAlice, "", "arn:aws:s3:::b/x", []string{"aws:ResourceAccount", acctB}, ImplicitDeny},
		{"PrincipalTag in Resource", stmt(Version2012, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/${aws:PrincipalTag/department}"}`), userAlice, "", "arn:aws:s3:::bucket/hr", []string{"aws:PrincipalTag/department", "hr"}, Allowed},
		{"PrincipalTag in Resource, no tag", stmt(Version2012, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/${aws:PrincipalTag/department}"}`), userAlice, "", "arn:aws:s3:::bucket/", nil, ImplicitDeny},
		{"two variables in one value", stmt(Version2012, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:PrincipalTag/team}-${aws:username}"}`), userAlice, "", "arn:aws:s3:::b/blue-alice", []string{"aws:PrincipalTag/team", "blue"}, Allowed},
		{"variable inside wildcards", stmt(Version2012, `{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}}`), userAlice, "s3:ListBucket", "arn:aws:s3:::b", []string{"s3:prefix", "home/alice/a/b"}, Allowed},
		{"ArnLike with a variable", stmt(Version2012, `{"Effect":"Allow","Action":"iam:ChangePassword","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/${aws:username}"}}}`), userAlice, "iam:ChangePassword", userAlice, nil, Allowed},

		// "Specifying default values".
		{"default used without the tag", teamBucket, userAlice, "", "arn:aws:s3:::DOC-EXAMPLE-BUCKET-company-wide/readme", nil, Allowed},
		{"default not used with the tag", teamBucket, userAlice, "", "arn:aws:s3:::DOC-EXAMPLE-BUCKET-company-wide/readme", []string{"aws:PrincipalTag/team", "yellow"}, ImplicitDeny},
		{"tag value used", teamBucket, userAlice, "", "arn:aws:s3:::DOC-EXAMPLE-BUCKET-yellow/readme", []string{"aws:PrincipalTag/team", "yellow"}, Allowed},
		{"other team's bucket", teamBucket, userAlice, "", "arn:aws:s3:::DOC-EXAMPLE-BUCKET-green/readme", []string{"aws:PrincipalTag/team", "yellow"}, ImplicitDeny},
		{"default in a condition", stmt(Version2012, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"s3:ExistingObjectTag/team":"${aws:PrincipalTag/team, 'none'}"}}}`), userAlice, "", "arn:aws:s3:::b/x", []string{"s3:ExistingObjectTag/team", "none"}, Allowed},

		// "Special characters": ${*}, ${?} and ${$} are the characters
		// themselves, not wildcards.
		{"? in a Resource is one character", stmt(Version2012, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/?.txt"}`), userAlice, "", "arn:aws:s3:::b/é.txt", nil, Allowed},
		{"? in a Resource with a variable", stmt(Version2012, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}-?.txt"}`), userAlice, "", "arn:aws:s3:::b/alice-ü.txt", nil, Allowed},
		{"${*} is a literal star", stmt(Version2012, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${*}"}`), userAlice, "", "arn:aws:s3:::b/*", nil, Allowed},
		{"${*} is not a wildcard", stmt(Version2012, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${*}"}`), userAlice, "", "arn:aws:s3:::b/anything", nil, ImplicitDeny},
		{"${?} is a literal question mark", stmt(Version2012, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/what${?}"}`), userAlice, "", "arn:aws:s3:::b/what?", nil, Allowed},
		{"${?} is not a wildcard", stmt(Version2012, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/what${?}"}`), userAlice, "", "arn:aws:s3:::b/whats", nil, ImplicitDeny},
		{"${$} is a literal dollar", stmt(Version2012, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${$}{aws:username}"}`), userAlice, "", "arn:aws:s3:::b/${aws:username}", nil, Allowed},
		{"${$} stops substitution", stmt(Version2012, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${$}{aws:username}"}`), userAlice, "", "arn:aws:s3:::b/alice", nil, ImplicitDeny},
		{"${*} in StringLike", stmt(Version2012, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"s3:prefix":"a${*}"}}}`), userAlice, "", "arn:aws:s3:::b/x", []string{"s3:prefix", "abc"}, ImplicitDeny},
		{"${*} in StringLike, literal", stmt(Version2012, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"s3:prefix":"a${*}"}}}`), userAlice, "", "arn:aws:s3:::b/x", []string{"s3:prefix", "a*"}, Allowed},
		{"${*} in StringEquals", stmt(Version2012, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"s3:prefix":"${*}"}}}`), userAlice, "", "arn:aws:s3:::b/x", []string{"s3:prefix", "*"}, Allowed},

		// "Policy variables with no value": in Resource the entry matches
		// nothing; in a condition, positive operators do not match and
		// negated ones do.
		{"missing variable in Resource, Deny does not apply", stmt(Version2012, `{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:PrincipalTag/team}/*"}`), userAlice, "", "arn:aws:s3:::b//x", nil, Allowed},
		{"missing variable in NotResource excludes nothing", stmt(Version2012, `{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::b/${aws:PrincipalTag/team}/*"}`), userAlice, "", "arn:aws:s3:::b/blue/x", nil, ExplicitDeny},
		{"NotResource with the variable set", stmt(Version2012, `{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::b/${aws:PrincipalTag/team}/*"}`), userAlice, "", "arn:aws:s3:::b/blue/x", []string{"aws:PrincipalTag/team", "blue"}, Allowed},
		{"missing variable, StringEquals does not match", stmt(Version2012, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"s3:ExistingObjectTag/Team":"${aws:PrincipalTag/Team}"}}}`), userAlice, "", "arn:aws:s3:::b/x", []string{"s3:ExistingObjectTag/Team", ""}, ImplicitDeny},
		{"missing variable, StringLike does not match star", stmt(Version2012, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"s3:prefix":"${aws:PrincipalTag/Team}*"}}}`), userAlice, "", "arn:aws:s3:::b/x", []string{"s3:prefix", "anything"}, ImplicitDeny},
		{"missing variable, StringNotEquals matches", stmt(Version2012, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"StringNotEquals":{"s3:ExistingObjectTag/Team":"${aws:PrincipalTag/Team}"}}}`), userAlice, "", "arn:aws:s3:::b/x", []string{"s3:ExistingObjectTag/Team", "blue"}, ExplicitDeny},
		{"variable set, StringNotEquals does not match", stmt(Version2012, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"StringNotEquals":{"s3:ExistingObjectTag/Team":"${aws:PrincipalTag/Team}"}}}`), userAlice, "", "arn:aws:s3:::b/x", []string{"s3:ExistingObjectTag/Team", "blue", "aws:PrincipalTag/Team", "blue"}, Allowed},
		{"missing variable, StringNotLike matches", stmt(Version2012, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringNotLike":{"s3:prefix":"${aws:PrincipalTag/Team}/*"}}}`), userAlice, "", "arn:aws:s3:::b/x", []string{"s3:prefix", "x/y"}, Allowed},

		// reference_policies_elements_version.md and "Using variables in
		// policies": without Version 2012-10-17 variables are literal text.
		{"2008-10-17: not substituted", stmt(Version2008, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/${aws:username}/*"}`), userAlice, "", "arn:aws:s3:::mybucket/alice/x", nil, ImplicitDeny},
		{"2008-10-17: literal text", stmt(Version2008, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/${aws:username}/*"}`), userAlice, "", "arn:aws:s3:::mybucket/${aws:username}/x", nil, Allowed},
		{"no Version: not substituted", stmt("", `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/${aws:username}/*"}`), userAlice, "", "arn:aws:s3:::mybucket/alice/x", nil, ImplicitDeny},
		{"no Version: literal text", stmt("", `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::mybucket/${aws:username}/*"}`), userAlice, "", "arn:aws:s3:::mybucket/${aws:username}/x", nil, Allowed},
		{"2008-10-17: condition not substituted", stmt(Version2008, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"s3:prefix":"${aws:username}"}}}`), userAlice, "", "arn:aws:s3:::b/x", []string{"s3:prefix", "alice"}, ImplicitDeny},
		{"2008-10-17: condition literal", stmt(Version2008, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"s3:prefix":"${aws:username}"}}}`), userAlice, "", "arn:aws:s3:::b/x", []string{"s3:prefix", "${aws:username}"}, Allowed},
		{"2008-10-17: ${*} is not special", stmt(Version2008, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"s3:prefix":"${*}"}}}`), userAlice, "", "arn:aws:s3:::b/x", []string{"s3:prefix", "${*}"}, Allowed},
	})
}

// Variables work in every policy type that carries conditions and
// resources, boundaries included (reference_policies_variables.md, "Using
// variables in policies").
func TestPolicyVariablesInOtherPolicyTypes(t *testing.T) {
	ident := pol(t, TypeIdentity, "id", allowAllDoc)
	bound := pol(t, TypeBoundary, "pb", stmt(Version2012, `{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}`))
	sess := pol(t, TypeSession, "sp", stmt(Version2012, `{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:PrincipalTag/project}/*"}`))
	scp := pol(t, TypeSCP, "scp", stmt(Version2012, `{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"${aws:PrincipalTag/region, 'us-east-1'}"}}}`))
	rp := pol(t, TypeResource, "bucket", stmt(Version2012, `{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/${aws:username}/*"}`))
	runEval(t, []evalCase{
		{"boundary variable", Set{Identity: []*Policy{ident}, Boundary: bound}, req(t, userAlice, "s3:GetObject", "arn:aws:s3:::home/alice/x"), Allowed, ReasonIdentityAllows},
		{"boundary variable, other", Set{Identity: []*Policy{ident}, Boundary: bound}, req(t, userAlice, "s3:GetObject", "arn:aws:s3:::home/bob/x"), ImplicitDeny, ReasonNoBoundaryAllow},
		{"session variable", Set{Identity: []*Policy{ident}, Session: []*Policy{sess}}, req(t, sessionDev, "s3:GetObject", "arn:aws:s3:::home/apollo/x", "aws:PrincipalTag/project", "apollo"), Allowed, ReasonIdentityAllows},
		{"session variable missing", Set{Identity: []*Policy{ident}, Session: []*Policy{sess}}, req(t, sessionDev, "s3:GetObject", "arn:aws:s3:::home/apollo/x"), ImplicitDeny, ReasonNoSessionAllow},
		{"SCP variable default", Set{Identity: []*Policy{ident}, SCPs: [][]*Policy{{scp}}}, req(t, userAlice, "s3:GetObject", "arn:aws:s3:::b/x", "aws:RequestedRegion", "us-east-1"), Allowed, ReasonIdentityAllows},
		{"SCP variable from tag", Set{Identity: []*Policy{ident}, SCPs: [][]*Policy{{scp}}}, req(t, userAlice, "s3:GetObject", "arn:aws:s3:::b/x", "aws:RequestedRegion", "us-east-1", "aws:PrincipalTag/region", "eu-west-1"), ImplicitDeny, ReasonNoSCPAllow},
		{"resource policy variable", Set{Identity: []*Policy{ident}, Resource: rp}, req(t, userBob, "s3:GetObject", "arn:aws:s3:::shared/bob/x"), Allowed, ReasonIdentityAllows},
	})
}
