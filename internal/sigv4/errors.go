package sigv4

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rolecall/rolecall/internal/awserr"
)

// Error codes, as the Query-protocol services (IAM, STS) spell them.
const (
	CodeMissingAuthenticationToken = "MissingAuthenticationToken"
	CodeIncompleteSignature        = "IncompleteSignature"
	CodeInvalidClientTokenID       = "InvalidClientTokenId"
	CodeSignatureDoesNotMatch      = "SignatureDoesNotMatch"
	CodeExpiredToken               = "ExpiredToken"
	CodeRequestExpired             = "RequestExpired"
)

const (
	msgMissingAuthToken   = "Request is missing Authentication Token"
	msgInvalidClientToken = "The security token included in the request is invalid."
	msgExpiredToken       = "The security token included in the request is expired"
	msgSignatureMismatch  = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgRequestExpired = "Request has expired."
)

// InvalidClientTokenID is the error a Lookup returns for an access key ID (or
// session token) that does not exist: 403 InvalidClientTokenId.
func InvalidClientTokenID() *awserr.Error {
	return awserr.New(http.StatusForbidden, CodeInvalidClientTokenID, msgInvalidClientToken)
}

// ExpiredToken is the error a Lookup returns for a session token whose
// credentials have expired: 403 ExpiredToken.
func ExpiredToken() *awserr.Error {
	return awserr.New(http.StatusForbidden, CodeExpiredToken, msgExpiredToken)
}

// WrongService is the error for a request whose credential scope names a
// service other than the one the endpoint serves (Verify accepts any service;
// the router, which knows the service, compares and returns this).
func WrongService(expected string) *awserr.Error {
	return awserr.New(http.StatusForbidden, CodeSignatureDoesNotMatch,
		"Credential should be scoped to correct service: '%s'. ", clip(expected))
}

// ForJSONProtocol maps an authentication error to the code a JSON-protocol
// service (ECS) answers with: MissingAuthenticationTokenException,
// IncompleteSignatureException, UnrecognizedClientException,
// InvalidSignatureException, ExpiredTokenException. Status and message are
// kept. Other errors are returned unchanged.
func ForJSONProtocol(e *awserr.Error) *awserr.Error {
	if e == nil {
		return nil
	}
	code := ""
	switch e.Code {
	case CodeMissingAuthenticationToken:
		code = "MissingAuthenticationTokenException"
	case CodeIncompleteSignature:
		code = "IncompleteSignatureException"
	case CodeInvalidClientTokenID:
		code = "UnrecognizedClientException"
	case CodeSignatureDoesNotMatch:
		code = "InvalidSignatureException"
	case CodeExpiredToken:
		code = "ExpiredTokenException"
	default:
		return e
	}
	c := *e
	c.Code = code
	return &c
}

func errMissingAuth() *awserr.Error {
	return awserr.New(http.StatusForbidden, CodeMissingAuthenticationToken, msgMissingAuthToken)
}

func errSignatureMismatch() *awserr.Error {
	return awserr.New(http.StatusForbidden, CodeSignatureDoesNotMatch, msgSignatureMismatch)
}

func errRequestExpired() *awserr.Error {
	return awserr.New(http.StatusBadRequest, CodeRequestExpired, msgRequestExpired)
}

// incomplete is a 400 IncompleteSignature; args are formatted with %s only
// after being clipped, so nothing huge or non-printable is echoed.
func incomplete(format string, args ...string) *awserr.Error {
	return awserr.New(http.StatusBadRequest, CodeIncompleteSignature, format, clipAll(args)...)
}

// mismatch is a 403 SignatureDoesNotMatch with a specific message.
func mismatch(format string, args ...string) *awserr.Error {
	return awserr.New(http.StatusForbidden, CodeSignatureDoesNotMatch, format, clipAll(args)...)
}

func clipAll(args []string) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = clip(a)
	}
	return out
}

func errSignatureExpired(signedAt, now time.Time) *awserr.Error {
	return mismatch("Signature expired: %s is now earlier than %s (%s - 15 min.)",
		signedAt.Format(timeFormat), now.Add(-MaxSkew).Format(timeFormat), now.Format(timeFormat))
}

func errSignatureNotYetCurrent(signedAt, now time.Time) *awserr.Error {
	return mismatch("Signature not yet current: %s is still later than %s (%s + 15 min.)",
		signedAt.Format(timeFormat), now.Add(MaxSkew).Format(timeFormat), now.Format(timeFormat))
}

// maxEcho bounds how much of a client-supplied value an error message repeats.
const maxEcho = 1024

// clip makes a client-supplied value safe to echo in an error message: valid
// UTF-8, no control characters (which XML 1.0 cannot carry), bounded length.
func clip(s string) string {
	clean := true
	if len(s) > maxEcho {
		clean = false
	} else {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c == 0x7f || c >= utf8.RuneSelf {
				clean = false
				break
			}
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n >= maxEcho {
			b.WriteString("...")
			break
		}
		switch {
		case r == utf8.RuneError, r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
		n++
	}
	return b.String()
}
