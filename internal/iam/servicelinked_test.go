package iam

import (
	"strings"
	"testing"

	"github.com/rolecall/rolecall/catalog"
)

// Every service-linked role rolecall creates carries a policy that exists
// in the embedded catalog under /aws-service-role/, and the table has no
// duplicates.
func TestLinkedServicePoliciesInCatalog(t *testing.T) {
	principals, names := map[string]bool{}, map[string]bool{}
	for _, ls := range linkedServices {
		if principals[ls.Principal] || names[strings.ToLower(ls.RoleName)] {
			t.Errorf("duplicate entry %+v", ls)
		}
		principals[ls.Principal], names[strings.ToLower(ls.RoleName)] = true, true
		mp, ok := catalog.LookupManagedPolicy("arn:aws:iam::aws:policy/aws-service-role/" + ls.Policy)
		if !ok {
			t.Errorf("%s: policy %s not in the catalog under /aws-service-role/", ls.Principal, ls.Policy)
			continue
		}
		if mp.Name != ls.Policy {
			t.Errorf("%s: catalog policy %s", ls.Principal, mp.Name)
		}
		if !strings.HasPrefix(ls.RoleName, "AWSServiceRoleFor") || len(ls.RoleName) > maxRoleNameLen || !nameRe.MatchString(ls.RoleName) {
			t.Errorf("%s: role name %q", ls.Principal, ls.RoleName)
		}
		if !strings.HasSuffix(ls.Principal, ".amazonaws.com") {
			t.Errorf("principal %q", ls.Principal)
		}
	}
	if len(linkedServices) != 73 {
		t.Errorf("%d linked services", len(linkedServices))
	}
}

func TestServiceTrustPolicyPassesTrustCheck(t *testing.T) {
	for _, ls := range linkedServices {
		if err := CheckTrustPolicy(serviceTrustPolicy(ls.Principal)); err != nil {
			t.Errorf("%s: %v", ls.Principal, err)
		}
	}
}
