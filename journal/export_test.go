package journal

// NewestFirst returns the entries held, newest first: the whole journal at
// once, for tests (the admin API walks it with Each).
func (j *Journal) NewestFirst() []Entry {
	var out []Entry
	j.Each(0, func(e *Entry) bool {
		out = append(out, *e)
		return true
	})
	return out
}
