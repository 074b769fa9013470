//go:build tools

// Package tools pins the Kubernetes provider's main package and the packages its embed
// generator (cmd/pulumi-resource-kubernetes/generate.go) imports, so that go.sum covers
// both; build.sh runs the generator, then builds the provider with `go build -overlay`.
package tools

import (
	_ "github.com/pulumi/pulumi-kubernetes/provider/v4/cmd/pulumi-resource-kubernetes"
	_ "github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)
