package vietqr

import (
	"bytes"
	"image/png"

	qrcode "github.com/skip2/go-qrcode"
)

// PNG renders payload as a QR code in a PNG image at most size pixels wide
// (and tall), with medium error correction and the four-module quiet zone the
// QR standard asks for. Each module gets the same whole number of pixels, so
// the image is size rounded down to a multiple of the symbol's width; when
// size is smaller than the symbol (quiet zone included) the image is one
// pixel per module.
func PNG(payload string, size int) ([]byte, error) {
	if payload == "" {
		return nil, ErrEmptyPayload
	}
	if size <= 0 {
		return nil, ErrImageSize
	}
	q, err := newQR(payload)
	if err != nil {
		return nil, err
	}
	modules := len(q.Bitmap()) // symbol plus quiet zone on both sides
	scale := max(size/modules, 1)
	img := q.Image(-scale)
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// newQR encodes payload with medium error correction (about 15% of the
// symbol can be lost) and the quiet zone kept.
func newQR(payload string) (*qrcode.QRCode, error) {
	q, err := qrcode.New(payload, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	q.DisableBorder = false
	return q, nil
}
