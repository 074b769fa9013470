#!/usr/bin/env bash
# End-to-end check of a running local control plane (cluster.sh start):
# Pod Security `restricted` admission, a Deployment, a StatefulSet whose claim
# binds, a GPU pod on the GPU node, a Job, ServiceAccount tokens, and objects
# of the cert-manager, external-secrets and Prometheus Operator CRDs.
# Works in its own namespace, deleted at the end. No image is ever pulled: the
# nodes are kwok's fake nodes.
# Usage: tools/cluster/verify.sh
set -Eeuo pipefail

DIR=${TENANTSTACK_CLUSTER_DIR:-/root/.cache/tenantstack/cluster}
NS=tenantstack-verify
STEP=setup
log() { echo "verify.sh: $*" >&2; }
trap 'log "FAILED at step: $STEP"' ERR
kc() { "$DIR/bin/kubectl" --kubeconfig "$DIR/kubeconfig" "$@"; }

# A container spec that the `restricted` Pod Security level admits.
restricted_pod_spec() {
  cat <<EOF
      securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: main
        image: registry.k8s.io/pause:3.10
        securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
EOF
}

STEP="create namespace $NS with pod-security.kubernetes.io/enforce=restricted"
kc delete namespace "$NS" --ignore-not-found --wait=true >/dev/null
kc create namespace "$NS" >/dev/null
kc label namespace "$NS" pod-security.kubernetes.io/enforce=restricted >/dev/null

STEP="a privileged pod is rejected by Pod Security admission"
if out=$(kc -n "$NS" run privileged --image=registry.k8s.io/pause:3.10 \
  --overrides='{"spec":{"containers":[{"name":"p","image":"registry.k8s.io/pause:3.10","securityContext":{"privileged":true}}]}}' 2>&1); then
  log "privileged pod was admitted: $out"
  false
fi
grep -q 'violates PodSecurity "restricted' <<<"$out"
log "ok: privileged pod rejected ($out)"

STEP="Deployment with a restricted-compliant pod becomes Ready"
kc -n "$NS" apply -f - >/dev/null <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
$(restricted_pod_spec)
EOF
kc -n "$NS" rollout status deployment/web --timeout=90s >/dev/null
log "ok: deployment/web ready ($(kc -n "$NS" get pods -l app=web -o jsonpath='{range .items[*]}{.spec.nodeName} {end}'))"

STEP="StatefulSet: claim Bound and pod Ready"
kc -n "$NS" apply -f - >/dev/null <<EOF
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
$(restricted_pod_spec)
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 10Gi}}}
EOF
kc -n "$NS" rollout status statefulset/db --timeout=90s >/dev/null
kc -n "$NS" wait --for=jsonpath='{.status.phase}'=Bound pvc/data-db-0 --timeout=30s >/dev/null
log "ok: statefulset/db ready, pvc/data-db-0 bound to $(kc -n "$NS" get pvc data-db-0 -o jsonpath='{.spec.volumeName}')"

STEP="a claim larger than the pre-created volumes is provisioned on demand"
kc -n "$NS" apply -f - >/dev/null <<EOF
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: big}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 500Gi}}}
EOF
kc -n "$NS" wait --for=jsonpath='{.status.phase}'=Bound pvc/big --timeout=60s >/dev/null
log "ok: pvc/big bound to $(kc -n "$NS" get pvc big -o jsonpath='{.spec.volumeName}')"

STEP="GPU pod (nvidia.com/gpu, toleration, runtimeClassName nvidia) runs on the GPU node"
kc -n "$NS" apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: gpu}
spec:
  runtimeClassName: nvidia
  tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
  securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: main
    image: registry.k8s.io/pause:3.10
    resources: {limits: {nvidia.com/gpu: 1}}
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
EOF
kc -n "$NS" wait --for=condition=Ready pod/gpu --timeout=60s >/dev/null
node=$(kc -n "$NS" get pod gpu -o jsonpath='{.spec.nodeName}')
[[ $node == kwok-gpu-0 ]]
log "ok: pod/gpu Ready on $node"

STEP="a GPU pod without the toleration is not scheduled"
kc -n "$NS" run gpu-untolerated --image=registry.k8s.io/pause:3.10 --overrides='{"spec":{
  "securityContext":{"runAsNonRoot":true,"runAsUser":1000,"seccompProfile":{"type":"RuntimeDefault"}},
  "containers":[{"name":"main","image":"registry.k8s.io/pause:3.10","resources":{"limits":{"nvidia.com/gpu":1}},
  "securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}]}}' >/dev/null
kc -n "$NS" wait --for=jsonpath='{.status.conditions[?(@.type=="PodScheduled")].reason}'=Unschedulable \
  pod/gpu-untolerated --timeout=30s >/dev/null
log "ok: pod/gpu-untolerated Unschedulable"

STEP="Job completes"
kc -n "$NS" apply -f - >/dev/null <<EOF
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template:
    spec:
      restartPolicy: Never
$(restricted_pod_spec)
EOF
kc -n "$NS" wait --for=condition=Complete job/once --timeout=60s >/dev/null
log "ok: job/once Complete"

STEP="ServiceAccount token is issued and accepted"
kc -n "$NS" create serviceaccount robot >/dev/null
token=$(kc -n "$NS" create token robot)
server=$(kc config view -o jsonpath='{.clusters[0].cluster.server}')
user=$("$DIR/bin/kubectl" --kubeconfig /dev/null --server "$server" \
  --certificate-authority "$DIR/pki/ca.crt" --token "$token" auth whoami -o jsonpath='{.status.userInfo.username}')
[[ $user == "system:serviceaccount:$NS:robot" ]]
log "ok: token authenticates as $user"

STEP="objects of the cert-manager, external-secrets and Prometheus Operator CRDs"
kc -n "$NS" apply -f - >/dev/null <<EOF
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: selfsigned}
spec: {selfSigned: {}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web}
spec: {secretName: web-tls, dnsNames: [web.example.test], issuerRef: {name: selfsigned}}
---
apiVersion: external-secrets.io/v1
kind: SecretStore
metadata: {name: fake}
spec: {provider: {fake: {data: [{key: k, value: v}]}}}
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: creds}
spec:
  secretStoreRef: {name: fake, kind: SecretStore}
  target: {name: creds}
  data: [{secretKey: password, remoteRef: {key: k}}]
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: web}
spec: {selector: {matchLabels: {app: web}}, endpoints: [{port: http}]}
EOF
log "ok: Issuer, Certificate, SecretStore, ExternalSecret, ServiceMonitor accepted"

STEP="delete namespace $NS"
kc delete namespace "$NS" --wait=true --timeout=120s >/dev/null
log "all checks passed"
