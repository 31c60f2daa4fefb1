# Go: SDK v2, one client per process (sync.Once), errors returned. Imports are aliased so
# they cannot clash with the file's own. Not patched in place: a lookup that can fail
# cannot initialise a package-level var without panicking; call the accessor instead.
=== meta
caching: no
install: the AWS SDK for Go v2: its config and service/secretsmanager modules (go get)
patch: none
no-patch: a Go lookup returns an error, which a package-level var cannot take
=== imports
	kscontext "context"
	ksjson "encoding/json"
	kssync "sync"

	ksaws "github.com/aws/aws-sdk-go-v2/aws"
	ksconfig "github.com/aws/aws-sdk-go-v2/config"
	kssm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
=== setup
// One Secrets Manager client for the process, created on first use.
var (
	secretsOnce   kssync.Once
	secretsClient *kssm.Client
	secretsErr    error
)

func secretValue(ctx kscontext.Context, name, key string) (string, error) {
	secretsOnce.Do(func() {
		cfg, err := ksconfig.LoadDefaultConfig(ctx)
		if err != nil {
			secretsErr = err
			return
		}
		secretsClient = kssm.NewFromConfig(cfg)
	})
	if secretsErr != nil {
		return "", secretsErr
	}
	out, err := secretsClient.GetSecretValue(ctx, &kssm.GetSecretValueInput{SecretId: ksaws.String(name)})
	if err != nil {
		return "", err
	}
	value := ksaws.ToString(out.SecretString)
	if key == "" {
		return value, nil
	}
	var m map[string]string
	if err := ksjson.Unmarshal([]byte(value), &m); err != nil {
		return "", err
	}
	return m[key], nil
}
=== read
func @@CVAR@@(ctx kscontext.Context) (string, error) {
	return secretValue(ctx, "@@NAME@@", "@@KEY@@")
}
=== read-plain
func @@CVAR@@(ctx kscontext.Context) (string, error) {
	return secretValue(ctx, "@@NAME@@", "")
}
