// Command rolecall is a self-hosted implementation of the identity and
// permissions system Amazon ECS uses: IAM, STS, ECS and the container agent.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/rolecall/rolecall/internal/agent"
	"github.com/rolecall/rolecall/internal/cli"
)

func main() {
	// A container's shim is this binary re-executed (see agent.ShimCommand).
	agent.RunShimIfRequested()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
