package kicc

// AppendString appends s as a JSON string exactly as encoding/json encodes
// it (HTML escaping included), without its allocations: answers built from
// parts (the mock's compiled scenario answers) stay identical to the
// encoded structs.
func AppendString(b []byte, s string) []byte { return appendString(b, s) }
