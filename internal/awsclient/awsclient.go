// Package awsclient holds what rolecall's own aws-sdk-go-v2 clients (the
// bootstrap command, the container agent, tests) need to talk to a rolecall
// server reliably.
package awsclient

import (
	"io"
	"net/http"
)

// HTTPClient returns an HTTP client for aws-sdk-go-v2 that avoids a client
// bug: when a server answers quickly, net/http's write loop can close the
// connection while the response body is still being read, and the SDK fails
// with "deserialization failed ... use of closed network connection"
// (aws/aws-sdk-go-v2#1825, #2737; seen against AWS itself). The trigger is the
// SDK's request body exposing WriteTo; sending it through a plain Reader
// avoids it. Against a local rolecall about one large response in fifty
// failed without this.
func HTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: Transport(tr)}
}

// Transport wraps rt with the same fix.
func Transport(rt http.RoundTripper) http.RoundTripper { return plainBodyTransport{rt} }

type plainBodyTransport struct{ rt http.RoundTripper }

// plainBody exposes only Read and Close of a request body.
type plainBody struct{ io.ReadCloser }

func (p plainBodyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = plainBody{r.Body}
	}
	return p.rt.RoundTrip(r)
}
