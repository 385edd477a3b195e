// Package credentials is the container agent's task IAM role credentials
// service: a cache of each task's role credentials under a credential ID, the
// HTTP endpoint containers read them from, refresh before expiry, a per-caller
// rate limit and an audit log. Its behaviour follows the Amazon ECS container
// agent (the reference implementation the AWS SDKs are written against).
//
// # Flow
//
// When a task with a task role (or a task execution role) is placed on the
// instance, the control plane hands the agent the role's temporary credentials.
// The agent stores them with [Cache.Set] under a fresh [NewCredentialID] and
// starts the task's containers with
//
//	AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/{id}
//
// The SDKs in the container prepend http://169.254.170.2 and GET that URL
// (served by [Handler]); they read
//
//	{"RoleArn":"…","AccessKeyId":"…","SecretAccessKey":"…","Token":"…","Expiration":"2026-11-22T18:00:00Z"}
//
// Refreshed credentials arrive under the same ID ([Cache.Update]); when the task
// stops the ID is forgotten ([Cache.Remove]) and later requests get 400
// InvalidIdInRequest. The legacy form GET /v1/credentials?id={id} is served
// too.
//
// # Errors
//
// Errors are the agent's JSON body {"code","message","HTTPErrorCode"}; the SDKs
// surface code and message. Codes and messages (prefix CredentialsV1Request: or
// CredentialsV2Request: by endpoint) follow the agent where it has one:
//
//	400 NoIdInRequest            "…: No Credential ID in the request"
//	400 InvalidIdInRequest       "…: Credentials not found"      (unknown, removed or malformed ID)
//	503 CredentialsUninitialized "…: Credentials uninitialized for ID"
//	500 InternalServerError      "Internal server error"          (also: audit log not writable)
//	401 Unauthorized             Authorization header missing for an ID that has a token
//	403 Unauthorized             Authorization header does not match
//	405 MethodNotAllowed         anything but GET or HEAD (Allow: GET, HEAD)
//	429 TooManyRequests          "You have reached maximum request limit." (Retry-After: 1)
//	404 NotFound                 any other path (not audited: it touches no credentials)
//
// 503 CredentialsUninitialized is the agent's answer for "registered, but no
// usable credentials yet"; rolecall also gives it when the cached credentials
// expire within the refresh threshold and no fresh ones could be obtained. The
// SDKs retry 5xx and 429, and do not retry 4xx.
//
// # Why credential IDs are random and never logged
//
// On the task endpoint (169.254.170.2) every container on the instance can
// reach the handler; the credential ID in the path is the only thing that
// separates one task's credentials from another's. It is therefore a bearer
// secret: a version 4 UUID from crypto/rand (122 random bits), never derived
// from the task ARN or a counter. Like any secret it is kept out of the audit
// log (the path is logged as the route, /v1/credentials or /v2/credentials),
// out of operational logs (which name the task ARN instead), and out of the
// rate limiter's keys, which are (caller IP, route, the ID's task — or none
// for an unknown ID): keyed on the raw path, as a generic limiter would be,
// each guessed ID would get a fresh bucket and the limit would do nothing
// against guessing.
//
// Where the endpoint is reachable more widely (AWS_CONTAINER_CREDENTIALS_FULL_URI),
// an entry may carry an AuthorizationToken that the request's Authorization
// header must equal, the contract of AWS_CONTAINER_AUTHORIZATION_TOKEN as the
// SDKs implement it (the raw token, no scheme). Only its SHA-256 is stored; the
// comparison is constant-time over the hashes, so neither content nor length
// leaks. The EKS Pod Identity agent answers a missing token with 400; rolecall
// uses 401 and 403 (authentication missing vs. wrong), which the SDKs treat the
// same way (non-retryable client error).
//
// # Why refresh at 15 minutes
//
// Task role credentials live for hours and are rotated by the control plane
// well before they expire. The SDKs cache what they read and refresh shortly
// before Expiration (typically within the last 5 to 15 minutes, depending on
// the SDK); handing out credentials with less time than that makes clients come
// straight back or, worse, fail mid-operation with expired tokens. So the
// handler never serves credentials valid for less than [Options.MinRemaining]
// (15 minutes by default): when the cached ones are closer to expiry, or not yet
// there, it first asks the [Refresher] (one call per ID at a time, shared by
// concurrent requests, bounded by [Options.RefreshTimeout]), caches the result
// unless a newer push won the race, and answers 503 CredentialsUninitialized if
// it still has nothing good enough. A missed rotation thus shows up as a
// retryable 503 at the client rather than as expired credentials.
//
// # Why audit failures refuse
//
// Every credentials request, served or refused, is written as one line to the
// audit log before the response is sent, in the agent's format (version 2):
//
//	time status caller "route" "user-agent" task-arn event-type 2 cluster container-instance-arn
//
// with event type GetCredentials (task role), GetCredentialsExecutionRole, or
// GetCredentialsInvalidRoleType when the request matched no entry. The line has
// no field for a credential ID, key, secret or token. [AuditLog] writes the
// file with hourly rollover to audit.log.YYYY-MM-DD-HH (as the agent) and
// size-based rollover within the hour (audit.log.YYYY-MM-DD-HH.N), keeping the
// newest 24 files by default.
//
// The log answers "which task obtained which role's credentials, when, from
// where". Like Vault's audit devices, rolecall treats a secret handed out
// without that record as worse than a failed request: if the line cannot be
// written (disk full, file system read-only, log closed) the request is refused
// with 500 InternalServerError and nothing is served. The SDK retries 500s, so
// a transient audit problem costs latency, not credentials.
//
// # Rate limit
//
// Requests are limited per caller IP, route and task with a token bucket, 40
// per second steady state with bursts of 60 by default (the agent's task
// metadata defaults): each task has its own bucket (tasks of the process
// runtime all call from 127.0.0.1, and one must not starve another), and
// requests for unknown IDs share the caller's. Throttled requests get 429 and are audited. The limiter table is
// bounded ([Options.MaxCallers]); idle callers are swept, and when full an
// arbitrary caller is evicted (it merely gets a fresh burst).
//
// # Performance
//
//	go test -run XXX -bench . -benchmem ./internal/agent/credentials/
//
// BenchmarkLookup is the cache lookup (target ≤ 1 µs/op, 0 allocs);
// BenchmarkHandler a full request with the audit line written to a file,
// BenchmarkHandlerToken the same as the wrk benchmark serves it (token checked,
// fresh header map), BenchmarkBareHandler the bare handler it is compared with,
// BenchmarkAuditLog one audit line. The per-request path does no more than it
// must: the response body is rendered when credentials are cached, and
// concurrent audit lines are written at the same time (O_APPEND appends each
// write whole) instead of one after another behind a lock. See
// docs/PERFORMANCE.md and bench/credentials-wrk.sh.
package credentials
