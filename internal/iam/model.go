// Package iam implements the IAM API's domain logic over a store.Store:
// roles, managed and inline policies, policy versions, instance profiles,
// service-linked roles, users, groups and access keys, with AWS's validation
// rules, quotas, IDs and error messages. It knows nothing of HTTP; errors are
// *awserr.Error values carrying AWS's code, message and status.
//
// Every operation runs in one store transaction, so an operation that fails
// changes nothing.
package iam

import "time"

// Tag is an IAM resource tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Role is a stored IAM role.
type Role struct {
	Account            string    `json:"account"`
	Path               string    `json:"path"`
	Name               string    `json:"name"`
	ID                 string    `json:"id"` // AROA...
	ARN                string    `json:"arn"`
	CreateDate         time.Time `json:"createDate"`
	AssumeRolePolicy   string    `json:"assumeRolePolicy"` // the document exactly as given
	Description        string    `json:"description,omitempty"`
	MaxSessionDuration int       `json:"maxSessionDuration"` // seconds, 3600..43200
	// PermissionsBoundary is the ARN of the managed policy used as the
	// boundary, if any.
	PermissionsBoundary string `json:"permissionsBoundary,omitempty"`
	Tags                []Tag  `json:"tags,omitempty"`
	// InlinePolicies maps policy name to document (exactly as given).
	InlinePolicies map[string]string `json:"inlinePolicies,omitempty"`
	// AttachedPolicies are managed policy ARNs, in attachment order.
	AttachedPolicies []string `json:"attachedPolicies,omitempty"`
	// InstanceProfiles are the names of instance profiles holding the role.
	InstanceProfiles []string  `json:"instanceProfiles,omitempty"`
	LastUsed         time.Time `json:"lastUsed,omitempty"`
	LastUsedRegion   string    `json:"lastUsedRegion,omitempty"`
	// ServiceLinked is set for service-linked roles: the service principal
	// that owns the role (e.g. ecs.amazonaws.com).
	ServiceLinked string `json:"serviceLinked,omitempty"`
}

// ManagedPolicy is a customer managed policy. AWS managed policies come from
// the embedded catalog; only their per-account attachment counts are stored.
type ManagedPolicy struct {
	Account          string          `json:"account"`
	Name             string          `json:"name"`
	ID               string          `json:"id"` // ANPA...
	ARN              string          `json:"arn"`
	Path             string          `json:"path"`
	Description      string          `json:"description,omitempty"`
	CreateDate       time.Time       `json:"createDate"`
	UpdateDate       time.Time       `json:"updateDate"`
	DefaultVersionID string          `json:"defaultVersionId"`
	Versions         []PolicyVersion `json:"versions"` // at most 5
	NextVersion      int             `json:"nextVersion"`
	AttachmentCount  int             `json:"attachmentCount"`
	// BoundaryUsageCount counts the users and roles using it as their
	// permissions boundary.
	BoundaryUsageCount int   `json:"boundaryUsageCount"`
	Tags               []Tag `json:"tags,omitempty"`
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	ID         string    `json:"id"` // v1, v2, ...
	Document   string    `json:"document"`
	CreateDate time.Time `json:"createDate"`
}

// InstanceProfile holds at most one role.
type InstanceProfile struct {
	Account    string    `json:"account"`
	Name       string    `json:"name"`
	ID         string    `json:"id"` // AIPA...
	ARN        string    `json:"arn"`
	Path       string    `json:"path"`
	CreateDate time.Time `json:"createDate"`
	Roles      []string  `json:"roles,omitempty"` // role names (0 or 1)
	Tags       []Tag     `json:"tags,omitempty"`
}

// User is an IAM user.
type User struct {
	Account             string            `json:"account"`
	Path                string            `json:"path"`
	Name                string            `json:"name"`
	ID                  string            `json:"id"` // AIDA...
	ARN                 string            `json:"arn"`
	CreateDate          time.Time         `json:"createDate"`
	PermissionsBoundary string            `json:"permissionsBoundary,omitempty"`
	Tags                []Tag             `json:"tags,omitempty"`
	InlinePolicies      map[string]string `json:"inlinePolicies,omitempty"`
	AttachedPolicies    []string          `json:"attachedPolicies,omitempty"`
	Groups              []string          `json:"groups,omitempty"` // group names
	PasswordLastUsed    time.Time         `json:"passwordLastUsed,omitempty"`
}

// Group is an IAM group.
type Group struct {
	Account          string            `json:"account"`
	Path             string            `json:"path"`
	Name             string            `json:"name"`
	ID               string            `json:"id"` // AGPA...
	ARN              string            `json:"arn"`
	CreateDate       time.Time         `json:"createDate"`
	InlinePolicies   map[string]string `json:"inlinePolicies,omitempty"`
	AttachedPolicies []string          `json:"attachedPolicies,omitempty"`
	Members          []string          `json:"members,omitempty"` // user names
}

// AccessKey is a long-term credential of a user or of an account's root.
// The secret is stored because SigV4 verification needs it.
type AccessKey struct {
	ID         string    `json:"id"` // AKIA...
	Secret     string    `json:"secret"`
	Account    string    `json:"account"`
	UserName   string    `json:"userName,omitempty"` // empty for the root user
	Status     string    `json:"status"`             // Active | Inactive
	CreateDate time.Time `json:"createDate"`
	LastUsed   time.Time `json:"lastUsed,omitempty"`
	// LastUsedService and LastUsedRegion say where the key was last used
	// (GetAccessKeyLastUsed), e.g. "iam" and "us-east-1".
	LastUsedService string `json:"lastUsedService,omitempty"`
	LastUsedRegion  string `json:"lastUsedRegion,omitempty"`
}

// Account is one AWS account served by rolecall.
type Account struct {
	ID         string    `json:"id"`
	Alias      string    `json:"alias,omitempty"`
	CreateDate time.Time `json:"createDate"`
}
