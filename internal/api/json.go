package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/sigv4"
)

// The AWS JSON 1.1 protocol (ECS, CloudTrail, ...): POST with
// X-Amz-Target: <ServicePrefix>.<Operation> and a JSON body; the answer is a
// JSON body, and errors are {"__type": code, "message": text}.

// jsonHandler serves one JSON-protocol operation: it decodes body into its
// input, calls the domain and returns the output to be encoded.
type jsonHandler func(ctx context.Context, c iam.Caller, body []byte) (any, error)

// jsonContentType is what AWS answers JSON 1.1 requests with.
const jsonContentType = "application/x-amz-json-1.1"

// RegisterJSON adds JSON-protocol operations: prefix is the target prefix
// (e.g. "AmazonEC2ContainerServiceV20141113") and service the SigV4 service
// name (e.g. "ecs"), used in metrics and logs.
func (s *Server) RegisterJSON(service, prefix string, ops map[string]jsonHandler) {
	if s.jsonOps == nil {
		s.jsonOps, s.jsonKnown = map[string]jsonOp{}, map[string]bool{}
	}
	for name, h := range ops {
		s.jsonOps[prefix+"."+name] = jsonOp{service: service, action: name, h: h}
		s.jsonKnown[service+"."+name] = true
	}
}

type jsonOp struct {
	service, action string
	h               jsonHandler
}

func (s *Server) serveJSON(w http.ResponseWriter, ctx context.Context, c *call, target string, body []byte) {
	op, ok := s.jsonOps[target]
	if !ok {
		c.action = "unknown"
		s.writeJSONError(w, c, awserr.New(http.StatusBadRequest, "UnknownOperationException", "The operation %s is not known.", target))
		return
	}
	scoped := c.service
	c.service, c.action = op.service, op.action
	if scoped != "" && scoped != op.service {
		// Signed for another service than the operation belongs to.
		s.writeJSONError(w, c, sigv4.WrongService(op.service))
		return
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	out, err := op.h(ctx, infoFrom(ctx).caller, body)
	if err != nil {
		s.writeJSONError(w, c, err)
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		s.writeJSONError(w, c, err)
		return
	}
	w.Header().Set("Content-Type", jsonContentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
	s.record(c, http.StatusOK, "")
}

// writeJSONError answers in the JSON protocol's error shape. Internal errors
// are logged and answered without detail.
func (s *Server) writeJSONError(w http.ResponseWriter, c *call, err error) {
	e, ok := awserr.As(err)
	if !ok {
		s.Log.Error("internal error", "request_id", c.requestID, "service", c.service, "action", c.action, "err", err)
		e = awserr.New(http.StatusInternalServerError, "ServerException", "An internal error occurred. Request ID: %s", c.requestID)
		e.Sender = false
	}
	e = sigv4.ForJSONProtocol(e)
	encodeJSONError(w, jsonContentType, e)
	s.record(c, e.Status, e.Code)
}

// encodeJSONError writes e as AWS's JSON error body, {"__type": code,
// "message": text} (also rolecall's own accounts endpoint's).
func encodeJSONError(w http.ResponseWriter, contentType string, e *awserr.Error) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.Code, "message": e.Message})
}

// DecodeJSON decodes a JSON-protocol request body into v, answering bad
// input as AWS JSON services do (SerializationException), with a message
// that names the field rather than Go's types. The body must be exactly
// one JSON object; an empty (or blank) body is an empty object.
func DecodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return serializationError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return awserr.New(http.StatusBadRequest, "SerializationException", "Invalid request body: unexpected data after the JSON object.")
	}
	return nil
}

func serializationError(err error) error {
	var msg string
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te) && te.Field == "":
		msg = "the body must be a JSON object, not " + jsonKind(te.Value) + "."
	case errors.As(err, &te):
		msg = fmt.Sprintf("%s must be %s, not %s.", te.Field, goKind(te.Type), jsonKind(te.Value))
	case errors.As(err, &se):
		msg = fmt.Sprintf("malformed JSON at character %d: %s.", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	case errors.Is(err, io.ErrUnexpectedEOF):
		msg = "the JSON object is incomplete."
	default:
		msg = strings.TrimPrefix(err.Error(), "json: ")
		if len(msg) > 200 {
			msg = msg[:200]
		}
	}
	return awserr.New(http.StatusBadRequest, "SerializationException", "Invalid request body: %s", msg)
}

// jsonKind names what encoding/json found ("number", "string", "array",
// "object", "bool", or "number 1e400" for an out-of-range one).
func jsonKind(v string) string {
	switch {
	case v == "bool":
		return "a boolean"
	case v == "object" || v == "array":
		return "an " + v
	case v == "":
		return "this value"
	default:
		return "a " + v
	}
}

// goKind names the JSON a field needs, from its Go type.
func goKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "another type"
}
