// Package arn parses, builds, classifies and matches Amazon Resource Names.
//
// An ARN has the shape
//
//	arn:partition:service:region:account-id:resource
//
// The first five fields never contain a colon, but the resource field may
// contain any number of colons and slashes ("task-definition/web:3",
// "log-group:/aws/ecs/x:log-stream:y"), so parsing splits at the first five
// colons only and keeps the remainder intact. IAM and STS ARNs leave the
// region empty because those services are global.
//
// Everything in rolecall that names an identity or a resource funnels through
// this package: the IAM and STS front ends build ARNs with [IAM],
// [AssumedRole] and [Root]; the policy engine uses [ClassifyPrincipal] and
// [Match] to evaluate Principal, Resource, ArnEquals and ArnLike. Keeping
// those rules in one place stops subtly different ideas of "what an ARN is"
// from creeping into each caller, which in an authorization system is a
// security problem rather than a style one.
//
// The package is pure: no I/O, no global mutable state, and the hot-path
// functions ([Split], [IsARN], [Match]) do not allocate, because the policy
// engine calls them for every statement of every request.
package arn
