// Command benchserve serves, for bench/credentials-wrk.sh, two credentials
// endpoints on loopback: the agent's real credentials Handler (rate limit
// raised so it never throttles, audit log in a temporary file, one cached
// entry with an authorization token) and a bare handler that writes a fixed
// credentials JSON of the same shape and size. It prints
//
//	real URL
//	bare URL
//	token TOKEN
//
// and serves until SIGINT or SIGTERM. Benchmarking only: nothing in the
// agent uses it.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/time/rate"

	"github.com/rolecall/rolecall/internal/agent/credentials"
)

func main() {
	realAddr := flag.String("real", "127.0.0.1:0", "address of the real handler")
	bareAddr := flag.String("bare", "127.0.0.1:0", "address of the bare handler")
	flag.StringVar(&auditMode, "audit", "file", "the real handler's audit: file (the agent's AuditLog); discard, or buffered (lines flushed every 10 ms, NOT the agent's guarantee) to measure the audit's share")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	mutexProfile := flag.String("mutexprofile", "", "write a mutex contention profile of the whole run to this file")
	flag.Parse()
	if *mutexProfile != "" {
		runtime.SetMutexProfileFraction(1)
		defer writeProfile("mutex", *mutexProfile)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchserve:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(*realAddr, *bareAddr); err != nil {
		fmt.Fprintln(os.Stderr, "benchserve:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

var auditMode string

func writeProfile(name, path string) {
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup(name).WriteTo(f, 0)
		f.Close()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchserve:", err)
	}
}

type discardAudit struct{}

func (discardAudit) Audit(credentials.AuditEvent) error { return nil }

// bufferedAudit is the trade-off the agent does not make, measured for
// comparison: lines go to a buffer flushed every 10 ms, so a request is
// answered before its line reaches the kernel, and a failed write refuses
// only later requests.
type bufferedAudit struct {
	mu  sync.Mutex
	buf []byte
	f   *os.File
	err error
}

func (b *bufferedAudit) Audit(ev credentials.AuditEvent) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return b.err
	}
	b.buf = append(credentials.AppendAuditLine(b.buf, ev), '\n')
	return nil
}

func (b *bufferedAudit) flushEvery(ctx context.Context, d time.Duration) {
	t := time.NewTicker(d)
	defer t.Stop()
	var out []byte
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		b.mu.Lock()
		out, b.buf = b.buf, out[:0]
		b.mu.Unlock()
		if _, err := b.f.Write(out); err != nil {
			b.mu.Lock()
			b.err = err
			b.mu.Unlock()
		}
	}
}

func run(realAddr, bareAddr string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	dir, err := os.MkdirTemp("", "benchserve")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	const (
		taskARN  = "arn:aws:ecs:us-east-1:123456789012:task/bench/0123456789abcdef0123456789abcdef"
		roleARN  = "arn:aws:iam::123456789012:role/benchTaskRole"
		instance = "arn:aws:ecs:us-east-1:123456789012:container-instance/bench/fedcba9876543210fedcba9876543210"
	)
	token := credentials.NewCredentialID() // any unguessable string does
	creds := credentials.Credentials{
		AccessKeyID:     "ASIABENCHMARK0000001",
		SecretAccessKey: "benchSecretAccessKey0000000000000000000000",
		SessionToken:    strings.Repeat("IQoJb3JpZ2luX2VjEBenchmarkToken", 20), // ≈ an STS token's size
		Expiration:      time.Now().Add(6 * time.Hour),
	}
	cache := credentials.NewCache()
	id := credentials.NewCredentialID()
	if err := cache.Set(id, credentials.Entry{TaskARN: taskARN, RoleARN: roleARN, RoleType: credentials.TaskRole,
		Credentials: creds, Cluster: "bench", ContainerInstanceARN: instance, AuthorizationToken: token}); err != nil {
		return err
	}
	audit, err := credentials.OpenAuditLog(credentials.AuditLogOptions{Path: filepath.Join(dir, "audit.log")})
	if err != nil {
		return err
	}
	defer audit.Close()
	var auditor credentials.Auditor = audit
	switch auditMode {
	case "discard":
		auditor = discardAudit{}
	case "buffered":
		f, err := os.OpenFile(filepath.Join(dir, "audit.log"), os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		b := &bufferedAudit{f: f}
		go b.flushEvery(ctx, 10*time.Millisecond)
		auditor = b
	}
	real, err := credentials.NewHandler(credentials.Options{Cache: cache, Audit: auditor, Rate: rate.Limit(1e9), Burst: 1 << 30,
		Cluster: "bench", ContainerInstanceARN: instance})
	if err != nil {
		return err
	}

	body, _ := json.Marshal(map[string]string{
		"RoleArn": roleARN, "AccessKeyId": creds.AccessKeyID, "SecretAccessKey": creds.SecretAccessKey,
		"Token": creds.SessionToken, "Expiration": creds.Expiration.UTC().Format(credentials.ExpirationFormat),
	})
	length := strconv.Itoa(len(body))
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", length)
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	})

	path := credentials.V2Path + "/" + id
	for _, s := range []struct {
		name, addr string
		h          http.Handler
	}{{"real", realAddr, real}, {"bare", bareAddr, bare}} {
		ln, err := net.Listen("tcp", s.addr)
		if err != nil {
			return err
		}
		hs := &http.Server{Handler: s.h, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 16 << 10}
		go func() { _ = hs.Serve(ln) }()
		defer hs.Close()
		fmt.Printf("%s http://%s%s\n", s.name, ln.Addr(), path)
	}
	fmt.Printf("token %s\n", token)
	fmt.Printf("audit %s\n", filepath.Join(dir, "audit.log"))
	<-ctx.Done()
	return nil
}
