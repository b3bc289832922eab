package assets

import (
	"bytes"
	"image"
	"image/png"
	"testing"
)

func decode(t *testing.T, name string, data []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: not a PNG: %v", name, err)
	}
	return img
}

func TestAppIconIsSquare512PNG(t *testing.T) {
	img := decode(t, AppIconName, AppIcon)
	if b := img.Bounds(); b.Dx() != 512 || b.Dy() != 512 {
		t.Fatalf("app icon is %v, want 512×512 (fyne package needs a large PNG)", b.Size())
	}
	// Corners are transparent (rounded square), the centre is opaque.
	if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
		t.Errorf("corner alpha = %d, want 0", a)
	}
	if _, _, _, a := img.At(256, 256).RGBA(); a != 0xffff {
		t.Errorf("centre alpha = %d, want opaque", a)
	}
}

// dotPixels counts opaque pixels in the lower right quarter whose hue is the one wanted,
// after the icon is scaled down to 22 px as a panel would.
func dotPixels(img image.Image, want func(r, g, b uint32) bool) int {
	const size = 22
	src := img.Bounds()
	n := 0
	for y := size / 2; y < size; y++ {
		for x := size / 2; x < size; x++ {
			r, g, b, a := img.At(src.Min.X+x*src.Dx()/size+src.Dx()/size/2, src.Min.Y+y*src.Dy()/size+src.Dy()/size/2).RGBA()
			if a > 0xc000 && want(r>>8, g>>8, b>>8) {
				n++
			}
		}
	}
	return n
}

func TestTrayIconsAreDistinctAt22px(t *testing.T) {
	green := func(r, g, b uint32) bool { return g > r+60 && g > b+60 }
	amber := func(r, g, b uint32) bool { return r > 200 && g > 120 && b < 90 }
	cases := []struct {
		state        TrayState
		green, amber bool
	}{
		{TrayIdle, false, false},
		{TrayConnected, true, false},
		{TrayAttention, false, true},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		name, data := Tray(c.state)
		if seen[name] {
			t.Fatalf("%v: file name %s reused", c.state, name)
		}
		seen[name] = true
		img := decode(t, name, data)
		if b := img.Bounds(); b.Dx() != 64 || b.Dy() != 64 {
			t.Fatalf("%s is %v, want 64×64 (Fyne's tray size)", name, b.Size())
		}
		g, a := dotPixels(img, green), dotPixels(img, amber)
		// A dot of radius 0.2 covers about 12 pixels at 22 px; demand a clearly visible one.
		if (g >= 6) != c.green || (a >= 6) != c.amber {
			t.Errorf("%v (%s): %d green and %d amber pixels at 22 px; want green=%v amber=%v", c.state, name, g, a, c.green, c.amber)
		}
	}
	if name, _ := Tray(TrayState(99)); name != "tray-idle.png" {
		t.Errorf("unknown state gives %s, want the idle icon", name)
	}
}
