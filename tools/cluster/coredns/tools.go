//go:build tools

// Package tools pins CoreDNS, the real node's cluster DNS (the `kube-dns` Service), that build.sh
// compiles with `go build`. Nothing here is compiled into the project.
package tools

import (
	_ "github.com/coredns/coredns"
)
