package bot

import (
	"bytes"
	"encoding/binary"
	"image"
)

// orientation is the EXIF orientation of a JPEG (1 to 8: how to turn the
// stored pixels to show them upright, as a phone held sideways records
// it), 1 when it says none or cannot be read. Only the markers before the
// image data are looked at; a few lines rather than a library, as only
// this one tag is read.
func orientation(raw []byte) int {
	if len(raw) < 4 || raw[0] != 0xFF || raw[1] != 0xD8 {
		return 1
	}
	for i := 2; i+4 <= len(raw); {
		if raw[i] != 0xFF {
			return 1
		}
		marker := raw[i+1]
		switch {
		case marker == 0xFF: // fill byte
			i++
			continue
		case marker == 0xDA || marker == 0xD9: // image data, or the end: no EXIF before it
			return 1
		case marker >= 0xD0 && marker <= 0xD7 || marker == 0x01: // no length
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(raw[i+2:]))
		if n < 2 || i+2+n > len(raw) {
			return 1
		}
		if seg := raw[i+4 : i+2+n]; marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffOrientation(seg[6:])
		}
		i += 2 + n
	}
	return 1
}

// tiffOrientation reads tag 0x0112 of the first IFD of an EXIF block.
func tiffOrientation(tiff []byte) int {
	if len(tiff) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(tiff[2:]) != 42 {
		return 1
	}
	ifd := uint64(bo.Uint32(tiff[4:]))
	if ifd < 8 || ifd+2 > uint64(len(tiff)) {
		return 1
	}
	entries := int(bo.Uint16(tiff[ifd:]))
	for k := range entries {
		e := int(ifd) + 2 + 12*k
		if e+12 > len(tiff) {
			return 1
		}
		if bo.Uint16(tiff[e:]) != 0x0112 {
			continue
		}
		// A SHORT: its value in the first two bytes of the value field.
		if v := int(bo.Uint16(tiff[e+8:])); bo.Uint16(tiff[e+2:]) == 3 && v >= 1 && v <= 8 {
			return v
		}
		return 1
	}
	return 1
}

// upright is src (stored as a JPEG of orientation o says) turned as it is
// to be shown: for orientations 5 to 8 its sides swap.
func upright(src *image.RGBA, o int) *image.RGBA {
	if o <= 1 || o > 8 {
		return src
	}
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	w, h := sw, sh
	if o >= 5 {
		w, h = sh, sw
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			var sx, sy int
			switch o {
			case 2: // mirrored
				sx, sy = sw-1-x, y
			case 3: // upside down
				sx, sy = sw-1-x, sh-1-y
			case 4: // mirrored upside down
				sx, sy = x, sh-1-y
			case 5: // mirrored, turned a quarter left
				sx, sy = y, x
			case 6: // to be turned a quarter right
				sx, sy = y, sh-1-x
			case 7: // mirrored, turned a quarter right
				sx, sy = sw-1-y, sh-1-x
			case 8: // to be turned a quarter left
				sx, sy = sw-1-y, x
			}
			si, di := src.PixOffset(b.Min.X+sx, b.Min.Y+sy), dst.PixOffset(x, y)
			copy(dst.Pix[di:di+4], src.Pix[si:si+4])
		}
	}
	return dst
}
