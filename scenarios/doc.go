// Package scenarios is the model of kicc-mock's scripted answers: the
// versioned YAML format (loaded node by node so that every mistake reads
// "file:line: message" and unknown keys are errors, within hard bounds on
// size, aliases and nesting: see MaxFileBytes), the embedded built-in
// scenarios, selection (magic ids, match rules by priority), sequences and the
// small template language of body strings. It does no HTTP: the server package
// turns a chosen Response into bytes, delays and faults.
package scenarios
