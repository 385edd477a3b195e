package policy

import (
	"testing"

	"github.com/rolecall/rolecall/catalog"
)

// FuzzLint: Lint never panics on a parsed document, whether or not IAM
// would accept it, for every policy type, and every finding is complete.
func FuzzLint(f *testing.F) {
	for _, c := range lintCases {
		f.Add([]byte(c.doc))
	}
	for _, name := range []string{"AmazonECS_FullAccess", "AmazonECSInfrastructureRolePolicyForVolumes", "AdministratorAccess"} {
		if mp, ok := catalog.LookupManagedPolicy(name); ok {
			f.Add([]byte(mp.Document))
		}
	}
	f.Add([]byte(`{"Statement":[{"Effect":"Allow","NotAction":["*:*","ec*:De?cribe*"],"NotResource":["arn:aws:iam::*:role/${aws:username","arn:*"],"NotPrincipal":{"Federated":["x",""]},"Condition":{"ForAllValues:NullIfExists":{"aws:":[]},"DateLessThan":{"aws:CurrentTime":"1"}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse(data)
		if err != nil {
			return
		}
		for typ := TypeIdentity; typ <= TypeRCP; typ++ {
			for _, fd := range Lint(doc, typ) {
				switch fd.Severity {
				case SeverityError, SeveritySecurityWarning, SeverityWarning, SeveritySuggestion:
				default:
					t.Fatalf("%s: severity %q", fd.IssueCode, fd.Severity)
				}
				if fd.IssueCode == "" || fd.Message == "" {
					t.Fatalf("incomplete finding %+v", fd)
				}
			}
		}
		Validate(data, CheckOptions{Type: TypeTrust})
	})
}
