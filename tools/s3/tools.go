//go:build tools

// Wrapper module: builds gofakes3's server (github.com/johannesboyne/gofakes3/cmd/gofakes3), an
// S3-compatible object store, the test bed of the stacks' shared state (a `s3://` backend).
package tools

import _ "github.com/johannesboyne/gofakes3/cmd/gofakes3"
