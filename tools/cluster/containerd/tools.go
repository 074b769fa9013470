//go:build tools

// Package tools pins containerd 2 (the real node's container runtime: the daemon, its runc shim and
// ctr) that build.sh compiles with `go build`. Kubernetes 1.36 and later support containerd 2.x only.
// Nothing here is compiled into the project.
package tools

import (
	_ "github.com/containerd/containerd/v2/cmd/containerd"
	_ "github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2"
	_ "github.com/containerd/containerd/v2/cmd/ctr"
)
