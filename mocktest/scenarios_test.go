package mocktest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kicc-mock/kicc-mock/client"
	"github.com/kicc-mock/kicc-mock/kicc"
	"github.com/kicc-mock/kicc-mock/mocktest"
)

// The admin client drives a real mock: add a scenario, make it the default,
// see the client get it, reset.
func TestAdminScenariosAgainstARealMock(t *testing.T) {
	ctx := context.Background()
	m := mocktest.Start(t)
	require.NoError(t, m.Admin.AddScenarios(ctx, []byte(`version: 1
scenarios:
  - name: always-void
    endpoint: find-cancel
    responses:
      - body: {cancelStatus: TS12}
`)))
	require.NoError(t, m.Admin.UseScenario(ctx, "find-cancel", "always-void"))
	req := client.FindCancellationRequest{PgCno: "25122722034810122119", CancelPgCno: "25122722044210122121"}
	st, err := m.Client.FindCancellation(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, kicc.StatusVoided, st.CancelStatus)

	n, err := m.Admin.Count(ctx, mocktest.CountFilter{Scenario: "always-void"})
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	require.NoError(t, m.Admin.Reset(ctx))
	st, err = m.Client.FindCancellation(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, kicc.StatusCancelled, st.CancelStatus, "reset restores the default")

	err = m.Admin.UseScenario(ctx, "find-cancel", "no-such")
	var ae *mocktest.AdminError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 400, ae.Status)
}
