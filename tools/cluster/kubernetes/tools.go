//go:build tools

// Package tools pins the Kubernetes control-plane commands that build.sh
// compiles with `go build` (kube-apiserver, kube-controller-manager,
// kube-scheduler, kubectl, and the real node's kubelet and kube-proxy). Nothing here is compiled into the project.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
