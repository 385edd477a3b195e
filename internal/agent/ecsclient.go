package agent

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/rolecall/rolecall/internal/awsclient"
	"github.com/rolecall/rolecall/internal/ecs"
)

// ecsTarget is the X-Amz-Target prefix of the ECS JSON API.
const ecsTarget = "AmazonEC2ContainerServiceV20141113."

// APIError is an error answer of the control plane (AWS JSON 1.1:
// {"__type": CODE, "message": MESSAGE}).
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s: %s (HTTP %d)", e.Code, e.Message, e.Status)
}

// ecsClient sends SigV4-signed ECS JSON requests (service "ecs") with the
// agent's own credentials. Every operation the agent uses goes through it,
// Poll (rolecall's own operation, which the SDK's ECS client lacks) as well
// as the standard ones, so there is one code path for signing and errors.
type ecsClient struct {
	endpoint string
	region   string
	creds    aws.CredentialsProvider
	http     *http.Client
	signer   *v4.Signer
}

func newECSClient(endpoint, region string, creds aws.CredentialsProvider) *ecsClient {
	return &ecsClient{endpoint: strings.TrimRight(endpoint, "/") + "/", region: region, creds: creds,
		http: awsclient.HTTPClient(), signer: v4.NewSigner()}
}

// callTimeout bounds one call; Poll gets its wait on top.
const callTimeout = 30 * time.Second

// call sends op with in as the body and decodes the answer into out.
func (c *ecsClient) call(ctx context.Context, op string, in, out any) error {
	timeout := callTimeout
	if p, ok := in.(ecs.PollInput); ok && p.WaitSeconds != nil {
		timeout += time.Duration(*p.WaitSeconds) * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", ecsTarget+op)
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("the agent's credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := c.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "ecs", c.region, time.Now()); err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
			Msg     string `json:"Message"`
		}
		_ = json.Unmarshal(b, &e)
		if e.Message == "" {
			e.Message = e.Msg
		}
		if e.Type == "" {
			e.Type = http.StatusText(resp.StatusCode)
		}
		if i := strings.LastIndexByte(e.Type, '#'); i >= 0 {
			e.Type = e.Type[i+1:]
		}
		return &APIError{Status: resp.StatusCode, Code: e.Type, Message: e.Message}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s: decoding the answer: %w", op, err)
	}
	return nil
}

// retryable reports whether a failed call is worth repeating: transport
// errors and timeouts, server-side (5xx) or throttling answers, not client
// errors. (Callers stop anyway once their own context has ended.)
func retryable(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status >= 500 || ae.Code == "ThrottlingException"
	}
	return true
}
