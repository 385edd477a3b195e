package iam

import (
	"context"
	"maps"
	"slices"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

// Inline policies: documents embedded in one role, user or group, named
// uniquely within it (case-sensitively: AWS does not say otherwise), with a
// quota on the total size of an entity's inline policies.

func validateInlineName(name string) error { return validateName("policyName", name, 128) }

// PutInlinePolicy adds or replaces an inline policy (PutRolePolicy,
// PutUserPolicy, PutGroupPolicy).
func (s *Service) PutInlinePolicy(ctx context.Context, c Caller, kind PolicyHolder, entity, policyName, doc string) error {
	if err := kind.validateEntityName(entity); err != nil {
		return err
	}
	if err := validateInlineName(policyName); err != nil {
		return err
	}
	if err := checkDocumentParam(doc); err != nil {
		return err
	}
	if err := checkPolicy(doc, false); err != nil {
		return err
	}
	return s.updateHolder(ctx, c.Account, kind, entity, func(tx store.Tx, h *policyHolder) error {
		total := policySize(doc)
		for name, d := range *h.inline {
			if name != policyName {
				total += policySize(d)
			}
		}
		if total > kind.inlineQuota() {
			return awserr.LimitExceeded("Maximum policy size of %d bytes exceeded for %s %s", kind.inlineQuota(), kind.noun(), h.name)
		}
		if *h.inline == nil {
			*h.inline = map[string]string{}
		}
		(*h.inline)[policyName] = doc
		return h.save(tx)
	})
}

// GetInlinePolicy returns an inline policy's document (exactly as put) and
// the entity's name as stored.
func (s *Service) GetInlinePolicy(ctx context.Context, c Caller, kind PolicyHolder, entity, policyName string) (doc, entityName string, err error) {
	if err := kind.validateEntityName(entity); err != nil {
		return "", "", err
	}
	if err := validateInlineName(policyName); err != nil {
		return "", "", err
	}
	err = s.view(ctx, func(r store.Reader) error {
		h, err := s.loadHolder(r, c.Account, kind, entity)
		if err != nil {
			return err
		}
		d, ok := (*h.inline)[policyName]
		if !ok {
			return inlineNotFound(kind, policyName)
		}
		doc, entityName = d, h.name
		return nil
	})
	return doc, entityName, err
}

func inlineNotFound(kind PolicyHolder, name string) error {
	return awserr.NoSuchEntity("The %s policy with name %s cannot be found.", kind.noun(), name)
}

// ListInlinePolicies lists an entity's inline policy names in byte order.
func (s *Service) ListInlinePolicies(ctx context.Context, c Caller, kind PolicyHolder, entity string, pg Page) ([]string, string, error) {
	if err := kind.validateEntityName(entity); err != nil {
		return nil, "", err
	}
	var names []string
	err := s.view(ctx, func(r store.Reader) error {
		h, err := s.loadHolder(r, c.Account, kind, entity)
		if err != nil {
			return err
		}
		names = slices.Sorted(maps.Keys(*h.inline))
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return paginate("inline-policies", names, func(n string) string { return n }, pg)
}

// DeleteInlinePolicy deletes an inline policy.
func (s *Service) DeleteInlinePolicy(ctx context.Context, c Caller, kind PolicyHolder, entity, policyName string) error {
	if err := kind.validateEntityName(entity); err != nil {
		return err
	}
	if err := validateInlineName(policyName); err != nil {
		return err
	}
	return s.updateHolder(ctx, c.Account, kind, entity, func(tx store.Tx, h *policyHolder) error {
		if _, ok := (*h.inline)[policyName]; !ok {
			return inlineNotFound(kind, policyName)
		}
		delete(*h.inline, policyName)
		if len(*h.inline) == 0 {
			*h.inline = nil
		}
		return h.save(tx)
	})
}
