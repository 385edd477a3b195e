// Package ecs implements the Amazon ECS control plane's domain logic over a
// store.Store: clusters, container instances, task definitions and their
// tags, with ECS's validation rules, ARNs and error codes. It knows nothing
// of HTTP or of authorization (the api package authorizes every call before
// it reaches this package); errors are *awserr.Error values carrying ECS's
// code, message and status.
//
// State lives under "ecs/ACCOUNT/REGION/...": ECS is a regional service and
// each region of each account has its own clusters and task definitions.
// Every operation runs in one store transaction, so an operation that fails
// changes nothing.
package ecs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

// Service is the ECS domain. It is safe for concurrent use.
type Service struct {
	Store     store.Store
	Now       func() time.Time
	Partition string // "aws"
	Region    string // the region used when a Scope names none

	// Assumer mints task and execution role credentials (the server sets
	// it to its STS). Without it, tasks with roles cannot run.
	Assumer Assumer
	// CredentialDuration is the lifetime of task role credentials (6 hours
	// when zero). Credentials are refreshed when less than RefreshFraction
	// of their lifetime (1/3 when zero) or RefreshMinRemaining (30 minutes
	// when zero), whichever is larger, remains — at most half the lifetime.
	CredentialDuration  time.Duration
	RefreshFraction     float64
	RefreshMinRemaining time.Duration
	// Endpoint is the base URL agents reach this server at
	// (DiscoverPollEndpoint's answer).
	Endpoint string
}

// New returns a Service over st for region.
func New(st store.Store, partition, region string) *Service {
	if partition == "" {
		partition = "aws"
	}
	return &Service{Store: st, Partition: partition, Region: region, Now: time.Now}
}

// Scope says whose resources, in which region, a call is about.
type Scope struct {
	Account string
	Region  string // empty: the Service's Region
}

func (s *Service) scope(sc Scope) Scope {
	if sc.Region == "" {
		sc.Region = s.Region
	}
	return sc
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// ARN builds an ECS ARN in sc: resource is e.g. "cluster/default".
func (s *Service) ARN(sc Scope, resource string) string {
	sc = s.scope(sc)
	return "arn:" + s.Partition + ":ecs:" + sc.Region + ":" + sc.Account + ":" + resource
}

// Store keys.
func prefix(sc Scope) string                  { return "ecs/" + sc.Account + "/" + sc.Region + "/" }
func clusterKey(sc Scope, name string) string { return prefix(sc) + "cluster/" + name }
func clusterPrefix(sc Scope) string           { return prefix(sc) + "cluster/" }
func instanceKey(sc Scope, cluster, id string) string {
	return prefix(sc) + "instance/" + cluster + "/" + id
}
func instancePrefix(sc Scope, cluster string) string { return prefix(sc) + "instance/" + cluster + "/" }
func familyKey(sc Scope, family string) string       { return prefix(sc) + "family/" + family }

// agentKey holds the principal that registered a container instance, its
// agent's identity (kept apart from the instance, which is API output).
func agentKey(sc Scope, cluster, instanceID string) string {
	return prefix(sc) + "agent/" + cluster + "/" + instanceID
}
func familyPrefix(sc Scope) string { return prefix(sc) + "family/" }
func taskDefKey(sc Scope, family string, rev int) string {
	return fmt.Sprintf("%staskdef/%s/%010d", prefix(sc), family, rev)
}
func taskDefPrefix(sc Scope, family string) string { return prefix(sc) + "taskdef/" + family + "/" }

// get, put and list are the store's JSON record helpers for ECS.
func get[T any](r store.Reader, key string) (*T, error) {
	v, _, err := store.GetJSON[T](r, key, "ecs")
	return v, err
}
func put(tx store.Tx, key string, v any) error { return store.PutJSON(tx, key, v) }
func list[T any](r store.Reader, prefix string) ([]*T, error) {
	return store.ListJSON[T](r, prefix, "ecs")
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

func (s *Service) update(ctx context.Context, fn func(tx store.Tx) error) error {
	return mapErr(s.Store.Update(ctx, fn))
}

func (s *Service) view(ctx context.Context, fn func(r store.Reader) error) error {
	return mapErr(s.Store.View(ctx, fn))
}

// mapErr passes AWS errors and cancellations through and turns anything
// else into ECS's ServerException.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := awserr.As(err); ok {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	e := awserr.New(http.StatusInternalServerError, "ServerException", "An internal error occurred: %v", err)
	e.Sender = false
	return e
}

// ECS's errors. ECS answers every client error with HTTP 400.

func invalidParameter(format string, args ...any) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "InvalidParameterException", format, args...)
}

func clientException(format string, args ...any) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "ClientException", format, args...)
}

func clusterNotFound() *awserr.Error {
	return awserr.New(http.StatusBadRequest, "ClusterNotFoundException", "Cluster not found.")
}

func resourceNotFound() *awserr.Error {
	return awserr.New(http.StatusBadRequest, "ResourceNotFoundException", "The specified resource could not be found.")
}

// agentBinding is who acts as a container instance's agent. Poll hands out
// the credentials of the instance's task roles, and the Submit* calls
// decide what its tasks did, so IAM's ecs:Poll alone is not enough: in AWS
// the ACS session is bound to the instance that opened it. rolecall binds
// the instance to the principal (for a role session, the session's ARN,
// e.g. assumed-role/ecsInstanceRole/i-0123...) that registered it.
type agentBinding struct {
	Principal string `json:"principal"`
}

// checkAgent refuses a principal other than the one that registered the
// instance. An empty principal is an in-process caller (the API layer
// always sets the caller's). An instance without a binding (registered
// in process, or before rolecall kept bindings) is refused to every API
// caller until its agent registers it again, which binds it.
func checkAgent(r store.Reader, sc Scope, cluster, instanceID, principal string) error {
	return checkBinding(r, sc, cluster, instanceID, principal, false)
}

// checkReregister is checkAgent for RegisterContainerInstance with a
// known ARN: an instance without a binding may be registered again (and is
// then bound to the caller).
func checkReregister(r store.Reader, sc Scope, cluster, instanceID, principal string) error {
	return checkBinding(r, sc, cluster, instanceID, principal, true)
}

func checkBinding(r store.Reader, sc Scope, cluster, instanceID, principal string, unboundOK bool) error {
	if principal == "" {
		return nil
	}
	b, err := get[agentBinding](r, agentKey(sc, cluster, instanceID))
	if isNotFound(err) && unboundOK {
		return nil
	}
	if isNotFound(err) {
		return awserr.New(http.StatusBadRequest, "AccessDeniedException",
			"Container instance %s has no agent identity yet; its agent must register it again (RegisterContainerInstance with its containerInstanceArn).", instanceID)
	}
	if err != nil {
		return err
	}
	if b.Principal != principal {
		return awserr.New(http.StatusBadRequest, "AccessDeniedException",
			"Container instance %s was registered by another principal; only the identity that registered it (for a role session, the same session name) may act as its agent.", instanceID)
	}
	return nil
}
