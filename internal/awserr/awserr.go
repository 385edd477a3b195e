// Package awserr is the error every rolecall domain package returns for a
// request that AWS would refuse: AWS's error code, its message, and the HTTP
// status AWS answers with. Domain packages stay free of HTTP; the protocol
// layer turns an *Error into the XML or JSON envelope of the service.
package awserr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an AWS API error.
type Error struct {
	Code    string // e.g. "NoSuchEntity"
	Message string // AWS's message, e.g. "The role with name x cannot be found."
	Status  int    // HTTP status, e.g. 404
	// Sender is true for client errors (the XML <Type>Sender</Type>).
	Sender bool
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// New returns a client (Sender) error.
func New(status int, code, format string, args ...any) *Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &Error{Code: code, Message: msg, Status: status, Sender: status < 500}
}

// As extracts an *Error from err.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Common errors, with AWS's codes and statuses.

func NoSuchEntity(format string, args ...any) *Error {
	return New(http.StatusNotFound, "NoSuchEntity", format, args...)
}

func EntityAlreadyExists(format string, args ...any) *Error {
	return New(http.StatusConflict, "EntityAlreadyExists", format, args...)
}

func DeleteConflict(format string, args ...any) *Error {
	return New(http.StatusConflict, "DeleteConflict", format, args...)
}

func LimitExceeded(format string, args ...any) *Error {
	return New(http.StatusConflict, "LimitExceeded", format, args...)
}

func InvalidInput(format string, args ...any) *Error {
	return New(http.StatusBadRequest, "InvalidInput", format, args...)
}

func ValidationError(format string, args ...any) *Error {
	return New(http.StatusBadRequest, "ValidationError", format, args...)
}

func MalformedPolicyDocument(format string, args ...any) *Error {
	return New(http.StatusBadRequest, "MalformedPolicyDocument", format, args...)
}

func AccessDenied(format string, args ...any) *Error {
	return New(http.StatusForbidden, "AccessDenied", format, args...)
}

func UnmodifiableEntity(format string, args ...any) *Error {
	return New(http.StatusBadRequest, "UnmodifiableEntity", format, args...)
}

func ServiceFailure(format string, args ...any) *Error {
	e := New(http.StatusInternalServerError, "ServiceFailure", format, args...)
	e.Sender = false
	return e
}
