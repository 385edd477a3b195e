package policy

import (
	"fmt"
	"strings"

	"github.com/rolecall/rolecall/arn"
	"github.com/rolecall/rolecall/catalog"
	"github.com/rolecall/rolecall/internal/wildcard"
)

// checkResources checks the format of each Resource and NotResource ARN
// against what the service defines, then looks for redundant entries.
func (l *linter) checkResources(st *Statement, i int) {
	for _, e := range st.resourceElements() {
		for j, r := range e.v.List {
			l.checkARN(r, lintElemPath(i, e.name, j))
		}
		l.checkRedundantResources(e.v.List, i, e.name)
	}
}

// lintHasPattern reports whether s has a wildcard or a policy variable, which
// make a field impossible to judge on its own.
func lintHasPattern(s string) bool {
	return wildcard.HasWildcard(s) || strings.Contains(s, "${")
}

func (l *linter) checkARN(r, path string) {
	if r == "" || strings.Trim(r, "*") == "" {
		return
	}
	if !strings.HasPrefix(r, "arn:") {
		l.add(SeverityError, "INVALID_ARN_PREFIX", path, fmt.Sprintf("%s does not start with \"arn:\". Resource ARNs have the form arn:partition:service:region:account:resource.", quote(r)))
		return
	}
	p, ok := lintSplitARN(r)
	if !ok {
		l.add(SeverityError, "MISSING_ARN_FIELD", path, fmt.Sprintf("%s has fewer than six fields; resource ARNs have the form arn:partition:service:region:account:resource.", quote(r)))
		return
	}
	partition, service, region, account, res := p[1], p[2], p[3], p[4], p[5]
	if !validPartitionPattern(partition) {
		l.add(SeverityError, "INVALID_PARTITION", path, fmt.Sprintf("The partition %s in %s does not exist; use aws, aws-cn or aws-us-gov.", quote(partition), quote(r)))
	}
	if !lintHasPattern(service) && strings.ToLower(service) != service {
		l.add(SeverityError, "INVALID_ARN_SERVICE_CASE", path, fmt.Sprintf("The service %s in %s must be in lowercase: ARNs are case-sensitive.", quote(service), quote(r)))
		return
	}
	if region != "" && !lintHasPattern(region) && !lintRegionShaped(region) {
		l.add(SeverityError, "INVALID_ARN_REGION", path, fmt.Sprintf("The Region %s in %s is not a Region code such as us-east-1.", quote(region), quote(r)))
	}
	if account != "" && !lintHasPattern(account) && account != "aws" && !arn.IsAccountID(account) {
		l.add(SeverityError, "INVALID_ARN_ACCOUNT", path, fmt.Sprintf("The account %s in %s is not a 12-digit account ID.", quote(account), quote(r)))
	}
	if lintHasPattern(service) || service == "" {
		return
	}
	svc, ok := catalog.LookupService(service)
	if !ok {
		return
	}
	// The service's ARN formats that this resource could be an instance of.
	lit := res
	if k := strings.IndexAny(res, "*?$"); k >= 0 {
		lit = res[:k]
	}
	found, regionOK, accountOK, regionNeeded := false, false, false, true
	for _, rt := range svc.ResourceTypes {
		for _, f := range rt.ARNFormats {
			fp, ok := lintSplitARN(f)
			if !ok || fp[2] != service {
				continue
			}
			fres := fp[5]
			if k := strings.Index(fres, "${"); k >= 0 {
				fres = fres[:k]
			}
			if !strings.HasPrefix(res, fres) && !(len(lit) < len(res) && strings.HasPrefix(fres, lit)) {
				continue
			}
			found = true
			regionOK = regionOK || fp[3] != ""
			accountOK = accountOK || fp[4] != ""
			regionNeeded = regionNeeded && fp[3] != ""
		}
	}
	if !found {
		return
	}
	switch {
	case region != "" && !lintHasPattern(region) && !regionOK:
		l.add(SeverityError, "ARN_REGION_NOT_ALLOWED", path, fmt.Sprintf("%s resource ARNs have no Region, so %s matches nothing. Leave the Region field empty.", service, quote(r)))
	case region == "" && regionNeeded:
		l.add(SeverityError, "MISSING_ARN_REGION", path, fmt.Sprintf("%s resource ARNs of this type include a Region, so %s with an empty Region field matches nothing. Add a Region or *.", service, quote(r)))
	}
	if account != "" && !lintHasPattern(account) && !accountOK {
		l.add(SeverityError, "ARN_ACCOUNT_NOT_ALLOWED", path, fmt.Sprintf("%s resource ARNs of this type have no account ID, so %s matches nothing. Leave the account field empty.", service, quote(r)))
	}
}

// lintRegionShaped reports whether s looks like a Region code: two letters,
// one or more words, a number ("us-east-1", "us-gov-west-1", "cn-north-1").
func lintRegionShaped(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) < 3 || len(parts[0]) != 2 {
		return false
	}
	for k, part := range parts {
		if part == "" {
			return false
		}
		for x := 0; x < len(part); x++ {
			c := part[x]
			digit := c >= '0' && c <= '9'
			if k == len(parts)-1 && !digit || k < len(parts)-1 && !(c >= 'a' && c <= 'z') {
				return false
			}
		}
	}
	return true
}

// checkRedundantResources reports entries matched entirely by another
// entry of the same element, with the same tie rule as for actions.
func (l *linter) checkRedundantResources(list []string, i int, elem string) {
	if len(list) < 2 {
		return
	}
	// A variable stands for request values, so an entry with one is not
	// compared: it neither covers nor is covered.
	for x, b := range list {
		if strings.Contains(b, "${") {
			continue
		}
		for y, a := range list {
			if x == y || strings.Contains(a, "${") || !lintResourceCovers(a, b) {
				continue
			}
			if lintResourceCovers(b, a) {
				bw, aw := wildcard.HasWildcard(b), wildcard.HasWildcard(a)
				if bw && !aw || bw == aw && x < y {
					continue
				}
			}
			l.add(SeveritySuggestion, "REDUNDANT_RESOURCE", lintElemPath(i, elem, x), fmt.Sprintf("%s is redundant: %s (%s[%d]) already matches every resource it matches. Remove it.", quote(b), quote(a), elem, y))
			break
		}
	}
}

// lintResourceCovers reports whether every resource the pattern b matches is
// also matched by a, with IAM's field-by-field ARN matching.
func lintResourceCovers(a, b string) bool {
	if a != "" && strings.Trim(a, "*") == "" {
		return true
	}
	pa, okA := lintSplitARN(a)
	pb, okB := lintSplitARN(b)
	if !okA || !okB {
		return !okA && !okB && lintGlobCovers(a, b, false)
	}
	for f := range pa {
		if !lintGlobCovers(pa[f], pb[f], false) {
			return false
		}
	}
	return true
}
