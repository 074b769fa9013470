//go:build tools

// Package tools pins the kwok command (fake nodes for the local control
// plane) that build.sh compiles with `go build`.
package tools

import (
	_ "sigs.k8s.io/kwok/cmd/kwok"
)
