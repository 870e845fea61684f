package bot

import (
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/nongsan-bot/nongsan/flows/vietqr"
)

// qrSize is the width of a served payment QR, in pixels.
const qrSize = 512

// QRPath is where payment QRs are served, for channels that take photos by
// URL only: QRPath + QRCode(payload) + ".png".
const QRPath = "/qr/"

// QRCode is a payment payload as it stands in its URL.
func QRCode(payload string) string { return base64.RawURLEncoding.EncodeToString([]byte(payload)) }

// serveQR answers GET /qr/{code}.png with the VietQR image of the payload
// the code carries, and 404 for anything but a well-formed VietQR transfer.
// It looks nothing up and needs no secret: the URL holds only the payment
// details the buyer is shown in the same message anyway, and drawing them
// is all it does. Being a function of the URL, the image never changes.
func serveQR() http.Handler {
	maxCode := base64.RawURLEncoding.EncodedLen(vietqr.MaxPayloadLen)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, ok := strings.CutSuffix(r.PathValue("file"), ".png")
		if !ok || len(code) > maxCode {
			http.NotFound(w, r)
			return
		}
		payload, err := base64.RawURLEncoding.DecodeString(code)
		if err != nil || !vietqr.Valid(string(payload)) {
			http.NotFound(w, r)
			return
		}
		img, err := vietqr.PNG(string(payload), qrSize)
		if err != nil {
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Write(img)
	})
}
