package policy

import (
	"strings"
	"testing"
)

// Accounts, principals and resources shared by the evaluation tests.
const (
	acctA = "111122223333"
	acctB = "444455556666"

	userAlice   = "arn:aws:iam::111122223333:user/alice"
	userBob     = "arn:aws:iam::111122223333:user/bob"
	roleDev     = "arn:aws:iam::111122223333:role/dev"
	sessionDev  = "arn:aws:sts::111122223333:assumed-role/dev/alice-session"
	rootA       = "arn:aws:iam::111122223333:root"
	fedBob      = "arn:aws:sts::111122223333:federated-user/bob"
	userCarol   = "arn:aws:iam::444455556666:user/carol"
	roleOps     = "arn:aws:iam::444455556666:role/ops"
	sessionOps  = "arn:aws:sts::444455556666:assumed-role/ops/carol"
	rootB       = "arn:aws:iam::444455556666:root"
	queueA      = "arn:aws:sqs:us-east-1:111122223333:orders"
	queueB      = "arn:aws:sqs:us-east-1:444455556666:orders"
	allowAllDoc = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`
)

// pol compiles a policy the way the API does (Check with IAM's rules for typ,
// then Compile) and fails the test when IAM would reject it.
func pol(t testing.TB, typ Type, name, doc string) *Policy {
	t.Helper()
	p, err := CompileJSON([]byte(doc), typ, name)
	if err != nil {
		t.Fatalf("compile %s (%v): %v\n%s", name, typ, err, doc)
	}
	return p
}

func who(t testing.TB, s string) Principal {
	t.Helper()
	p, err := PrincipalFromARN(s)
	if err != nil {
		t.Fatalf("principal %q: %v", s, err)
	}
	return p
}

// ctxFor builds the request context AWS would build for p (aws:username,
// aws:PrincipalArn, ...) plus extra keys given as key, value pairs; a value
// containing "|" is split into several values.
func ctxFor(p Principal, kv ...string) *Context {
	c := NewContext().SetGlobal(GlobalKeys{Principal: p})
	for i := 0; i+1 < len(kv); i += 2 {
		c.Set(kv[i], strings.Split(kv[i+1], "|")...)
	}
	return c
}

// req builds a request for caller on resource with the caller's global keys.
func req(t testing.TB, caller, action, resource string, kv ...string) Request {
	t.Helper()
	p := who(t, caller)
	return Request{Principal: p, Action: action, Resource: resource, Context: ctxFor(p, kv...)}
}

// decide evaluates r against s.
func decide(s Set, r Request) Result {
	var res Result
	NewEvaluator(s).Evaluate(&r, &res)
	return res
}

type evalCase struct {
	name string
	set  Set
	req  Request
	want Decision
	why  Reason
}

func runEval(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := decide(c.set, c.req)
			if res.Decision != c.want || res.Reason != c.why {
				t.Fatalf("got %v (%v), want %v (%v); matched %+v", res.Decision, res.Reason, c.want, c.why, res.Matched)
			}
		})
	}
}
