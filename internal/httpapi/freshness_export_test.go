package httpapi

import "github.com/passnum/passnum"

// The schema of the freshness of reads served by a read replica, for the
// OpenAPI test (export_test.go holds the others).
func init() {
	ResponseSchemas["Freshness"] = passnum.Freshness{}
}
