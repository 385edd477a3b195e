package policy

import (
	"testing"

	"github.com/rolecall/rolecall/catalog"
)

// Every AWS managed policy is, by definition, accepted by IAM: the checker
// must accept all of them and the compiler must compile all of them.
func TestAllManagedPoliciesCheckAndCompile(t *testing.T) {
	mps := catalog.ManagedPolicies()
	if len(mps) < 1000 {
		t.Fatalf("only %d managed policies embedded", len(mps))
	}
	for _, mp := range mps {
		doc, err := Check([]byte(mp.Document), CheckOptions{Type: TypeIdentity, Managed: true})
		if err != nil {
			t.Errorf("%s: %v", mp.Name, err)
			continue
		}
		if _, err := Compile(doc, TypeIdentity, mp.ARN); err != nil {
			t.Errorf("%s: compile: %v", mp.Name, err)
		}
	}
}
