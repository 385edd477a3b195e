package iam

import (
	"context"
	"slices"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

// PolicyDoc is a named policy document: an inline policy's name, or a
// managed policy's ARN, with the document text.
type PolicyDoc struct {
	Name     string
	Document string
}

// PrincipalPolicies is what authorization needs to know about a user or a
// role: the identity-based policies that apply to it (for a user, also those
// of its groups), its permissions boundary and its tags.
type PrincipalPolicies struct {
	ARN      string
	ID       string
	Identity []PolicyDoc
	Boundary *PolicyDoc
	Tags     []Tag
}

// UserPolicies loads a user's policies, in one snapshot.
func (s *Service) UserPolicies(ctx context.Context, acct, name string) (*PrincipalPolicies, error) {
	var pp *PrincipalPolicies
	err := s.view(ctx, func(r store.Reader) error {
		u, err := s.readUserShared(r, acct, name)
		if err != nil {
			return err
		}
		pp, err = s.principalPoliciesIn(r, acct, "user", u.Name, u.ARN, u.ID, u.Tags)
		return err
	})
	return pp, err
}

// RolePolicies loads a role's policies, in one snapshot.
func (s *Service) RolePolicies(ctx context.Context, acct, name string) (*PrincipalPolicies, error) {
	var pp *PrincipalPolicies
	err := s.view(ctx, func(r store.Reader) error {
		role, err := getShared[Role](s, r, roleKey(acct, name))
		if isNotFound(err) {
			return awserr.NoSuchEntity("The role with name %s cannot be found.", name)
		}
		if err != nil {
			return err
		}
		pp, err = s.principalPoliciesIn(r, acct, "role", role.Name, role.ARN, role.ID, role.Tags)
		return err
	})
	return pp, err
}

func (s *Service) principalPoliciesIn(r store.Reader, acct, kind, name, entityARN, id string, tags []Tag) (*PrincipalPolicies, error) {
	ent, err := s.loadEntityPolicies(r, acct, acct, kind, name, entityARN)
	if err != nil {
		return nil, err
	}
	// tags come from a record shared between requests (see recordCache);
	// callers change theirs, merging in session tags.
	pp := &PrincipalPolicies{ARN: entityARN, ID: id, Tags: slices.Clone(tags)}
	for _, d := range ent.identity {
		pp.Identity = append(pp.Identity, PolicyDoc{Name: d.name, Document: d.doc})
	}
	if ent.boundary != nil {
		pp.Boundary = &PolicyDoc{Name: ent.boundary.name, Document: ent.boundary.doc}
	}
	return pp, nil
}

// ManagedPolicyDocument returns the default version of a managed policy (an
// AWS managed one or acct's own) by ARN, for session policies passed as
// PolicyArns.
func (s *Service) ManagedPolicyDocument(ctx context.Context, acct, policyARN string) (PolicyDoc, bool, error) {
	var doc PolicyDoc
	var ok bool
	err := s.view(ctx, func(r store.Reader) error {
		name, d, found, err := s.managedDefaultDocument(r, acct, policyARN)
		doc, ok = PolicyDoc{Name: name, Document: d}, found
		return err
	})
	return doc, ok, err
}

// GetGroupRecord returns a group without its members (for authorization,
// which needs only its ARN).
func (s *Service) GetGroupRecord(ctx context.Context, c Caller, name string) (*Group, error) {
	var g *Group
	err := s.view(ctx, func(r store.Reader) error {
		var err error
		g, err = readGroup(r, c.Account, name)
		return err
	})
	return g, err
}
