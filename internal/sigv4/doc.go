// Package sigv4 verifies AWS Signature Version 4 on incoming requests, so that
// the unmodified AWS CLI, boto3 and the AWS SDKs can talk to rolecall. It is
// pure: no I/O, no clock (the caller passes now), no HTTP body handling (the
// caller reads the body, passes it in, and restores r.Body itself, e.g.
// r.Body = io.NopCloser(bytes.NewReader(body))). Secrets come from a Lookup
// the caller supplies; every refusal is an *awserr.Error with AWS's code,
// message and status.
//
// # The two forms
//
// Header form: an Authorization header
//
//	AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=<hex>
//
// whose parameters may be separated by commas and/or any amount of whitespace
// (the SDKs write ", ", some clients ","), with the signing time in X-Amz-Date
// (YYYYMMDD'T'HHMMSS'Z') or, failing that, in the Date header (RFC 1123 or
// the other HTTP date forms, or the ISO 8601 basic form). A parameter without
// '=' is refused the way AWS refuses it ("'x' not a valid key=value pair
// (missing equal-sign) in Authorization header: '...'."), and missing
// parameters are listed the way AWS lists them, followed by
// "Authorization=<header>". Unknown parameters are ignored; repeated ones are
// refused.
//
// Query form (presigned URL): X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
// X-Amz-SignedHeaders and X-Amz-Signature are required; X-Amz-Expires
// (0..604800 seconds) and X-Amz-Security-Token are optional. A request may
// not use both forms. A request with neither is refused with
// MissingAuthenticationToken.
//
// # Canonical request
//
// The canonical request is rebuilt from what arrived on the wire:
//
//   - Method: r.Method as sent.
//   - URI: the path exactly as the client sent it (r.URL.EscapedPath(), which
//     is the raw, already percent-encoded path), URI-encoded once more with
//     '/' kept. That double encoding is what non-S3 services require and
//     what aws-sdk-go-v2 and botocore produce ("/a%20b" is canonical
//     "/a%2520b"). botocore additionally removes dot segments and collapses
//     repeated slashes before signing, while aws-sdk-go-v2 does not; when the
//     normalized path differs from the raw one, both are tried (the raw path
//     first), so either client verifies. IAM, STS and ECS only ever use "/".
//   - Query: each parameter is decoded ('+' decodes to a space, as Go's
//     url.ParseQuery and the Go SDK have it; a malformed escape is kept
//     literally) and re-encoded with the RFC 3986 unreserved set
//     (A-Z a-z 0-9 - . _ ~) left alone and everything else as upper-case
//     %XX; pairs are sorted by encoded name, then encoded value, after
//     encoding, and joined with '&'. A parameter without '=' has an empty
//     value ("a" becomes "a="); empty segments are dropped. For presigned
//     requests X-Amz-Signature is left out; X-Amz-Security-Token and
//     X-Amz-Expires stay in (they are signed). Re-encoding, rather than
//     using the raw string, accepts clients that escape differently
//     (lower-case hex, unescaped ':'), since the signature covers the
//     values, not one spelling of them.
//   - Headers: exactly the headers named in SignedHeaders, in that order,
//     names lower-cased, each value trimmed with runs of spaces collapsed to
//     one, several values of one header joined with ','. "host" is r.Host,
//     the Host header verbatim, port and all (the SDKs omit a default port
//     and include any other). "content-length" falls back to
//     r.ContentLength and "transfer-encoding" to r.TransferEncoding, which
//     Go's server takes out of r.Header. "host" must be signed, every named
//     header must exist, and an X-Amz-Security-Token header must be signed.
//     Headers that are present but not signed are allowed (User-Agent and
//     the like), as AWS allows them.
//   - Payload: the x-amz-content-sha256 header (or, presigned, the
//     X-Amz-Content-Sha256 parameter) when present, which must then be the
//     SHA-256 of the body actually received (a modified body is refused);
//     otherwise the hex SHA-256 of the body. UNSIGNED-PAYLOAD is accepted
//     only for presigned requests. A presigned request that says nothing is
//     tried with the body's hash (what aws-sdk-go-v2's presigners sign)
//     and then with UNSIGNED-PAYLOAD (what botocore's presigner signs,
//     without saying so); Verified.UnsignedPayload tells the caller the body
//     was not covered.
//
// The string to sign is "AWS4-HMAC-SHA256\n<X-Amz-Date>\n<scope>\n<hex
// SHA-256 of the canonical request>", with the scope exactly as the client
// wrote it in its credential. Signatures are compared with hmac.Equal.
//
// # Scope and time
//
// The credential must have five '/'-separated parts. Its date must equal the
// date of X-Amz-Date; any non-empty region is accepted (rolecall is one
// endpoint for every region); the terminator must be aws4_request. The
// service is not checked here: Verify cannot know which service the endpoint
// serves. The router reads it with ScopeService, and after Verify compares
// Verified.Service with the service it dispatches to, answering WrongService
// when they differ.
//
// The signing time may be at most 15 minutes (MaxSkew) from now either way
// ("Signature expired: ..." and "Signature not yet current: ...",
// SignatureDoesNotMatch, 403). A presigned request with X-Amz-Expires is
// valid from 15 minutes before its X-Amz-Date until X-Amz-Date + X-Amz-Expires
// (RequestExpired after that); one without X-Amz-Expires gets the 15-minute
// window. (Real STS is reported to ignore X-Amz-Expires and apply 15 minutes
// to presigned GetCallerIdentity URLs; rolecall honours X-Amz-Expires as the
// SigV4 query-authentication documentation describes.)
//
// # Order of checks
//
// Form and syntax (IncompleteSignature), credential scope, time, signed
// headers, then the access key (Lookup: InvalidClientTokenId, ExpiredToken),
// then the body hash and signature (SignatureDoesNotMatch). Lookup is called
// at most once.
//
// # Signing keys and secrets
//
// The signing key is the HMAC-SHA256 chain over "AWS4"+secret, date, region,
// service and "aws4_request". Derived keys are cached in a bounded map keyed
// by a salted SHA-256 of the secret plus date, region and service, so steady
// traffic costs one SHA-256 and one HMAC of the string to sign instead of
// four more HMACs. No secret is kept in plain form, and no error message
// repeats a secret or a session token: messages echo at most the
// Authorization header (which holds the access key ID, scope, signed header
// names and signature, as AWS's own messages do), clipped to 1 KiB and
// cleaned of invalid UTF-8 and control characters. Unlike AWS, a
// SignatureDoesNotMatch message does not include the expected canonical
// request and string to sign, because the canonical request can contain a
// session token.
//
// # Errors
//
// Codes are the Query-protocol ones (IAM, STS): MissingAuthenticationToken,
// IncompleteSignature, InvalidClientTokenId, SignatureDoesNotMatch,
// ExpiredToken, RequestExpired. ForJSONProtocol renames them for JSON
// services such as ECS.
package sigv4
