package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/ecs"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/store"
	"github.com/rolecall/rolecall/internal/store/bolt"
	"github.com/rolecall/rolecall/internal/sts/token"
)

type serveFlags struct {
	listen, data, account, region string
	advertise                     string
	logFormat, logLevel           string
	quotas                        []string
	// taskCredentials is the lifetime of task role credentials.
	taskCredentials time.Duration
	dev             bool
	// hideRoot: on first start, print where the root credentials are, not
	// the credentials (rolecall up).
	hideRoot bool
}

func newServeCmd() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the AWS API server (IAM) on an embedded store",
		Long: `Serves the AWS APIs rolecall implements on one HTTP endpoint; point the
AWS CLI at it with --endpoint-url. State lives in DIR (bbolt, fsync on every
acknowledged write).

At first start the account root's access key is taken from
ROLECALL_ROOT_ACCESS_KEY_ID and ROLECALL_ROOT_SECRET_ACCESS_KEY, or
generated, written to DIR/root-credentials (mode 0600) and printed once.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServe(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:8960", "address to listen on")
	fl.StringVar(&f.data, "data", "rolecall-data", "directory for the embedded store")
	fl.StringVar(&f.account, "account-id", "123456789012", "the default account")
	fl.StringVar(&f.region, "region", "us-east-1", "the region rolecall reports")
	fl.StringVar(&f.advertise, "advertise-url", "", "the base URL agents reach this server at, returned by ECS DiscoverPollEndpoint (default: http:// and the listen address)")
	fl.StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	fl.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	fl.BoolVar(&f.dev, "dev", false, "development mode: accept any access key as the default account's root without checking signatures (NOT for production)")
	fl.StringArrayVar(&f.quotas, "quota", nil, "raise an IAM quota as AWS lets you, NAME=VALUE (RolesPerAccount, InstanceProfilesPerAccount)")
	taskCredentialsFlag(fl, &f.taskCredentials)
	return cmd
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %v", err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json")
}

func runServe(ctx context.Context, stdout, stderr io.Writer, f *serveFlags) error {
	s, err := startServer(ctx, stdout, stderr, f)
	if err != nil {
		return err
	}
	return s.wait(ctx)
}

// server is a started `rolecall serve`: the API server listening on addr,
// its store open. wait serves until ctx ends, then shuts down and closes the
// store.
type server struct {
	api  *api.Server
	addr string // the listener's address (host:port)
	log  *slog.Logger

	st   *bolt.Store
	hs   *http.Server
	errc chan error
}

// startServer does what `rolecall serve` does up to serving: opens the store
// in f.data, applies the quotas, ensures the root key (printing it on first
// start), loads the token key ring and starts listening. Background work
// (key rotation, ECS credential refresh) runs until ctx ends.
func startServer(ctx context.Context, stdout, stderr io.Writer, f *serveFlags) (_ *server, err error) {
	log, err := newLogger(stderr, f.logFormat, f.logLevel)
	if err != nil {
		return nil, &exitError{code: 2, msg: err.Error()}
	}
	if err := checkTaskCredentials(f.taskCredentials); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(f.data, 0o700); err != nil {
		return nil, err
	}
	st, err := bolt.Open(filepath.Join(f.data, "rolecall.db"))
	if err != nil {
		return nil, fmt.Errorf("opening the store in %s: %w", f.data, err)
	}
	defer func() {
		if err != nil {
			st.Close()
		}
	}()
	svc := iam.New(st)
	for _, q := range f.quotas {
		name, v, ok := strings.Cut(q, "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil {
			return nil, &exitError{code: 2, msg: fmt.Sprintf("--quota %q: want NAME=NUMBER", q)}
		}
		if err := svc.Quotas.SetQuota(name, n); err != nil {
			return nil, &exitError{code: 2, msg: err.Error()}
		}
	}
	if err := ensureRoot(ctx, stdout, svc, f.data, f.account, f.hideRoot); err != nil {
		return nil, err
	}
	srv := api.New(log, svc, f.account, f.region)
	tokens, err := token.Watch(ctx, st, time.Now, log)
	if err != nil {
		return nil, fmt.Errorf("loading the session token key ring: %w", err)
	}
	srv.Tokens = tokens
	if f.dev {
		srv.Dev = true
		log.Warn("DEVELOPMENT MODE: any access key is accepted as the root of account " + f.account + " and signatures are not checked. Never expose this server.")
		fmt.Fprintf(stderr, "\n*** rolecall --dev: requests are NOT authenticated; any access key acts as the root of %s ***\n\n", f.account)
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return nil, err
	}
	go rotateTokenKeys(ctx, st, log)
	srv.ECS.Endpoint = f.advertise
	if srv.ECS.Endpoint == "" {
		srv.ECS.Endpoint = "http://" + ln.Addr().String()
	}
	srv.ECS.CredentialDuration = f.taskCredentials
	go srv.RunECSCredentialRefresh(ctx, time.Minute)
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10}
	log.Info("rolecall serving", "address", ln.Addr().String(), "data", f.data, "account", f.account, "region", f.region)
	s := &server{api: srv, addr: ln.Addr().String(), log: log, st: st, hs: hs, errc: make(chan error, 1)}
	go func() { s.errc <- hs.Serve(ln) }()
	return s, nil
}

// wait serves until ctx ends (or the listener fails), then shuts the HTTP
// server down gracefully and closes the store.
func (s *server) wait(ctx context.Context) error {
	defer s.st.Close()
	select {
	case err := <-s.errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// ensureRoot creates the default account and its root access key on first
// start. The secret is printed once (unless hide) and written to DIR/root-credentials; it is
// never logged.
func ensureRoot(ctx context.Context, stdout io.Writer, svc *iam.Service, dir, account string, hide bool) error {
	if _, err := svc.EnsureAccount(ctx, account); err != nil {
		return err
	}
	keys, err := svc.RootAccessKeys(ctx, account)
	if err != nil {
		return err
	}
	if len(keys) > 0 {
		return nil
	}
	id, secret := os.Getenv("ROLECALL_ROOT_ACCESS_KEY_ID"), os.Getenv("ROLECALL_ROOT_SECRET_ACCESS_KEY")
	if (id == "") != (secret == "") {
		return &exitError{code: 2, msg: "set both ROLECALL_ROOT_ACCESS_KEY_ID and ROLECALL_ROOT_SECRET_ACCESS_KEY, or neither"}
	}
	k, err := svc.AddRootAccessKey(ctx, account, id, secret)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "root-credentials")
	body := fmt.Sprintf("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n", k.ID, k.Secret)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		return err
	}
	if id == "" && hide {
		fmt.Fprintf(stdout, "Root credentials of account %s created in %s (mode 0600).\n", account, path)
	} else if id == "" {
		fmt.Fprintf(stdout, "Root credentials of account %s (also in %s, shown only now):\n%s", account, path, indent(body))
	}
	return nil
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ") + "\n"
}

// rotateTokenKeys rotates the session-token sealing key once a day; every
// replica runs it, and the ring rotates only once per period.
func rotateTokenKeys(ctx context.Context, st store.Store, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := token.RotateIfDue(ctx, st, time.Now(), 24*time.Hour); err != nil {
				log.Warn("rotating the session token key", "err", err)
			}
		}
	}
}

// Task role credentials live 6 hours, as on ECS. Shorter lifetimes must
// leave the refresh (at a third of the lifetime left, at least 30 minutes,
// at most half) room before the agent's 15-minute floor.
const (
	minTaskCredentials = time.Hour
	maxTaskCredentials = 12 * time.Hour
)

func taskCredentialsFlag(fl *pflag.FlagSet, d *time.Duration) {
	fl.DurationVar(d, "task-credentials-duration", ecs.DefaultCredentialDuration, "lifetime of task role credentials (1h to 12h); they are refreshed well before they expire")
}

// checkTaskCredentials: zero (a serveFlags built in code) means the default.
func checkTaskCredentials(d time.Duration) error {
	if d != 0 && (d < minTaskCredentials || d > maxTaskCredentials) {
		return &exitError{code: 2, msg: fmt.Sprintf("--task-credentials-duration %v: want 1h to 12h", d)}
	}
	return nil
}
