package bot_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nongsan-bot/nongsan/bot"
	"github.com/nongsan-bot/nongsan/flows"
	"github.com/nongsan-bot/nongsan/flows/vietqr"
)

func payment(t *testing.T) string {
	t.Helper()
	p, err := vietqr.Payload(vietqr.Transfer{BIN: "970436", Account: "0011001932418", Amount: 1250000, Purpose: "DH-7K2Q NS-ABCD"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestQRServesTheImageOfAWellFormedPaymentItMintedOnly(t *testing.T) {
	codes := bot.NewQRCodes([]byte("the service's secret"))
	s := &bot.Server{Engine: &bot.Engine{Channels: bot.Channels{}}, Metrics: bot.NewMetrics(), QRCodes: codes}
	srv := httptest.NewServer(s.Routes())
	t.Cleanup(srv.Close)
	get := func(path string) (*http.Response, []byte) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}

	good := payment(t)
	code := codes.Code(good)
	if strings.Contains(code, "0011001932418") || strings.Contains(code, base64.RawURLEncoding.EncodeToString([]byte(good))[:20]) {
		t.Errorf("the account stands in the URL: %s", code)
	}
	if code != codes.Code(good) || code == codes.Code(strings.Replace(good, "1250000", "1250001", 1)) {
		t.Errorf("one payment, one URL; another payment, another")
	}
	resp, body := get(bot.QRPath + code + ".png")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" ||
		!strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || strings.Contains(resp.Header.Get("Cache-Control"), "public") {
		t.Fatalf("valid payment: %d %v", resp.StatusCode, resp.Header)
	}
	if _, err := png.Decode(bytes.NewReader(body)); err != nil {
		t.Fatalf("not a PNG: %v", err)
	}

	tampered := []byte(good)
	tampered[len(tampered)-1] ^= 1
	altered := []byte(code)
	altered[len(altered)/2] ^= 1
	scammer, err := vietqr.Payload(vietqr.Transfer{BIN: "970436", Account: "0011001932419", Amount: 1250000, Purpose: "DH-7K2Q NS-ABCD"})
	if err != nil {
		t.Fatal(err)
	}
	forged := bot.NewQRCodes([]byte("a guess at the secret"))
	for name, path := range map[string]string{
		"the payload in clear":       bot.QRPath + base64.RawURLEncoding.EncodeToString([]byte(good)) + ".png",
		"another account, in clear":  bot.QRPath + base64.RawURLEncoding.EncodeToString([]byte(scammer)) + ".png",
		"another account, other key": bot.QRPath + forged.Code(scammer) + ".png",
		"the code altered":           bot.QRPath + string(altered) + ".png",
		"the code cut short":         bot.QRPath + code[:len(code)-2] + ".png",
		"tampered CRC":               bot.QRPath + codes.Code(string(tampered)) + ".png",
		"garbage":                    bot.QRPath + codes.Code("hello") + ".png",
		"not base64":                 bot.QRPath + "!!!.png",
		"no extension":               bot.QRPath + code,
		"too long":                   bot.QRPath + codes.Code(good+strings.Repeat("0", vietqr.MaxPayloadLen)) + ".png",
	} {
		if resp, _ := get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", name, resp.StatusCode)
		}
	}
}

func TestAPaymentQRIsAPhotoByURLWhereOnlyURLsGo(t *testing.T) {
	good := payment(t)
	reply := flows.Reply{To: chat, Lang: "vi", QR: good, Text: flows.M("order.pay",
		"Code", "DH-7K2Q", "Total", "1.250.000 đ", "Bank", "Vietcombank", "Account", "0011001932418",
		"Holder", "NGUYEN VAN A", "ListingCode", "NS-ABCD")}

	zalo := &urlsOnly{}
	r := bot.Render(zalo, texts(t))
	r.QRURL, r.QRCodes = "https://nongsan.example"+bot.QRPath, bot.NewQRCodes([]byte("the service's secret"))
	if _, err := r.Send(context.Background(), reply); err != nil {
		t.Fatal(err)
	}
	want := r.QRURL + r.QRCodes.Code(good) + ".png"
	if len(zalo.outs) != 1 || len(zalo.outs[0].Photos) != 1 || zalo.outs[0].Photos[0] != want ||
		zalo.outs[0].QR != "" || !strings.Contains(zalo.outs[0].Text, "quét mã QR") {
		t.Errorf("by URL: %+v, want the photo %s captioned with the details", zalo.outs, want)
	}

	tg := &rich{}
	if _, err := bot.Render(tg, texts(t)).Send(context.Background(), reply); err != nil {
		t.Fatal(err)
	}
	if len(tg.outs) != 1 || tg.outs[0].QR != good || len(tg.outs[0].Photos) != 0 || !strings.Contains(tg.outs[0].Text, "quét mã QR") {
		t.Errorf("uploaded: %+v, want the payload to draw", tg.outs)
	}

	// A channel that shows no image does not ask to scan one.
	got, _ := plain(t, reply)
	if len(got) != 1 || strings.Contains(got[0], "QR") || !strings.Contains(got[0], "0011001932418") {
		t.Errorf("text only: %q", got)
	}
}
