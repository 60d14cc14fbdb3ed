package kicc

// DecodeFlatForTest exposes the fast path to the differential fuzz test.
func DecodeFlatForTest(data []byte, r *FindRequest) bool { return decodeFlat(data, r.flatFields()) }
