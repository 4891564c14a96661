package httpapi

import "github.com/passnum/passnum"

// The schemas of the register of rights requests, for the OpenAPI test
// (export_test.go holds the others).
func init() {
	for name, v := range map[string]any{
		"RightsRequestCreate":    passnum.RightsRequestCreate{},
		"RightsRequestAnswer":    passnum.RightsRequestAnswer{},
		"RightsRequestExtension": passnum.RightsRequestExtension{},
	} {
		RequestSchemas[name] = v
	}
	for name, v := range map[string]any{
		"RightsRequest":     passnum.RightsRequest{},
		"RightsRequestPage": list[*passnum.RightsRequest]{},
	} {
		ResponseSchemas[name] = v
	}
}
