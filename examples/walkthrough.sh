#!/usr/bin/env bash
# examples/walkthrough.sh: docs/sandbox.md's walkthrough, run as written and
# checked step by step. It builds kicc-mock and the webhook receiver
# (examples/receiver), starts both on loopback, then creates a payment,
# pays it, watches the approval webhook's resends, cancels part of it,
# finds the cancel pending then done, is refused an over-cancel, cancels the
# rest, and reads the state. Every id, MAC and date comes from the step
# before. CI runs it; any failed check exits 1 naming the step.
#
#   examples/walkthrough.sh            # ports 18080 (mock) and 18081 (receiver)
#   MOCK_PORT=28080 RECEIVER_PORT=28081 examples/walkthrough.sh
#
# Needs curl, jq and openssl (jq is installed from Debian when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
MOCK_PORT=${MOCK_PORT:-18080}
RECEIVER_PORT=${RECEIVER_PORT:-18081}

if ! command -v jq >/dev/null; then
  echo "walkthrough: installing jq" >&2
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq' >/dev/null
fi

tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

go build -o "$tmp/kicc-mock" .
go build -o "$tmp/receiver" ./examples/receiver

# The three terminals of the walkthrough: the mock, the receiver, and this one.
"$tmp/kicc-mock" --addr 127.0.0.1:$MOCK_PORT --secret-key MOCK_SECRET_KEY_1234 --webhook-retry-intervals 1s,2s,5s \
  --log-level warn >"$tmp/mock.log" 2>&1 &
pids+=($!)
"$tmp/receiver" --addr 127.0.0.1:$RECEIVER_PORT --fail 3 >"$tmp/receiver.log" 2>&1 &
pids+=($!)

M=http://127.0.0.1:$MOCK_PORT SECRET=MOCK_SECRET_KEY_1234 TODAY=$(TZ=Asia/Seoul date +%Y%m%d)
R=http://127.0.0.1:$RECEIVER_PORT
mac() { printf '%s|%s' "$1" "$2" | openssl dgst -sha256 -hmac "$SECRET" | cut -d' ' -f2; } # msgAuthValue
kfind() { curl -s $M/api/trades/wechatpay/find -H 'Content-Type: application/json; charset=utf-8' -d "$1"; }
run=$(date +%s%N) # fresh keys and order numbers every run

step() { echo; echo "# $*"; }
check() { # jq filter, json, what
  if ! jq -e "$1" <<<"$2" >/dev/null; then
    echo "walkthrough: FAILED: $3" >&2
    echo "  expected: $1" >&2
    echo "  got: $2" >&2
    echo "--- mock log"; cat "$tmp/mock.log"; echo "--- receiver log"; cat "$tmp/receiver.log"
    exit 1
  fi
}
until_true() { # seconds, command...: poll until the command succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}
until_true 10 curl -fs -o /dev/null $M/__admin/health
until_true 10 curl -s -o /dev/null $R/ready

step "1. Create a payment (mweb)"
out=$(curl -s $M/api/trades/wechatpay -H 'Content-Type: application/json; charset=utf-8' -d '{"mallId":"T0000001","shopTransactionId":"walk-create-'$run'","shopOrderNo":"ORD-'$run'","goodsName":"Sample Product","returnUrl":"'$R'/return","tradeType":"mweb","notifyUrl":"'$R'/kicc/notify","amountInfo":{"currency":"KRW","totalAmount":1000}}')
echo "$out" | jq .
check '.resCd == "0000" and (.pgCno | test("^[0-9]{20}$")) and (.paymentPageUrl | startswith("'$M'/pay/"))' "$out" "create"
PG=$(jq -r .pgCno <<<"$out")

step "2. Before payment, find answers resCd 0000 without statusCd"
out=$(kfind '{"mallId":"T0000001","shopTransactionId":"walk-find-1-'$run'","pgCno":"'$PG'"}')
echo "$out" | jq -c .
check '.resCd == "0000" and (has("statusCd") | not) and .amountInfo.amount == 1000' "$out" "find before payment"

step "3. The customer pays (or open paymentPageUrl in a browser and press Pay)"
out=$(curl -s -X POST $M/__admin/transactions/$PG/pay)
echo "$out" | jq -c '{pgCno, state, statusCd}'
check '.state == "paid" and .statusCd == "TS01"' "$out" "pay"

step "4. The approval webhook: the receiver fails 3 times, the 4th attempt is acknowledged (1 s, 2 s, 5 s apart)"
delivered() { curl -s "$M/__admin/webhooks?pgCno=$PG&kind=approval" | jq -e '.webhooks[0].outcome == "delivered"' >/dev/null; }
until_true 30 delivered || { echo "walkthrough: FAILED: the approval webhook was not delivered" >&2; exit 1; }
out=$(curl -s "$M/__admin/webhooks?pgCno=$PG&kind=approval")
echo "$out" | jq -c '.webhooks | reverse | .[] | {kind, attempt, status, resCd, outcome, nextAttemptIn}'
check '[.webhooks[] | .outcome] == ["delivered", "retrying", "retrying", "retrying"]' "$out" "four attempts, the last delivered"
out=$(kfind '{"mallId":"T0000001","shopTransactionId":"walk-find-2-'$run'","pgCno":"'$PG'"}')
echo "$out" | jq -c .
check '.statusCd == "TS01" and (.approvalDate | test("^[0-9]{14}$"))' "$out" "find after payment"

step "5. Partial cancel of 300: msgAuthValue = hex HMAC-SHA256(secret, pgCno|shopTransactionId)"
key=walk-cancel-1-$run
out=$(curl -s $M/api/trades/wechatpay/revise -H 'Content-Type: application/json; charset=utf-8' -d '{"mallId":"T0000001","shopTransactionId":"'$key'","pgCno":"'$PG'","reviseTypeCode":"32","cancelReqDate":"'$TODAY'","msgAuthValue":"'$(mac "$PG" "$key")'","notifyUrl":"'$R'/kicc/notify","amountInfo":{"currency":"KRW","totAmount":300}}')
echo "$out" | jq -c .
check '.resCd == "0000" and .cancelAmount == 300 and .remainAmount == 700 and .statusCode == "TS06"' "$out" "partial cancel"
CPG=$(jq -r .cancelPgCno <<<"$out")

step "6. At once, the cancel is pending (TS01); after --cancel-complete-after (2 s) it is TS06"
out=$(kfind '{"mallId":"T0000001","shopTransactionId":"walk-find-3-'$run'","pgCno":"'$PG'","cancelPgCno":"'$CPG'"}')
echo "$out" | jq -c .
check '.cancelStatus == "TS01" and .amountInfo.totAmount == 0' "$out" "pending cancel"
n=4
completed() {
  n=$((n + 1))
  out=$(kfind '{"mallId":"T0000001","shopTransactionId":"walk-find-'$n'-'$run'","pgCno":"'$PG'","cancelPgCno":"'$CPG'"}')
  jq -e '.cancelStatus == "TS06"' <<<"$out" >/dev/null
}
until_true 15 completed || { echo "walkthrough: FAILED: the cancel did not complete: $out" >&2; exit 1; }
echo "$out" | jq -c .
check '.amountInfo.totAmount == 300' "$out" "completed partial cancel"

step "7. Cancelling more than remains is refused; a full cancel (40) cancels the rest"
key=walk-cancel-2-$run
out=$(curl -s $M/api/trades/wechatpay/revise -H 'Content-Type: application/json; charset=utf-8' -d '{"mallId":"T0000001","shopTransactionId":"'$key'","pgCno":"'$PG'","reviseTypeCode":"32","cancelReqDate":"'$TODAY'","msgAuthValue":"'$(mac "$PG" "$key")'","amountInfo":{"currency":"KRW","totAmount":800}}')
echo "$out" | jq -c .
check '.resCd == "1051"' "$out" "over-cancel"
key=walk-cancel-3-$run
out=$(curl -s $M/api/trades/wechatpay/revise -H 'Content-Type: application/json; charset=utf-8' -d '{"mallId":"T0000001","shopTransactionId":"'$key'","pgCno":"'$PG'","reviseTypeCode":"40","cancelReqDate":"'$TODAY'","msgAuthValue":"'$(mac "$PG" "$key")'","notifyUrl":"'$R'/kicc/notify"}')
echo "$out" | jq -c .
check '.resCd == "0000" and .cancelAmount == 700 and .remainAmount == 0 and .statusCode == "TS02"' "$out" "full cancel"
out=$(curl -s -X POST $M/__admin/transactions/$(jq -r .cancelPgCno <<<"$out")/complete)
echo "$out" | jq -c '{cancelPgCno, state, cancelStatus, amount}'
check '.state == "completed" and .cancelStatus == "TS02" and .amount == 700' "$out" "complete the full cancel"
out=$(kfind '{"mallId":"T0000001","shopTransactionId":"walk-find-last-'$run'","pgCno":"'$PG'"}')
echo "$out" | jq -c .
check '.statusCd == "TS02"' "$out" "fully cancelled payment"

step "8. The state, and every webhook attempt"
out=$(curl -s $M/__admin/transactions/$PG)
echo "$out" | jq -c '{pgCno, state, statusCd, amount, cancels: [.cancels[] | {cancelPgCno, state, cancelStatus, amount}]}'
check '.statusCd == "TS02" and ([.cancels[].amount] | add) == 1000' "$out" "the state"
curl -s "$M/__admin/webhooks?pgCno=$PG" | jq -c '.webhooks | reverse | .[] | {kind, attempt, status, outcome}'

echo
echo "walkthrough: every step as documented"
