module tenantstack.local/tools/pulumi/cli

go 1.25.11

// Mirrors the replace in github.com/pulumi/pulumi/pkg/v3's own go.mod, which Go ignores
// for dependencies.
replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e

require github.com/pulumi/pulumi/pkg/v3 v3.259.0
