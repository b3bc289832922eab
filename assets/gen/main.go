//go:build ignore

// Command gen draws Patchbay's icons: the app icon (512×512) and the three tray icons
// (64×64: idle, connected, needs attention). It writes PNGs into the current folder; run it
// with `go generate ./assets` after changing a shape or a colour, and commit the PNGs.
//
// The motif is a patch bay: two jacks joined by a drooping patch cable. Shapes are drawn as
// signed distance fields, so edges are anti-aliased without a vector library, and the output
// is byte-for-byte deterministic.
package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

// rgba is a straight (non-premultiplied) colour with components in [0,1].
type rgba struct{ r, g, b, a float64 }

func hex(v uint32) rgba {
	return rgba{float64(v>>16&0xff) / 255, float64(v>>8&0xff) / 255, float64(v&0xff) / 255, 1}
}

// canvas is a float RGBA image with premultiplied alpha.
type canvas struct {
	size int
	px   []rgba
}

func newCanvas(size int) *canvas { return &canvas{size: size, px: make([]rgba, size*size)} }

// sdf is a signed distance in units of the icon (0..1 across): negative inside.
type sdf func(x, y float64) float64

// paint composites colour c over the canvas where shape covers, times mask (nil: 1).
// fill may vary with position (gradients).
func (cv *canvas) paint(shape sdf, fill func(x, y float64) rgba, mask func(x, y float64) float64) {
	n := float64(cv.size)
	for j := 0; j < cv.size; j++ {
		for i := 0; i < cv.size; i++ {
			x, y := (float64(i)+0.5)/n, (float64(j)+0.5)/n
			cov := clamp(0.5 - shape(x, y)*n) // distance in pixels → coverage
			if mask != nil {
				cov *= mask(x, y)
			}
			if cov <= 0 {
				continue
			}
			c := fill(x, y)
			a := c.a * cov
			p := &cv.px[j*cv.size+i]
			p.r = c.r*a + p.r*(1-a)
			p.g = c.g*a + p.g*(1-a)
			p.b = c.b*a + p.b*(1-a)
			p.a = a + p.a*(1-a)
		}
	}
}

func solid(c rgba) func(x, y float64) rgba { return func(float64, float64) rgba { return c } }

func (cv *canvas) png() []byte {
	img := image.NewNRGBA(image.Rect(0, 0, cv.size, cv.size))
	for j := 0; j < cv.size; j++ {
		for i := 0; i < cv.size; i++ {
			p := cv.px[j*cv.size+i]
			if p.a <= 0 {
				continue
			}
			img.SetNRGBA(i, j, color.NRGBA{
				R: u8(p.r / p.a), G: u8(p.g / p.a), B: u8(p.b / p.a), A: u8(p.a),
			})
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		log.Fatal(err)
	}
	return buf.Bytes()
}

func clamp(v float64) float64 { return math.Max(0, math.Min(1, v)) }
func u8(v float64) uint8      { return uint8(math.Round(clamp(v) * 255)) }

func circle(cx, cy, r float64) sdf {
	return func(x, y float64) float64 { return math.Hypot(x-cx, y-cy) - r }
}

func ring(cx, cy, r, w float64) sdf {
	return func(x, y float64) float64 { return math.Abs(math.Hypot(x-cx, y-cy)-r) - w/2 }
}

func roundRect(x0, y0, x1, y1, r float64) sdf {
	cx, cy := (x0+x1)/2, (y0+y1)/2
	hx, hy := (x1-x0)/2-r, (y1-y0)/2-r
	return func(x, y float64) float64 {
		qx, qy := math.Abs(x-cx)-hx, math.Abs(y-cy)-hy
		out := math.Hypot(math.Max(qx, 0), math.Max(qy, 0))
		return out + math.Min(math.Max(qx, qy), 0) - r
	}
}

// cable is a stroke of width w hanging from (x0,y) to (x1,y) down to depth: a cubic Bézier
// whose control points sit straight below the ends, so it leaves each plug downwards.
func cable(x0, x1, y, depth, w float64) sdf {
	const steps = 96
	pts := make([][2]float64, steps+1)
	for k := range pts {
		t := float64(k) / steps
		u := 1 - t
		b0, b1, b2, b3 := u*u*u, 3*u*u*t, 3*u*t*t, t*t*t
		pts[k] = [2]float64{b0*x0 + b1*x0 + b2*x1 + b3*x1, b0*y + (b1+b2)*depth + b3*y}
	}
	return func(x, y float64) float64 {
		best := math.Inf(1)
		for k := 0; k < steps; k++ {
			best = math.Min(best, segDist(x, y, pts[k], pts[k+1]))
		}
		return best - w/2
	}
}

func segDist(x, y float64, a, b [2]float64) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	t := clamp(((x-a[0])*dx + (y-a[1])*dy) / (dx*dx + dy*dy))
	return math.Hypot(x-a[0]-t*dx, y-a[1]-t*dy)
}

func union(s ...sdf) sdf {
	return func(x, y float64) float64 {
		d := math.Inf(1)
		for _, f := range s {
			d = math.Min(d, f(x, y))
		}
		return d
	}
}

var (
	navyTop    = hex(0x2E4A7D)
	navyBottom = hex(0x1A2541)
	panelLine  = hex(0x3C5A8F)
	jackRim    = hex(0xE9EDF5)
	jackHole   = hex(0x121A2E)
	cableColor = hex(0xFF8A3D)
	plugColor  = hex(0xE46F22)
	trayGrey   = hex(0x8E949C)
	green      = hex(0x2FBF5B)
	amber      = hex(0xFFA424)
)

// appIcon is a navy rounded square with two jacks joined by an orange cable, and a row of
// small idle jacks along the bottom, as on a studio patch bay.
func appIcon() []byte {
	cv := newCanvas(512)
	bg := roundRect(0.04, 0.04, 0.96, 0.96, 0.2)
	cv.paint(bg, func(_, y float64) rgba {
		t := clamp((y - 0.04) / 0.92)
		return rgba{
			navyTop.r + (navyBottom.r-navyTop.r)*t,
			navyTop.g + (navyBottom.g-navyTop.g)*t,
			navyTop.b + (navyBottom.b-navyTop.b)*t, 1,
		}
	}, nil)
	// The rail holding the bottom row of jacks.
	cv.paint(roundRect(0.14, 0.72, 0.86, 0.86, 0.07), solid(panelLine), nil)
	for k := 0; k < 4; k++ {
		x := 0.23 + float64(k)*0.18
		cv.paint(circle(x, 0.79, 0.038), solid(jackRim), nil)
		cv.paint(circle(x, 0.79, 0.018), solid(jackHole), nil)
	}
	// The two patched jacks.
	lx, rx, jy := 0.30, 0.70, 0.30
	for _, x := range []float64{lx, rx} {
		cv.paint(circle(x, jy, 0.115), solid(jackRim), nil)
		cv.paint(circle(x, jy, 0.07), solid(jackHole), nil)
	}
	// The cable droops between the plugs; the plugs sit in the jacks.
	cv.paint(cable(lx, rx, jy, 0.78, 0.075), solid(cableColor), nil)
	for _, x := range []float64{lx, rx} {
		cv.paint(circle(x, jy, 0.058), solid(plugColor), nil)
		cv.paint(circle(x, jy, 0.022), solid(cableColor), nil)
	}
	return cv.png()
}

// trayIcon is the same motif reduced for a 16–24 px panel: grey jacks and cable, drawn bold,
// plus an optional status dot in the lower right corner with a transparent gap around it.
func trayIcon(dot *rgba) []byte {
	cv := newCanvas(64)
	const dx, dy, dr, gap = 0.78, 0.78, 0.2, 0.07
	var mask func(x, y float64) float64
	if dot != nil {
		keepOut := circle(dx, dy, dr+gap)
		mask = func(x, y float64) float64 { return clamp(0.5 + keepOut(x, y)*64) }
	}
	lx, rx, jy := 0.2, 0.8, 0.26
	glyph := union(
		circle(lx, jy, 0.16),
		circle(rx, jy, 0.16),
		cable(lx, rx, jy, 0.98, 0.12),
	)
	cv.paint(glyph, solid(trayGrey), mask)
	// Punch the jack holes out of the grey.
	holes := union(circle(lx, jy, 0.06), circle(rx, jy, 0.06))
	for i := range cv.px {
		x, y := (float64(i%64)+0.5)/64, (float64(i/64)+0.5)/64
		keep := clamp(0.5 + holes(x, y)*64)
		p := &cv.px[i]
		p.r, p.g, p.b, p.a = p.r*keep, p.g*keep, p.b*keep, p.a*keep
	}
	if dot != nil {
		cv.paint(circle(dx, dy, dr), solid(*dot), nil)
	}
	return cv.png()
}

func main() {
	files := map[string][]byte{
		"icon.png":           appIcon(),
		"tray-idle.png":      trayIcon(nil),
		"tray-connected.png": trayIcon(&green),
		"tray-attention.png": trayIcon(&amber),
	}
	for name, data := range files {
		if err := os.WriteFile(name, data, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
