package kicc

// DecodeFlatForTest exposes the fast path to the differential fuzz test.
func DecodeFlatForTest(data []byte, r *FindRequest) bool {
	fields := r.flatFields()
	return decodeFlat(data, fields[:])
}
