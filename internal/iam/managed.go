package iam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rolecall/rolecall/catalog"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
	"github.com/rolecall/rolecall/policy"
)

// IAM quotas for managed policies.
const (
	// maxManagedPolicyChars is the size quota of one managed policy
	// document, counted without white space.
	maxManagedPolicyChars = 6144
	maxPolicyVersions     = 5
	// maxPolicyDocumentLength is the API's length constraint on any
	// policyDocument parameter, white space included.
	maxPolicyDocumentLength = 131072
)

var versionIDRe = regexp.MustCompile(`^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$`)

// policySize measures a policy document against IAM's size quotas, which
// do not count white space. IAM does not say whether white space inside
// strings is exempt too; rolecall exempts all of it, which can only accept
// more than AWS, never less.
func policySize(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// checkDocumentParam applies the API-level constraints every policyDocument
// parameter has.
func checkDocumentParam(doc string) error {
	if doc == "" {
		return constraint("policyDocument", "Member must have length greater than or equal to 1")
	}
	if utf8.RuneCountInString(doc) > maxPolicyDocumentLength {
		return constraint("policyDocument", fmt.Sprintf("Member must have length less than or equal to %d", maxPolicyDocumentLength))
	}
	for _, r := range doc {
		if r != '\t' && r != '\n' && r != '\r' && (r < 0x20 || r > 0xFF) {
			return constraint("policyDocument", `Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`)
		}
	}
	return nil
}

// checkPolicy validates an identity policy document with IAM's
// MalformedPolicyDocument messages.
func checkPolicy(doc string, managed bool) error {
	if _, err := policy.Check([]byte(doc), policy.CheckOptions{Type: policy.TypeIdentity, Managed: managed}); err != nil {
		var pe *policy.Error
		if errors.As(err, &pe) {
			return awserr.MalformedPolicyDocument("%s", pe.Message)
		}
		return awserr.MalformedPolicyDocument("%s", err.Error())
	}
	return nil
}

// CheckManagedPolicy validates a managed policy document as CreatePolicy
// and CreatePolicyVersion do: the 6,144-character quota (white space not
// counted), then IAM's grammar with version 2012-10-17 required.
func CheckManagedPolicy(doc string) error {
	if err := checkDocumentParam(doc); err != nil {
		return err
	}
	if policySize(doc) > maxManagedPolicyChars {
		return awserr.LimitExceeded("Cannot exceed quota for PolicySize: %d", maxManagedPolicyChars)
	}
	return checkPolicy(doc, true)
}

// validatePolicyTags applies IAM's tag rules to managed policy tags. Unlike
// the other entities' tags as rolecall had them, AWS treats policy tag keys
// case-sensitively: "a" and "A" are two tags (recorded), and a duplicate is
// "Duplicate tag keys found."
func validatePolicyTags(tags []Tag) error {
	if len(tags) > 50 {
		return constraint("tags", "Member must have length less than or equal to 50")
	}
	seen := map[string]bool{}
	for i, t := range tags {
		field := fmt.Sprintf("tags.%d.member.", i+1)
		if t.Key == "" {
			return constraint(field+"key", "Member must have length greater than or equal to 1")
		}
		if utf8.RuneCountInString(t.Key) > 128 {
			return constraint(field+"key", "Member must have length less than or equal to 128")
		}
		if !tagKeyRe.MatchString(t.Key) {
			return constraint(field+"key", `Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+`)
		}
		if utf8.RuneCountInString(t.Value) > 256 {
			return constraint(field+"value", "Member must have length less than or equal to 256")
		}
		if !tagValueRe.MatchString(t.Value) {
			return constraint(field+"value", `Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]*`)
		}
		if seen[t.Key] {
			return awserr.InvalidInput("Duplicate tag keys found.")
		}
		seen[t.Key] = true
	}
	return nil
}

func validateVersionID(v string) error {
	if !versionIDRe.MatchString(v) {
		return constraint("versionId", `Member must satisfy regular expression pattern: v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`)
	}
	return nil
}

func enumError(field, value string, allowed ...string) error {
	return awserr.ValidationError("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", value, field, strings.Join(allowed, ", "))
}

func policyNotFound(a string) error { return awserr.NoSuchEntity("Policy %s was not found.", a) }

func versionNotFound(a, v string) error {
	return awserr.NoSuchEntity("Policy %s version %s does not exist or is not attachable.", a, v)
}

// CreatePolicyInput is CreatePolicy's request.
type CreatePolicyInput struct {
	PolicyName     string
	Path           string
	PolicyDocument string
	Description    string
	Tags           []Tag
}

// CreatePolicy creates a customer managed policy with version v1.
func (s *Service) CreatePolicy(ctx context.Context, c Caller, in CreatePolicyInput) (*ManagedPolicy, error) {
	if err := validateName("policyName", in.PolicyName, 128); err != nil {
		return nil, err
	}
	path, err := normalizePath(in.Path)
	if err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(in.Description) > 1000 {
		return nil, constraint("description", "Member must have length less than or equal to 1000")
	}
	if err := validatePolicyTags(in.Tags); err != nil {
		return nil, err
	}
	if err := CheckManagedPolicy(in.PolicyDocument); err != nil {
		return nil, err
	}
	now := s.Now()
	p := &ManagedPolicy{
		Account:          c.Account,
		Name:             in.PolicyName,
		ID:               NewID("ANPA"),
		ARN:              s.arn(c.Account, "policy", path, in.PolicyName),
		Path:             path,
		Description:      in.Description,
		CreateDate:       now,
		UpdateDate:       now,
		DefaultVersionID: "v1",
		Versions:         []PolicyVersion{{ID: "v1", Document: in.PolicyDocument, CreateDate: now}},
		NextVersion:      2,
		Tags:             in.Tags,
	}
	err = s.update(ctx, func(tx store.Tx) error {
		if err := create(tx, policyKey(c.Account, p.Name), p); err != nil {
			if errors.Is(err, store.ErrExists) {
				return awserr.EntityAlreadyExists("A policy called %s already exists. Duplicate names are not allowed.", in.PolicyName)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// GetPolicy returns a managed policy, AWS's or the account's own, with the
// account's usage counts.
func (s *Service) GetPolicy(ctx context.Context, c Caller, policyARN string) (*ManagedPolicy, error) {
	ref, err := parsePolicyARN(policyARN)
	if err != nil {
		return nil, err
	}
	var p *ManagedPolicy
	err = s.view(ctx, func(r store.Reader) error {
		var ok bool
		var err error
		p, ok, err = s.findPolicy(r, c.Account, ref)
		if err == nil && !ok {
			return policyNotFound(policyARN)
		}
		return err
	})
	return p, err
}

// Policy scopes and usage filters of the List operations.
const (
	ScopeAll   = "All"
	ScopeAWS   = "AWS"
	ScopeLocal = "Local"

	UsagePermissionsPolicy   = "PermissionsPolicy"
	UsagePermissionsBoundary = "PermissionsBoundary"
)

func validateUsageFilter(f string) error {
	switch f {
	case "", UsagePermissionsPolicy, UsagePermissionsBoundary:
		return nil
	}
	return enumError("policyUsageFilter", f, UsagePermissionsPolicy, UsagePermissionsBoundary)
}

// ListPoliciesInput is ListPolicies' request.
type ListPoliciesInput struct {
	Scope             string // All (default), AWS or Local
	OnlyAttached      bool
	PathPrefix        string
	PolicyUsageFilter string // PermissionsPolicy, PermissionsBoundary or empty
	Page              Page
}

// ListPolicies lists managed policies in name order (AWS's own order is not
// reproducible: it is neither by name nor by creation), AWS managed and
// customer managed interleaved. It returns the page and the marker for the
// next one, empty on the last.
//
// PolicyUsageFilter keeps policies in use that way: PermissionsPolicy those
// attached to some entity, PermissionsBoundary those some entity uses as
// its permissions boundary.
func (s *Service) ListPolicies(ctx context.Context, c Caller, in ListPoliciesInput) ([]*ManagedPolicy, string, error) {
	switch in.Scope {
	case "":
		in.Scope = ScopeAll
	case ScopeAll, ScopeAWS, ScopeLocal:
	default:
		return nil, "", enumError("scope", in.Scope, ScopeAll, ScopeAWS, ScopeLocal)
	}
	if err := validateUsageFilter(in.PolicyUsageFilter); err != nil {
		return nil, "", err
	}
	if err := validatePathPrefix(in.PathPrefix); err != nil {
		return nil, "", err
	}
	// keep filters on what the list shows of a policy, so AWS managed
	// policies are only built for the page when they pass.
	keep := func(path string, attachments, boundaries int) bool {
		switch {
		case !strings.HasPrefix(path, in.PathPrefix):
			return false
		case in.OnlyAttached && attachments == 0:
			return false
		case in.PolicyUsageFilter == UsagePermissionsPolicy && attachments == 0:
			return false
		case in.PolicyUsageFilter == UsagePermissionsBoundary && boundaries == 0:
			return false
		}
		return true
	}
	var all []*ManagedPolicy
	err := s.view(ctx, func(r store.Reader) error {
		if in.Scope != ScopeLocal {
			usage, err := s.awsUsages(r, c.Account)
			if err != nil {
				return err
			}
			for _, mp := range catalog.ManagedPolicies() {
				u := usage[mp.Name]
				if u == nil {
					u = &awsUsage{}
				}
				if keep(mp.Path, u.AttachmentCount, u.BoundaryUsageCount) {
					all = append(all, s.awsPolicy(mp, u))
				}
			}
		}
		if in.Scope != ScopeAWS {
			own, err := list[ManagedPolicy](r, policyPrefix(c.Account))
			if err != nil {
				return err
			}
			for _, p := range own {
				if keep(p.Path, p.AttachmentCount, p.BoundaryUsageCount) {
					all = append(all, p)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	slices.SortFunc(all, func(a, b *ManagedPolicy) int { return strings.Compare(policySortKey(a), policySortKey(b)) })
	return paginate("policies", all, policySortKey, in.Page)
}

func policySortKey(p *ManagedPolicy) string { return p.Name + "\x00" + p.ARN }

// awsUsages reads the account's usage records of AWS managed policies.
func (s *Service) awsUsages(r store.Reader, acct string) (map[string]*awsUsage, error) {
	prefix := awsUsagePrefix(acct)
	kvs, err := r.List(prefix, "", 0)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*awsUsage, len(kvs))
	for _, kv := range kvs {
		u := new(awsUsage)
		if err := json.Unmarshal(kv.Value, u); err != nil {
			return nil, fmt.Errorf("iam: corrupt record %s: %w", kv.Key, err)
		}
		out[strings.TrimPrefix(kv.Key, prefix)] = u
	}
	return out, nil
}

// DeletePolicy deletes a customer managed policy. As in AWS it must be
// attached to nothing, used as nobody's permissions boundary, and have no
// versions left but the default.
func (s *Service) DeletePolicy(ctx context.Context, c Caller, policyARN string) error {
	ref, err := parsePolicyARN(policyARN)
	if err != nil {
		return err
	}
	if ref.aws() {
		return awserr.AccessDenied("Cannot delete policies outside your own account.")
	}
	return s.update(ctx, func(tx store.Tx) error {
		p, ok, err := s.findPolicy(tx, c.Account, ref)
		if err != nil {
			return err
		}
		if !ok {
			return policyNotFound(policyARN)
		}
		if p.AttachmentCount > 0 || p.BoundaryUsageCount > 0 {
			return awserr.DeleteConflict("Cannot delete a policy attached to entities.")
		}
		if len(p.Versions) > 1 {
			return awserr.DeleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		return tx.Delete(policyKey(c.Account, p.Name))
	})
}

// PolicyVersionInfo is one version of a managed policy as the API
// describes it.
type PolicyVersionInfo struct {
	VersionID  string
	Document   string
	IsDefault  bool
	CreateDate time.Time
}

func versionInfo(p *ManagedPolicy, v PolicyVersion) *PolicyVersionInfo {
	return &PolicyVersionInfo{VersionID: v.ID, Document: v.Document, IsDefault: v.ID == p.DefaultVersionID, CreateDate: v.CreateDate}
}

// CreatePolicyVersion adds a version to a customer managed policy, making
// it the default when setAsDefault is set.
func (s *Service) CreatePolicyVersion(ctx context.Context, c Caller, policyARN, doc string, setAsDefault bool) (*PolicyVersionInfo, error) {
	ref, err := parsePolicyARN(policyARN)
	if err != nil {
		return nil, err
	}
	if ref.aws() {
		return nil, awserr.AccessDenied("Cannot update policies outside your own account.")
	}
	if err := CheckManagedPolicy(doc); err != nil {
		return nil, err
	}
	var out *PolicyVersionInfo
	err = s.update(ctx, func(tx store.Tx) error {
		p, ok, err := s.findPolicy(tx, c.Account, ref)
		if err != nil {
			return err
		}
		if !ok {
			return policyNotFound(policyARN)
		}
		if len(p.Versions) >= maxPolicyVersions {
			return awserr.LimitExceeded("A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
		}
		if p.NextVersion < 2 {
			p.NextVersion = len(p.Versions) + 1
		}
		now := s.Now()
		v := PolicyVersion{ID: "v" + strconv.Itoa(p.NextVersion), Document: doc, CreateDate: now}
		p.NextVersion++
		p.Versions = append(p.Versions, v)
		// UpdateDate is when the most recent version was created.
		p.UpdateDate = now
		if setAsDefault {
			p.DefaultVersionID = v.ID
		}
		out = versionInfo(p, v)
		return put(tx, policyKey(c.Account, p.Name), p)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// awsVersion is version n of an AWS managed policy. The catalog holds only
// the default version's document; earlier versions are listed (AWS keeps
// them all) but have no document.
func awsVersion(mp catalog.ManagedPolicy, n, def int) *PolicyVersionInfo {
	v := &PolicyVersionInfo{VersionID: "v" + strconv.Itoa(n), IsDefault: n == def, CreateDate: mp.CreateDate}
	if n == def {
		v.Document = mp.Document
		v.CreateDate = mp.UpdateDate
	}
	return v
}

func awsDefaultVersion(mp catalog.ManagedPolicy) int {
	n, err := strconv.Atoi(strings.TrimPrefix(mp.DefaultVersionID, "v"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// GetPolicyVersion returns one version of a managed policy with its
// document. Of AWS managed policies only the default version's document is
// known; asking for an earlier one is NoSuchEntity.
func (s *Service) GetPolicyVersion(ctx context.Context, c Caller, policyARN, versionID string) (*PolicyVersionInfo, error) {
	if err := validateVersionID(versionID); err != nil {
		return nil, err
	}
	ref, err := parsePolicyARN(policyARN)
	if err != nil {
		return nil, err
	}
	if ref.aws() {
		mp, ok := s.lookupAWSPolicy(ref)
		if !ok || versionID != mp.DefaultVersionID {
			return nil, versionNotFound(policyARN, versionID)
		}
		return awsVersion(mp, awsDefaultVersion(mp), awsDefaultVersion(mp)), nil
	}
	var out *PolicyVersionInfo
	err = s.view(ctx, func(r store.Reader) error {
		p, ok, err := s.findPolicy(r, c.Account, ref)
		if err != nil {
			return err
		}
		if ok {
			for _, v := range p.Versions {
				if v.ID == versionID {
					out = versionInfo(p, v)
					return nil
				}
			}
		}
		return versionNotFound(policyARN, versionID)
	})
	return out, err
}

// ListPolicyVersions lists a managed policy's versions, newest first, as
// AWS does. Documents are left out, as AWS leaves them out.
func (s *Service) ListPolicyVersions(ctx context.Context, c Caller, policyARN string, pg Page) ([]*PolicyVersionInfo, string, error) {
	ref, err := parsePolicyARN(policyARN)
	if err != nil {
		return nil, "", err
	}
	var out []*PolicyVersionInfo
	if ref.aws() {
		mp, ok := s.lookupAWSPolicy(ref)
		if !ok {
			return nil, "", policyNotFound(policyARN)
		}
		def := awsDefaultVersion(mp)
		for n := def; n >= 1; n-- {
			v := awsVersion(mp, n, def)
			v.Document = ""
			out = append(out, v)
		}
		return paginateOffset("policy-versions", out, pg)
	}
	err = s.view(ctx, func(r store.Reader) error {
		p, ok, err := s.findPolicy(r, c.Account, ref)
		if err != nil {
			return err
		}
		if !ok {
			return policyNotFound(policyARN)
		}
		for _, v := range p.Versions {
			vi := versionInfo(p, v)
			vi.Document = ""
			out = append(out, vi)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	slices.SortFunc(out, func(a, b *PolicyVersionInfo) int { return versionNumber(b.VersionID) - versionNumber(a.VersionID) })
	return paginateOffset("policy-versions", out, pg)
}

func versionNumber(id string) int {
	s := strings.TrimPrefix(id, "v")
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s = s[:i]
	}
	n, _ := strconv.Atoi(s)
	return n
}

// DeletePolicyVersion deletes a version other than the default.
func (s *Service) DeletePolicyVersion(ctx context.Context, c Caller, policyARN, versionID string) error {
	if err := validateVersionID(versionID); err != nil {
		return err
	}
	ref, err := parsePolicyARN(policyARN)
	if err != nil {
		return err
	}
	if ref.aws() {
		return awserr.AccessDenied("Cannot delete policy versions for policies outside your own account.")
	}
	return s.update(ctx, func(tx store.Tx) error {
		p, ok, err := s.findPolicy(tx, c.Account, ref)
		if err != nil {
			return err
		}
		if !ok {
			return versionNotFound(policyARN, versionID)
		}
		i := slices.IndexFunc(p.Versions, func(v PolicyVersion) bool { return v.ID == versionID })
		if i < 0 {
			return versionNotFound(policyARN, versionID)
		}
		if versionID == p.DefaultVersionID {
			return awserr.DeleteConflict("Cannot delete the default version of a policy.")
		}
		p.Versions = slices.Delete(p.Versions, i, i+1)
		return put(tx, policyKey(c.Account, p.Name), p)
	})
}

// SetDefaultPolicyVersion makes an existing version the default.
func (s *Service) SetDefaultPolicyVersion(ctx context.Context, c Caller, policyARN, versionID string) error {
	if err := validateVersionID(versionID); err != nil {
		return err
	}
	ref, err := parsePolicyARN(policyARN)
	if err != nil {
		return err
	}
	if ref.aws() {
		return awserr.AccessDenied("Cannot update policies outside your own account.")
	}
	return s.update(ctx, func(tx store.Tx) error {
		p, ok, err := s.findPolicy(tx, c.Account, ref)
		if err != nil {
			return err
		}
		if !ok || !slices.ContainsFunc(p.Versions, func(v PolicyVersion) bool { return v.ID == versionID }) {
			return versionNotFound(policyARN, versionID)
		}
		if p.DefaultVersionID == versionID {
			return nil
		}
		p.DefaultVersionID = versionID
		return put(tx, policyKey(c.Account, p.Name), p)
	})
}

// TagPolicy adds or replaces tags on a customer managed policy.
func (s *Service) TagPolicy(ctx context.Context, c Caller, policyARN string, tags []Tag) error {
	if err := validatePolicyTags(tags); err != nil {
		return err
	}
	return s.updateOwnPolicy(ctx, c, policyARN, func(p *ManagedPolicy) error {
		out := slices.Clone(p.Tags)
		for _, t := range tags {
			if i := slices.IndexFunc(out, func(o Tag) bool { return o.Key == t.Key }); i >= 0 {
				out[i].Value = t.Value
			} else {
				out = append(out, t)
			}
		}
		if len(out) > 50 {
			return awserr.LimitExceeded("The number of tags has reached the maximum limit.")
		}
		p.Tags = out
		return nil
	})
}

// UntagPolicy removes tags by key (case-sensitively) from a customer
// managed policy. Keys it does not have are ignored.
func (s *Service) UntagPolicy(ctx context.Context, c Caller, policyARN string, keys []string) error {
	if err := checkTagKeys(keys); err != nil {
		return err
	}
	return s.updateOwnPolicy(ctx, c, policyARN, func(p *ManagedPolicy) error {
		p.Tags = slices.DeleteFunc(p.Tags, func(t Tag) bool { return slices.Contains(keys, t.Key) })
		if len(p.Tags) == 0 {
			p.Tags = nil
		}
		return nil
	})
}

// updateOwnPolicy applies fn to a customer managed policy and stores it.
func (s *Service) updateOwnPolicy(ctx context.Context, c Caller, policyARN string, fn func(p *ManagedPolicy) error) error {
	ref, err := parsePolicyARN(policyARN)
	if err != nil {
		return err
	}
	if ref.aws() {
		return awserr.AccessDenied("Cannot update policies outside your own account.")
	}
	return s.update(ctx, func(tx store.Tx) error {
		p, ok, err := s.findPolicy(tx, c.Account, ref)
		if err != nil {
			return err
		}
		if !ok {
			return policyNotFound(policyARN)
		}
		if err := fn(p); err != nil {
			return err
		}
		return put(tx, policyKey(c.Account, p.Name), p)
	})
}

// ListPolicyTags lists a managed policy's tags. AWS lists them shortest key
// first, then in byte order (recorded: A, a; a, b, z, abc); GetPolicy keeps
// the order they were added in. AWS managed policies have no tags.
func (s *Service) ListPolicyTags(ctx context.Context, c Caller, policyARN string, pg Page) ([]Tag, string, error) {
	ref, err := parsePolicyARN(policyARN)
	if err != nil {
		return nil, "", err
	}
	var tags []Tag
	err = s.view(ctx, func(r store.Reader) error {
		p, ok, err := s.findPolicy(r, c.Account, ref)
		if err != nil {
			return err
		}
		if !ok {
			return policyNotFound(policyARN)
		}
		tags = slices.Clone(p.Tags)
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	slices.SortFunc(tags, func(a, b Tag) int {
		if len(a.Key) != len(b.Key) {
			return len(a.Key) - len(b.Key)
		}
		return strings.Compare(a.Key, b.Key)
	})
	return paginateOffset("policy-tags", tags, pg)
}

// Entity filters of ListEntitiesForPolicy.
const (
	EntityUser               = "User"
	EntityRole               = "Role"
	EntityGroup              = "Group"
	EntityLocalManagedPolicy = "LocalManagedPolicy"
	EntityAWSManagedPolicy   = "AWSManagedPolicy"
)

// ListEntitiesForPolicyInput is ListEntitiesForPolicy's request.
type ListEntitiesForPolicyInput struct {
	PolicyARN         string
	EntityFilter      string // User, Role, Group, LocalManagedPolicy, AWSManagedPolicy or empty
	PathPrefix        string
	PolicyUsageFilter string
	Page              Page
}

// PolicyEntity is a user, group or role a policy is attached to or bounds.
type PolicyEntity struct {
	Type string // User, Role or Group
	Name string
	ID   string
}

// ListEntitiesForPolicy lists the groups, users and roles (in that order,
// each by name) that have the policy attached or, for users and roles, use
// it as their permissions boundary; PolicyUsageFilter narrows to one of
// the two. The LocalManagedPolicy and AWSManagedPolicy filters match no
// entity (recorded: an empty answer).
func (s *Service) ListEntitiesForPolicy(ctx context.Context, c Caller, in ListEntitiesForPolicyInput) ([]PolicyEntity, string, error) {
	switch in.EntityFilter {
	case "", EntityUser, EntityRole, EntityGroup, EntityLocalManagedPolicy, EntityAWSManagedPolicy:
	default:
		return nil, "", enumError("entityFilter", in.EntityFilter, EntityUser, EntityRole, EntityGroup, EntityLocalManagedPolicy, EntityAWSManagedPolicy)
	}
	if err := validateUsageFilter(in.PolicyUsageFilter); err != nil {
		return nil, "", err
	}
	if err := validatePathPrefix(in.PathPrefix); err != nil {
		return nil, "", err
	}
	ref, err := parsePolicyARN(in.PolicyARN)
	if err != nil {
		return nil, "", err
	}
	want := func(t string) bool { return in.EntityFilter == "" || in.EntityFilter == t }
	uses := func(path string, attached []string, boundary string) bool {
		if !strings.HasPrefix(path, in.PathPrefix) {
			return false
		}
		if in.PolicyUsageFilter != UsagePermissionsBoundary && slices.Contains(attached, in.PolicyARN) {
			return true
		}
		return in.PolicyUsageFilter != UsagePermissionsPolicy && boundary == in.PolicyARN
	}
	var out []PolicyEntity
	err = s.view(ctx, func(r store.Reader) error {
		_, ok, err := s.findPolicy(r, c.Account, ref)
		if err != nil {
			return err
		}
		if !ok {
			return awserr.NoSuchEntity("Policy %s does not exist or is not attachable.", in.PolicyARN)
		}
		if want(EntityGroup) {
			groups, err := list[Group](r, groupPrefix(c.Account))
			if err != nil {
				return err
			}
			for _, g := range groups {
				if uses(g.Path, g.AttachedPolicies, "") {
					out = append(out, PolicyEntity{Type: EntityGroup, Name: g.Name, ID: g.ID})
				}
			}
		}
		if want(EntityUser) {
			users, err := list[User](r, userPrefix(c.Account))
			if err != nil {
				return err
			}
			for _, u := range users {
				if uses(u.Path, u.AttachedPolicies, u.PermissionsBoundary) {
					out = append(out, PolicyEntity{Type: EntityUser, Name: u.Name, ID: u.ID})
				}
			}
		}
		if want(EntityRole) {
			roles, err := list[Role](r, rolePrefix(c.Account))
			if err != nil {
				return err
			}
			for _, ro := range roles {
				if uses(ro.Path, ro.AttachedPolicies, ro.PermissionsBoundary) {
					out = append(out, PolicyEntity{Type: EntityRole, Name: ro.Name, ID: ro.ID})
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	// Store keys are lower-cased names, so each type is in name order
	// already; the key below keeps the types apart for paging.
	return paginate("policy-entities", out, entitySortKey, in.Page)
}

func entitySortKey(e PolicyEntity) string {
	rank := "3"
	switch e.Type {
	case EntityGroup:
		rank = "1"
	case EntityUser:
		rank = "2"
	}
	return rank + strings.ToLower(e.Name)
}
