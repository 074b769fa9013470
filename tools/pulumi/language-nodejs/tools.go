//go:build tools

// Package tools pins the Node.js language host's main package; build.sh builds it with
// `go build`. The language host's own module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) is not served by the
// Go module proxy reachable here, so it comes from sdk/v3 v3.68.0, the only served sdk/v3
// version that still contains it (see ../README.md).
package tools

import _ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
