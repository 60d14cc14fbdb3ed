package scenarios

import "path"

// pathMatch checks a glob's syntax by matching it against the empty string.
func pathMatch(glob string) (bool, error) { return path.Match(glob, "") }
