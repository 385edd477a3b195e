package api

import (
	"context"

	"github.com/rolecall/rolecall/internal/iam"
)

const iamXMLNS = "https://iam.amazonaws.com/doc/2010-05-08/"

// iamHandlers maps each IAM action to its handler. Handlers decode their
// parameters, call the domain and encode the result; nothing else. Each
// group of operations registers itself from its own file.
func (s *Server) iamHandlers() map[string]queryHandler {
	m := map[string]queryHandler{}
	for _, register := range []func(map[string]queryHandler){
		s.registerIAMRoles,
		s.registerIAMPolicies,
		s.registerIAMUsers,
	} {
		register(m)
	}
	return m
}

// tags decodes Tags.member.N.Key/Value.
func tags(q *Query) []iam.Tag {
	var out []iam.Tag
	for _, m := range q.Struct("Tags", "Key", "Value") {
		out = append(out, iam.Tag{Key: m["Key"], Value: m["Value"]})
	}
	return out
}

// writeTags writes a Tags list; an empty one only when always.
func writeTags(x *XML, ts []iam.Tag, always bool) {
	if len(ts) == 0 && !always {
		return
	}
	x.Open("Tags")
	for _, t := range ts {
		x.Open("member").Elem("Key", t.Key).Elem("Value", t.Value).Close("member")
	}
	x.Close("Tags")
}

// registerTagging adds TagX, UntagX and ListXTags for one kind of entity,
// named in requests by param (RoleName, UserName, PolicyArn, ...): the three
// calls decode and encode the same way for every kind.
func registerTagging(m map[string]queryHandler, entity, param string,
	tag func(context.Context, iam.Caller, string, []iam.Tag) error,
	untag func(context.Context, iam.Caller, string, []string) error,
	list func(context.Context, iam.Caller, string, iam.Page) ([]iam.Tag, string, error),
) {
	m["Tag"+entity] = func(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
		name, err := q.Required(param)
		if err != nil {
			return err
		}
		if err := requiredList(q, "Tags"); err != nil {
			return err
		}
		return tag(ctx, c, name, tags(q))
	}
	m["Untag"+entity] = func(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
		name, err := q.Required(param)
		if err != nil {
			return err
		}
		if err := requiredList(q, "TagKeys"); err != nil {
			return err
		}
		return untag(ctx, c, name, q.List("TagKeys"))
	}
	m["List"+entity+"Tags"] = func(ctx context.Context, c iam.Caller, q *Query, x *XML) error {
		name, err := q.Required(param)
		if err != nil {
			return err
		}
		pg, err := queryPage(q)
		if err != nil {
			return err
		}
		ts, next, err := list(ctx, c, name, pg)
		if err != nil {
			return err
		}
		writeTags(x, ts, true)
		writeTruncation(x, next)
		return nil
	}
}
