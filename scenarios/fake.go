package scenarios

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/brianvoe/gofakeit/v6"
)

// MaxFakeCount bounds the count-like parameters of gofakeit functions
// (lengths, word counts, sizes), given or left to gofakeit's defaults: the
// output cap cuts what a template renders, but not the work of making it,
// and "password:...,100000000" would take seconds and hundreds of megabytes
// on every answer.
const MaxFakeCount = 1000

// MaxFakeWork bounds the product of a gofakeit call's counts, defaults
// included: imagejpeg's default 500x500 is 250,000.
const MaxFakeWork = 10000

// MaxFakeWorkPerFile bounds the work of the distinct gofakeit calls of one
// file, each of which runs once at load (the trial run that catches bad
// parameters): ten of the costliest calls, about 2 ms.
const MaxFakeWorkPerFile = 10 * MaxFakeWork

// maxNumber is the longest a number or bool gofakeit makes is written with
// %v: -1.7976931348623157e+308.
const maxNumber = 24

var (
	digitsRE     = regexp.MustCompile(`[0-9]+`)
	safeParamsRE = regexp.MustCompile(`^[A-Za-z0-9 .,_-]*$`)
)

// numericOutputs are the gofakeit output types written as a number or a bool.
var numericOutputs = map[string]bool{
	"int": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true,
	"float": true, "float32": true, "float64": true, "bool": true,
}

// countsAreNotWork names the functions whose integer parameters only go
// into their (short) output: imageurl's width and height are part of a URL.
var countsAreNotWork = map[string]bool{"imageurl": true}

// fakeCall is one checked gofakeit call: the function and the parameters
// as gofakeit itself would map them.
type fakeCall struct {
	info    *gofakeit.Info
	params  *gofakeit.MapParams
	numeric bool // the output is a number or a bool
}

// render makes the call with the request's faker. An error or a panic
// gofakeit did not show in the trial run renders as "".
func (c *fakeCall) render(e *Env) (out string) {
	f := e.faker()
	defer func() {
		if recover() != nil {
			out = ""
		}
	}()
	v, err := c.info.Generate(f.Rand, c.params, c.info)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%v", v)
}

// fakeCalls checks the gofakeit calls of one file: each distinct call once,
// its trial run counted against MaxFakeWorkPerFile. A nil *fakeCalls checks
// each call on its own.
type fakeCalls struct {
	seen  map[string]fakeResult
	work  int
	tried int // trial runs made
}

type fakeResult struct {
	call *fakeCall
	err  error
}

func newFakeCalls() *fakeCalls { return &fakeCalls{seen: map[string]fakeResult{}} }

// parse checks spec ("name" or "name:params") at load time, including a
// trial run (gofakeit panics on some bad parameters and writes its errors
// into the output), so that rendering never fails.
func (fs *fakeCalls) parse(spec string) (*fakeCall, error) {
	if fs != nil {
		if r, ok := fs.seen[spec]; ok {
			return r.call, r.err
		}
	}
	c, work, err := checkFake(spec)
	if err == nil && fs != nil {
		if fs.work += work; fs.work > MaxFakeWorkPerFile {
			err = fmt.Errorf("gofakeit %q: this file's fake data would take more than %d units of work to check (the bound, scenarios.MaxFakeWorkPerFile); use smaller counts", spec, MaxFakeWorkPerFile)
		}
	}
	if err == nil {
		if fs != nil {
			fs.tried++
		}
		err = c.try(spec)
	}
	if err != nil {
		c = nil
	}
	if fs != nil {
		fs.seen[spec] = fakeResult{c, err}
	}
	return c, err
}

// try runs the call once with a fixed seed.
func (c *fakeCall) try(spec string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("gofakeit %q: %v", spec, r)
		}
	}()
	if _, err := c.info.Generate(gofakeit.New(1).Rand, c.params, c.info); err != nil {
		return fmt.Errorf("gofakeit %q: %v", spec, err)
	}
	return nil
}

// checkFake looks spec up and bounds the work of one call, without making
// it.
func checkFake(spec string) (*fakeCall, int, error) {
	fname, params, hasParams := strings.Cut(spec, ":")
	info := gofakeit.GetFuncLookup(fname)
	if info == nil {
		return nil, 0, fmt.Errorf("gofakeit has no function %q (see gofakeit's function list: firstname, uuid, number, ...)", fname)
	}
	// gofakeit parses parameters itself, and some shapes (brackets, braces,
	// quotes) send its parser into work without end: FuzzTemplate found
	// "number:1000,[[5[[[[[[0000" hanging the load. Plain scalar lists are
	// all a template needs.
	if !safeParamsRE.MatchString(params) {
		return nil, 0, fmt.Errorf("gofakeit %q: parameters may hold only letters, digits, spaces and . , _ - (as in number:1000,50000)", spec)
	}
	// A JPEG written with %v is its bytes as decimal numbers: 2.6 MB for
	// imagepng's default 500x500, and seconds of work on every answer.
	if info.Output == "[]byte" || strings.HasPrefix(info.ContentType, "image/") {
		return nil, 0, fmt.Errorf("gofakeit %q makes a file (%s), not text; a KICC field holds text, such as fake \"uuid\" or fake \"sentence\"", fname, info.ContentType)
	}
	mp, err := fakeParams(spec, fname, info, params, hasParams)
	if err != nil {
		return nil, 0, err
	}
	work, err := fakeWork(spec, fname, info, mp)
	if err != nil {
		return nil, 0, err
	}
	return &fakeCall{info: info, params: mp, numeric: numericOutputs[info.Output]}, work, nil
}

// fakeParams maps params onto the function's parameters by position, the
// way gofakeit's Generate does: one string parameter takes the whole text.
func fakeParams(spec, fname string, info *gofakeit.Info, params string, hasParams bool) (*gofakeit.MapParams, error) {
	if len(info.Params) == 0 {
		if hasParams {
			return nil, fmt.Errorf("gofakeit %q: %s takes no parameters", spec, fname)
		}
		return nil, nil
	}
	mp := gofakeit.NewMapParams()
	if len(info.Params) == 1 && info.Params[0].Type == "string" {
		mp.Add(info.Params[0].Field, params)
		return mp, nil
	}
	if params == "" {
		return nil, nil
	}
	vals := splitParams(params)
	if len(vals) > len(info.Params) {
		names := make([]string, len(info.Params))
		for i, p := range info.Params {
			names[i] = p.Field
		}
		return nil, fmt.Errorf("gofakeit %q: %d parameters, but %s takes at most %d (%s)", spec, len(vals), fname, len(info.Params), strings.Join(names, ", "))
	}
	for i, v := range vals {
		mp.Add(info.Params[i].Field, v)
	}
	return mp, nil
}

// splitParams splits on commas and trims each value, as gofakeit does for
// parameters without brackets (a trailing comma adds no value).
func splitParams(s string) []string {
	var out []string
	for s != "" {
		v, rest, found := strings.Cut(s, ",")
		out = append(out, strings.TrimSpace(v))
		if !found {
			break
		}
		s = rest
	}
	return out
}

// fakeWork bounds each count of a call, given or gofakeit's default, and
// their product: nested counts (paragraphs x sentences x words) multiply
// the work. It returns the product, at least 1.
func fakeWork(spec, fname string, info *gofakeit.Info, mp *gofakeit.MapParams) (int, error) {
	work := 1
	if countsAreNotWork[fname] {
		return work, nil
	}
	for _, p := range info.Params {
		if !strings.Contains(p.Type, "int") || p.Field == "min" || p.Field == "max" {
			continue // a range's bounds are not counts
		}
		var vals []string
		if mp != nil {
			vals = mp.Get(p.Field)
		}
		from := ""
		if vals == nil && p.Default != "" {
			vals, from = []string{p.Default}, fmt.Sprintf(" (%s=%s is gofakeit's default)", p.Field, p.Default)
		}
		for _, v := range vals {
			for _, d := range digitsRE.FindAllString(v, -1) {
				n, err := strconv.Atoi(d)
				if err != nil || n > MaxFakeCount {
					return 0, fmt.Errorf("gofakeit %q: counts and lengths are at most %d%s", spec, MaxFakeCount, from)
				}
				if work *= max(n, 1); work > MaxFakeWork {
					return 0, fmt.Errorf("gofakeit %q: the counts multiply to more than %d%s", spec, MaxFakeWork, from)
				}
			}
		}
	}
	return work, nil
}
