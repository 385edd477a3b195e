package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestAgentFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"agent", "--endpoint", "ftp://x"}, "--endpoint"},
		{[]string{"agent", "--endpoint", "http://127.0.0.1:1", "--rate", "0"}, "--rate and --burst"},
		{[]string{"agent", "--endpoint", "http://127.0.0.1:1", "--log-format", "xml"}, "--log-format"},
		{[]string{"agent", "--endpoint", "http://127.0.0.1:1", "--data", t.TempDir()}, "root-credentials"},
		{[]string{"agent", "extra"}, "unknown command"},
	} {
		var out, errb bytes.Buffer
		code := Main(context.Background(), tc.args, nil, &out, &errb)
		if code == 0 || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q", tc.args, code, errb.String())
		}
	}
}
