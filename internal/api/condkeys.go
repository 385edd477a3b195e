package api

import (
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/policy"
)

// resourceTag is a tag of either tagging service rolecall serves: both
// have the same fields, so either converts to iam.Tag.
type resourceTag interface{ iam.Tag | ecs.Tag }

// setTagKeys sets the tag condition keys every tagging service shares: each
// tag in the request as aws:RequestTag/<key>, the request's tag keys as
// aws:TagKeys (when there are any), and each of the resource's tags as
// aws:ResourceTag/<key> and <service>:ResourceTag/<key>.
func setTagKeys[T resourceTag](ctx *policy.Context, service string, requestTags []T, tagKeys []string, resourceTags []T) {
	for _, t := range requestTags {
		t := iam.Tag(t)
		ctx.Set("aws:RequestTag/"+t.Key, t.Value)
	}
	if len(tagKeys) > 0 {
		ctx.Set("aws:TagKeys", tagKeys...)
	}
	for _, t := range resourceTags {
		t := iam.Tag(t)
		ctx.Set("aws:ResourceTag/"+t.Key, t.Value)
		ctx.Set(service+":ResourceTag/"+t.Key, t.Value)
	}
}
