//go:build tools

// Package tools pins kube-router, whose network policy controller enforces NetworkPolicies on the real
// node, that build.sh compiles with `go build`. Nothing here is compiled into the project.
package tools

import (
	_ "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router"
)
