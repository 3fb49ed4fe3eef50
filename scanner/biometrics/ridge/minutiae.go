package ridge

import "math"

// Kind is a minutia's type, as ANSI 378 numbers them.
type Kind uint8

const (
	Ending      Kind = 1
	Bifurcation Kind = 2
)

// Minutia is a ridge ending or bifurcation: position in pixels and direction in radians,
// counter-clockwise from the x axis with y up (as ANSI 378 measures). An ending points
// along its ridge out of the ridge's end; a bifurcation, as ANSI 378 has it, like the
// valley ending between its branches: along the ridge towards the stem. So an ending that
// pressure merges into a neighbour, becoming a bifurcation, keeps its direction.
type Minutia struct {
	X, Y    float64
	Angle   float64
	Kind    Kind
	Quality uint8 // 0–100; 0 when unknown
}

// Skeleton is a binary image of one-pixel-wide ridge lines.
type Skeleton struct {
	W, H int
	On   []bool
}

func (s *Skeleton) at(x, y int) bool { return x >= 0 && y >= 0 && x < s.W && y < s.H && s.On[y*s.W+x] }

// Thin reduces ridges (true pixels) to one-pixel lines: Zhang and Suen's thinning. Each
// sub-iteration looks only at the pixels still set, on a padded copy, with the deletion
// rule tabulated by neighbourhood.
func Thin(w, h int, ridges []bool) *Skeleton {
	pw := w + 2
	b := make([]uint8, pw*(h+2))
	var on []int32
	for y := range h {
		for x := range w {
			if ridges[y*w+x] {
				i := (y+1)*pw + x + 1
				b[i] = 1
				on = append(on, int32(i))
			}
		}
	}
	// The neighbours clockwise from north, as bits 0–7 of a code.
	ring := [8]int{-pw, -pw + 1, 1, pw + 1, pw, pw - 1, -1, -pw - 1}
	var del [2][256]bool
	for code := range 256 {
		var p [8]int
		n, t := 0, 0
		for k := range 8 {
			p[k] = code >> k & 1
			n += p[k]
		}
		for k := range 8 {
			if p[k] == 0 && p[(k+1)%8] == 1 {
				t++
			}
		}
		if n < 2 || n > 6 || t != 1 {
			continue
		}
		del[0][code] = p[0]*p[2]*p[4] == 0 && p[2]*p[4]*p[6] == 0
		del[1][code] = p[0]*p[2]*p[6] == 0 && p[0]*p[4]*p[6] == 0
	}
	var gone []int32
	for changed := true; changed; {
		changed = false
		for step := range 2 {
			gone = gone[:0]
			for _, i := range on {
				code := 0
				for k, o := range ring {
					code |= int(b[int(i)+o]) << k
				}
				if del[step][code] {
					gone = append(gone, i)
				}
			}
			if len(gone) == 0 {
				continue
			}
			changed = true
			for _, i := range gone {
				b[i] = 0
			}
			kept := on[:0]
			for _, i := range on {
				if b[i] != 0 {
					kept = append(kept, i)
				}
			}
			on = kept
		}
	}
	out := make([]bool, w*h)
	for _, i := range on {
		out[(int(i)/pw-1)*w+int(i)%pw-1] = true
	}
	return &Skeleton{W: w, H: h, On: out}
}

// Minutiae finds the points where one line ends (crossing number 1) or three meet (3),
// where inside allows; orient gives the ridge orientation there (radians, [0, π), image
// coordinates). Pairs closer than minGap pixels (the breaks, spurs and bridges thinning
// leaves) are dropped together.
func (s *Skeleton) Minutiae(inside func(x, y int) bool, orient func(x, y int) float64, minGap float64) []Minutia {
	ring := [8][2]int{{1, 0}, {1, -1}, {0, -1}, {-1, -1}, {-1, 0}, {-1, 1}, {0, 1}, {1, 1}}
	var found []Minutia
	for y := 1; y < s.H-1; y++ {
		for x := 1; x < s.W-1; x++ {
			if !s.On[y*s.W+x] || !inside(x, y) {
				continue
			}
			cn := 0
			for k := range 8 {
				if s.at(x+ring[k][0], y+ring[k][1]) != s.at(x+ring[(k+1)%8][0], y+ring[(k+1)%8][1]) {
					cn++
				}
			}
			var kind Kind
			switch cn / 2 {
			case 1:
				kind = Ending
			case 3:
				kind = Bifurcation
			default:
				continue
			}
			found = append(found, Minutia{X: float64(x), Y: float64(y), Kind: kind, Angle: s.direction(x, y, kind, orient(x, y))})
		}
	}
	keep := make([]bool, len(found))
	for i := range keep {
		keep[i] = true
	}
	for i := range found {
		for j := i + 1; j < len(found); j++ {
			if math.Hypot(found[i].X-found[j].X, found[i].Y-found[j].Y) < minGap {
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

// direction: an ending's points from 8 px back along its line to the end; a
// bifurcation's is the ridge orientation turned towards the branch most opposite the
// others (the stem).
func (s *Skeleton) direction(x, y int, kind Kind, orient float64) float64 {
	walk := func(fx, fy int) (int, int) {
		px, py, cx, cy := x, y, fx, fy
		for range 8 {
			moved := false
			for dy := -1; dy <= 1 && !moved; dy++ {
				for dx := -1; dx <= 1 && !moved; dx++ {
					nx, ny := cx+dx, cy+dy
					// Not back into the minutia's own neighbourhood: from there a walk
					// can hop onto another branch, counting one branch twice and
					// another not at all.
					if (dx == 0 && dy == 0) || (nx == px && ny == py) || abs(nx-x) <= 1 && abs(ny-y) <= 1 {
						continue
					}
					if s.at(nx, ny) {
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
			if (dx != 0 || dy != 0) && s.at(x+dx, y+dy) {
				ex, ey := walk(x+dx, y+dy)
				ends = append(ends, [2]int{ex, ey})
			}
		}
	}
	angle := func(fromX, fromY, toX, toY int) float64 { return math.Atan2(-float64(toY-fromY), float64(toX-fromX)) }
	if kind == Ending && len(ends) > 0 {
		return Norm(angle(ends[0][0], ends[0][1], x, y))
	}
	a := math.Pi - orient // image orientation (y down) to y up
	// The branches' far ends, merged where two walks found the same branch: the sum of
	// the unit vectors to them leans towards the fork (two branches) and away from the
	// stem (one).
	var uniq [][2]int
	for _, e := range ends {
		dup := false
		for _, u := range uniq {
			if (e[0]-u[0])*(e[0]-u[0])+(e[1]-u[1])*(e[1]-u[1]) <= 9 {
				dup = true
			}
		}
		if !dup {
			uniq = append(uniq, e)
		}
	}
	var sx, sy float64
	for _, e := range uniq {
		dx, dy := float64(e[0]-x), -float64(e[1]-y)
		if d := math.Hypot(dx, dy); d > 0 {
			sx, sy = sx+dx/d, sy+dy/d
		}
	}
	if len(uniq) >= 3 && math.Cos(a)*sx+math.Sin(a)*sy > 0 {
		a += math.Pi
	}
	return Norm(a)
}

// Norm puts an angle in [0, 2π).
func Norm(a float64) float64 {
	a = math.Mod(a, 2*math.Pi)
	if a < 0 {
		a += 2 * math.Pi
	}
	return a
}

// Erode shrinks a w × h mask by r pixels (a square structuring element).
func Erode(w, h int, mask []bool, r int) []bool {
	rows := make([]bool, len(mask))
	for y := range h {
		run := 0
		for x := range w {
			if mask[y*w+x] {
				run++
			} else {
				run = 0
			}
			if run > 2*r {
				rows[y*w+x-r] = true
			}
		}
	}
	out := make([]bool, len(mask))
	for x := range w {
		run := 0
		for y := range h {
			if rows[y*w+x] {
				run++
			} else {
				run = 0
			}
			if run > 2*r {
				out[(y-r)*w+x] = true
			}
		}
	}
	return out
}
