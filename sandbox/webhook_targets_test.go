package sandbox

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseAllowListMatches(t *testing.T) {
	l, err := ParseAllowList(" merchant.example , Hooks.QA.example:8443,*.team.example, 10.0.0.7:9000, [::1]:8080, 2001:db8::1, api.example. ")
	require.NoError(t, err)
	assert.Equal(t, "merchant.example,hooks.qa.example:8443,*.team.example,10.0.0.7:9000,[::1]:8080,2001:db8::1,api.example", l.String())
	for url, want := range map[string]bool{
		"http://merchant.example/notify":          true,
		"https://MERCHANT.example.:8443/n":        true, // any port, case and trailing dot ignored
		"http://evil-merchant.example/n":          false,
		"http://merchant.example.evil/n":          false,
		"https://hooks.qa.example:8443/n":         true,
		"https://hooks.qa.example/n":              false, // 443, not 8443
		"http://a.team.example/n":                 true,
		"http://a.b.team.example:81/n":            true,
		"http://team.example/n":                   false, // *. is for names under it
		"http://xteam.example/n":                  false,
		"http://10.0.0.7:9000/n":                  true,
		"http://10.0.0.7/n":                       false,
		"http://[::1]:8080/n":                     true,
		"http://[0:0::1]:8080/n":                  true, // one address, two spellings
		"http://[::1]:8081/n":                     false,
		"http://[2001:db8:0::1]:1/n":              true,
		"http://api.example/n":                    true,
		"http://user:pw@merchant.example/n":       true,
		"http://merchant.example@127.0.0.1:8080/": false, // the host is what follows @
	} {
		tg, err := parseTarget(url)
		require.NoError(t, err, url)
		assert.Equal(t, want, l.Allows(tg), url)
	}
	assert.True(t, AllowList{}.Allows(&target{host: "anything", port: "1"}), "the zero list allows any host")
	empty, err := ParseAllowList("  ")
	require.NoError(t, err)
	assert.True(t, empty.Any())
}

func TestParseAllowListRefusesWhatIsNotAHost(t *testing.T) {
	for in, want := range map[string]string{
		"a.example,":                   `entry 2 "": empty`,
		"*":                            "leave the list empty to allow any host",
		"http://a.example/":            "not a URL",
		"user@a.example":               "not a URL",
		"a.example:0":                  `port "0" is not a number from 1 to 65535`,
		"a.example:65536":              `port "65536"`,
		"a.example:08080":              `port "08080"`,
		"a.example:http":               `port "http"`,
		"a.*.example":                  "* may only stand for the leading labels",
		"*.10.0.0.7":                   "not an IP address",
		"[::1":                         "needs its ]",
		"[10.0.0.1]:80":                "not an IPv6 address inside [ ]",
		"[::1]8080":                    "only :port may follow ]",
		"::1::2":                       "not an IPv6 address",
		"a..example":                   "not a host name",
		"a_b.exa mple":                 "not a host name",
		strings.Repeat("a", 64) + ".x": "not a host name",
	} {
		_, err := ParseAllowList(in)
		if assert.Error(t, err, in) {
			assert.Contains(t, err.Error(), want, in)
		}
	}
}

// TestWebhookToAHostNotAllowedIsRefused: a notifyUrl whose host is not in
// WebhookAllow is journaled refused, naming the host and the list, and no
// request is sent; an allowed one is delivered.
func TestWebhookToAHostNotAllowedIsRefused(t *testing.T) {
	r := newAckReceiver(t)
	host := strings.TrimPrefix(r.URL, "http://")
	s, _ := newHookSandbox(t, Config{WebhookAllow: MustParseAllowList("merchant.example,*.qa.example")})
	pg := payTo(t, s, strings.Replace(r.URL, "http://", "http://u:p@", 1)+"/notify")
	log := s.hooks.attempts()
	require.Len(t, log, 1)
	assert.Equal(t, OutcomeRefused, log[0].Outcome)
	assert.Equal(t, pg, log[0].PgCno)
	assert.Zero(t, log[0].Attempt, "never sent")
	assert.Equal(t, r.URL+"/notify", log[0].URL)
	assert.Equal(t, "the host "+host+" is not in --webhook-allow (merchant.example,*.qa.example); no request was sent", log[0].Error)
	assert.Contains(t, log[0].Note, "user:password@ was dropped")
	s.hooks.mu.Lock()
	assert.Zero(t, len(s.hooks.jobs), "the refused notification is not held")
	s.hooks.mu.Unlock()
	assert.Zero(t, len(r.arrived))

	allowed, _ := newHookSandbox(t, Config{WebhookAllow: MustParseAllowList("merchant.example," + host)})
	payTo(t, allowed, r.URL+"/notify")
	req := waitFor(t, r.arrived, "the allowed webhook")
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, OutcomeDelivered, waitAttempts(t, allowed, 1)[0].Outcome)
}
