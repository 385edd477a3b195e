package policy

import "strings"

// DenialMessage writes AWS's AccessDenied message for a denied request, e.g.
// "User: arn:aws:sts::123456789012:assumed-role/R/s is not authorized to
// perform: iam:CreateRole on resource: arn:aws:iam::123456789012:role/X
// because no identity-based policy allows the iam:CreateRole action".
func DenialMessage(p *Principal, action, resource string, why Reason) string {
	var b strings.Builder
	b.WriteString("User: ")
	if p.ARN == "" {
		b.WriteString("anonymous")
	} else {
		b.WriteString(p.ARN)
	}
	b.WriteString(" is not authorized to perform: ")
	b.WriteString(action)
	if resource != "" {
		b.WriteString(" on resource: ")
		b.WriteString(resource)
	}
	switch why {
	case ReasonDenySCP, ReasonDenyRCP, ReasonDenyResource, ReasonDenyIdentity, ReasonDenyBoundary, ReasonDenySession:
		b.WriteString(" with an ")
		b.WriteString(why.String())
	case ReasonNoIdentityAllow, ReasonNoBoundaryAllow, ReasonNoSessionAllow, ReasonNoSCPAllow, ReasonNoRCPAllow, ReasonNoResourceAllow:
		b.WriteString(" because ")
		b.WriteString(why.String())
		b.WriteString(" the ")
		b.WriteString(action)
		b.WriteString(" action")
	}
	return b.String()
}
