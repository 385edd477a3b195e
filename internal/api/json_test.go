package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
)

// A JSON 1.1 operation is routed by X-Amz-Target, authenticated like every
// request, and answers JSON, or AWS's JSON error shape.
func TestJSONProtocol(t *testing.T) {
	ts := newTestServer(t)
	ts.Server.RegisterJSON("demo", "DemoService20260101", map[string]jsonHandler{
		"Echo": func(ctx context.Context, c iam.Caller, body []byte) (any, error) {
			var in struct{ Name string }
			if err := DecodeJSON(body, &in); err != nil {
				return nil, err
			}
			if in.Name == "" {
				return nil, awserr.New(400, "InvalidParameterException", "name is required")
			}
			return map[string]string{"name": in.Name, "caller": c.ARN}, nil
		},
	})
	call := func(target, body, key, secret string) (int, map[string]string) {
		req := signedRequest(t, ts.URL, "demo", body, key, secret, "")
		req.Header.Set("X-Amz-Target", target)
		// X-Amz-Target is not signed by signedRequest; rolecall signs nothing
		// it routes by beyond what SigV4 covers.
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var out map[string]string
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s: not JSON: %s", target, b)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-amz-json-1.1") {
			t.Errorf("content type %q", ct)
		}
		return resp.StatusCode, out
	}
	if code, out := call("DemoService20260101.Echo", `{"Name":"x"}`, testRootKey, testRootSecret); code != 200 || out["name"] != "x" || out["caller"] != "arn:aws:iam::123456789012:root" {
		t.Errorf("%d %v", code, out)
	}
	if code, out := call("DemoService20260101.Echo", `{}`, testRootKey, testRootSecret); code != 400 || out["__type"] != "InvalidParameterException" {
		t.Errorf("%d %v", code, out)
	}
	if code, out := call("DemoService20260101.Echo", `{"Name":`, testRootKey, testRootSecret); code != 400 || out["__type"] != "SerializationException" {
		t.Errorf("%d %v", code, out)
	}
	if code, out := call("DemoService20260101.Nope", `{}`, testRootKey, testRootSecret); code != 400 || out["__type"] != "UnknownOperationException" {
		t.Errorf("%d %v", code, out)
	}
	if code, out := call("DemoService20260101.Echo", `{"Name":"x"}`, "AKIAUNKNOWNKEY000000", testRootSecret); code != 400 && code != 403 || out["__type"] == "" {
		t.Errorf("unknown key: %d %v", code, out)
	}
}

// A request signed for another service is refused as AWS does.
func TestWrongServiceInScope(t *testing.T) {
	ts := newTestServer(t)
	ts.Server.RegisterJSON("demo", "DemoService20260101", map[string]jsonHandler{
		"Echo": func(ctx context.Context, c iam.Caller, body []byte) (any, error) { return map[string]string{}, nil },
	})
	req := signedRequest(t, ts.URL, "s3", "Action=GetRole&Version=2010-05-08&RoleName=x", testRootKey, testRootSecret, "")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(b), "Credential should be scoped to correct service: &apos;iam&apos;.") {
		t.Errorf("query: %d %s", resp.StatusCode, b)
	}
	req = signedRequest(t, ts.URL, "iam", `{}`, testRootKey, testRootSecret, "")
	req.Header.Set("X-Amz-Target", "DemoService20260101.Echo")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(b), "Credential should be scoped to correct service: 'demo'.") {
		t.Errorf("json: %d %s", resp.StatusCode, b)
	}
}
