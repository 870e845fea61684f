package bot_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/nongsan-bot/nongsan/bot"
)

func TestAnAppBesideAnotherServesItsQRsUnderItsBaseAndNoHealth(t *testing.T) {
	codes := bot.NewQRCodes([]byte("the service's secret"))
	real := &bot.Server{Engine: &bot.Engine{Channels: bot.Channels{}}, Metrics: bot.NewMetrics(), QRCodes: codes}
	sandbox := &bot.Server{Engine: &bot.Engine{Channels: bot.Channels{}}, Metrics: bot.NewMetrics(), Base: "/sandbox", QRCodes: codes}
	srv := httptest.NewServer(real.Routes(sandbox))
	t.Cleanup(srv.Close)
	qr := codes.Code(payment(t)) + ".png"
	for path, want := range map[string]int{
		"/healthz":                        http.StatusOK,
		"/metrics":                        http.StatusOK,
		bot.QRPath + qr:                   http.StatusOK,
		"/sandbox" + bot.QRPath + qr:      http.StatusOK,
		"/sandbox/healthz":                http.StatusNotFound,
		"/sandbox/metrics":                http.StatusNotFound,
		"/sandbox" + bot.QRPath + "x.png": http.StatusNotFound,
	} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
}
