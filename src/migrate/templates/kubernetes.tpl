# Kubernetes: the Secrets Store CSI driver with its AWS provider mounts the secret (and can
# sync it to a Kubernetes Secret for env vars); the pod's IAM role reads it.
=== meta
caching: no
install: the Secrets Store CSI driver and its AWS provider (ASCP); the pod's service account needs an IAM role
patch: none
merge: no
=== read
# @@AT@@: replace the literal with the file /mnt/secrets/@@KEY@@ (or the env var @@UPPER@@
# via the synced Secret below); needs the Secrets Store CSI driver and its AWS provider.
apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata:
  name: @@DASHED@@-secrets
spec:
  provider: aws
  parameters:
    objects: |
      - objectName: "@@NAME@@"
        objectType: "secretsmanager"
        jmesPath:
          - path: "@@KEY@@"
            objectAlias: "@@KEY@@"
  secretObjects:
    - secretName: @@DASHED@@-secrets
      type: Opaque
      data:
        - objectName: "@@KEY@@"
          key: @@KEY@@
# In the pod: a csi volume (driver: secrets-store.csi.k8s.io, volumeAttributes:
# secretProviderClass: @@DASHED@@-secrets) mounted at /mnt/secrets, and
# env: [{name: @@UPPER@@, valueFrom: {secretKeyRef: {name: @@DASHED@@-secrets, key: @@KEY@@}}}]
=== read-plain
# @@AT@@: replace the literal with the file /mnt/secrets/secret; needs the Secrets Store CSI
# driver and its AWS provider.
apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata:
  name: @@DASHED@@-secrets
spec:
  provider: aws
  parameters:
    objects: |
      - objectName: "@@NAME@@"
        objectType: "secretsmanager"
        objectAlias: "secret"
