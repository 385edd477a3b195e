package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/spf13/cobra"

	"github.com/rolecall/rolecall/internal/api"
	"github.com/rolecall/rolecall/internal/awsclient"
)

func newAccountCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "account", Short: "Manage the AWS accounts a rolecall server serves"}
	var endpoint, data, id string
	create := &cobra.Command{
		Use:   "create",
		Short: "Create another account on a running server and print its root credentials",
		Long: `Creates an account on a running rolecall server (so that cross-account
roles and policies can be tried) and prints the new account's root access key,
once. The request is signed with the default account's root credentials: from
DIR/root-credentials with --data, or from the standard AWS environment.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return createAccount(cmd.Context(), cmd.OutOrStdout(), endpoint, data, id)
		},
	}
	create.Flags().StringVar(&endpoint, "endpoint", "http://127.0.0.1:8960", "rolecall server URL")
	create.Flags().StringVar(&data, "data", "", "read the signing credentials from DIR/root-credentials")
	create.Flags().StringVar(&id, "id", "", "the 12-digit account ID (default: random)")
	cmd.AddCommand(create)
	return cmd
}

func createAccount(ctx context.Context, w io.Writer, endpoint, data, id string) error {
	client, err := apiClientConfig(ctx, data)
	if err != nil {
		return &exitError{code: 2, msg: err.Error()}
	}
	creds, err := client.Credentials.Retrieve(ctx)
	if err != nil {
		return &exitError{code: 2, msg: "no credentials: " + err.Error()}
	}
	body, _ := json.Marshal(api.CreateAccountRequest{AccountID: id})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(endpoint, "/")+api.AccountsPath, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "rolecall", client.Region, time.Now()); err != nil {
		return err
	}
	resp, err := awsclient.HTTPClient().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(b, &e)
		return &exitError{code: 1, msg: fmt.Sprintf("%s: %s", e.Type, e.Message)}
	}
	var out api.CreateAccountResponse
	if err := json.Unmarshal(b, &out); err != nil {
		return err
	}
	fmt.Fprintf(w, "Account %s created. Its root credentials (shown only now):\n  [account-%s]\n  aws_access_key_id = %s\n  aws_secret_access_key = %s\n", out.AccountID, out.AccountID, out.AccessKeyID, out.SecretAccessKey)
	return nil
}
