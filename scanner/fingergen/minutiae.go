package fingergen

import (
	"image"
	"math"
)

// findMinutiae thins the ridges to one-pixel lines and takes the points where one line
// ends (crossing number 1) or three meet (3), away from the finger's edge; pairs closer
// than a ridge period (breaks and spurs of the thinning) are dropped.
func findMinutiae(img *image.Gray, mask []bool, orient []float64) []Minutia {
	skel := make([]bool, Width*Height)
	for i, v := range img.Pix {
		skel[i] = mask[i] && v < 128
	}
	thin(skel)
	inner := erode(mask, 18)
	at := func(x, y int) bool { return x >= 0 && y >= 0 && x < Width && y < Height && skel[y*Width+x] }
	ring := [8][2]int{{1, 0}, {1, -1}, {0, -1}, {-1, -1}, {-1, 0}, {-1, 1}, {0, 1}, {1, 1}}
	var found []Minutia
	for y := 1; y < Height-1; y++ {
		for x := 1; x < Width-1; x++ {
			if !skel[y*Width+x] || !inner[y*Width+x] {
				continue
			}
			cn := 0
			for k := range 8 {
				a, b := at(x+ring[k][0], y+ring[k][1]), at(x+ring[(k+1)%8][0], y+ring[(k+1)%8][1])
				if a != b {
					cn++
				}
			}
			cn /= 2
			var kind Kind
			switch cn {
			case 1:
				kind = Ending
			case 3:
				kind = Bifurcation
			default:
				continue
			}
			found = append(found, Minutia{X: float64(x), Y: float64(y), Kind: kind, Angle: direction(skel, x, y, kind, orient[y*Width+x])})
		}
	}
	// Drop clusters: two minutiae within 8 px are an artefact, not two features.
	keep := make([]bool, len(found))
	for i := range found {
		keep[i] = true
	}
	for i := range found {
		for j := i + 1; j < len(found); j++ {
			if math.Hypot(found[i].X-found[j].X, found[i].Y-found[j].Y) < 8 {
				keep[i], keep[j] = false, false
			}
		}
	}
	var out []Minutia
	for i, m := range found {
		if keep[i] {
			out = append(out, m)
		}
	}
	return out
}

// direction: for an ending, from a point 8 px back along its line to the ending (the
// ridge's way out); for a bifurcation, along the stem towards the fork, the ridge
// orientation turned to point away from the stem. Angles are counter-clockwise from
// the x axis with y up, as ANSI 378 measures them.
func direction(skel []bool, x, y int, kind Kind, orient float64) float64 {
	// Walk the skeleton from (x, y) for up to 8 steps along each branch.
	walk := func(fx, fy int) (int, int) {
		px, py, cx, cy := x, y, fx, fy
		for range 8 {
			moved := false
			for dy := -1; dy <= 1 && !moved; dy++ {
				for dx := -1; dx <= 1 && !moved; dx++ {
					nx, ny := cx+dx, cy+dy
					if (dx == 0 && dy == 0) || (nx == px && ny == py) || (nx == x && ny == y) {
						continue
					}
					if nx >= 0 && ny >= 0 && nx < Width && ny < Height && skel[ny*Width+nx] {
						px, py, cx, cy = cx, cy, nx, ny
						moved = true
					}
				}
			}
			if !moved {
				break
			}
		}
		return cx, cy
	}
	var ends [][2]int
	for dy := -1; dy <= 1; dy++ {
		for dx := -1; dx <= 1; dx++ {
			if (dx != 0 || dy != 0) && skel[(y+dy)*Width+x+dx] {
				ex, ey := walk(x+dx, y+dy)
				ends = append(ends, [2]int{ex, ey})
			}
		}
	}
	angle := func(fromX, fromY, toX, toY float64) float64 { return math.Atan2(-(toY - fromY), toX-fromX) }
	if kind == Ending && len(ends) > 0 {
		return norm(angle(float64(ends[0][0]), float64(ends[0][1]), float64(x), float64(y)))
	}
	// Bifurcation: the orientation, pointed away from the branch most opposite the rest
	// (the stem).
	a := math.Pi - orient // image orientation (y down) to y up
	if len(ends) >= 3 {
		best, bestDot := 0, math.Inf(1)
		for i, e := range ends {
			dot := 0.0
			for j, f := range ends {
				if i != j {
					dot += float64(e[0]-x)*float64(f[0]-x) + float64(e[1]-y)*float64(f[1]-y)
				}
			}
			if dot < bestDot {
				best, bestDot = i, dot
			}
		}
		stem := angle(float64(x), float64(y), float64(ends[best][0]), float64(ends[best][1]))
		if math.Cos(a-stem) > 0 {
			a += math.Pi
		}
	}
	return norm(a)
}

func norm(a float64) float64 {
	a = math.Mod(a, 2*math.Pi)
	if a < 0 {
		a += 2 * math.Pi
	}
	return a
}

// thin is Zhang and Suen's thinning.
func thin(b []bool) {
	at := func(x, y int) int {
		if x < 0 || y < 0 || x >= Width || y >= Height || !b[y*Width+x] {
			return 0
		}
		return 1
	}
	for changed := true; changed; {
		changed = false
		for step := range 2 {
			var del []int
			for y := range Height {
				for x := range Width {
					if !b[y*Width+x] {
						continue
					}
					p := [8]int{at(x, y-1), at(x+1, y-1), at(x+1, y), at(x+1, y+1), at(x, y+1), at(x-1, y+1), at(x-1, y), at(x-1, y-1)}
					n, t := 0, 0
					for k := range 8 {
						n += p[k]
						if p[k] == 0 && p[(k+1)%8] == 1 {
							t++
						}
					}
					if n < 2 || n > 6 || t != 1 {
						continue
					}
					if step == 0 && p[0]*p[2]*p[4] == 0 && p[2]*p[4]*p[6] == 0 ||
						step == 1 && p[0]*p[2]*p[6] == 0 && p[0]*p[4]*p[6] == 0 {
						del = append(del, y*Width+x)
					}
				}
			}
			for _, i := range del {
				b[i] = false
			}
			changed = changed || len(del) > 0
		}
	}
}

// erode shrinks a mask by r pixels (a square structuring element, in two passes).
func erode(mask []bool, r int) []bool {
	tmp := make([]bool, len(mask))
	out := make([]bool, len(mask))
	for y := range Height {
		run := 0
		for x := range Width {
			if mask[y*Width+x] {
				run++
			} else {
				run = 0
			}
			tmp[y*Width+x] = run > 2*r
		}
	}
	// tmp marks the right end of 2r+1 runs; centre them, then do the same vertically.
	for y := range Height {
		for x := range Width {
			if tmp[y*Width+x] && x-r >= 0 {
				out[y*Width+x-r] = true
			}
		}
	}
	col := make([]bool, len(mask))
	for x := range Width {
		run := 0
		for y := range Height {
			if out[y*Width+x] {
				run++
			} else {
				run = 0
			}
			if run > 2*r && y-r >= 0 {
				col[(y-r)*Width+x] = true
			}
		}
	}
	return col
}
